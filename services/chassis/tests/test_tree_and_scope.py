"""The tree replica (closure table) fed by UnitState events, and the one scope helper built on it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import date
from uuid import UUID

import pytest
from chassis.errors import OutOfScope
from chassis.principal import Grant, Principal
from chassis.scope import ensure_in_scope, is_in_scope, restrict_to_scope, units_in_scope
from chassis.tables import tree_closure, tree_units
from chassis.tree import ancestors_of, apply_unit_state, apply_unit_states, get_unit, is_within
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState
from contracts.permissions import Permission
from sqlalchemy import Column, MetaData, Table, Text, Uuid, insert, select

# A table that belongs to units, like members or dues: what scope filtering is for.
things_metadata = MetaData()
things = Table(
    "scoped_things",
    things_metadata,
    Column("id", Uuid, primary_key=True),
    Column("unit_id", Uuid),
    Column("label", Text),
)


def state(unit_id: UUID, code: str, parent_id: UUID | None, version: int = 1, **extra) -> UnitState:
    values = {
        "name": f"Công đoàn {code}",
        "type_code": "grassroots_union",
        "capabilities": UnitCapabilities(can_admit_members=True),
        "effective_from": date(2025, 7, 1),
        **extra,
    }
    return UnitState(unit_id=unit_id, code=code, parent_id=parent_id, version=version, **values)


async def apply(database, *states: UnitState) -> list[bool]:
    async with database.transaction() as session:
        return [await apply_unit_state(session, s) for s in states]


async def descendants(database, unit_id: UUID) -> set[UUID]:
    async with database.transaction() as session:
        query = select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id == unit_id)
        return set(await session.scalars(query))


async def ancestors(database, unit_id: UUID) -> list[UUID]:
    async with database.transaction() as session:
        return await ancestors_of(session, unit_id)


async def closure_matches_parents(database) -> None:
    """The whole closure table equals the one derived from the parent pointers (depths included)."""
    async with database.transaction() as session:
        parents = dict((await session.execute(select(tree_units.c.unit_id, tree_units.c.parent_id))).all())
        stored = set((await session.execute(select(tree_closure))).all())
    derived = set()
    for unit_id in parents:
        node, depth = unit_id, 0
        while node is not None:
            derived.add((node, unit_id, depth))
            node, depth = parents.get(node), depth + 1
    assert stored == derived


@pytest.fixture(scope="module")
async def tree(database):
    """national ─┬─ north ─┬─ factory ── workshop
    │         └─ school
    └─ south"""
    ids = {name: uuid.uuid4() for name in ("national", "north", "south", "factory", "workshop", "school")}
    assert (
        await apply(
            database,
            state(ids["national"], "TLD", None),
            state(ids["north"], "HNI", ids["national"]),
            state(ids["south"], "HCM", ids["national"]),
            state(ids["factory"], "HNI-F", ids["north"]),
            state(ids["workshop"], "HNI-F-W", ids["factory"]),
            state(ids["school"], "HNI-S", ids["north"]),
        )
        == [True] * 6
    )
    async with database.engine.begin() as connection:
        await connection.run_sync(things_metadata.create_all)
    return ids


async def test_a_new_tree_has_every_ancestor_link(database, tree):
    assert await descendants(database, tree["north"]) == {
        tree["north"],
        tree["factory"],
        tree["workshop"],
        tree["school"],
    }
    assert await ancestors(database, tree["workshop"]) == [
        tree["workshop"],
        tree["factory"],
        tree["north"],
        tree["national"],
    ]
    await closure_matches_parents(database)


async def test_moving_a_subtree_relinks_every_unit_below_it(database, tree):
    assert await apply(database, state(tree["factory"], "HNI-F", tree["south"], version=2)) == [True]

    assert await descendants(database, tree["north"]) == {tree["north"], tree["school"]}
    assert await descendants(database, tree["south"]) == {tree["south"], tree["factory"], tree["workshop"]}
    assert await ancestors(database, tree["workshop"]) == [
        tree["workshop"],
        tree["factory"],
        tree["south"],
        tree["national"],
    ]
    async with database.transaction() as session:
        assert await is_within(session, tree["workshop"], tree["south"])
        assert not await is_within(session, tree["workshop"], tree["north"])
        assert (await get_unit(session, tree["factory"])).parent_id == tree["south"]
    await closure_matches_parents(database)


async def test_an_old_or_repeated_version_changes_nothing(database, tree):
    async with database.transaction() as session:
        before = set((await session.execute(select(tree_closure))).all())
    # Version 1 (under north) arrives again after version 2 moved the factory south; then version 2 again.
    assert await apply(
        database,
        state(tree["factory"], "HNI-F", tree["north"], version=1),
        state(tree["factory"], "HNI-F", tree["south"], version=2, name="renamed too late"),
    ) == [False, False]

    async with database.transaction() as session:
        assert set((await session.execute(select(tree_closure))).all()) == before
        unit = await get_unit(session, tree["factory"])
    assert (unit.parent_id, unit.version, unit.name) == (tree["south"], 2, "Công đoàn HNI-F")


async def test_a_unit_detached_to_the_top_and_moved_back(database, tree):
    workshop = tree["workshop"]
    assert await apply(database, state(workshop, "HNI-F-W", None, version=2)) == [True]
    assert await ancestors(database, workshop) == [workshop]
    assert await apply(database, state(workshop, "HNI-F-W", tree["factory"], version=3, status="dissolved")) == [True]
    assert await ancestors(database, workshop) == [workshop, tree["factory"], tree["south"], tree["national"]]
    await closure_matches_parents(database)


async def test_a_batch_of_states_gives_the_same_tree_as_one_by_one(database):
    top, left, right, mid, leaf, late = (uuid.uuid4() for _ in range(6))
    events = [
        state(top, "B", None),
        state(left, "B-L", top),
        state(right, "B-R", top),
        state(mid, "B-L-M", left),
        state(leaf, "B-L-M-X", mid),
        state(mid, "B-L-M", right, version=2),  # mid moves under right...
        state(right, "B-R", left, version=2),  # ...and right (with mid inside) under left: overlapping moves
        state(leaf, "B-L-M-X", mid, version=2, name="renamed"),
        state(late, "B-Z", leaf),
        state(mid, "B-L-M", left, version=1),  # stale
    ]
    async with database.transaction() as session:
        assert await apply_unit_states(session, events) > 0
        assert await apply_unit_states(session, events) == 0  # all known already

    assert await ancestors(database, late) == [late, leaf, mid, right, left, top]
    await closure_matches_parents(database)

    # Later moves of existing, independent units go through the set-based path.
    async with database.transaction() as session:
        assert (
            await apply_unit_states(
                session, [state(mid, "B-L-M", top, version=3), state(late, "B-Z", right, version=2)]
            )
            == 2
        )
    assert await ancestors(database, leaf) == [leaf, mid, top]
    assert await ancestors(database, late) == [late, right, left, top]
    await closure_matches_parents(database)

    # Moves that depend on each other are replayed in event order: right goes under mid, then mid
    # (with right now inside) under left; leaf, inside mid's subtree, goes under late.
    async with database.transaction() as session:
        assert (
            await apply_unit_states(
                session, [state(right, "B-R", mid, version=3), state(mid, "B-L-M", left, version=4)]
            )
            == 2
        )
        assert await apply_unit_states(session, [state(leaf, "B-L-M-X", late, version=3)]) == 1
    assert await ancestors(database, late) == [late, right, mid, left, top]
    assert await ancestors(database, leaf) == [leaf, late, right, mid, left, top]
    await closure_matches_parents(database)
    # late lies inside mid's subtree, although no moved unit is another's new parent.
    async with database.transaction() as session:
        assert (
            await apply_unit_states(session, [state(mid, "B-L-M", top, version=5), state(late, "B-Z", left, version=3)])
            == 2
        )
    assert await ancestors(database, leaf) == [leaf, late, left, top]
    assert await ancestors(database, right) == [right, mid, top]
    await closure_matches_parents(database)


def officer(role: str, *units: UUID) -> Principal:
    return Principal(user_id=uuid.uuid4(), username="officer", grants=tuple(Grant(role, u) for u in units))


async def visible(database, principal: Principal, permission: Permission) -> set[str]:
    query = restrict_to_scope(select(things.c.label), principal, permission, things.c.unit_id)
    async with database.transaction() as session:
        return set(await session.scalars(query))


async def test_scope_returns_only_rows_in_the_principals_subtrees(database, tree):
    async with database.transaction() as session:
        await session.execute(
            insert(things),
            [{"id": uuid.uuid4(), "unit_id": tree[name], "label": name} for name in tree],
        )
    # The factory was moved under south earlier in this module: scope follows the replica.
    assert await visible(database, officer("report_viewer", tree["north"]), Permission.REPORTS_READ) == {
        "north",
        "school",
    }
    assert await visible(database, officer("report_viewer", tree["south"]), Permission.REPORTS_READ) == {
        "south",
        "factory",
        "workshop",
    }
    assert await visible(
        database, officer("report_viewer", tree["school"], tree["factory"]), Permission.REPORTS_READ
    ) == {"school", "factory", "workshop"}
    assert await visible(database, officer("national_admin", tree["national"]), Permission.MEMBERS_WRITE) == set(tree)


async def test_scope_is_empty_without_the_permission(database, tree):
    assert await visible(database, officer("card_officer", tree["national"]), Permission.MEMBERS_WRITE) == set()
    assert await visible(database, officer("no_such_role", tree["national"]), Permission.REPORTS_READ) == set()
    assert (
        await visible(database, Principal(user_id=None, username="public", is_public=True), Permission.MEMBERS_READ)
        == set()
    )
    # Only the grants that carry the permission count.
    mixed = Principal(
        user_id=uuid.uuid4(),
        username="mixed",
        grants=(Grant("card_officer", tree["north"]), Grant("data_entry", tree["south"])),
    )
    assert await visible(database, mixed, Permission.MEMBERS_WRITE) == {"south", "factory", "workshop"}
    async with database.transaction() as session:
        assert set(await session.scalars(units_in_scope(mixed, Permission.MEMBERS_WRITE))) == {
            tree["south"],
            tree["factory"],
            tree["workshop"],
        }


async def test_a_single_unit_check_raises_out_of_scope(database, tree):
    viewer = officer("data_entry", tree["north"])
    async with database.transaction() as session:
        assert await is_in_scope(session, viewer, Permission.MEMBERS_WRITE, tree["school"])
        assert not await is_in_scope(session, viewer, Permission.MEMBERS_WRITE, tree["workshop"])
        assert not await is_in_scope(session, viewer, Permission.MEMBERS_APPROVE, tree["school"])
        await ensure_in_scope(session, viewer, Permission.MEMBERS_WRITE, tree["school"])
        with pytest.raises(OutOfScope) as refused:
            await ensure_in_scope(session, viewer, Permission.MEMBERS_WRITE, tree["workshop"])
    body = refused.value.body()
    assert (refused.value.status, body["code"], body["field"]) == (403, "out-of-scope", "unit_id")


def test_the_scope_module_imports_on_its_own():
    """`chassis.scope` and `chassis.audit` use each other; importing scope first must not be a cycle."""
    finished = subprocess.run(
        [sys.executable, "-c", "import chassis.scope"], capture_output=True, text=True, timeout=60, check=False
    )
    assert finished.returncode == 0, finished.stderr[-2000:]


def test_a_national_grant_needs_no_subtree_filter():
    """Every unit is below the national centre, so its scope adds nothing to the SQL; other scopes do."""
    from chassis.scope import restrict_to_scope
    from contracts.wellknown import NATIONAL_CENTRE_ID
    from sqlalchemy import column, table

    rows = table("rows", column("unit_id"))
    national = Principal(user_id=uuid.uuid4(), username="n", grants=(Grant("report_viewer", NATIONAL_CENTRE_ID),))
    local = Principal(user_id=uuid.uuid4(), username="l", grants=(Grant("report_viewer", uuid.uuid4()),))
    national_sql = str(restrict_to_scope(select(rows), national, Permission.REPORTS_READ, rows.c.unit_id))
    local_sql = str(restrict_to_scope(select(rows), local, Permission.REPORTS_READ, rows.c.unit_id))
    assert "tree_closure" not in national_sql and "WHERE" not in national_sql
    assert "tree_closure" in local_sql
