"""Member-development targets per unit and term (chỉ tiêu phát triển đoàn viên theo nhiệm kỳ) and progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from chassis.errors import InvalidInput, NotFound
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.figures import FigureRepository
from reporting.adapters.targets import TargetRepository
from reporting.application.figures import today
from reporting.domain.movements import COUNTED_STATUSES

COUNTED = tuple(sorted(COUNTED_STATUSES))


@dataclass
class Progress:
    unit_id: UUID
    code: str
    name: str
    target: Row | None
    counted_from: date | None = None  # the term's start, or the ledger's when the term began before it
    counted_to: date | None = None  # today, or the term's end
    members_at_start: int = 0
    members: int = 0
    admitted: int = 0


class TargetService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.targets = TargetRepository(session)
        self.figures = FigureRepository(session)

    async def set(
        self,
        principal: Principal,
        unit_id: UUID,
        term: str,
        starts_on: date,
        ends_on: date,
        members: int,
        admissions: int,
    ) -> Row:
        """A level sets the targets of a unit below it (the national centre its own)."""
        first, last = (int(year) for year in term.split("-"))
        if last <= first:
            raise InvalidInput(
                "Nhiệm kỳ phải có năm kết thúc sau năm bắt đầu, ví dụ 2023-2028",
                "A term ends in a later year than it starts, e.g. 2023-2028",
                code="invalid-term",
                field="term",
            )
        if ends_on <= starts_on:
            raise InvalidInput(
                "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu",
                "The term ends before it starts",
                code="period-reversed",
                field="starts_on",
            )
        known, parent = await self.targets.parent_of(unit_id)
        if not known:
            raise NotFound("Không tìm thấy đơn vị", "No such unit", code="unit-not-found", field="unit_id")
        await ensure_in_scope(self.session, principal, Permission.REPORTS_SET_TARGETS, parent or unit_id)
        return await self.targets.save(
            unit_id=unit_id,
            term=term,
            starts_on=starts_on,
            ends_on=ends_on,
            members=members,
            admissions=admissions,
            set_by=principal.username,
        )

    async def progress(self, principal: Principal, unit_id: UUID, term: str) -> list[Progress]:
        """The unit and each unit directly under it now: its target of the term, if any, and how far it is:
        members at the term's start and now (or at its end), members admitted since it began."""
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        now = today()
        unit, below = await self.figures.period_units(principal, unit_id, now, now)
        rows = [
            (unit_id, unit.code if unit else "", unit.name if unit else str(unit_id)),
            *((row.unit_id, row.code, row.name) for row in below),
        ]
        targets = await self.targets.targets(principal, [row[0] for row in rows], term)
        found = {row[0]: Progress(*row, targets.get(row[0])) for row in rows}
        start = await self.figures.ledger_start()
        windows: dict[tuple[date, date], list[UUID]] = {}
        for progress in found.values():
            if progress.target is None or start is None or progress.target.starts_on > now:
                continue
            progress.counted_from = max(progress.target.starts_on, start)
            progress.counted_to = min(progress.target.ends_on, now)
            windows.setdefault((progress.counted_from, progress.counted_to), []).append(progress.unit_id)
        for (first, last), ids in windows.items():
            stocks, flows = await self.figures.period(
                principal, ids, first, last, now, ("status",), COUNTED, ("admitted",)
            )
            for stock in stocks:
                found[stock.unit_id].members_at_start += int(stock.at_start)
                found[stock.unit_id].members += int(stock.at_end)
            for flow in flows:
                found[flow.unit_id].admitted += int(flow.members)
        return list(found.values())
