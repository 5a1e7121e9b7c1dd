"""The members service through its HTTP API, against a real PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from chassis.database import Database
from chassis.tables import outbox_events
from contracts.wellknown import NATIONAL_CENTRE_ID
from members.adapters.tables import member_history, members
from members.config import MembersSettings
from members.entrypoints.api import create_app
from sqlalchemy import func, select

from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal, replicate_unit

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "members" / "migrations"


@pytest.fixture(scope="module")
async def registry(pg_server_url):
    url = await migrated_database(pg_server_url, "members", MIGRATIONS)
    database = Database(url, 2)
    await replicate_unit(database, "TLD", None, "national_centre", can_admit=False, unit_id=NATIONAL_CENTRE_ID)
    province = await replicate_unit(database, "HNI", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    other_province = await replicate_unit(database, "HCM", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    grassroots = await replicate_unit(database, "HNI-1", province)
    other_grassroots = await replicate_unit(database, "HCM-1", other_province)
    commune = await replicate_unit(database, "HNI-XA", province, "commune_union", can_admit=False)
    settings = MembersSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield {
            "http": http,
            "db": database,
            "province": province,
            "grassroots": grassroots,
            "other_grassroots": other_grassroots,
            "commune": commune,
        }


def new_member(unit_id, **overrides):
    body = {
        "unit_id": str(unit_id),
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "date_of_birth": "1990-05-01",
        "id_number": "001090000001",
        "phone": "+84 912 345 678",
        "ethnicity": "Kinh",
    }
    return body | overrides


async def counts(database: Database) -> tuple[int, int, int]:
    async with database.transaction() as session:
        return tuple(
            [
                await session.scalar(select(func.count()).select_from(t))
                for t in (members, member_history, outbox_events)
            ]
        )


async def test_grassroots_officer_creates_a_pending_member(registry):
    officer = headers_for(principal("data_entry", registry["grassroots"]))
    decomposed = "Nguye\u0302\u0303n Va\u0306n  An "
    response = await registry["http"].post(
        "/api/v1/members/members", json=new_member(registry["grassroots"], full_name=decomposed), headers=officer
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending" and body["member_code"] is None
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["phone"] == "0912345678"
    async with registry["db"].transaction() as session:
        event_types = list(
            await session.scalars(
                select(outbox_events.c.event_type).where(outbox_events.c.message_key == body["member_id"])
            )
        )
    assert event_types == ["members.member.created"]


async def test_report_viewer_sees_masked_personal_data(registry):
    officer = headers_for(principal("data_entry", registry["grassroots"]))
    created = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["grassroots"], id_number="001190000002", gender="female", full_name="Trần Thị Bình"),
        headers=officer,
    )
    assert created.status_code == 201, created.text
    viewer = headers_for(principal("report_viewer", registry["province"]))
    seen = await registry["http"].get(f"/api/v1/members/members/{created.json()['member_id']}", headers=viewer)
    assert seen.status_code == 200
    assert seen.json()["id_number"] == "*********002"
    assert seen.json()["ethnicity"] is None and seen.json()["sensitive_masked"] is True


async def test_invalid_cccd_reports_every_problem_and_stores_nothing(registry):
    before = await counts(registry["db"])
    response = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["grassroots"], id_number="003191000003", date_of_birth="1990-05-01"),
        headers=headers_for(principal("data_entry", registry["grassroots"])),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "id_number"
    assert {e["code"] for e in problem["errors"]} == {"cccd-province", "cccd-gender-century", "cccd-birth-year"}
    assert all(e["message_vi"] and e["message_en"] for e in problem["errors"])
    assert await counts(registry["db"]) == before


async def test_a_person_already_a_member_elsewhere_is_a_conflict_without_their_data(registry):
    first = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["other_grassroots"], id_number="001090000004"),
        headers=headers_for(principal("data_entry", registry["other_grassroots"])),
    )
    assert first.status_code == 201
    before = await counts(registry["db"])
    again = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["grassroots"], id_number="001090000004"),
        headers=headers_for(principal("data_entry", registry["grassroots"])),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already-a-member"
    assert "HCM" not in again.text and str(registry["other_grassroots"]) not in again.text
    assert await counts(registry["db"]) == before


async def test_commune_union_cannot_admit_members(registry):
    response = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["commune"], id_number="001090000005"),
        headers=headers_for(principal("unit_admin", registry["province"])),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("unit-cannot-admit", "unit_id")


async def test_officer_cannot_write_or_read_outside_their_subtree(registry):
    outsider = headers_for(principal("data_entry", registry["grassroots"]))
    before = await counts(registry["db"])
    response = await registry["http"].post(
        "/api/v1/members/members",
        json=new_member(registry["other_grassroots"], id_number="001090000006"),
        headers=outsider,
    )
    assert response.status_code == 403 and response.json()["code"] == "out-of-scope"
    assert await counts(registry["db"]) == before
    listing = await registry["http"].get(
        f"/api/v1/members/units/{registry['other_grassroots']}/members", headers=outsider
    )
    assert listing.status_code == 403


async def test_unit_member_list_pages_with_a_cursor(registry):
    officer = headers_for(principal("data_entry", registry["grassroots"]))
    for index, name in enumerate(["Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]):
        created = await registry["http"].post(
            "/api/v1/members/members",
            json=new_member(registry["grassroots"], full_name=name, id_number=f"0010901000{index:02d}"),
            headers=officer,
        )
        assert created.status_code == 201, created.text
    seen, cursor = [], None
    while True:
        page = await registry["http"].get(
            f"/api/v1/members/units/{registry['grassroots']}/members",
            params={"limit": 2, **({"after": cursor} if cursor else {})},
            headers=officer,
        )
        seen += [item["full_name"] for item in page.json()["items"]]
        assert {item["unit_name"] for item in page.json()["items"]} == {"Đơn vị HNI-1"}
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 5
    assert {"Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"} <= set(seen)
