"""The 2025 restructuring end to end through orgtree's API: 63 provinces become 34, district federations go.

From a generated pre-2025 tree with members: commune unions are created, every district
federation is dissolved (its grassroots go to a commune union or to the province, one
district moved unit by unit first), then the provinces merge. Afterwards every unit is
in exactly one place, the tree as of 30/6/2025 is the old one, member and unit totals
per new province are the sums of what merged, and replicas built from the events agree.
"""

from __future__ import annotations

import random
from collections import defaultdict
from uuid import UUID

import pytest
from chassis import tree
from chassis.tables import outbox_events, tree_closure, tree_units
from contracts.envelope import Envelope
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import units
from orgtree.adapters.tree_loader import load_tree
from orgtree.domain.model import Unit
from orgtree.domain.provinces import MERGERS_2025, PROVINCES_2024, PROVINCES_2025
from orgtree.generator import TreeSize, generate_tree
from sqlalchemy import func, select, text

from services.orgtree.tests.helpers import ADMIN, drop_database, replica_database, tree_of

DAY = "2025-07-01"
DAY_BEFORE = "2025-06-30"
OLD_CODE = {p.name: p.code for p in PROVINCES_2024}
NEW_CODE = {p.name: p.code for p in PROVINCES_2025}


@pytest.fixture(scope="module")
async def old_tree(orgtree) -> list[Unit]:
    size = TreeSize(sector_unions=2, upper_units=63 * 2 + 10, grassroots_units=63 * 5, sub_units=20)
    generated = generate_tree(seed=63, size=size, era="2024")
    await load_tree(orgtree.url, generated)
    rng = random.Random(63)
    for unit in generated:
        if unit.type.can_admit_members:
            await orgtree.add_members(unit.unit_id, rng.randint(1, 4))
    return generated


async def tree_as_of(orgtree, day: str) -> list[tuple[str, str | None, str]]:
    """The whole national tree on `day`, read page by page through the API."""
    rows, after = [], None
    while True:
        params = {"as_of": day, "limit": 500} | ({"after": after} if after else {})
        page = await orgtree.get(f"/units/{NATIONAL_CENTRE_ID}/tree", **params)
        assert page.status_code == 200, page.text
        rows += [(u["unit_id"], u["parent_id"], u["status"]) for u in page.json()["items"]]
        after = page.json()["next_cursor"]
        if after is None:
            return rows


async def grassroots_in(orgtree, unit_id: UUID) -> int:
    return await orgtree.scalar(
        select(func.count())
        .select_from(units)
        .join(tree_closure, tree_closure.c.descendant_id == units.c.unit_id)
        .where(
            tree_closure.c.ancestor_id == unit_id,
            units.c.type_code.in_(("grassroots_union", "professional_union")),
            units.c.status == "active",
        )
    )


async def ok(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_63_provinces_become_34_and_the_district_level_goes(orgtree, old_tree, pg_server_url):
    federation = {u.province_code: u for u in old_tree if u.type.code == "provincial_federation"}
    districts = [u for u in old_tree if u.type.code == "district_federation"]
    new_province_of = {OLD_CODE[old]: new for new, olds in MERGERS_2025.items() for old in olds}
    survivor = {new: federation[OLD_CODE[olds[0]]] for new, olds in MERGERS_2025.items()}
    old_structure = await tree_as_of(orgtree, DAY_BEFORE)
    members_before = {code: await orgtree.members_in(unit.unit_id) for code, unit in federation.items()}
    grassroots_before = {code: await grassroots_in(orgtree, unit.unit_id) for code, unit in federation.items()}
    assert len(federation) == 63 and len(districts) >= 63

    # 1. A commune union in every new province.
    created = await ok(
        await orgtree.post(
            "/units/batch",
            {
                "effective_from": DAY,
                "units": [
                    {
                        "code": f"CX{NEW_CODE[new]}",
                        "name": f"Công đoàn phường Trung tâm {new}",
                        "type_code": "commune_union",
                        "parent_id": str(survivor[new].unit_id),
                    }
                    for new in MERGERS_2025
                ],
            },
        )
    )
    commune = {new: row["unit_id"] for new, row in zip(MERGERS_2025, created["created"], strict=True)}

    # 2. The district level goes: one district unit by unit, the others dissolved with a successor.
    for index, district in enumerate(districts):
        new = new_province_of[district.province_code]
        if index == 0:
            children = await orgtree.get(f"/units/{district.unit_id}/children", limit=500)
            for child in children.json()["items"]:
                await ok(
                    await orgtree.post(
                        f"/units/{child['unit_id']}/move", {"new_parent_id": commune[new], "effective_from": DAY}
                    )
                )
            successor = None
        else:
            successor = commune[new] if index % 2 else str(federation[district.province_code].unit_id)
        await ok(
            await orgtree.post(
                f"/units/{district.unit_id}/dissolve", {"successor_unit_id": successor, "effective_from": DAY}
            )
        )

    # 3. The provinces merge into the federation that keeps the new province's name, which takes its new code.
    for new, olds in MERGERS_2025.items():
        for old in olds[1:]:
            merged = await ok(
                await orgtree.post(
                    f"/units/{federation[OLD_CODE[old]].unit_id}/merge",
                    {"target_unit_id": str(survivor[new].unit_id), "effective_from": DAY},
                )
            )
            assert merged["merged_into_id"] == str(survivor[new].unit_id)
        if OLD_CODE[olds[0]] != NEW_CODE[new]:
            await ok(
                await orgtree.http.patch(
                    f"/api/v1/orgtree/units/{survivor[new].unit_id}",
                    headers=ADMIN,
                    json={"province_code": NEW_CODE[new], "effective_from": DAY},
                )
            )

    # The tree of the day before is the old one, unit for unit.
    assert await tree_as_of(orgtree, DAY_BEFORE) == old_structure
    now = await tree_as_of(orgtree, DAY)
    provinces_now = await orgtree.get(f"/units/{NATIONAL_CENTRE_ID}/tree", as_of=DAY, max_depth=1, limit=500)
    names = {u["name"] for u in provinces_now.json()["items"] if u["type_code"] == "provincial_federation"}
    assert names == {p.federation_name for p in PROVINCES_2025}
    assert not any(u[2] != "active" for u in now)
    assert (
        await orgtree.scalar(
            select(func.count())
            .select_from(units)
            .where(units.c.type_code == "district_federation", units.c.status == "active")
        )
        == 0
    )
    province_codes = {
        row.province_code
        for row in await orgtree.all(
            select(units.c.province_code).where(
                units.c.type_code == "provincial_federation", units.c.status == "active"
            )
        )
    }
    assert province_codes == set(NEW_CODE.values())

    # Totals per new province are the sums of what merged into it; nobody is lost or counted twice.
    for new, olds in MERGERS_2025.items():
        survivor_id = survivor[new].unit_id
        assert await orgtree.members_in(survivor_id) == sum(members_before[OLD_CODE[o]] for o in olds), new
        assert await grassroots_in(orgtree, survivor_id) == sum(grassroots_before[OLD_CODE[o]] for o in olds), new
    assert await orgtree.members_in(NATIONAL_CENTRE_ID) == sum(members_before.values()) + await sector_members(
        orgtree, old_tree
    )

    await assert_every_unit_in_one_place(orgtree)
    await assert_replicas_agree(orgtree, pg_server_url)
    kinds = defaultdict(int)
    for row in await orgtree.all(select(outbox_events.c.event_type)):
        kinds[row.event_type] += 1
    assert kinds["orgtree.unit.merged"] == 29 and kinds["orgtree.unit.dissolved"] == len(districts)


async def sector_members(orgtree, old_tree: list[Unit]) -> int:
    sectors = [
        u
        for u in old_tree
        if u.type.code in ("central_sector_union", "corporation_union") and u.parent_id == NATIONAL_CENTRE_ID
    ]
    return sum([await orgtree.members_in(u.unit_id) for u in sectors])


async def assert_every_unit_in_one_place(orgtree) -> None:
    """One parent per unit, closure rows exactly those of the parent links, nothing active under a closed unit."""
    checks = {
        "units with no or several parents in the closure": """
            SELECT count(*) FROM units u WHERE u.parent_id IS NOT NULL AND 1 <> (
                SELECT count(*) FROM tree_closure c WHERE c.descendant_id = u.unit_id AND c.depth = 1)""",
        "closure rows that the parent links do not give, or the reverse": """
            WITH RECURSIVE walk(ancestor_id, descendant_id, depth) AS (
                SELECT unit_id, unit_id, 0 FROM units
                UNION ALL
                SELECT w.ancestor_id, u.unit_id, w.depth + 1 FROM walk w JOIN units u ON u.parent_id = w.descendant_id
            ), expected AS (SELECT * FROM walk), actual AS (SELECT ancestor_id, descendant_id, depth FROM tree_closure)
            SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) a)
                 + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) b)""",
        "tree_units rows that differ from units": """
            SELECT count(*) FROM units u FULL JOIN tree_units t USING (unit_id)
            WHERE t.unit_id IS NULL OR u.unit_id IS NULL OR t.parent_id IS DISTINCT FROM u.parent_id
               OR t.status <> u.status OR t.version <> u.version""",
        "active units below a closed one": """
            SELECT count(*) FROM units u JOIN tree_closure c ON c.descendant_id = u.unit_id
            JOIN units above ON above.unit_id = c.ancestor_id
            WHERE u.status = 'active' AND above.status <> 'active'""",
        "members in a closed or unknown unit": """
            SELECT count(*) FROM member_units m LEFT JOIN units u USING (unit_id)
            WHERE u.unit_id IS NULL OR u.status <> 'active'""",
    }
    for problem, query in checks.items():
        assert await orgtree.scalar(text(query)) == 0, problem


async def assert_replicas_agree(orgtree, server_url: str) -> None:
    """A new service's replica, fed orgtree's events one by one or in batches, equals orgtree's tree tables."""
    rows = await orgtree.all(select(outbox_events).order_by(outbox_events.c.id))
    states = [
        Envelope(
            id=r.event_id,
            source="orgtree",
            type=r.event_type,
            time=r.occurred_at,
            subject=r.message_key,
            data=r.payload.encode(),
        )
        .decode()
        .unit
        for r in rows
    ]
    expected = await tree_of(orgtree.database)
    assert len(expected[0]) == await orgtree.scalar(select(func.count()).select_from(tree_units))
    for batch_size in (1, 250):
        replica = await replica_database(server_url)
        try:
            for start in range(0, len(states), batch_size):
                async with replica.transaction() as session:
                    await tree.apply_unit_states(session, states[start : start + batch_size])
            assert await tree_of(replica) == expected, f"replica fed in batches of {batch_size}"
        finally:
            await drop_database(server_url, replica)
