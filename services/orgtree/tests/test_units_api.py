"""orgtree through its HTTP API, against a real PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from chassis.database import Database
from chassis.tables import outbox_events, tree_closure
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import unit_history, units
from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app
from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "orgtree" / "migrations"
ADMIN = headers_for(principal("national_admin", NATIONAL_CENTRE_ID, "admin"))


@pytest.fixture(scope="module")
async def orgtree(pg_server_url):
    url = await migrated_database(pg_server_url, "orgtree", MIGRATIONS)
    settings = OrgtreeSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield http, Database(url, 2)


async def create(http, code, name, type_code, parent_id, headers=ADMIN):
    return await http.post(
        "/api/v1/orgtree/units",
        json={"code": code, "name": name, "type_code": type_code, "parent_id": str(parent_id)},
        headers=headers,
    )


async def count(database: Database, table) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_create_units_builds_the_tree_and_announces_each(orgtree):
    http, database = orgtree
    province = await create(http, "HNI", "Liên đoàn Lao động thành phố Hà Nội", "provincial_federation",
                            NATIONAL_CENTRE_ID)
    assert province.status_code == 201, province.text
    grassroots = await create(http, "HNI-0001", "Công đoàn cơ sở Công ty May Thăng Long", "grassroots_union",
                              province.json()["unit_id"])
    assert grassroots.status_code == 201, grassroots.text
    assert grassroots.json()["province_code"] is None
    async with database.transaction() as session:
        depth = await session.scalar(
            select(tree_closure.c.depth).where(
                tree_closure.c.ancestor_id == NATIONAL_CENTRE_ID,
                tree_closure.c.descendant_id == grassroots.json()["unit_id"],
            )
        )
        announced = set(
            await session.scalars(select(outbox_events.c.message_key).where(outbox_events.c.topic == "orgtree.unit.v1"))
        )
    assert depth == 2
    assert {province.json()["unit_id"], grassroots.json()["unit_id"]} <= announced

    children = await http.get(f"/api/v1/orgtree/units/{province.json()['unit_id']}/children", headers=ADMIN)
    assert [c["code"] for c in children.json()["items"]] == ["HNI-0001"]

    found = await http.get("/api/v1/orgtree/units", params={"q": "may thang long"}, headers=ADMIN)
    assert [u["code"] for u in found.json()["items"]] == ["HNI-0001"]


async def test_duplicate_code_is_a_conflict_and_changes_nothing(orgtree):
    http, database = orgtree
    first = await create(http, "DUP-1", "Liên đoàn Lao động tỉnh Một", "provincial_federation", NATIONAL_CENTRE_ID)
    assert first.status_code == 201
    before = (await count(database, units), await count(database, outbox_events))
    again = await create(http, "dup-1", "Tên khác", "provincial_federation", NATIONAL_CENTRE_ID)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    body = again.json()
    assert (body["code"], body["field"]) == ("duplicate-unit-code", "code")
    assert "đã tồn tại" in body["message_vi"] and "already exists" in body["message_en"]
    assert (await count(database, units), await count(database, outbox_events)) == before


async def test_child_type_must_be_allowed_under_parent_type(orgtree):
    http, _ = orgtree
    response = await create(http, "CS-TOP", "Công đoàn cơ sở đặt sai cấp", "grassroots_union", NATIONAL_CENTRE_ID)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("child-type-not-allowed", "type_code")


async def test_move_under_own_descendant_is_refused(orgtree):
    http, database = orgtree
    upper = await create(http, "MOVE-P", "Liên đoàn Lao động tỉnh Hai", "provincial_federation", NATIONAL_CENTRE_ID)
    zone = await create(http, "MOVE-Z", "Công đoàn khu công nghiệp Hai", "industrial_zone_union", upper.json()["unit_id"])
    history_before = await count(database, unit_history)
    response = await http.post(
        f"/api/v1/orgtree/units/{upper.json()['unit_id']}/move",
        json={"new_parent_id": zone.json()["unit_id"]},
        headers=ADMIN,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "move-creates-cycle"
    assert await count(database, unit_history) == history_before


async def test_move_relinks_the_subtree_and_keeps_history(orgtree):
    http, database = orgtree
    old = await create(http, "MV-OLD", "Liên đoàn Lao động tỉnh Cũ", "provincial_federation", NATIONAL_CENTRE_ID)
    new = await create(http, "MV-NEW", "Liên đoàn Lao động tỉnh Mới", "provincial_federation", NATIONAL_CENTRE_ID)
    zone = await create(http, "MV-Z", "Công đoàn khu công nghiệp Ba", "industrial_zone_union", old.json()["unit_id"])
    leaf = await create(http, "MV-L", "Công đoàn cơ sở Ba", "grassroots_union", zone.json()["unit_id"])
    moved = await http.post(
        f"/api/v1/orgtree/units/{zone.json()['unit_id']}/move",
        json={"new_parent_id": new.json()["unit_id"], "effective_from": "2025-07-01"},
        headers=ADMIN,
    )
    assert moved.status_code == 200, moved.text
    async with database.transaction() as session:
        ancestors_of_leaf = set(
            await session.scalars(
                select(tree_closure.c.ancestor_id).where(tree_closure.c.descendant_id == leaf.json()["unit_id"])
            )
        )
        versions = list(await session.scalars(
            select(unit_history.c.version).where(unit_history.c.unit_id == zone.json()["unit_id"])
        ))
    assert new.json()["unit_id"] in {str(a) for a in ancestors_of_leaf}
    assert old.json()["unit_id"] not in {str(a) for a in ancestors_of_leaf}
    assert sorted(versions) == [1, 2]


async def test_officer_cannot_create_outside_own_subtree(orgtree):
    http, database = orgtree
    mine = await create(http, "SC-A", "Liên đoàn Lao động tỉnh A", "provincial_federation", NATIONAL_CENTRE_ID)
    theirs = await create(http, "SC-B", "Liên đoàn Lao động tỉnh B", "provincial_federation", NATIONAL_CENTRE_ID)
    officer = headers_for(principal("unit_admin", mine.json()["unit_id"]))
    before = await count(database, units)
    response = await create(http, "SC-B-1", "Công đoàn cơ sở B1", "grassroots_union", theirs.json()["unit_id"], officer)
    assert response.status_code == 403
    assert response.json()["code"] == "out-of-scope"
    assert await count(database, units) == before
    hidden = await http.get(f"/api/v1/orgtree/units/{theirs.json()['unit_id']}", headers=officer)
    assert hidden.status_code == 403


async def test_malformed_body_names_the_field(orgtree):
    http, _ = orgtree
    response = await http.post(
        "/api/v1/orgtree/units", json={"code": "X", "name": "Tên", "type_code": "grassroots_union"}, headers=ADMIN
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"code", "parent_id"} <= fields
    assert all(error["message_vi"] for error in response.json()["errors"])


async def test_request_without_gateway_token_is_refused(orgtree):
    http, _ = orgtree
    response = await http.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
