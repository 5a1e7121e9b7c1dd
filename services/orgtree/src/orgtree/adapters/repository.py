"""All of orgtree's SQL. Writes of many units are set-based: one statement over `unnest` arrays."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_closure
from chassis.text import search_key
from chassis.views import AggregateView
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from sqlalchemy import (
    ARRAY,
    Integer,
    Row,
    Select,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.tables import member_units, unit_history, unit_types, units
from orgtree.domain.catalogue import UnitType
from orgtree.domain.model import Employer, Unit, duplicate_code

# Members a unit still holds: these must go somewhere before the unit can be dissolved.
HELD_STATUSES = ("pending", "active", "suspended")
DEEPEST = 64


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unit_type(self, code: str) -> UnitType | None:
        row = (await self.session.execute(select(unit_types).where(unit_types.c.code == code))).one_or_none()
        return _unit_type(row) if row else None

    async def unit_types(self) -> list[UnitType]:
        rows = await self.session.execute(select(unit_types).order_by(unit_types.c.level, unit_types.c.code))
        return [_unit_type(row) for row in rows]

    @unscoped("the service checks the unit against the principal's scope before loading it")
    async def get(self, unit_id: UUID, *, for_update: bool = False) -> Unit | None:
        found = await self.get_many([unit_id], for_update=for_update)
        return found[0] if found else None

    @unscoped("the service checks these units against the principal's scope")
    async def get_many(self, unit_ids: Iterable[UUID], *, for_update: bool = False) -> list[Unit]:
        query = select(units, unit_types).join(unit_types).where(units.c.unit_id.in_(list(unit_ids)))
        if for_update:
            query = query.with_for_update(of=units)
        return [_unit(row) for row in await self.session.execute(query.order_by(units.c.code))]

    @unscoped("an import names parents by code; the service checks each found parent against the scope")
    async def by_codes(self, codes: Iterable[str], *, for_update: bool = False) -> list[Unit]:
        query = select(units, unit_types).join(unit_types).where(units.c.code.in_(list(codes)))
        if for_update:
            query = query.with_for_update(of=units)
        return [_unit(row) for row in await self.session.execute(query.order_by(units.c.code))]

    @unscoped("unit codes are unique nationally; answers only which codes are taken")
    async def taken_codes(self, codes: Iterable[str]) -> set[str]:
        return set(await self.session.scalars(select(units.c.code).where(units.c.code.in_(list(codes)))))

    async def code_exists(self, code: str) -> bool:
        return bool(await self.taken_codes([code]))

    async def visible_ids(self, principal: Principal, permission: Permission, unit_ids: Iterable[UUID]) -> set[UUID]:
        query = select(units.c.unit_id).where(units.c.unit_id.in_(list(unit_ids)))
        query = restrict_to_scope(query, principal, permission, units.c.unit_id)
        return set(await self.session.scalars(query))

    async def add(self, unit: Unit, changed_by: str) -> None:
        await self.add_all([unit], changed_by)

    @unscoped("inserts new units under parents the service has checked against the scope")
    async def add_all(self, new_units: list[Unit], changed_by: str) -> None:
        columns = _columns_of(new_units)
        rows = _unnest({name: (units.c[name].type, values) for name, values in columns.items()})
        try:
            await self.session.execute(
                insert(units).from_select(list(columns), select(*(rows.c[name] for name in columns)))
            )
        except IntegrityError as error:
            # Another transaction took a code between our check and our insert.
            taken = re.search(r"Key \(code\)=\((.*?)\) already exists", str(error.orig))
            if taken:
                raise duplicate_code(taken.group(1)) from error
            raise
        await self._record_history(new_units, "created", changed_by)

    async def save(self, unit: Unit, change: str, changed_by: str) -> None:
        await self.save_all([unit], change, changed_by)

    @unscoped("writes units the service has already loaded and checked against the principal's scope")
    async def save_all(self, changed: list[Unit], change: str, changed_by: str) -> None:
        if not changed:
            return
        columns = _columns_of(changed)
        rows = _unnest({name: (units.c[name].type, values) for name, values in columns.items()})
        await self.session.execute(
            update(units)
            .where(units.c.unit_id == rows.c.unit_id)
            .values({name: rows.c[name] for name in columns if name != "unit_id"} | {"updated_at": func.now()})
        )
        ends = _unnest(
            {
                "unit_id": (units.c.unit_id.type, columns["unit_id"]),
                "valid_to": (units.c.effective_from.type, columns["effective_from"]),
            }
        )
        await self.session.execute(
            update(unit_history)
            .where(unit_history.c.unit_id == ends.c.unit_id, unit_history.c.valid_to.is_(None))
            .values(valid_to=ends.c.valid_to)
        )
        await self._record_history(changed, change, changed_by)

    @unscoped("appends history rows of units the service has checked against the scope")
    async def _record_history(self, versions: list[Unit], change: str, changed_by: str) -> None:
        rows = _unnest(
            {
                "unit_id": (units.c.unit_id.type, [u.unit_id for u in versions]),
                "version": (Integer(), [u.version for u in versions]),
                "valid_from": (units.c.effective_from.type, [u.effective_from for u in versions]),
                "parent_id": (units.c.parent_id.type, [u.parent_id for u in versions]),
                "state": (units.c.name.type, [json.dumps(u.snapshot(), ensure_ascii=False) for u in versions]),
            }
        )
        await self.session.execute(
            insert(unit_history).from_select(
                ["unit_id", "version", "valid_from", "parent_id", "state", "change", "changed_by"],
                select(
                    rows.c.unit_id,
                    rows.c.version,
                    rows.c.valid_from,
                    rows.c.parent_id,
                    cast(rows.c.state, JSONB),
                    literal(change),
                    literal(changed_by),
                ),
            )
        )

    @unscoped("children of a unit the service has checked and locked; they are inside its scope")
    async def active_children(self, parent_id: UUID, *, for_update: bool = False) -> list[Unit]:
        query = (
            select(units, unit_types)
            .join(unit_types)
            .where(units.c.parent_id == parent_id, units.c.status == "active")
            .order_by(units.c.code)
        )
        if for_update:
            query = query.with_for_update(of=units)
        return [_unit(row) for row in await self.session.execute(query)]

    @unscoped("the dissolve rule counts the members of one unit the service has checked")
    async def members_held(self, unit_id: UUID) -> int:
        return (
            await self.session.scalar(
                select(func.count()).where(member_units.c.unit_id == unit_id, member_units.c.status.in_(HELD_STATUSES))
            )
            or 0
        )

    async def children_page(
        self, principal: Principal, parent_id: UUID, after_code: str | None, limit: int
    ) -> list[Row]:
        below = units.alias("below")
        child_units = (
            select(func.count())
            .where(below.c.parent_id == units.c.unit_id, below.c.status == "active")
            .scalar_subquery()
        )
        query = (
            select(*_SUMMARY, child_units.label("child_count"))
            .where(units.c.parent_id == parent_id)
            .order_by(units.c.code)
            .limit(limit)
        )
        if after_code:
            query = query.where(units.c.code > after_code)
        return await self._rows(restrict_to_scope(query, principal, Permission.UNITS_READ, units.c.unit_id))

    async def descendants_page(
        self,
        principal: Principal,
        root_id: UUID,
        after_code: str | None,
        limit: int,
        max_depth: int | None = None,
        include_closed: bool = False,
    ) -> list[Row]:
        query = (
            select(*_SUMMARY, tree_closure.c.depth)
            .join(tree_closure, tree_closure.c.descendant_id == units.c.unit_id)
            .where(tree_closure.c.ancestor_id == root_id, tree_closure.c.depth > 0)
            .order_by(units.c.code)
            .limit(limit)
        )
        if max_depth is not None:
            query = query.where(tree_closure.c.depth <= max_depth)
        if not include_closed:
            query = query.where(units.c.status == "active")
        if after_code:
            query = query.where(units.c.code > after_code)
        return await self._rows(restrict_to_scope(query, principal, Permission.UNITS_READ, units.c.unit_id))

    async def search(self, principal: Principal, text: str, after_code: str | None, limit: int) -> list[Row]:
        key = search_key(text)
        code = text.strip().upper()
        query = (
            select(*_SUMMARY)
            .where(
                or_(units.c.name_search.contains(key, autoescape=True), units.c.code.startswith(code, autoescape=True))
            )
            .order_by(units.c.code)
            .limit(limit)
        )
        if after_code:
            query = query.where(units.c.code > after_code)
        return await self._rows(restrict_to_scope(query, principal, Permission.UNITS_READ, units.c.unit_id))

    @unscoped(
        "the directory of units that admit members, nationwide: a unit's name and code are not personal data, "
        "and a member may transfer to any grassroots union of the country, inside the officer's subtree or not"
    )
    async def admitting(self, text: str, after_code: str | None, limit: int) -> list[Row]:
        key = search_key(text)
        code = text.strip().upper()
        query = (
            select(*_SUMMARY)
            .join(unit_types, unit_types.c.code == units.c.type_code)
            .where(
                or_(units.c.name_search.contains(key, autoescape=True), units.c.code.startswith(code, autoescape=True)),
                units.c.status == "active",
                unit_types.c.can_admit_members,
            )
            .order_by(units.c.code)
            .limit(limit)
        )
        if after_code:
            query = query.where(units.c.code > after_code)
        return await self._rows(query)

    @unscoped("the path above a unit the caller may see; the service checks that unit first")
    async def ancestors(self, unit_id: UUID) -> list[Row]:
        query = (
            select(*_SUMMARY, tree_closure.c.depth)
            .join(tree_closure, tree_closure.c.ancestor_id == units.c.unit_id)
            .where(tree_closure.c.descendant_id == unit_id)
            .order_by(tree_closure.c.depth.desc())
        )
        return await self._rows(query)

    @unscoped("answers only whether one unit the caller may see existed on a date")
    async def existed_on(self, unit_id: UUID, as_of: date) -> bool:
        return bool(
            await self.session.scalar(
                select(func.count()).where(unit_history.c.unit_id == unit_id, _valid_on(unit_history, as_of))
            )
        )

    async def tree_as_of(
        self,
        principal: Principal,
        root_id: UUID,
        as_of: date,
        after: tuple[int, str] | None,
        limit: int,
        max_depth: int | None = None,
        include_closed: bool = False,
    ) -> list[Row]:
        """The subtree of `root_id` as it stood on `as_of`, walking the parent links of that day."""
        walk = (
            select(
                unit_history.c.unit_id,
                unit_history.c.parent_id,
                unit_history.c.state,
                literal(0, Integer).label("depth"),
            )
            .where(unit_history.c.unit_id == root_id, _valid_on(unit_history, as_of))
            .cte("walk", recursive=True)
        )
        step = unit_history.alias("step")
        walk = walk.union_all(
            select(step.c.unit_id, step.c.parent_id, step.c.state, walk.c.depth + 1)
            .join(walk, step.c.parent_id == walk.c.unit_id)
            .where(_valid_on(step, as_of), walk.c.depth < (DEEPEST if max_depth is None else max_depth))
        )
        code = walk.c.state["code"].astext
        query = (
            select(
                walk.c.unit_id,
                walk.c.parent_id,
                walk.c.depth,
                code.label("code"),
                walk.c.state["name"].astext.label("name"),
                walk.c.state["type_code"].astext.label("type_code"),
                walk.c.state["status"].astext.label("status"),
            )
            .order_by(walk.c.depth, code)
            .limit(limit)
        )
        if not include_closed:
            query = query.where(walk.c.state["status"].astext == "active")
        if after:
            query = query.where(tuple_(walk.c.depth, code) > tuple_(literal(after[0]), literal(after[1])))
        return await self._rows(restrict_to_scope(query, principal, Permission.UNITS_READ, walk.c.unit_id))

    async def _rows(self, query: Select) -> list[Row]:
        return list(await self.session.execute(query))


class MemberLocationRepository:
    """orgtree's replica of where members are, from `members.member.v1`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("a consumer applying the members service's own events; no principal is involved")
    async def apply(self, snapshots: Sequence[MemberSnapshot]) -> set[UUID]:
        """Keep where these members are current; returns those written (stale snapshots are not)."""
        return await _MEMBER_UNITS.upsert(self.session, snapshots)


_MEMBER_UNITS = AggregateView(member_units, ("member_id", "unit_id", "status", "version"))
# What the consumer reads of a member event's snapshot: this view's columns, no more.
SNAPSHOT_FIELDS = _MEMBER_UNITS.columns
_SUMMARY = (units.c.unit_id, units.c.code, units.c.name, units.c.type_code, units.c.status, units.c.parent_id)


def _valid_on(history, as_of: date):
    return (history.c.valid_from <= as_of) & (history.c.valid_to.is_(None) | (history.c.valid_to > as_of))


def _unnest(columns: dict[str, tuple]):
    """`unnest($1::t1[], $2::t2[], ...) AS rows(c1, c2, ...)`: many rows in one statement, any count."""
    arrays = [bindparam(f"p_{name}", values, type_=ARRAY(sql_type)) for name, (sql_type, values) in columns.items()]
    return func.unnest(*arrays).table_valued(*columns).render_derived()


def _unit_type(row: Row) -> UnitType:
    return UnitType(
        code=row.code,
        name_vi=row.name_vi,
        name_en=row.name_en,
        level=row.level,
        can_admit_members=row.can_admit_members,
        can_approve_members=row.can_approve_members,
        can_collect_dues=row.can_collect_dues,
        can_order_cards=row.can_order_cards,
        can_have_users=row.can_have_users,
        allowed_children=tuple(row.allowed_children),
        abolished_on=row.abolished_on,
    )


def _unit(row: Row) -> Unit:
    m = row._mapping
    return Unit(
        unit_id=m[units.c.unit_id],
        code=m[units.c.code],
        name=m[units.c.name],
        short_name=m[units.c.short_name],
        type=UnitType(
            code=m[unit_types.c.code],
            name_vi=m[unit_types.c.name_vi],
            name_en=m[unit_types.c.name_en],
            level=m[unit_types.c.level],
            can_admit_members=m[unit_types.c.can_admit_members],
            can_approve_members=m[unit_types.c.can_approve_members],
            can_collect_dues=m[unit_types.c.can_collect_dues],
            can_order_cards=m[unit_types.c.can_order_cards],
            can_have_users=m[unit_types.c.can_have_users],
            allowed_children=tuple(m[unit_types.c.allowed_children]),
            abolished_on=m[unit_types.c.abolished_on],
        ),
        parent_id=m[units.c.parent_id],
        status=m[units.c.status],
        province_code=m[units.c.province_code],
        address=m[units.c.address],
        employer=Employer(
            name=m[units.c.employer_name],
            tax_code=m[units.c.employer_tax_code],
            enterprise_type=m[units.c.enterprise_type],
            sector=m[units.c.sector],
            workforce_size=m[units.c.workforce_size],
        ),
        merged_into_id=m[units.c.merged_into_id],
        successor_unit_id=m[units.c.successor_unit_id],
        effective_from=m[units.c.effective_from],
        version=m[units.c.version],
    )


def unit_row(unit: Unit) -> dict:
    """The `units` row of a unit, as every writer of the table stores it."""
    return {
        "unit_id": unit.unit_id,
        "code": unit.code,
        "name": unit.name,
        "name_search": search_key(unit.name),
        "short_name": unit.short_name,
        "type_code": unit.type.code,
        "parent_id": unit.parent_id,
        "status": unit.status,
        "province_code": unit.province_code,
        "address": unit.address,
        "employer_name": unit.employer.name,
        "employer_tax_code": unit.employer.tax_code,
        "enterprise_type": unit.employer.enterprise_type,
        "sector": unit.employer.sector,
        "workforce_size": unit.employer.workforce_size,
        "merged_into_id": unit.merged_into_id,
        "successor_unit_id": unit.successor_unit_id,
        "effective_from": unit.effective_from,
        "version": unit.version,
    }


def _columns_of(many: list[Unit]) -> dict[str, list]:
    rows = [unit_row(unit) for unit in many]
    return {name: [row[name] for row in rows] for name in rows[0]}
