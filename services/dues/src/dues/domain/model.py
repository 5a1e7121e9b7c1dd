"""Đoàn phí, free of frameworks: the norm a member owes for a month and how a month's dues are shared.

The rules are effective-dated policy rows, never constants (DOMAIN.md §7): 1 % of salary until 30/6/2025 and
0.5 % from 1/7/2025 (Decision 61/QĐ-TLĐ), at most 10 % of the base salary (lương cơ sở) a month; the
grassroots union keeps 70 % of what it collects within the norm and remits 30 % to the upper level; whatever a
member pays above the norm stays entirely with the grassroots union. The policy of a month is the one in force
on its first day. Suspended members owe nothing; a member without income for the month is recorded as exempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from contracts.wellknown import vietnamese_date


@dataclass(frozen=True)
class ExemptionReason:
    """A reason a member owes nothing for a month (đối tượng được miễn đóng), as a policy lists it."""

    code: str  # e.g. "no_income"
    name: str  # Vietnamese, as shown and printed


# The reasons in force since 2023 (the seeded policies carry them). `suspended` is not chosen by an officer: a
# suspended member is recorded exempt for that reason whatever the line says, so every policy lists it.
SUSPENDED = ExemptionReason("suspended", "Tạm dừng sinh hoạt")
STANDARD_EXEMPTIONS = (
    ExemptionReason("no_income", "Không có thu nhập"),
    ExemptionReason("social_insurance_benefit", "Hưởng trợ cấp BHXH"),
    SUSPENDED,
)


@dataclass(frozen=True)
class DuesPolicy:
    effective_from: date
    rate_permille: int  # 10 = 1 % of salary, 5 = 0.5 %
    base_salary_vnd: int
    cap_percent_of_base: int
    grassroots_share_percent: int
    decision: str | None = None  # the decision that set it, e.g. "61/QĐ-TLĐ"
    created_by: str | None = None
    created_at: datetime | None = None
    exemption_reasons: tuple[ExemptionReason, ...] = STANDARD_EXEMPTIONS
    # Of the upper share that reaches a level above the grassroots unions, the part it keeps; the rest is due to
    # its own upper level (nộp cấp trên giữa các cấp). 0: every level passes on all it receives.
    upper_level_keeps_percent: int = 0

    @property
    def exemption_codes(self) -> frozenset[str]:
        return frozenset(reason.code for reason in self.exemption_reasons)

    def exemption_name(self, code: str | None) -> str:
        return next((reason.name for reason in self.exemption_reasons if reason.code == code), code or "")

    @property
    def cap_vnd(self) -> int:
        return self.base_salary_vnd * self.cap_percent_of_base // 100

    def norm_vnd(self, salary_vnd: int) -> int:
        """What the member owes for the month on this salary (rounded down to the đồng)."""
        return min(salary_vnd * self.rate_permille // 1000, self.cap_vnd)

    def upper_share_vnd(self, paid_vnd: int, norm_vnd: int) -> int:
        """The part of a payment remitted to the upper level: its share of what was paid within the norm."""
        return min(paid_vnd, norm_vnd) * (100 - self.grassroots_share_percent) // 100


@dataclass(frozen=True)
class DuesMonth:
    """A unit's record of a month (ghi sổ đoàn phí): its totals under the month's policy. A correction supersedes it."""

    collection_id: UUID
    unit_id: UUID
    month: date  # the month's first day
    status: str  # recorded | superseded
    policy_from: date
    members_paid: int
    members_exempt: int
    collected_vnd: int
    norm_vnd: int
    upper_share_vnd: int
    grassroots_share_vnd: int
    members_part_paid: int
    members_unpaid: int
    owed_vnd: int
    recorded_by: str
    recorded_at: datetime
    above_norm_decision: str | None = None
    corrects_id: UUID | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class Remittance:
    """A unit's transfer to its upper level for a period (a grassroots union's upper share, or what an upper level
    owes its own upper level), and that upper level's confirmation."""

    remittance_id: UUID
    unit_id: UUID
    month_from: date
    month_to: date
    transferred_on: date
    amount_vnd: int
    reference: str
    recorded_by: str
    recorded_at: datetime
    received_on: date | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    upper_unit_id: UUID | None = None  # the unit it went to (the remitter's parent when recorded)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def policy_for(month: date, policies: list[DuesPolicy]) -> DuesPolicy | None:
    """The policy in force on the month's first day, or None before the first one."""
    in_force = [policy for policy in policies if policy.effective_from <= month.replace(day=1)]
    return max(in_force, key=lambda policy: policy.effective_from) if in_force else None


def today_in_vietnam() -> date:
    """The calendar day in Vietnam: a month begins there at midnight (UTC+7), whatever the server's clock says, so
    the 1st is "today" for an officer from 17:00 UTC on the last day of the month before."""
    return vietnamese_date(datetime.now(UTC))


def policy_start(day: date) -> date:
    """A policy takes effect on a month's first day, so every month has exactly one policy; ValueError otherwise."""
    if day.day != 1:
        raise ValueError("a policy starts on the first day of a month")
    return day


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def first_of_month(text: str) -> date:
    """`YYYY-MM` as the month's first day; raises ValueError for anything else."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return date(int(year), int(month), 1)


# Members in these statuses are accounted for in their unit's months (suspended ones as exempt).
PAYING_STATUSES = ("active", "suspended")


def outcome(paid_vnd: int, norm_vnd: int, exemption: str | None) -> str:
    """How a line of a month ends: paid in full, paid in part, exempt or unpaid."""
    if exemption:
        return "exempt"
    if paid_vnd == 0:
        return "unpaid"
    return "part_paid" if paid_vnd < norm_vnd else "paid"
