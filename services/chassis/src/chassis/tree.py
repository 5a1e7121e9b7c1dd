"""The local replica of the union tree, fed by `orgtree.unit.v1`.

Every unit event carries the unit's full state, so applying one is an upsert;
when the parent changed, the closure rows of the whole subtree are re-linked
in two set-based statements (no member row is ever touched).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from contracts.events import orgtree_unit_v1
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitEvent, UnitState
from pydantic import TypeAdapter
from sqlalchemy import ARRAY, Uuid, and_, bindparam, delete, func, insert, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumer import batched
from chassis.scope import subtree_of
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
        await _link_new_units(session, [state])
    elif current.parent_id != state.parent_id:
        await _relink_subtree(session, state.unit_id, state.parent_id)
    return True


async def _relink_subtree(session: AsyncSession, unit_id: UUID, new_parent_id: UUID | None) -> None:
    subtree = subtree_of(unit_id)
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
            # Every ancestor of the new parent times every unit of the moved subtree: a cross join on purpose.
            select(above.c.ancestor_id, below.c.descendant_id, above.c.depth + below.c.depth + 1)
            .select_from(above.join(below, literal(True)))
            .where(and_(above.c.descendant_id == new_parent_id, below.c.ancestor_id == unit_id)),
        )
    )


async def apply_unit_states(session: AsyncSession, states: Sequence[UnitState]) -> int:
    """Batched `apply_unit_state` for catch-up and bulk changes: a few set-based statements per batch.

    `states` are in event order; the result is what applying them one by one gives.
    Units new to the replica are linked in one statement (their parents may be new
    in the same batch) and moved subtrees are re-linked together. A batch in which a
    unit changes parent twice is applied event by event: the intermediate positions
    matter for the closure rows. Returns how many units changed.
    """
    if not states:
        return 0
    current = {
        row.unit_id: row
        for row in await session.execute(
            select(tree_units.c.unit_id, tree_units.c.version, tree_units.c.parent_id)
            .where(tree_units.c.unit_id == func.any(_array("unit_ids", list({s.unit_id for s in states}), Uuid)))
            .with_for_update()
        )
    }
    version = {unit_id: row.version for unit_id, row in current.items()}
    parent = {unit_id: row.parent_id for unit_id, row in current.items()}
    moves: dict[UUID, int] = {}
    new_unit_moved = False
    latest: dict[UUID, UnitState] = {}
    for state in states:
        if state.version <= version.get(state.unit_id, 0):
            continue  # a redelivered or late event: one-by-one application would skip it too
        version[state.unit_id] = state.version
        if state.unit_id in parent and parent[state.unit_id] != state.parent_id:
            if state.unit_id in current:
                moves[state.unit_id] = moves.get(state.unit_id, 0) + 1
            else:
                new_unit_moved = True
        parent[state.unit_id] = state.parent_id
        # Re-inserting keeps the dict in the order of each unit's last event, the order moves replay in.
        latest.pop(state.unit_id, None)
        latest[state.unit_id] = state
    if new_unit_moved or any(count > 1 for count in moves.values()):
        return sum([await apply_unit_state(session, state) for state in states])
    if not latest:
        return 0
    await _upsert_units(session, list(latest.values()))
    fresh = [s for s in latest.values() if s.unit_id not in current]
    if fresh:
        await _link_new_units(session, fresh)
    moved = [s for s in latest.values() if s.unit_id in moves]
    if moved:
        await _relink_subtrees(session, moved)
    return len(latest)


def _array(name: str, values: list, element) -> object:
    return bindparam(name, values, type_=ARRAY(element))


# A batch of unit states goes to PostgreSQL as one JSON document (serialised by pydantic's Rust core) rather
# than as a column array each: asyncpg encoded the ~30,000 array elements of a 2,000-unit batch one by one
# in Python, the largest Python cost of a replica's catch-up after decoding the events.
_STATES_JSON = TypeAdapter(list[UnitState])
_UPSERT_COLUMNS = (
    "code",
    "name",
    "type_code",
    "parent_id",
    "status",
    "province_code",
    "enterprise_type",
    "version",
    *UnitCapabilities.model_fields,
)
_UPSERT_STATES = text(f"""
INSERT INTO tree_units (unit_id, {", ".join(_UPSERT_COLUMNS)})
SELECT state.unit_id, state.code, state.name, state.type_code, state.parent_id, state.status, state.province_code,
       state.enterprise_type, state.version,
       {", ".join(f"(state.capabilities ->> '{flag}')::boolean" for flag in UnitCapabilities.model_fields)}
FROM jsonb_to_recordset(CAST(:states AS jsonb)) AS state(
    unit_id uuid, code text, name text, type_code text, parent_id uuid, status text, province_code text,
    enterprise_type text, version integer, capabilities jsonb)
ON CONFLICT (unit_id) DO UPDATE
SET {", ".join(f"{column} = EXCLUDED.{column}" for column in _UPSERT_COLUMNS)}, updated_at = now()
WHERE tree_units.version < EXCLUDED.version
""")


async def _upsert_units(session: AsyncSession, states: list[UnitState]) -> None:
    await session.execute(_UPSERT_STATES, {"states": _STATES_JSON.dump_json(states).decode()})


# Closure rows of units new to the replica whose parents are already linked: the unit itself, then every
# ancestor of its parent one level further up. The ancestors are looked up once per distinct parent (a
# catch-up batch of 2,000 units has a few dozen), so the planner probes the descendant index for each
# instead of hashing the whole closure table, however large the replica has grown.
_LINK_UNDER_LINKED_PARENTS = text("""
WITH fresh(unit_id, parent_id) AS (
    SELECT * FROM unnest(CAST(:unit_ids AS uuid[]), CAST(:parent_ids AS uuid[]))
), above AS (
    SELECT link.descendant_id AS parent_id, link.ancestor_id, link.depth
    FROM unnest(CAST(:distinct_parent_ids AS uuid[])) AS parent(unit_id)
    JOIN tree_closure link ON link.descendant_id = parent.unit_id
)
INSERT INTO tree_closure (ancestor_id, descendant_id, depth)
SELECT unit_id, unit_id, 0 FROM fresh
UNION ALL
SELECT above.ancestor_id, fresh.unit_id, above.depth + 1
FROM fresh JOIN above ON above.parent_id = fresh.parent_id
""")


def _levels(states: list[UnitState]) -> list[list[UnitState]]:
    """The new units in rounds: a unit comes one round after its parent when the parent is new too, so each
    round's parents are linked by the rounds before. A batch of a catch-up is mostly one or two rounds."""
    fresh = {state.unit_id: state for state in states}
    if not any(state.parent_id in fresh for state in states):
        return [states]
    level: dict[UUID, int] = {}
    for state in states:
        chain = []
        unit_id: UUID | None = state.unit_id
        while unit_id in fresh and unit_id not in level:
            if unit_id in chain:
                raise ValueError(f"unit {unit_id} is its own ancestor in one batch of new units")
            chain.append(unit_id)
            unit_id = fresh[unit_id].parent_id
        below = level[unit_id] if unit_id in level else -1
        for depth, member in enumerate(reversed(chain), start=below + 1):
            level[member] = depth
    rounds: list[list[UnitState]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for state in states:
        rounds[level[state.unit_id]].append(state)
    return rounds


async def _link_new_units(session: AsyncSession, states: list[UnitState]) -> None:
    for round_ in _levels(states):
        parent_ids = [s.parent_id for s in round_]
        await session.execute(
            _LINK_UNDER_LINKED_PARENTS,
            {
                "unit_ids": [s.unit_id for s in round_],
                "parent_ids": parent_ids,
                "distinct_parent_ids": list({p for p in parent_ids if p is not None}),
            },
        )
    await _refresh_statistics_when_grown(session)


# During a catch-up the closure table grows from nothing to ~600,000 rows within a minute, faster than
# autovacuum re-analyses it; planned on "empty table" statistics the linking join scans it whole.
_STALE_STATISTICS = text("""
SELECT s.n_mod_since_analyze > greatest(c.reltuples, 1000)
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.relid = 'tree_closure'::regclass
""")


async def _refresh_statistics_when_grown(session: AsyncSession) -> None:
    if await session.scalar(_STALE_STATISTICS):
        await session.execute(text("ANALYZE tree_closure, tree_units"))


# A moved unit can be inside another moved subtree, or be the new home of one; then the order of the
# moves matters and they are replayed one by one.
_MOVES_OVERLAP = text("""
SELECT EXISTS (
    SELECT 1 FROM tree_closure
    WHERE ancestor_id = ANY(CAST(:unit_ids AS uuid[]))
      AND (descendant_id = ANY(CAST(:unit_ids AS uuid[])) OR descendant_id = ANY(CAST(:parent_ids AS uuid[])))
      AND depth > 0
)
""")

_UNLINK_MOVED = text("""
WITH moved(unit_id) AS (SELECT unnest(CAST(:unit_ids AS uuid[])))
DELETE FROM tree_closure link
USING moved, tree_closure below, tree_closure above
WHERE below.ancestor_id = moved.unit_id
  AND above.descendant_id = moved.unit_id AND above.depth > 0
  AND link.descendant_id = below.descendant_id AND link.ancestor_id = above.ancestor_id
""")

_RELINK_MOVED = text("""
WITH moved(unit_id, parent_id) AS (
    SELECT * FROM unnest(CAST(:unit_ids AS uuid[]), CAST(:parent_ids AS uuid[]))
)
INSERT INTO tree_closure (ancestor_id, descendant_id, depth)
SELECT above.ancestor_id, below.descendant_id, above.depth + below.depth + 1
FROM moved
JOIN tree_closure above ON above.descendant_id = moved.parent_id
JOIN tree_closure below ON below.ancestor_id = moved.unit_id
""")


async def _relink_subtrees(session: AsyncSession, moved: list[UnitState]) -> None:
    unit_ids = [s.unit_id for s in moved]
    parent_ids = [s.parent_id for s in moved if s.parent_id is not None]
    ids = {"unit_ids": unit_ids, "parent_ids": parent_ids}
    if set(unit_ids) & set(parent_ids) or await session.scalar(_MOVES_OVERLAP, ids):
        for state in moved:
            await _relink_subtree(session, state.unit_id, state.parent_id)
        return
    await session.execute(_UNLINK_MOVED, {"unit_ids": unit_ids})
    await session.execute(_RELINK_MOVED, {"unit_ids": unit_ids, "parent_ids": [s.parent_id for s in moved]})


async def get_unit(session: AsyncSession, unit_id: UUID):
    return (await session.execute(select(tree_units).where(tree_units.c.unit_id == unit_id))).one_or_none()


async def ancestors_of(session: AsyncSession, unit_id: UUID) -> list[UUID]:
    """The unit and every unit above it, nearest first."""
    rows = await session.execute(
        select(tree_closure.c.ancestor_id).where(tree_closure.c.descendant_id == unit_id).order_by(tree_closure.c.depth)
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


async def _apply_unit_events(session: AsyncSession, events: list[UnitEvent], _envelopes: list) -> None:
    await apply_unit_states(session, [event.unit for event in events])


def tree_handlers() -> dict[type, object]:
    """The consumer handlers that keep a service's tree replica in step with orgtree.

    They are batched (`chassis.consumer.batched`), so a consumer given them runs in batch mode:
    catching up on the whole tree takes seconds, not one transaction per unit. A service that
    overrides one event type (members, for merges and dissolutions) handles that type per message.
    """
    handler = batched(_apply_unit_events)
    return dict.fromkeys(orgtree_unit_v1.EVENTS, handler)
