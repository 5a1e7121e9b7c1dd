"""Period reports, in the tree of the period's days: member development for every unit under a unit, and the units
of a subtree (by type and enterprise type, established and closed; grassroots unions by their members)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.dues import DuesRepository
from reporting.adapters.figures import FigureRepository
from reporting.adapters.targets import TargetRepository
from reporting.application.figures import EARLIEST, ensure_answerable, today
from reporting.domain.dues import AMOUNTS, REMITTED
from reporting.domain.periods import STOCK_DIMENSIONS, PeriodRow, fill_rows
from reporting.domain.units import GRASSROOTS, SIZE_BANDS, UNIT_KINDS

# The longest run of months one answer holds (a dues report, a series of monthly figures).
MAX_MONTHS = 36


@dataclass
class PeriodReport:
    unit_id: UUID
    first: date
    last: date
    rows: list[PeriodRow]
    total: PeriodRow

    @property
    def restructured(self) -> bool:
        """The subtree or one of its rows changed shape in the period (a unit moved, merged, dissolved)."""
        return any(row.restructured for row in [*self.rows, self.total])


@dataclass
class UnitFigures:
    unit_id: UUID
    first: date
    last: date
    at_start: dict[str, dict[str, int]]  # dimension → value → units
    at_end: dict[str, dict[str, int]]
    flows: dict[str, int]  # unit_established, unit_closed
    sizes: dict[int, int]  # lower bound of the members band → grassroots unions at the end of `last`


@dataclass
class DuesReport:
    unit_id: UUID
    first: date  # first days of the first and the last month
    last: date
    months: list[dict]  # the subtree's months
    rows: list[dict]  # the whole period for each unit directly under the unit
    total: dict  # the whole period for the unit


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _at_most_months(first: date, last: date) -> None:
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise InvalidInput(
            f"Mỗi lần xem tối đa {MAX_MONTHS} tháng",
            f"At most {MAX_MONTHS} months",
            code="period-too-long",
            field="to",
        )


def months_of(first: date, last: date) -> list[tuple[date, date]]:
    """The calendar months from `first` to `last`, each cut to the period (the first from `first`, the last to
    `last`)."""
    months, start = [], first
    while start <= last:
        end = min(_next_month(start.replace(day=1)) - timedelta(days=1), last)
        months.append((start, end))
        start = end + timedelta(days=1)
    return months


def _with_outstanding(values: dict) -> dict:
    """The upper share the grassroots unions have not remitted yet (negative: remitted ahead)."""
    return {**values, "outstanding_vnd": values["upper_share_vnd"] - values["remitted_vnd"]}


class PeriodService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.figures = FigureRepository(session)

    async def development(self, principal: Principal, unit_id: UUID, first: date, last: date) -> PeriodReport:
        """Members at the start and the end of the period and what moved, for the unit and each unit under it."""
        await self._check(principal, unit_id, first, last)
        unit, below = await self.figures.period_units(principal, unit_id, first, last)
        rows = {row.unit_id: PeriodRow(row.unit_id, row.code, row.name) for row in below}
        total = PeriodRow(unit_id, unit.code if unit else "", unit.name if unit else str(unit_id))
        every = {**rows, unit_id: total}
        ids = list(every)
        stocks, flows = await self.figures.period(principal, ids, first, last, today(), STOCK_DIMENSIONS)
        fill_rows(every, stocks, flows)
        for unit, target in (await TargetRepository(self.session).in_force(principal, ids, last)).items():
            every[unit].target_term, every[unit].target_members = target.term, target.members
        return PeriodReport(unit_id, first, last, list(rows.values()), total)

    async def development_months(
        self, principal: Principal, unit_id: UUID, first: date, last: date
    ) -> list[tuple[date, date, PeriodRow]]:
        """The unit's whole-subtree row of the development report for each month of the period (the first and the
        last cut to it): the series a chart of members over time draws, in one answer rather than one per month."""
        _at_most_months(first, last)
        await self._check(principal, unit_id, first, last)
        unit = await self.figures.unit_on(principal, unit_id, last)
        series = []
        for start, end in months_of(first, last):
            row = PeriodRow(unit_id, unit.code if unit else "", unit.name if unit else str(unit_id))
            stocks = await self.figures.stocks(
                principal, [unit_id], STOCK_DIMENSIONS, start - timedelta(days=1), end, today()
            )
            flows = await self.figures.flows(principal, [unit_id], start, end)
            fill_rows({unit_id: row}, [tuple(r) for r in stocks], [tuple(r) for r in flows])
            series.append((start, end, row))
        return series

    async def overview(self, principal: Principal, unit_id: UUID, first: date, last: date) -> UnitFigures:
        """The units of the subtree by type and enterprise type at the start and the end of the period (in the tree
        of those days), established and closed in it, and the grassroots unions by their members at its end (in the
        tree of that day)."""
        await self._check(principal, unit_id, first, last)
        found = UnitFigures(
            unit_id,
            first,
            last,
            {"unit_type": {}, "grassroots_enterprise_type": {}},
            {"unit_type": {}, "grassroots_enterprise_type": {}},
            dict.fromkeys(UNIT_KINDS, 0),
            dict.fromkeys(SIZE_BANDS, 0),
        )
        for row in await self.figures.stocks(
            principal, [unit_id], ("unit_type", "grassroots_enterprise_type"), first - timedelta(days=1), last, today()
        ):
            if row.at_start:
                found.at_start[row.dimension][row.value] = int(row.at_start)
            if row.at_end:
                found.at_end[row.dimension][row.value] = int(row.at_end)
        for row in await self.figures.flows(principal, [unit_id], first, last):
            if row.kind in found.flows:
                found.flows[row.kind] += int(row.members)
        found.sizes = await self.figures.grassroots_sizes(principal, unit_id, last, today())
        return found

    async def dues(self, principal: Principal, unit_id: UUID, first: date, last: date) -> DuesReport:
        """The subtree's dues of each month from `first` to `last` (first days), and of the whole period for the unit
        and each unit directly under it (in the tree of the period's days): units reporting and the grassroots
        unions at the month's (the period's) end, members paid and exempt, collected, owed under the norm, the upper
        level's share and the grassroots unions' share; what the grassroots unions remitted of the upper share for
        periods ending in the months (the first hop, `domain/dues.py`), what their upper level confirmed of it, and
        what is outstanding. Months without any record answer zeros."""
        self._check_months(first, last)
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
        start, now = await self.figures.ledger_start(), today()
        ends = {}  # first day of each month → its last day (today for this month)
        month = first
        while month <= last:
            following = _next_month(month)
            ends[month] = min(following - timedelta(days=1), now)
            month = following
        end = ends[last]
        # The units directly under the unit in the tree of the period's days, and those under it now with dues in
        # the period (dues go up the tree of the day they are recorded: a unit created after the months it records).
        unit, below = await self.figures.period_units(principal, unit_id, first, end)
        dues = DuesRepository(self.session)
        every = {row.unit_id: row for row in below}
        for row in await dues.children_with_dues(principal, unit_id, first, last):
            every.setdefault(row.unit_id, row)
        units = [(row.unit_id, row.code, row.name) for row in sorted(every.values(), key=lambda row: row.code)]
        units.append((unit_id, unit.code if unit else "", unit.name if unit else str(unit_id)))
        ids = [unit for unit, _, _ in units]
        found, sums = await dues.months_and_sums(principal, unit_id, ids, first, last)
        # The grassroots unions the figures know at each month's end (the unit's) and the period's (every row's), in
        # one statement; before the figures' first day they are not known (None).
        known = [day for day in ends.values() if start is not None and start <= day]
        grassroots = await self.figures.value_on_days(principal, ids, "unit_type", GRASSROOTS, known) if known else {}
        nothing = dict.fromkeys((*AMOUNTS, *REMITTED), 0)
        months = [
            _with_outstanding(
                {
                    "month": month,
                    "grassroots_unions": grassroots.get(unit_id, {}).get(day),
                    **(found.get(month) or nothing),
                }
            )
            for month, day in ends.items()
        ]
        rows = [
            _with_outstanding(
                {
                    "unit_id": unit,
                    "code": code,
                    "name": name,
                    "grassroots_unions": grassroots.get(unit, {}).get(end),
                    **sums.get(unit, nothing),
                }
            )
            for unit, code, name in units
        ]
        return DuesReport(unit_id, first, last, months, rows[:-1], rows[-1])

    @staticmethod
    def _check_months(first: date, last: date) -> None:
        if first > last:
            raise InvalidInput(
                "Tháng bắt đầu phải trước tháng kết thúc",
                "The period starts after it ends",
                code="period-reversed",
                field="from",
            )
        if first < EARLIEST:
            raise InvalidInput(
                "Tháng bắt đầu trước năm 1900", "The period starts before 1900", code="date-out-of-range", field="from"
            )
        if last > today():
            raise InvalidInput(
                "Tháng kết thúc ở tương lai", "The period ends in the future", code="date-in-future", field="to"
            )
        _at_most_months(first, last)

    async def _check(self, principal: Principal, unit_id: UUID, first: date, last: date) -> None:
        if first > last:
            raise InvalidInput(
                "Ngày bắt đầu phải trước ngày kết thúc",
                "The period starts after it ends",
                code="period-reversed",
                field="from",
            )
        await ensure_answerable(self.figures, first, last, "from", "to")
        await ensure_in_scope(self.session, principal, Permission.REPORTS_READ, unit_id)
