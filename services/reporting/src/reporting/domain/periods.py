"""The period report of member development (báo cáo tình hình phát triển đoàn viên), free of frameworks.

A row is a unit's whole subtree: members at the end of the day before the period and at the end of its last day,
what moved in between (each kind, women apart), and what the movements do not explain: the change of the
subtree itself (a unit moved in or out, merged, or members counted from the ledger's opening), so every row adds
up: start + admitted + in − out − retired − removed − left + restructured = end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from reporting.domain.movements import COUNTED_STATUSES, MOVEMENT_KINDS
from reporting.domain.units import GRASSROOTS

# Stocks read for each row: (dimension, value) at the start and the end.
STOCK_DIMENSIONS = ("status", "gender", "enterprise_type", "unit_type")
_UNIT_FLOWS = {"unit_established": "units_established", "unit_closed": "units_closed"}
_INTO = {"admitted": 1, "transferred_in": 1, "transferred_out": -1, "retired": -1, "removed": -1, "left": -1}


@dataclass
class PeriodRow:
    unit_id: UUID
    code: str
    name: str
    members_at_start: int = 0
    members_at_end: int = 0
    women_at_start: int = 0
    women_at_end: int = 0
    movements: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENT_KINDS, 0))
    women: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENT_KINDS, 0))
    by_enterprise_type: dict[str, int] = field(default_factory=dict)  # at the end; "" not known
    # The subtree's active grassroots unions at the start and the end; units (of any type) established and closed.
    grassroots_at_start: int = 0
    grassroots_at_end: int = 0
    units_established: int = 0
    units_closed: int = 0
    # The unit's member target of the term in force on the period's last day (none set: None).
    target_term: str | None = None
    target_members: int | None = None

    @property
    def restructured(self) -> int:
        explained = sum(self.movements[kind] * sign for kind, sign in _INTO.items())
        return self.members_at_end - self.members_at_start - explained


def fill_rows(
    rows: Mapping[UUID, PeriodRow],
    stocks: Iterable[tuple[UUID, str, str, int, int]],
    flows: Iterable[tuple[UUID, str, bool, int]],
) -> None:
    """Stocks (unit, dimension, value, at start, at end) and flows (unit, kind, of women, members) into rows."""
    for unit_id, dimension, value, at_start, at_end in stocks:
        row = rows[unit_id]
        if dimension == "status" and value in COUNTED_STATUSES:
            row.members_at_start += at_start
            row.members_at_end += at_end
        elif dimension == "gender" and value == "female":
            row.women_at_start, row.women_at_end = at_start, at_end
        elif dimension == "enterprise_type" and at_end:
            row.by_enterprise_type[value] = at_end
        elif dimension == "unit_type" and value == GRASSROOTS:
            row.grassroots_at_start, row.grassroots_at_end = at_start, at_end
    for unit_id, kind, female, members in flows:
        if kind in _UNIT_FLOWS:
            setattr(rows[unit_id], _UNIT_FLOWS[kind], getattr(rows[unit_id], _UNIT_FLOWS[kind]) + members)
        elif kind in rows[unit_id].movements:
            rows[unit_id].movements[kind] += members
            if female:
                rows[unit_id].women[kind] += members
