"""The SQL of the figures by dimension and of the tree's history: written by the consumers, read by the API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.tables import tree_closure, tree_units
from contracts.events.orgtree_unit_v1 import UnitState
from contracts.permissions import Permission
from pydantic_core import to_json
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    Row,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import (
    subtree_figure_days,
    subtree_figure_months,
    subtree_figure_years,
    subtree_figures,
    subtree_movement_days,
    subtree_movement_months,
    subtree_movement_years,
    unit_versions,
)
from reporting.domain.dues import AMOUNTS as DUES_AMOUNTS
from reporting.domain.dues import FIRST_HOP_TYPES, REMITTED
from reporting.domain.facts import FigureKey, MovementKey
from reporting.domain.figures import NOT_KNOWN, UnitProfile
from reporting.domain.movements import COUNTED_STATUSES
from reporting.domain.units import GRASSROOTS, GRASSROOTS_BANDS, SIZE_BANDS, UnitShape

# Member and card polls apply figures along the tree's current paths; a poll of unit events that moves a subtree
# or changes a unit's profile re-attributes figures along the same paths. The first share this lock, the second
# takes it alone, so no member change lands on a path that a move has just left behind.
_TREE_LOCK = 0x7265706F72747265  # "reportre"


_UNREAD = object()


class Stock(NamedTuple):
    """A unit's members of one value of a dimension at a period's start and end (`FigureRepository.period`)."""

    unit_id: UUID
    dimension: str
    value: str
    at_start: int
    at_end: int


class Flow(NamedTuple):
    """A unit's movements of one kind in a period, of women or not (`FigureRepository.period`)."""

    unit_id: UUID
    kind: str
    female: bool
    members: int


class FigureRepository:
    # Periods read their whole years from the year tables; off, from the month tables (the benchmark's "before").
    read_years = True
    _ledger_start: date | None | object = _UNREAD  # `ledger_start`, once read

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- written by the consumers -----------------------------------------------------------------------------

    async def share_tree(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _TREE_LOCK})

    async def lock_tree(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _TREE_LOCK})

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def add_figures(self, changes: Mapping[FigureKey, int], opens_ledger: bool = True) -> None:
        """Each member unit's figure changes, added to that unit and every unit above it (in the tree now). The
        members' figures open the ledger on their first day; the units' do not (a unit founded in 1950 says
        nothing of its members then)."""
        rows = [
            {"unit_id": unit_id, "day": day, "dimension": dimension, "value": value, "members": delta}
            for (unit_id, day, dimension, value), delta in changes.items()
        ]
        if not rows:
            return
        await self.session.execute(_ADD_FIGURES, {"changes": to_json(rows).decode()})
        if opens_ledger:
            await self.session.execute(_OPEN_LEDGER, {"day": min(day for _, day, _, _ in changes)})

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def add_movements(self, movements: Mapping[MovementKey, int]) -> None:
        """Each member unit's movements, added to that unit and every unit above it that the other side of a
        transfer is not below."""
        rows = [
            {"unit_id": unit_id, "other_unit_id": other, "day": day, "kind": kind, "female": female, "members": members}
            for (unit_id, other, day, kind, female), members in movements.items()
        ]
        document = {"movements": to_json(rows).decode()}
        await self.session.execute(_ADD_MOVEMENT_DAYS, document)
        await self.session.execute(_PARK_MOVEMENTS, document)

    @unscoped("the consumer places what it applied before the units were in the tree replica")
    async def place_new_units(self, unit_ids: list[UUID]) -> None:
        """Units just linked into the tree replica: the figures, movements and dues of theirs that arrived first
        (member and dues events come on other topics and may overtake the unit's own) now go up the tree."""
        ids = {"ids": unit_ids}
        parked = [row for row in await self.session.execute(_UNPARK_FIGURES, ids)]
        if parked:
            await self.add_figures({(row.unit_id, row.day, row.dimension, row.value): row.members for row in parked})
        moved = [row for row in await self.session.execute(_UNPARK_MOVEMENTS, ids)]
        if moved:
            await self.add_movements(
                {(row.unit_id, row.other_unit_id, row.day, row.kind, row.female): row.members for row in moved}
            )
        await self.session.execute(_PLACE_DUES, ids)
        await self.session.execute(_PLACE_REMITTANCES, ids)

    @unscoped("the consumer's own bookkeeping: units' profiles for the members it applies")
    async def unit_profiles(self, unit_ids: Iterable[UUID]) -> dict[UUID, UnitProfile]:
        rows = await self.session.execute(
            select(
                unit_versions.c.unit_id,
                unit_versions.c.enterprise_type,
                unit_versions.c.sector,
                unit_versions.c.workforce_size,
            ).where(
                unit_versions.c.unit_id == func.any(bindparam("ids", type_=ARRAY(Uuid))),
                unit_versions.c.valid_to.is_(None),
            ),
            {"ids": list(set(unit_ids))},
        )
        return {row.unit_id: UnitProfile(row.enterprise_type, row.sector, row.workforce_size) for row in rows}

    @unscoped("the consumer's own bookkeeping: the tree replica's units before a poll of unit events")
    async def replica_units(self, unit_ids: Sequence[UUID]) -> dict[UUID, tuple[UUID | None, int]]:
        """Parent and version of the units the tree replica holds."""
        rows = await self.session.execute(
            select(tree_units.c.unit_id, tree_units.c.parent_id, tree_units.c.version).where(
                tree_units.c.unit_id == func.any(bindparam("ids", type_=ARRAY(Uuid)))
            ),
            {"ids": list(unit_ids)},
        )
        return {row.unit_id: (row.parent_id, row.version) for row in rows}

    @unscoped("the consumer's own bookkeeping: the path of a unit being moved")
    async def ancestors(self, unit_id: UUID) -> set[UUID]:
        """The units above `unit_id` (itself excluded) in the tree replica now."""
        rows = await self.session.execute(
            select(tree_closure.c.ancestor_id).where(tree_closure.c.descendant_id == unit_id, tree_closure.c.depth > 0)
        )
        return set(rows.scalars())

    @unscoped("the consumer re-attributes figures of a moved subtree; no principal is involved")
    async def move_subtree(self, unit_id: UUID, left: set[UUID], joined: set[UUID], day: date) -> None:
        """The units `left` lose the subtree of `unit_id` from `day` on and the units `joined` gain it: its figures
        of every day since `day`, and what it held before `day` as a change on `day`."""
        sides = [(unit, -1) for unit in sorted(left)] + [(unit, 1) for unit in sorted(joined)]
        if not sides:
            return
        params = {
            "unit_id": unit_id,
            "day": day,
            "units": [unit for unit, _ in sides],
            "signs": [sign for _, sign in sides],
        }
        await self.session.execute(_MOVE_FIGURE_DAYS, params)
        await self.session.execute(_MOVE_FIGURES, params)
        await self.session.execute(_MOVE_MOVEMENT_DAYS, params)
        await self.session.execute(_MOVE_DUES, params)

    @unscoped("the consumer re-counts the members of units whose profile changed; no principal is involved")
    async def recount_members(self, profiles: Mapping[UUID, tuple[UnitProfile, date]]) -> None:
        """Members of each unit counted by its new profile (enterprise type, sector, employer size) from the day the
        profile changed: their facts take the new profile, the figures move from the old values to the new."""
        if not profiles:
            return
        units = sorted(profiles)
        document = {
            "units": to_json(
                [
                    {
                        "unit_id": unit,
                        "enterprise_type": profiles[unit][0].enterprise_type,
                        "sector": profiles[unit][0].sector,
                        "employer_size": profiles[unit][0].employer_size,
                    }
                    for unit in units
                ]
            ).decode()
        }
        changes: Counter[FigureKey] = Counter()
        for row in await self.session.execute(_RECOUNTED, document):
            day = profiles[row.unit_id][1]
            for dimension in ("enterprise_type", "sector", "employer_size"):
                old, new = getattr(row, f"old_{dimension}"), getattr(row, f"new_{dimension}")
                if old != new:
                    changes[row.unit_id, day, dimension, old or NOT_KNOWN] -= row.members
                    changes[row.unit_id, day, dimension, new or NOT_KNOWN] += row.members
        await self.session.execute(_SET_FACT_PROFILES, document)
        await self.add_figures({key: delta for key, delta in changes.items() if delta})

    @unscoped("the consumer's own bookkeeping: the tree's history")
    async def current_versions(self, unit_ids: Sequence[UUID]) -> dict[UUID, tuple[int, UnitProfile, UnitShape]]:
        """Each unit's version in force: its number, its profile and its shape."""
        v = unit_versions
        rows = await self.session.execute(
            select(
                v.c.unit_id, v.c.version, v.c.enterprise_type, v.c.sector, v.c.workforce_size, v.c.status, v.c.type_code
            ).where(v.c.unit_id == func.any(bindparam("ids", type_=ARRAY(Uuid))), v.c.valid_to.is_(None)),
            {"ids": list(unit_ids)},
        )
        return {
            row.unit_id: (
                row.version,
                UnitProfile(row.enterprise_type, row.sector, row.workforce_size),
                UnitShape(row.status, row.type_code, row.enterprise_type),
            )
            for row in rows
        }

    @unscoped("the consumer's own bookkeeping: the tree's history")
    async def add_versions(self, states: Sequence[UnitState]) -> None:
        """New versions of units (newer than the history holds, in event order): each closes the one before."""
        if not states:
            return
        following: dict[UUID, date] = {}
        rows = []
        for state in reversed(states):
            rows.append(
                {
                    **state.model_dump(
                        include={
                            "unit_id",
                            "version",
                            "parent_id",
                            "code",
                            "name",
                            "type_code",
                            "status",
                            "enterprise_type",
                            "sector",
                            "workforce_size",
                        }
                    ),
                    "valid_from": state.effective_from,
                    "valid_to": following.get(state.unit_id),
                }
            )
            following[state.unit_id] = state.effective_from
        first = {state.unit_id: state.effective_from for state in reversed(states)}
        await self.session.execute(_CLOSE_VERSIONS, {"units": list(first), "days": list(first.values())})
        await self.session.execute(_ADD_VERSIONS, {"versions": to_json(rows[::-1]).decode()})

    # --- read by the API --------------------------------------------------------------------------------------

    async def ledger_start(self) -> date | None:
        """The figures' first day, read once per repository: a report checks it, then each of its reads of the
        past chooses by it (a series of months, once per month). Read side only: a write may move it."""
        if self._ledger_start is _UNREAD:
            self._ledger_start = await self.session.scalar(text("SELECT opened_on FROM figure_ledger"))
        return self._ledger_start

    async def current(
        self, principal: Principal, unit_id: UUID, dimensions: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        """Members of the subtree of `unit_id` now, by value of each of `dimensions`: a few rows whatever the
        subtree's size (the national centre's included), as they are kept per subtree on every change."""
        now = subtree_figures
        query = restrict_to_scope(
            select(now.c.dimension, now.c.value, now.c.members).where(
                now.c.unit_id == unit_id, now.c.dimension.in_(dimensions)
            ),
            principal,
            Permission.REPORTS_READ,
            now.c.unit_id,
        )
        found: dict[str, dict[str, int]] = {dimension: {} for dimension in dimensions}
        for row in await self.session.execute(query):
            if row.members:
                found[row.dimension][row.value] = int(row.members)
        return found

    async def subtree_totals(self, principal: Principal, unit_ids: list[UUID]) -> list[Row]:
        """Per unit of `unit_ids`: members (the counted statuses) and pending members of its whole subtree now,
        from the status figures kept per subtree (one row per status and unit, not the subtree's units)."""
        now = subtree_figures
        query = (
            select(
                now.c.unit_id,
                func.coalesce(func.sum(now.c.members).filter(now.c.value.in_(COUNTED_STATUSES)), 0).label("members"),
                func.coalesce(func.sum(now.c.members).filter(now.c.value == "pending"), 0).label("pending"),
            )
            .where(now.c.unit_id.in_(unit_ids), now.c.dimension == "status")
            .group_by(now.c.unit_id)
        )
        query = restrict_to_scope(query, principal, Permission.REPORTS_READ, now.c.unit_id)
        return list(await self.session.execute(query))

    async def figures(
        self, principal: Principal, unit_id: UUID, dimension: str, as_of: date | None, today: date
    ) -> dict[str, int]:
        """Members of the subtree of `unit_id` by value of `dimension` at the end of `as_of` (None: now), in the
        tree of that day. A recent day is the figure now less the changes since; an early one, the changes up to
        it: whichever reads fewer days."""
        now, days = subtree_figures, subtree_figure_days
        current = restrict_to_scope(
            select(now.c.value, now.c.members).where(now.c.unit_id == unit_id, now.c.dimension == dimension),
            principal,
            Permission.REPORTS_READ,
            now.c.unit_id,
        )
        if as_of is None or as_of >= today:
            query = current
        else:
            start = await self.ledger_start() or as_of
            if (today - as_of) <= (as_of - start):
                since = select(days.c.value, (-days.c.members).label("members")).where(
                    days.c.unit_id == unit_id, days.c.dimension == dimension, days.c.day > as_of
                )
                parts = union_all(
                    current, restrict_to_scope(since, principal, Permission.REPORTS_READ, days.c.unit_id)
                ).subquery()
            else:
                up_to = select(days.c.value, days.c.members).where(
                    days.c.unit_id == unit_id, days.c.dimension == dimension, days.c.day <= as_of
                )
                parts = restrict_to_scope(up_to, principal, Permission.REPORTS_READ, days.c.unit_id).subquery()
            query = select(parts.c.value, func.sum(parts.c.members).label("members")).group_by(parts.c.value)
        return {row.value: int(row.members) for row in await self.session.execute(query) if row.members}

    async def value_on_days(
        self, principal: Principal, unit_ids: Sequence[UUID], dimension: str, value: str, days: Sequence[date]
    ) -> dict[UUID, dict[date, int]]:
        """One value of each unit's subtree figures at the end of each of `days` (none after today), in the tree of
        each day: the figure now less its changes after the day, all read in one statement (a dues report's
        grassroots unions at each month's end, and each of its rows' at the period's end)."""
        now, changes = subtree_figures, subtree_figure_days
        units = bindparam("units", list(unit_ids), type_=ARRAY(Uuid))
        current = select(now.c.unit_id, literal(None, Date).label("day"), now.c.members).where(
            now.c.unit_id == func.any(units), now.c.dimension == dimension, now.c.value == value
        )
        since = select(changes.c.unit_id, changes.c.day, changes.c.members).where(
            changes.c.unit_id == func.any(units),
            changes.c.dimension == dimension,
            changes.c.value == value,
            changes.c.day > min(days),
        )
        totals: dict[UUID, int] = dict.fromkeys(unit_ids, 0)
        after: dict[UUID, list[tuple[date, int]]] = {unit: [] for unit in unit_ids}
        for unit, day, members in await self.session.execute(
            union_all(
                restrict_to_scope(current, principal, Permission.REPORTS_READ, now.c.unit_id),
                restrict_to_scope(since, principal, Permission.REPORTS_READ, changes.c.unit_id),
            )
        ):
            if day is None:
                totals[unit] += int(members)
            else:
                after[unit].append((day, int(members)))
        return {
            unit: {end: total - sum(members for day, members in after[unit] if day > end) for end in days}
            for unit, total in totals.items()
        }

    async def period_units(
        self, principal: Principal, unit_id: UUID, first: date, last: date
    ) -> tuple[Row | None, list[Row]]:
        """The unit's version in force on `last` (as `unit_on`), then the units directly under it at any time from
        `first` to `last` (each with its name of the latest such day) in code order, units replicated before the
        tree's history was kept as the replica has them: a period report's unit and rows in one statement (a round
        trip fewer for every report, each a wait of its own on a busy machine)."""
        own_version = self._version_on(principal, unit_id, last).subquery()
        own_replica = self._replica_row(principal, unit_id, without_version_on=last).subquery()
        below = self._units_of_period(principal, unit_id, first, last).subquery()
        units = union_all(
            select(literal(True).label("own"), own_version.c.unit_id, own_version.c.code, own_version.c.name),
            select(literal(True).label("own"), own_replica.c.unit_id, own_replica.c.code, own_replica.c.name),
            select(literal(False).label("own"), below),
        ).subquery()
        found = list(await self.session.execute(select(units).order_by(units.c.own.desc(), units.c.code)))
        own = found[0] if found and found[0].own else None
        return own, found[1:] if own is not None else found

    @staticmethod
    def _units_of_period(principal: Principal, unit_id: UUID, first: date, last: date) -> Select:
        v, t = unit_versions, tree_units
        in_period = restrict_to_scope(
            select(v.c.unit_id, v.c.code, v.c.name)
            .where(
                v.c.parent_id == unit_id,
                v.c.status == "active",
                v.c.valid_from <= last,
                or_(v.c.valid_to.is_(None), and_(v.c.valid_to > first, v.c.valid_to > v.c.valid_from)),
            )
            .order_by(v.c.unit_id, v.c.valid_from.desc())
            .ext(distinct_on(v.c.unit_id)),
            principal,
            Permission.REPORTS_READ,
            v.c.unit_id,
        ).subquery()
        without_history = restrict_to_scope(
            select(t.c.unit_id, t.c.code, t.c.name).where(
                t.c.parent_id == unit_id,
                t.c.status == "active",
                ~select(v.c.unit_id).where(v.c.unit_id == t.c.unit_id).exists(),
            ),
            principal,
            Permission.REPORTS_READ,
            t.c.unit_id,
        )
        return union_all(select(in_period), without_history)

    async def stocks(
        self,
        principal: Principal,
        unit_ids: list[UUID],
        dimensions: Sequence[str],
        start: date,
        end: date,
        today: date,
    ) -> list[Row]:
        """Per unit, dimension and value: members at the end of `start` and of `end` (`start` <= `end`), read as
        the figures now less the changes since `start`, or the changes up to `end`, whichever is fewer days; the
        changes of whole months from the month table."""
        query = self._stocks(principal, unit_ids, dimensions, (start, end, today), await self.ledger_start(), None)
        return list(await self.session.execute(query))

    async def flows(
        self, principal: Principal, unit_ids: list[UUID], first: date, last: date, kinds: Sequence[str] | None = None
    ) -> list[Row]:
        """Per unit: the movements out of or into its subtree from `first` to `last` by kind (`kinds`: only these),
        women apart."""
        return list(await self.session.execute(self._flows(principal, unit_ids, first, last, kinds)))

    async def period(
        self,
        principal: Principal,
        unit_ids: list[UUID],
        first: date,
        last: date,
        today: date,
        dimensions: Sequence[str],
        values: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> tuple[list[Stock], list[Flow]]:
        """`stocks` at the end of the day before `first` and of `last`, and `flows` from `first` to `last`, in one
        statement: the two reads of every period report, one round trip. `values`, `kinds`: only these values of the
        dimensions and kinds of movement (the targets report reads the members counted and the admissions)."""
        stocks = self._stocks(
            principal, unit_ids, dimensions, (first - timedelta(days=1), last, today), await self.ledger_start(), values
        ).subquery()
        flows = self._flows(principal, unit_ids, first, last, kinds).subquery()
        both = union_all(
            select(
                literal(False).label("flow"),
                stocks.c.unit_id,
                stocks.c.dimension.label("key"),
                stocks.c.value,
                literal(None, Boolean).label("female"),
                stocks.c.at_start,
                stocks.c.at_end,
            ),
            select(
                literal(True).label("flow"),
                flows.c.unit_id,
                flows.c.kind,
                literal(None, Text),
                flows.c.female,
                flows.c.members,
                literal(None, BigInteger),
            ),
        )
        stocks_found: list[Stock] = []
        flows_found: list[Flow] = []
        # Unpacked as tuples: a few thousand rows for an upper union's year, where each attribute read costs.
        for flow, unit, key, value, female, at_start, at_end in await self.session.execute(both):
            if flow:
                flows_found.append(Flow(unit, key, female, at_start))
            else:
                stocks_found.append(Stock(unit, key, value, at_start, at_end))
        return stocks_found, flows_found

    def _stocks(
        self,
        principal: Principal,
        unit_ids: list[UUID],
        dimensions: Sequence[str],
        days: tuple[date, date, date],
        ledger: date | None,
        values: Sequence[str] | None,
    ) -> Select:
        """`stocks`' query; `days`: the period's start and end, and today."""
        start, end, today = days
        now = subtree_figures
        ledger = ledger or start
        units = bindparam("units", unit_ids, type_=ARRAY(Uuid))

        tables = (subtree_figure_days, subtree_figure_months, subtree_figure_years if self.read_years else None)

        def wanted(table: Table):
            chosen = and_(table.c.unit_id == func.any(units), table.c.dimension.in_(dimensions))
            return and_(chosen, table.c.value.in_(values)) if values else chosen

        if (today - start) <= (start - ledger):
            current = select(
                now.c.unit_id,
                now.c.dimension,
                now.c.value,
                now.c.members.label("at_start"),
                now.c.members.label("at_end"),
            ).where(wanted(now))
            parts = [
                current,
                *_counted_changes(*tables, wanted, start, end, at_start=-1, at_end=0),
                *_counted_changes(*tables, wanted, end, today, at_start=-1, at_end=-1),
            ]
        else:
            parts = [
                *_counted_changes(*tables, wanted, None, start, at_start=1, at_end=1),
                *_counted_changes(*tables, wanted, start, end, at_start=0, at_end=1),
            ]
        part = union_all(*parts).subquery()
        query = select(
            part.c.unit_id,
            part.c.dimension,
            part.c.value,
            func.sum(part.c.at_start).label("at_start"),
            func.sum(part.c.at_end).label("at_end"),
        ).group_by(part.c.unit_id, part.c.dimension, part.c.value)
        return restrict_to_scope(query, principal, Permission.REPORTS_READ, part.c.unit_id)

    def _flows(
        self, principal: Principal, unit_ids: list[UUID], first: date, last: date, kinds: Sequence[str] | None
    ) -> Select:
        units = bindparam("units", unit_ids, type_=ARRAY(Uuid))

        def wanted(table: Table):
            chosen = table.c.unit_id == func.any(units)
            return and_(chosen, table.c.kind.in_(kinds)) if kinds else chosen

        parts = _changes_between(
            subtree_movement_days,
            subtree_movement_months,
            subtree_movement_years if self.read_years else None,
            wanted,
            first - timedelta(days=1),
            last,
        )
        part = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        query = select(part.c.unit_id, part.c.kind, part.c.female, func.sum(part.c.members).label("members")).group_by(
            part.c.unit_id, part.c.kind, part.c.female
        )
        return restrict_to_scope(query, principal, Permission.REPORTS_READ, part.c.unit_id)

    async def grassroots_sizes(self, principal: Principal, unit_id: UUID, day: date, today: date) -> dict[int, int]:
        """The grassroots unions active in the subtree of `unit_id` at the end of `day`, in the tree of that day, by
        their members (active, suspended) then: size band's lower bound → units, 0 for those without any member.
        Read from the bands rolled up on write (the figure `grassroots_members`, migration 0009): the figure now less
        the changes since `day`, or the changes up to it, their whole months from the month table."""
        end = min(day, today)
        rows = await self.stocks(principal, [unit_id], (GRASSROOTS_BANDS,), end, end, today)
        found = {int(row.value): int(row.at_end) for row in rows}
        return {lower: found.get(lower, 0) for lower in SIZE_BANDS}

    async def grassroots_sizes_walked(
        self, principal: Principal, unit_id: UUID, day: date, today: date
    ) -> dict[int, int]:
        """`grassroots_sizes` the long way, without the rolled-up bands: a walk down the tree's history to the unions
        of `day` and each one's members then (its own subtree's figure: now, less the changes since `day` when it is
        past). Seconds for the country; kept as the reference the bands are tested and measured against."""
        if day < today:
            grassroots = self._grassroots_of_day(principal, unit_id, day)
        else:
            grassroots = self._grassroots_now(principal, unit_id)
        now, days = subtree_figures, subtree_figure_days
        counted = [
            restrict_to_scope(
                select(now.c.unit_id, now.c.members).where(
                    now.c.unit_id.in_(select(grassroots.c.unit_id)),
                    now.c.dimension == "status",
                    now.c.value.in_(COUNTED_STATUSES),
                ),
                principal,
                Permission.REPORTS_READ,
                now.c.unit_id,
            )
        ]
        if day < today:
            counted.append(
                restrict_to_scope(
                    select(days.c.unit_id, (-days.c.members).label("members")).where(
                        days.c.unit_id.in_(select(grassroots.c.unit_id)),
                        days.c.dimension == "status",
                        days.c.value.in_(COUNTED_STATUSES),
                        days.c.day > day,
                    ),
                    principal,
                    Permission.REPORTS_READ,
                    days.c.unit_id,
                )
            )
        parts = union_all(*counted).subquery() if len(counted) > 1 else counted[0].subquery()
        # Summed per union first and counted apart from the unions themselves: a join of the unions to their figures
        # is planned as a nested loop (the walk's rows are not estimated), quadratic at national scale.
        per_unit = (
            select(parts.c.unit_id, func.sum(parts.c.members).label("members")).group_by(parts.c.unit_id).subquery()
        )
        band = case(*((per_unit.c.members >= lower, lower) for lower in reversed(SIZE_BANDS[1:])), else_=0)
        query = union_all(
            select(band.label("lower"), func.count().label("units")).group_by(band),
            select(literal(-1).label("lower"), func.count().label("units")).select_from(grassroots),
        )
        found = {row.lower: int(row.units) for row in await self.session.execute(query)}
        unions = found.pop(-1)
        sizes = {lower: found.get(lower, 0) for lower in SIZE_BANDS}
        sizes[0] = unions - sum(units for lower, units in sizes.items() if lower)
        return sizes

    @staticmethod
    def _grassroots_of_day(principal: Principal, unit_id: UUID, day: date):
        """The active grassroots unions of the subtree in the tree of `day`: a walk down the versions in force."""
        v, below = unit_versions, unit_versions.alias("below")

        def in_force(table):
            return and_(table.c.valid_from <= day, or_(table.c.valid_to.is_(None), table.c.valid_to > day))

        tree = (
            select(v.c.unit_id, v.c.type_code, v.c.status)
            .where(v.c.unit_id == unit_id, in_force(v))
            .cte("tree_of_day", recursive=True)
        )
        tree = tree.union_all(
            select(below.c.unit_id, below.c.type_code, below.c.status).where(
                below.c.parent_id == tree.c.unit_id, below.c.status == "active", in_force(below)
            )
        )
        active = and_(tree.c.type_code == GRASSROOTS, tree.c.status == "active")
        return restrict_to_scope(
            select(tree.c.unit_id).where(active), principal, Permission.REPORTS_READ, tree.c.unit_id
        ).cte("grassroots")

    @staticmethod
    def _grassroots_now(principal: Principal, unit_id: UUID):
        """Today's tree: the closure table rather than a walk down the history."""
        t = tree_units
        active = and_(in_subtree(t.c.unit_id, unit_id), t.c.type_code == GRASSROOTS, t.c.status == "active")
        return restrict_to_scope(
            select(t.c.unit_id).where(active), principal, Permission.REPORTS_READ, t.c.unit_id
        ).cte("grassroots")

    async def unit_on(self, principal: Principal, unit_id: UUID, day: date):
        """The unit's version in force on `day` (code, name, status), or its current replica row when the history
        does not reach back (units replicated before it was kept)."""
        found = (await self.session.execute(self._version_on(principal, unit_id, day))).one_or_none()
        if found is not None:
            return found
        return (await self.session.execute(self._replica_row(principal, unit_id))).one_or_none()

    @staticmethod
    def _version_on(principal: Principal, unit_id: UUID, day: date) -> Select:
        v = unit_versions
        return restrict_to_scope(
            select(v.c.unit_id, v.c.code, v.c.name, v.c.status)
            .where(v.c.unit_id == unit_id, v.c.valid_from <= day)
            .order_by(v.c.valid_from.desc(), v.c.version.desc())
            .limit(1),
            principal,
            Permission.REPORTS_READ,
            v.c.unit_id,
        )

    @staticmethod
    def _replica_row(principal: Principal, unit_id: UUID, without_version_on: date | None = None) -> Select:
        """The unit's replica row; `without_version_on`: only if no version of it was in force by that day."""
        t, v = tree_units, unit_versions
        query = select(t.c.unit_id, t.c.code, t.c.name, t.c.status).where(t.c.unit_id == unit_id)
        if without_version_on is not None:
            query = query.where(
                ~select(v.c.unit_id).where(v.c.unit_id == unit_id, v.c.valid_from <= without_version_on).exists()
            )
        return restrict_to_scope(query, principal, Permission.REPORTS_READ, t.c.unit_id)


_COUNTED = ", ".join(f"'{status}'" for status in sorted(COUNTED_STATUSES))


def whole_months(after: date | None, through: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The days after `after` (None: from the beginning) up to `through`, as the first days of the whole months
    among them (first and last, or None) and the spans of days left at either edge."""
    first = date.min if after is None else after + timedelta(days=1)
    if first > through:
        return None, []
    months_from = first if first.day == 1 else _next_month(first)
    following = through + timedelta(days=1)
    months_until = following.replace(day=1)  # exclusive: the month `following` falls in is not whole
    if months_from >= months_until:
        return None, [(first, through)]
    edges = [(first, months_from - timedelta(days=1))] if first < months_from else []
    if months_until <= through:
        edges.append((months_until, through))
    return (months_from, _previous_month(months_until)), edges


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(first_day: date) -> date:
    return date(first_day.year - (first_day.month == 1), (first_day.month - 2) % 12 + 1, 1)


def whole_years(months: tuple[date, date]) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months `months` (first days of the first and the last) as the first days of the whole years among
    them (first and last, or None) and the spans of months left at either edge."""
    first, last = months
    years_from = first if first.month == 1 else date(first.year + 1, 1, 1)
    years_until = date(last.year + (last.month == 12), 1, 1)  # exclusive
    if years_from >= years_until:
        return None, [months]
    edges = [(first, date(years_from.year - 1, 12, 1))] if first < years_from else []
    if years_until <= last:
        edges.append((years_until, last))
    return (years_from, date(years_until.year - 1, 1, 1)), edges


def _changes_between(
    days: Table, months: Table, years: Table | None, wanted, after: date | None, through: date
) -> list[Select]:
    """Queries of the rows of `days` after `after` up to `through` (unit, keys, members), their whole years read
    from `years` (None: from `months` too) and their other whole months from `months` instead; `wanted(table)`
    filters any of the tables.
    Always at least one query (it may find nothing). The caller restricts their union to the principal's scope."""
    whole, edges = whole_months(after, through)
    keys = [column for column in days.c if column.name not in ("unit_id", "day", "members")]
    parts = []
    if whole is not None:
        in_years, in_months = whole_years(whole) if years is not None else (None, [whole])
        if in_years is not None:
            query = select(years.c.unit_id, *(years.c[key.name] for key in keys), years.c.members).where(
                wanted(years), years.c.year.between(*in_years)
            )
            parts.append(query)
        for span in in_months:
            query = select(months.c.unit_id, *(months.c[key.name] for key in keys), months.c.members).where(
                wanted(months), months.c.month.between(*span)
            )
            parts.append(query)
    for first, last in edges or ([] if parts else [(through + timedelta(days=1), through)]):
        query = select(days.c.unit_id, *keys, days.c.members).where(wanted(days), days.c.day.between(first, last))
        parts.append(query)
    return parts


def _counted_changes(
    days: Table,
    months: Table,
    years: Table | None,
    wanted,
    after: date | None,
    through: date,
    *,
    at_start: int,
    at_end: int,
) -> list[Select]:
    """The figure changes after `after` up to `through` (`_changes_between`), counted `at_start` and `at_end` times
    (1, 0 or -1) into the members at a period's start and end."""
    parts = (query.subquery() for query in _changes_between(days, months, years, wanted, after, through))
    return [
        select(
            part.c.unit_id,
            part.c.dimension,
            part.c.value,
            (part.c.members * at_start).label("at_start"),
            (part.c.members * at_end).label("at_end"),
        )
        for part in parts
    ]


# One statement: the changes read once, rolled up the tree once, then added to the day rows and the figures now,
# both in key order (two consumers adding to the same figures, as every poll reaches the national centre's, lock them
# in the same order); changes of units the tree replica does not hold yet wait in `unplaced_*` for the unit
# (`place_new_units`).
_ADD_FIGURES = text("""
WITH change AS MATERIALIZED (
    SELECT * FROM json_to_recordset(CAST(:changes AS json))
        AS change(unit_id uuid, day date, dimension text, value text, members bigint)
), rolled AS MATERIALIZED (
    SELECT link.ancestor_id AS unit_id, change.dimension, change.day, change.value, sum(change.members) AS members
    FROM change JOIN tree_closure link ON link.descendant_id = change.unit_id
    GROUP BY 1, 2, 3, 4
    HAVING sum(change.members) <> 0
), days AS (
    INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
    SELECT unit_id, dimension, day, value, members FROM rolled
    ORDER BY unit_id, dimension, day, value
    ON CONFLICT (unit_id, dimension, day, value)
    DO UPDATE SET members = subtree_figure_days.members + EXCLUDED.members
    RETURNING 1
), parked AS (
    INSERT INTO unplaced_figures (unit_id, day, dimension, value, members)
    SELECT change.unit_id, change.day, change.dimension, change.value, change.members FROM change
    WHERE NOT EXISTS (SELECT 1 FROM tree_closure link
                      WHERE link.ancestor_id = change.unit_id AND link.descendant_id = change.unit_id)
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (unit_id, day, dimension, value) DO UPDATE SET members = unplaced_figures.members + EXCLUDED.members
    RETURNING 1
)
INSERT INTO subtree_figures (unit_id, dimension, value, members)
SELECT unit_id, dimension, value, sum(members) FROM rolled
GROUP BY unit_id, dimension, value
HAVING sum(members) <> 0
ORDER BY unit_id, dimension, value
ON CONFLICT (unit_id, dimension, value) DO UPDATE SET members = subtree_figures.members + EXCLUDED.members
""")

_PARK_MOVEMENTS = text("""
INSERT INTO unplaced_movements (unit_id, other_unit_id, day, kind, female, members)
SELECT moved.unit_id, moved.other_unit_id, moved.day, moved.kind, moved.female, moved.members
FROM jsonb_to_recordset(CAST(:movements AS jsonb))
     AS moved(unit_id uuid, other_unit_id uuid, day date, kind text, female boolean, members bigint)
WHERE NOT EXISTS (SELECT 1 FROM tree_closure link
                  WHERE link.ancestor_id = moved.unit_id AND link.descendant_id = moved.unit_id)
""")

_UNPARK_FIGURES = text("""
DELETE FROM unplaced_figures WHERE unit_id = ANY(CAST(:ids AS uuid[]))
RETURNING unit_id, day, dimension, value, members
""")

_UNPARK_MOVEMENTS = text("""
DELETE FROM unplaced_movements WHERE unit_id = ANY(CAST(:ids AS uuid[]))
RETURNING unit_id, other_unit_id, day, kind, female, members
""")

_PLACE_DUES = text(f"""
INSERT INTO subtree_dues (unit_id, month, {", ".join(DUES_AMOUNTS)})
SELECT link.ancestor_id, own.month, {", ".join(f"sum(own.{name})" for name in DUES_AMOUNTS)}
FROM dues_months own JOIN tree_closure link ON link.descendant_id = own.unit_id
WHERE own.unit_id = ANY(CAST(:ids AS uuid[]))
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (unit_id, month) DO UPDATE
SET {", ".join(f"{name} = subtree_dues.{name} + EXCLUDED.{name}" for name in DUES_AMOUNTS)}
""")

_PLACE_REMITTANCES = text(
    """
INSERT INTO subtree_dues (unit_id, month, {amounts}, remitted_vnd, confirmed_vnd)
SELECT link.ancestor_id, own.month, {zeros}, sum(own.amount_vnd),
       coalesce(sum(own.amount_vnd) FILTER (WHERE own.confirmed), 0)
FROM dues_remittances own JOIN tree_closure link ON link.descendant_id = own.unit_id
JOIN tree_units remitter ON remitter.unit_id = own.unit_id AND remitter.type_code IN ({first_hop})
WHERE own.unit_id = ANY(CAST(:ids AS uuid[]))
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (unit_id, month) DO UPDATE
SET remitted_vnd = subtree_dues.remitted_vnd + EXCLUDED.remitted_vnd,
    confirmed_vnd = subtree_dues.confirmed_vnd + EXCLUDED.confirmed_vnd
""".format(
        amounts=", ".join(DUES_AMOUNTS),
        zeros=", ".join("0" for _ in DUES_AMOUNTS),
        first_hop=", ".join(f"'{type_code}'" for type_code in FIRST_HOP_TYPES),
    )
)

# Usually changes nothing and locks nothing: only a change older than every other lowers the ledger's start.
_OPEN_LEDGER = text("UPDATE figure_ledger SET opened_on = :day WHERE opened_on IS NULL OR opened_on > :day")

_SIDES = "unnest(CAST(:units AS uuid[]), CAST(:signs AS integer[])) AS side(unit_id, sign)"

_MOVE_FIGURE_DAYS = text(f"""
INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
SELECT side.unit_id, moved.dimension, greatest(moved.day, :day), moved.value, side.sign * sum(moved.members)
FROM subtree_figure_days moved CROSS JOIN {_SIDES}
WHERE moved.unit_id = :unit_id
GROUP BY side.unit_id, side.sign, moved.dimension, greatest(moved.day, :day), moved.value
HAVING sum(moved.members) <> 0
ORDER BY 1, 2, 3, 4
ON CONFLICT (unit_id, dimension, day, value) DO UPDATE SET members = subtree_figure_days.members + EXCLUDED.members
""")

_MOVE_FIGURES = text(f"""
INSERT INTO subtree_figures (unit_id, dimension, value, members)
SELECT side.unit_id, moved.dimension, moved.value, side.sign * moved.members
FROM subtree_figures moved CROSS JOIN {_SIDES}
WHERE moved.unit_id = :unit_id AND moved.members <> 0
ORDER BY 1, 2, 3
ON CONFLICT (unit_id, dimension, value) DO UPDATE SET members = subtree_figures.members + EXCLUDED.members
""")

# Movements are flows, not levels: those of the days before the move stay where they happened.
_MOVE_MOVEMENT_DAYS = text(f"""
INSERT INTO subtree_movement_days (unit_id, day, kind, female, members)
SELECT side.unit_id, moved.day, moved.kind, moved.female, side.sign * moved.members
FROM subtree_movement_days moved CROSS JOIN {_SIDES}
WHERE moved.unit_id = :unit_id AND moved.day >= :day
ORDER BY 1, 2, 3, 4
ON CONFLICT (unit_id, day, kind, female) DO UPDATE SET members = subtree_movement_days.members + EXCLUDED.members
""")

# Dues are a month's: those of the months from the move's month on go with the unit.
_MOVED_DUES = (*DUES_AMOUNTS, *REMITTED)
_MOVE_DUES = text(f"""
INSERT INTO subtree_dues (unit_id, month, {", ".join(_MOVED_DUES)})
SELECT side.unit_id, moved.month, {", ".join(f"side.sign * moved.{name}" for name in _MOVED_DUES)}
FROM subtree_dues moved CROSS JOIN {_SIDES}
WHERE moved.unit_id = :unit_id AND moved.month >= date_trunc('month', CAST(:day AS date))
ORDER BY 1, 2
ON CONFLICT (unit_id, month) DO UPDATE
SET {", ".join(f"{name} = subtree_dues.{name} + EXCLUDED.{name}" for name in _MOVED_DUES)}
""")

_ADD_MOVEMENT_DAYS = text("""
INSERT INTO subtree_movement_days (unit_id, day, kind, female, members)
SELECT link.ancestor_id, moved.day, moved.kind, moved.female, sum(moved.members)
FROM jsonb_to_recordset(CAST(:movements AS jsonb))
     AS moved(unit_id uuid, other_unit_id uuid, day date, kind text, female boolean, members bigint)
JOIN tree_closure link ON link.descendant_id = moved.unit_id
WHERE moved.other_unit_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM tree_closure other WHERE other.descendant_id = moved.other_unit_id
                                       AND other.ancestor_id = link.ancestor_id)
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
ON CONFLICT (unit_id, day, kind, female) DO UPDATE SET members = subtree_movement_days.members + EXCLUDED.members
""")

_PROFILES = """jsonb_to_recordset(CAST(:units AS jsonb))
    AS profile(unit_id uuid, enterprise_type text, sector text, employer_size text)"""

_RECOUNTED = text(f"""
SELECT fact.unit_id, fact.enterprise_type AS old_enterprise_type, fact.sector AS old_sector,
       fact.employer_size AS old_employer_size, profile.enterprise_type AS new_enterprise_type,
       profile.sector AS new_sector, profile.employer_size AS new_employer_size, count(*) AS members
FROM {_PROFILES} JOIN member_facts fact ON fact.unit_id = profile.unit_id
WHERE fact.status IN ({_COUNTED})
  AND (fact.enterprise_type, fact.sector, fact.employer_size)
      IS DISTINCT FROM (profile.enterprise_type, profile.sector, profile.employer_size)
GROUP BY 1, 2, 3, 4, 5, 6, 7
""")

_SET_FACT_PROFILES = text(f"""
UPDATE member_facts fact
SET enterprise_type = profile.enterprise_type, sector = profile.sector, employer_size = profile.employer_size
FROM {_PROFILES}
WHERE fact.unit_id = profile.unit_id
  AND (fact.enterprise_type, fact.sector, fact.employer_size)
      IS DISTINCT FROM (profile.enterprise_type, profile.sector, profile.employer_size)
""")

_CLOSE_VERSIONS = text("""
UPDATE unit_versions SET valid_to = closing.day
FROM unnest(CAST(:units AS uuid[]), CAST(:days AS date[])) AS closing(unit_id, day)
WHERE unit_versions.unit_id = closing.unit_id AND unit_versions.valid_to IS NULL
""")

_ADD_VERSIONS = text("""
INSERT INTO unit_versions (unit_id, version, valid_from, valid_to, parent_id, code, name, type_code, status,
                           enterprise_type, sector, workforce_size)
SELECT unit_id, version, valid_from, valid_to, parent_id, code, name, type_code, status, enterprise_type, sector,
       workforce_size
FROM jsonb_to_recordset(CAST(:versions AS jsonb)) AS version(
    unit_id uuid, version integer, valid_from date, valid_to date, parent_id uuid, code text, name text,
    type_code text, status text, enterprise_type text, sector text, workforce_size integer)
ON CONFLICT (unit_id, version) DO NOTHING
""")
