"""The SQL of the member-development targets."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_units
from contracts.permissions import Permission
from sqlalchemy import ARRAY, Row, Uuid, bindparam, func, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import member_targets


class TargetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the caller's scope over the unit's upper level was checked by the use case before the write")
    async def save(self, **target: object) -> Row:
        written = {name: value for name, value in target.items() if name not in ("unit_id", "term")}
        statement = (
            insert(member_targets)
            .values(**target)
            .on_conflict_do_update(
                index_elements=[member_targets.c.unit_id, member_targets.c.term], set_={**written, "set_at": func.now()}
            )
            .returning(member_targets)
        )
        return (await self.session.execute(statement)).one()

    @unscoped("the tree replica's own row: where the unit hangs, to check the caller's scope over its upper level")
    async def parent_of(self, unit_id: UUID) -> tuple[bool, UUID | None]:
        """(whether the replica knows the unit, its parent)."""
        found = (
            await self.session.execute(select(tree_units.c.parent_id).where(tree_units.c.unit_id == unit_id))
        ).one_or_none()
        return found is not None, found.parent_id if found else None

    async def in_force(self, principal: Principal, unit_ids: list[UUID], day: date) -> dict[UUID, Row]:
        """Each unit's target of the term in force on `day` (of two overlapping terms, the later)."""
        t = member_targets
        query = (
            select(t)
            .where(
                t.c.unit_id == func.any(bindparam("ids", unit_ids, type_=ARRAY(Uuid))),
                t.c.starts_on <= day,
                t.c.ends_on >= day,
            )
            .order_by(t.c.unit_id, t.c.starts_on.desc())
            .ext(distinct_on(t.c.unit_id))
        )
        rows = await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, t.c.unit_id))
        return {row.unit_id: row for row in rows}

    async def targets(self, principal: Principal, unit_ids: list[UUID], term: str) -> dict[UUID, Row]:
        t = member_targets
        query = select(t).where(
            t.c.unit_id == func.any(bindparam("ids", unit_ids, type_=ARRAY(Uuid))), t.c.term == term
        )
        rows = await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, t.c.unit_id))
        return {row.unit_id: row for row in rows}
