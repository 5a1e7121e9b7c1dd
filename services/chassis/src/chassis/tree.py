"""The local replica of the union tree, fed by `orgtree.unit.v1`.

Every unit event carries the unit's full state, so applying one is an upsert;
when the parent changed, the closure rows of the whole subtree are re-linked
in two set-based statements (no member row is ever touched).
"""

from __future__ import annotations

from uuid import UUID

from contracts.events import orgtree_unit_v1
from contracts.events.orgtree_unit_v1 import UnitState, _UnitEvent
from sqlalchemy import and_, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.tables import tree_closure, tree_units


async def apply_unit_state(session: AsyncSession, state: UnitState) -> bool:
    """Bring the replica to `state`. Returns False when the replica already has this version or newer."""
    current = (
        await session.execute(
            select(tree_units.c.version, tree_units.c.parent_id)
            .where(tree_units.c.unit_id == state.unit_id)
            .with_for_update()
        )
    ).one_or_none()
    if current is not None and current.version >= state.version:
        return False
    values = {
        "code": state.code,
        "name": state.name,
        "type_code": state.type_code,
        "parent_id": state.parent_id,
        "status": state.status,
        "province_code": state.province_code,
        "enterprise_type": state.enterprise_type,
        "version": state.version,
        "updated_at": func.now(),
        **state.capabilities.model_dump(),
    }
    upsert = pg_insert(tree_units).values(unit_id=state.unit_id, **values)
    await session.execute(upsert.on_conflict_do_update(index_elements=[tree_units.c.unit_id], set_=values))
    if current is None:
        await _link_new_unit(session, state.unit_id, state.parent_id)
    elif current.parent_id != state.parent_id:
        await _relink_subtree(session, state.unit_id, state.parent_id)
    return True


async def _link_new_unit(session: AsyncSession, unit_id: UUID, parent_id: UUID | None) -> None:
    await session.execute(insert(tree_closure).values(ancestor_id=unit_id, descendant_id=unit_id, depth=0))
    if parent_id is not None:
        await session.execute(
            insert(tree_closure).from_select(
                ["ancestor_id", "descendant_id", "depth"],
                select(tree_closure.c.ancestor_id, literal(unit_id), tree_closure.c.depth + 1).where(
                    tree_closure.c.descendant_id == parent_id
                ),
            )
        )


async def _relink_subtree(session: AsyncSession, unit_id: UUID, new_parent_id: UUID | None) -> None:
    subtree = select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id == unit_id)
    old_ancestors = select(tree_closure.c.ancestor_id).where(
        tree_closure.c.descendant_id == unit_id, tree_closure.c.ancestor_id != unit_id
    )
    await session.execute(
        delete(tree_closure).where(
            tree_closure.c.descendant_id.in_(subtree), tree_closure.c.ancestor_id.in_(old_ancestors)
        )
    )
    if new_parent_id is None:
        return
    above = tree_closure.alias("above")
    below = tree_closure.alias("below")
    await session.execute(
        insert(tree_closure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(above.c.ancestor_id, below.c.descendant_id, above.c.depth + below.c.depth + 1).where(
                and_(above.c.descendant_id == new_parent_id, below.c.ancestor_id == unit_id)
            ),
        )
    )


async def get_unit(session: AsyncSession, unit_id: UUID):
    return (await session.execute(select(tree_units).where(tree_units.c.unit_id == unit_id))).one_or_none()


async def ancestors_of(session: AsyncSession, unit_id: UUID) -> list[UUID]:
    """The unit and every unit above it, nearest first."""
    rows = await session.execute(
        select(tree_closure.c.ancestor_id)
        .where(tree_closure.c.descendant_id == unit_id)
        .order_by(tree_closure.c.depth)
    )
    return list(rows.scalars())



async def is_within(session: AsyncSession, unit_id: UUID, ancestor_id: UUID) -> bool:
    """True when `unit_id` is `ancestor_id` or lies below it."""
    found = await session.scalar(
        select(tree_closure.c.depth).where(
            tree_closure.c.ancestor_id == ancestor_id, tree_closure.c.descendant_id == unit_id
        )
    )
    return found is not None


async def _apply_unit_event(session: AsyncSession, event: _UnitEvent, _envelope: object) -> None:
    await apply_unit_state(session, event.unit)


def tree_handlers() -> dict[type, object]:
    """The consumer handlers that keep a service's tree replica in step with orgtree."""
    return {event: _apply_unit_event for event in orgtree_unit_v1.EVENTS}
