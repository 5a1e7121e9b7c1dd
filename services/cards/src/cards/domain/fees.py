"""Card fees (phí thẻ): the schedule of prices per card from a day on, and what an order's cards cost.

Seed 001: a regular card's blank (phôi) costs 3,000 VND and its printing 10,000 VND including the blank; a linked
card 50,000 VND, free when the unit commits to paying salaries through the bank. Seed 004: "cấp nào cấp đó chi theo
số lượng thẻ thực tế" (each level pays for its own cards), the province holding the supplier's one invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

PAYERS_VI = {"member_unit": "đơn vị của đoàn viên (cấp nào cấp đó chi)", "ordering_unit": "đơn vị đặt in"}
COMPONENTS_VI = {"blank": "phôi thẻ", "printing": "in thẻ", "linked": "thẻ liên kết"}
MAX_PRICE_VND = 1_000_000  # per card: anything above is a typing slip, not a price


@dataclass(frozen=True)
class FeeSchedule:
    effective_from: date
    blank_vnd: int
    printing_vnd: int
    linked_vnd: int
    blank_paid_by: str
    printing_paid_by: str
    linked_paid_by: str
    decision: str
    created_by: str
    created_at: datetime

    def prices(self, kind: str) -> dict[str, int]:
        """What one card of the kind costs, per component (a regular card: blank and printing; linked: the card)."""
        if kind == "regular":
            return {"blank_vnd": self.blank_vnd, "printing_vnd": self.printing_vnd, "linked_vnd": 0}
        return {"blank_vnd": 0, "printing_vnd": 0, "linked_vnd": self.linked_vnd}


def in_force(schedules: list[FeeSchedule], day: date) -> FeeSchedule | None:
    """The schedule in force on `day`: the latest one starting on or before it."""
    started = [schedule for schedule in schedules if schedule.effective_from <= day]
    return max(started, key=lambda schedule: schedule.effective_from, default=None)
