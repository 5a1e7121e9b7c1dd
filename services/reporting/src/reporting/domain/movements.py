"""How a member's change moves the figures of a report (báo cáo biến động đoàn viên), free of frameworks.

A member counts for a unit while active or suspended. Comparing the member's previous state (unit, status)
with the new one gives the movements: admitted, transferred out of one unit and into another, suspended,
resumed, retired, removed. Each carries the change in the unit's count (`delta`), so the members of a subtree
on any past day are the sum of the deltas up to that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

COUNTED_STATUSES = frozenset({"active", "suspended"})
MOVEMENT_KINDS = ("admitted", "transferred_in", "transferred_out", "suspended", "resumed", "retired", "removed", "left")


@dataclass(frozen=True)
class Movement:
    unit_id: UUID
    kind: str
    delta: int
    other_unit_id: UUID | None = None


def movements(previous: tuple[UUID, str] | None, unit_id: UUID, status: str) -> list[Movement]:
    """The movements between the member's previous (unit, status), None for a new member, and the new ones."""
    was = previous is not None and previous[1] in COUNTED_STATUSES
    now = status in COUNTED_STATUSES
    if not was:
        return [Movement(unit_id, "admitted", 1)] if now else []
    old_unit, old_status = previous
    if not now:
        return [Movement(old_unit, status if status in ("retired", "removed") else "left", -1)]
    found = []
    if old_unit != unit_id:
        found += [Movement(old_unit, "transferred_out", -1, unit_id), Movement(unit_id, "transferred_in", 1, old_unit)]
    if old_status != status:
        found.append(Movement(unit_id, "suspended" if status == "suspended" else "resumed", 0))
    return found
