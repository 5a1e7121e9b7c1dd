"""All of orgtree's SQL."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_closure
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import Integer, Row, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.tables import unit_history, unit_types, units
from orgtree.domain.catalogue import UnitType
from orgtree.domain.model import Employer, Unit


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
        query = select(units, unit_types).join(unit_types).where(units.c.unit_id == unit_id)
        if for_update:
            query = query.with_for_update(of=units)
        row = (await self.session.execute(query)).one_or_none()
        return _unit(row) if row else None

    @unscoped("unit codes are unique nationally; answers only yes/no")
    async def code_exists(self, code: str) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(units.c.code == code)))

    async def add(self, unit: Unit, changed_by: str) -> None:
        await self.session.execute(insert(units).values(**_columns(unit)))
        await self._record_history(unit, "created", changed_by)

    @unscoped("writes one unit the service has already checked against the principal's scope")
    async def save(self, unit: Unit, change: str, changed_by: str) -> None:
        await self.session.execute(
            update(units).where(units.c.unit_id == unit.unit_id).values(**_columns(unit), updated_at=func.now())
        )
        await self.session.execute(
            update(unit_history)
            .where(unit_history.c.unit_id == unit.unit_id, unit_history.c.valid_to.is_(None))
            .values(valid_to=unit.effective_from)
        )
        await self._record_history(unit, change, changed_by)

    async def _record_history(self, unit: Unit, change: str, changed_by: str) -> None:
        await self.session.execute(
            insert(unit_history).values(
                unit_id=unit.unit_id,
                version=unit.version,
                valid_from=unit.effective_from,
                parent_id=unit.parent_id,
                state=unit.state().model_dump(mode="json"),
                change=change,
                changed_by=changed_by,
            )
        )

    async def children_page(
        self, principal: Principal, parent_id: UUID, after_code: str | None, limit: int
    ) -> list[Row]:
        child_units = (
            select(func.count())
            .select_from(tree_closure)
            .where(tree_closure.c.ancestor_id == units.c.unit_id, tree_closure.c.depth == 1)
            .scalar_subquery()
        )
        query = (
            select(units.c.unit_id, units.c.code, units.c.name, units.c.type_code, units.c.status,
                   child_units.label("child_count"))
            .where(units.c.parent_id == parent_id)
            .order_by(units.c.code)
            .limit(limit)
        )
        if after_code:
            query = query.where(units.c.code > after_code)
        query = restrict_to_scope(query, principal, Permission.UNITS_READ, units.c.unit_id)
        return list(await self.session.execute(query))

    async def search(self, principal: Principal, text: str, after_code: str | None, limit: int) -> list[Row]:
        key = search_key(text)
        query = (
            select(units.c.unit_id, units.c.code, units.c.name, units.c.type_code, units.c.status, units.c.parent_id)
            .where((units.c.name_search.contains(key)) | (units.c.code == text.strip().upper()))
            .order_by(units.c.code)
            .limit(limit)
        )
        if after_code:
            query = query.where(units.c.code > after_code)
        query = restrict_to_scope(query, principal, Permission.UNITS_READ, units.c.unit_id)
        return list(await self.session.execute(query))

    @unscoped("the path above a unit the caller may see; the service checks that unit first")
    async def ancestors(self, unit_id: UUID) -> list[Row]:
        query = (
            select(units.c.unit_id, units.c.code, units.c.name, units.c.type_code, tree_closure.c.depth)
            .join(tree_closure, tree_closure.c.ancestor_id == units.c.unit_id)
            .where(tree_closure.c.descendant_id == unit_id)
            .order_by(tree_closure.c.depth.desc())
        )
        return list(await self.session.execute(query))

    async def tree_as_of(self, principal: Principal, root_id: UUID, as_of: date, limit: int) -> list[Row]:
        """Every unit version valid on `as_of` below `root_id`, walking the parent links of that day."""
        valid = (
            select(unit_history.c.unit_id, unit_history.c.parent_id, unit_history.c.state)
            .where(
                unit_history.c.valid_from <= as_of,
                (unit_history.c.valid_to.is_(None)) | (unit_history.c.valid_to > as_of),
            )
            .cte("valid")
        )
        walk = select(valid.c.unit_id, valid.c.parent_id, valid.c.state, literal(0, Integer).label("depth")).where(valid.c.unit_id == root_id).cte("walk", recursive=True)
        walk = walk.union_all(
            select(valid.c.unit_id, valid.c.parent_id, valid.c.state, walk.c.depth + 1).join(
                walk, valid.c.parent_id == walk.c.unit_id
            )
        )
        query = select(walk.c.unit_id, walk.c.parent_id, walk.c.state, walk.c.depth).order_by(walk.c.depth).limit(
            limit
        )
        query = restrict_to_scope(query, principal, Permission.UNITS_READ, walk.c.unit_id)
        return list(await self.session.execute(query))


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
    )


def _unit(row: Row) -> Unit:
    mapping = row._mapping
    return Unit(
        unit_id=mapping[units.c.unit_id],
        code=mapping[units.c.code],
        name=mapping[units.c.name],
        short_name=mapping[units.c.short_name],
        type=UnitType(
            code=mapping[unit_types.c.code],
            name_vi=mapping[unit_types.c.name_vi],
            name_en=mapping[unit_types.c.name_en],
            level=mapping[unit_types.c.level],
            can_admit_members=mapping[unit_types.c.can_admit_members],
            can_approve_members=mapping[unit_types.c.can_approve_members],
            can_collect_dues=mapping[unit_types.c.can_collect_dues],
            can_order_cards=mapping[unit_types.c.can_order_cards],
            can_have_users=mapping[unit_types.c.can_have_users],
            allowed_children=tuple(mapping[unit_types.c.allowed_children]),
        ),
        parent_id=mapping[units.c.parent_id],
        status=mapping[units.c.status],
        province_code=mapping[units.c.province_code],
        address=mapping[units.c.address],
        employer=Employer(
            name=mapping[units.c.employer_name],
            tax_code=mapping[units.c.employer_tax_code],
            enterprise_type=mapping[units.c.enterprise_type],
            sector=mapping[units.c.sector],
            workforce_size=mapping[units.c.workforce_size],
        ),
        merged_into_id=mapping[units.c.merged_into_id],
        effective_from=mapping[units.c.effective_from],
        version=mapping[units.c.version],
    )


def _columns(unit: Unit) -> dict:
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
        "effective_from": unit.effective_from,
        "version": unit.version,
    }
