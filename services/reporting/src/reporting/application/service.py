"""Reporting's use cases: keep the read model up to date and answer figures for a subtree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.figures import FigureRepository
from reporting.adapters.repository import MemberFactRepository
from reporting.domain.figures import NOT_KNOWN
from reporting.domain.movements import COUNTED_STATUSES, MOVEMENT_KINDS


@dataclass
class MemberSummary:
    unit_id: UUID
    scope: str
    members: int = 0
    female: int = 0
    foreign: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    # Card progress among the members counted: waiting for a card, printed, delivered.
    cards: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitTotals:
    unit_id: UUID
    members: int
    pending: int


class ReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.facts = MemberFactRepository(session)

    async def member_summary(self, principal: Principal, unit_id: UUID, subtree: bool) -> MemberSummary:
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        if subtree:
            return await self._subtree_summary(principal, unit_id)
        summary = MemberSummary(unit_id=unit_id, scope="unit")
        by_status: Counter[str] = Counter()
        cards: Counter[str] = Counter({"requested": 0, "printed": 0, "delivered": 0})
        for row in await self.facts.counts(principal, unit_id):
            by_status[row.status] += row.members
            if row.status in COUNTED_STATUSES:
                summary.members += row.members
                summary.female += row.members if row.gender == "female" else 0
                summary.foreign += row.members if row.is_foreign else 0
                if row.card_status != "none":
                    cards[row.card_status] += row.members
        # A count that went back to zero stays as a row; whether it exists depends on history, not on the members.
        summary.by_status = {status: members for status, members in by_status.items() if members}
        summary.cards = dict(cards)
        return summary

    async def _subtree_summary(self, principal: Principal, unit_id: UUID) -> MemberSummary:
        """The same figures for the whole subtree, from the figures kept per subtree: summing every unit's counts
        took seconds for the national centre (2 million rows), these are a few dozen rows for any subtree. Gender,
        nationality and card status are kept only for the members counted, as the summary counts them."""
        figures = await FigureRepository(self.session).current(
            principal, unit_id, ("status", "gender", "nationality", "card_status")
        )
        by_status = figures["status"]
        return MemberSummary(
            unit_id=unit_id,
            scope="subtree",
            members=sum(members for status, members in by_status.items() if status in COUNTED_STATUSES),
            female=figures["gender"].get("female", 0),
            foreign=sum(members for value, members in figures["nationality"].items() if value not in ("VN", NOT_KNOWN)),
            by_status=by_status,
            cards={kind: figures["card_status"].get(kind, 0) for kind in ("requested", "printed", "delivered")},
        )

    async def subtree_totals(self, principal: Principal, unit_ids: list[UUID]) -> list[UnitTotals]:
        """Members and pending members below each unit (e.g. the children of the unit an officer looks at);
        every unit must be in the caller's scope. Units without members answer zeros."""
        for unit_id in unit_ids:
            await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        found = {row.unit_id: row for row in await FigureRepository(self.session).subtree_totals(principal, unit_ids)}
        return [
            UnitTotals(
                unit_id,
                found[unit_id].members if unit_id in found else 0,
                found[unit_id].pending if unit_id in found else 0,
            )
            for unit_id in unit_ids
        ]

    async def movements(self, principal: Principal, unit_id: UUID, first: date, last: date) -> dict:
        """Biến động đoàn viên: members at the start and end of the period and what moved in between."""
        if first > last:
            raise InvalidInput(
                "Ngày bắt đầu phải trước ngày kết thúc",
                "The period starts after it ends",
                code="period-reversed",
                field="from",
            )
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        moved = await self.facts.movements_between(principal, unit_id, first, last)
        return {
            "unit_id": unit_id,
            "from": first,
            "to": last,
            "members_at_start": await self.facts.members_on(principal, unit_id, first - timedelta(days=1)),
            "members_at_end": await self.facts.members_on(principal, unit_id, last),
            **{kind: moved.get(kind, 0) for kind in MOVEMENT_KINDS},
        }
