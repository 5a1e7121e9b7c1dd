"""Đoàn phí, free of frameworks: the norm a member owes for a month and how a month's dues are shared.

The rules are effective-dated policy rows, never constants (DOMAIN.md §7): 1 % of salary until 30/6/2025 and
0.5 % from 1/7/2025 (Decision 61/QĐ-TLĐ), at most 10 % of the base salary (lương cơ sở) a month; the
grassroots union keeps 70 % of what it collects within the norm and remits 30 % to the upper level; whatever a
member pays above the norm stays entirely with the grassroots union. The policy of a month is the one in force
on its first day. Suspended members owe nothing; a member without income for the month is recorded as exempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DuesPolicy:
    effective_from: date
    rate_permille: int  # 10 = 1 % of salary, 5 = 0.5 %
    base_salary_vnd: int
    cap_percent_of_base: int
    grassroots_share_percent: int

    @property
    def cap_vnd(self) -> int:
        return self.base_salary_vnd * self.cap_percent_of_base // 100

    def norm_vnd(self, salary_vnd: int) -> int:
        """What the member owes for the month on this salary (rounded down to the đồng)."""
        return min(salary_vnd * self.rate_permille // 1000, self.cap_vnd)

    def upper_share_vnd(self, paid_vnd: int, norm_vnd: int) -> int:
        """The part of a payment remitted to the upper level: its share of what was paid within the norm."""
        return min(paid_vnd, norm_vnd) * (100 - self.grassroots_share_percent) // 100


def policy_for(month: date, policies: list[DuesPolicy]) -> DuesPolicy | None:
    """The policy in force on the month's first day, or None before the first one."""
    in_force = [policy for policy in policies if policy.effective_from <= month.replace(day=1)]
    return max(in_force, key=lambda policy: policy.effective_from) if in_force else None


def first_of_month(text: str) -> date:
    """`YYYY-MM` as the month's first day; raises ValueError for anything else."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(text)
    return date(int(year), int(month), 1)


# Exemption reasons a grassroots union records for a member and month (đối tượng được miễn đóng đoàn phí).
EXEMPTION_VI = {
    "no_income": "không có thu nhập trong tháng",
    "social_insurance_benefit": "đang hưởng trợ cấp bảo hiểm xã hội",
    "suspended": "đang tạm dừng sinh hoạt",
}
