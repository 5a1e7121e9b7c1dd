"""Identifiers and conventions every service agrees on without asking another service."""

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

# The national centre (Tổng Liên đoàn Lao động Việt Nam) is the root of the tree.
# orgtree creates it in its first migration; identity grants the first administrator on it.
NATIONAL_CENTRE_ID = UUID("00000000-0000-4000-8000-000000000001")
NATIONAL_CENTRE_CODE = "TLD"

# VietinBank issues the linked cards of the whole tree under the national agreement (seed 001): identity registers
# it in its migration and cards knows it from its own, both with this id, before any event has travelled.
VIETINBANK_PARTNER_ID = UUID("00000000-0000-4000-8000-0000000000c7")
VIETINBANK_PARTNER_CODE = "CTG"
VIETINBANK_NAME = "Ngân hàng TMCP Công Thương Việt Nam (VietinBank)"

# Dates people see and report by (delegations, movements, order numbers) are Vietnamese calendar dates:
# UTC+7 all year, no daylight saving. An event at 23:30 UTC happened the next morning in Hà Nội.
VIETNAM_TIME = timezone(timedelta(hours=7))


def vietnamese_date(moment: datetime) -> date:
    return moment.astimezone(VIETNAM_TIME).date()


def vietnamese_today() -> date:
    """Today as an officer in Việt Nam counts it (from 17:00 UTC it is already tomorrow there)."""
    return vietnamese_date(datetime.now(UTC))
