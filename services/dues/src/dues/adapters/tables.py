"""Dues' tables: its view of members, the effective-dated policy, and each unit's recorded months.

A month is recorded once per unit; a correction records the month again and marks the earlier record
`superseded` (kept, with who and when): nothing is edited or deleted.
"""

import json
from dataclasses import asdict

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from dues.domain.model import STANDARD_EXEMPTIONS

metadata = MetaData()
STANDARD_EXEMPTIONS_JSON = json.dumps([asdict(reason) for reason in STANDARD_EXEMPTIONS], ensure_ascii=False)

# Fed by members.member.v1: who pays dues where, and whether they are active.
dues_payers = Table(
    "dues_payers",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text),
    Column("full_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("joined_on", Date),  # before it the member owes nothing anywhere
    Index("dues_payers_unit", "unit_id"),
    info={"scoped_by": "unit_id"},
)

# Every version of every member with the time its event happened: who was in which unit, in which status, when.
# A recorded month accounts for the members of the unit at the month's end, wherever they are now. A member's
# first paying version counts from their joining (`dues_payers.joined_on`), not from when the platform learned
# of it: members are entered long after they joined.
dues_payer_spells = Table(
    "dues_payer_spells",
    metadata,
    Column("member_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("member_id", "version"),
    Index("dues_payer_spells_unit", "unit_id", "member_id"),
    info={"scoped_by": "unit_id"},
)

dues_policies = Table(
    "dues_policies",
    metadata,
    Column("effective_from", Date, primary_key=True),
    Column("rate_permille", Integer, nullable=False),
    Column("base_salary_vnd", BigInteger, nullable=False),
    Column("cap_percent_of_base", Integer, nullable=False),
    Column("grassroots_share_percent", Integer, nullable=False),
    Column("decision", Text, nullable=False),  # the decision that set it, e.g. "61/QĐ-TLĐ"
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The exemption reasons a line may name under this policy: [{"code": ..., "name": ...}], in the order shown.
    Column("exemption_reasons", JSONB, nullable=False, server_default=text(f"'{STANDARD_EXEMPTIONS_JSON}'::jsonb")),
    # Of the upper share reaching a level above the grassroots unions, the part that level keeps (the rest it owes
    # its own upper level).
    Column("upper_level_keeps_percent", Integer, nullable=False, server_default="0"),
)

dues_collections = Table(
    "dues_collections",
    metadata,
    Column("collection_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    Column("status", Text, nullable=False),  # recorded | superseded
    Column("policy_from", Date, ForeignKey("dues_policies.effective_from"), nullable=False),
    Column("members_paid", Integer, nullable=False),
    Column("members_exempt", Integer, nullable=False),
    Column("collected_vnd", BigInteger, nullable=False),
    Column("norm_vnd", BigInteger, nullable=False),
    Column("upper_share_vnd", BigInteger, nullable=False),
    Column("grassroots_share_vnd", BigInteger, nullable=False),
    Column("members_part_paid", Integer, nullable=False, server_default="0"),
    Column("members_unpaid", Integer, nullable=False, server_default="0"),
    Column("owed_vnd", BigInteger, nullable=False, server_default="0"),  # norm not paid by the paying members
    Column("above_norm_decision", Text),  # the unit's decision that lets members pay above the norm
    Column("corrects_id", Uuid, ForeignKey("dues_collections.collection_id")),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("superseded_at", DateTime(timezone=True)),
    # One live record per unit and month; corrections supersede it.
    Index(
        "dues_collections_one_per_month", "unit_id", "month", unique=True, postgresql_where=text("status = 'recorded'")
    ),
    Index("dues_collections_month_unit", "month", "unit_id"),
    info={"scoped_by": "unit_id"},
)

dues_lines = Table(
    "dues_lines",
    metadata,
    Column("collection_id", Uuid, ForeignKey("dues_collections.collection_id"), nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("salary_vnd", BigInteger),
    Column("norm_vnd", BigInteger, nullable=False),
    Column("paid_vnd", BigInteger, nullable=False),
    Column("upper_share_vnd", BigInteger, nullable=False),
    Column("exemption", Text),
    PrimaryKeyConstraint("collection_id", "member_id"),
    Index("dues_lines_member", "member_id"),
    info={"scoped_by": "collection_id -> dues_collections.unit_id"},
)

# Derived from the live records (corrections replace what they correct): a row per member and month owed, the
# norm not paid. Held under the member's CURRENT unit, kept current by member events, so that a member's arrears
# follow them on a transfer and the receiving unit sees them; `recorded_by_unit_id` is the unit of the month.
dues_arrears = Table(
    "dues_arrears",
    metadata,
    Column("collection_id", Uuid, nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    Column("recorded_by_unit_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("salary_vnd", BigInteger),
    Column("norm_vnd", BigInteger, nullable=False),
    Column("paid_vnd", BigInteger, nullable=False),
    Column("owed_vnd", BigInteger, nullable=False),
    PrimaryKeyConstraint("collection_id", "member_id"),
    Index("dues_arrears_member", "member_id", "month"),
    Index("dues_arrears_unit", "unit_id", "member_id"),
    info={"scoped_by": "unit_id"},
)

# The arrears of each unit's own members, summed: a subtree's figure adds these up instead of every row.
dues_arrears_units = Table(
    "dues_arrears_units",
    metadata,
    Column("unit_id", Uuid, primary_key=True),
    Column("members_owing", Integer, nullable=False),
    Column("months_owed", Integer, nullable=False),
    Column("owed_vnd", BigInteger, nullable=False),
    info={"scoped_by": "unit_id"},
)

# What a unit transferred to its upper level for a period of months (a grassroots union the upper share, an upper
# level what it owes its own upper level), and the upper level's
# confirmation of receipt. Recorded once, confirmed once; never edited.
dues_remittances = Table(
    "dues_remittances",
    metadata,
    Column("remittance_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),  # the remitting unit
    Column("month_from", Date, nullable=False),
    Column("month_to", Date, nullable=False),
    Column("transferred_on", Date, nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("reference", Text, nullable=False),  # the bank transfer's reference (số chứng từ)
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("received_on", Date),
    Column("confirmed_by", Text),
    Column("confirmed_at", DateTime(timezone=True)),
    # The unit the transfer went to: the remitter's parent when it was recorded (a grassroots union's upper level,
    # or the upper level of an upper level). It confirms receipt.
    Column("upper_unit_id", Uuid),
    Index("dues_remittances_unit", "unit_id", "month_from"),
    info={"scoped_by": "unit_id"},
)
