"""Every write through a service API leaves an append-only audit record (chassis.audit), read per subtree."""

from __future__ import annotations

from pathlib import Path

import pytest
from chassis.database import Database
from chassis.tables import audit_log
from contracts.wellknown import NATIONAL_CENTRE_ID
from members.config import MembersSettings
from members.entrypoints.api import create_app
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal, replicate_unit

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "members" / "migrations"


@pytest.fixture(scope="module")
async def service(pg_server_url):
    url = await migrated_database(pg_server_url, "members_audit", MIGRATIONS)
    database = Database(url, 2)
    await replicate_unit(database, "TLD", None, "national_centre", can_admit=False, unit_id=NATIONAL_CENTRE_ID)
    mine = await replicate_unit(database, "A-1", NATIONAL_CENTRE_ID)
    theirs = await replicate_unit(database, "B-1", NATIONAL_CENTRE_ID)
    async with client(create_app, MembersSettings(database_url=url, internal_token_secret=TEST_SECRET)) as http:
        yield http, database, mine, theirs


async def audit_rows(database: Database):
    async with database.transaction() as session:
        return list(await session.execute(select(audit_log).order_by(audit_log.c.id)))


async def test_successful_and_refused_writes_are_both_recorded(service):
    http, database, mine, theirs = service
    officer = principal("data_entry", mine, "can.bo.a")
    body = {"full_name": "Ngô Thị Hoa", "gender": "female", "date_of_birth": "1993-04-04", "id_number": "001193000777"}
    created = await http.post(
        "/api/v1/members/members", json={**body, "unit_id": str(mine)}, headers=headers_for(officer)
    )
    refused = await http.post(
        "/api/v1/members/members", json={**body, "unit_id": str(theirs)}, headers=headers_for(officer)
    )
    assert (created.status_code, refused.status_code) == (201, 403)
    rows = await audit_rows(database)
    assert [(r.username, r.unit_id, r.outcome, r.status) for r in rows[-2:]] == [
        ("can.bo.a", mine, "success", 201),
        ("can.bo.a", theirs, "refused", 403),
    ]
    assert rows[-1].action == "POST /api/v1/members/members"


async def test_the_trail_cannot_be_edited_or_deleted(service):
    _, database, _, _ = service
    for statement in ("update audit_log set username = 'someone else'", "delete from audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.transaction() as session:
                await session.execute(text(statement))


async def test_administrators_read_the_trail_of_their_subtree_only(service):
    http, _, mine, theirs = service
    admin_of_mine = headers_for(principal("unit_admin", mine))
    page = await http.get("/api/v1/members/audit", headers=admin_of_mine)
    assert page.status_code == 200
    units = {entry["unit_id"] for entry in page.json()["items"]}
    assert units == {str(mine)}
    national = await http.get(
        "/api/v1/members/audit", headers=headers_for(principal("national_admin", NATIONAL_CENTRE_ID))
    )
    assert {str(mine), str(theirs)} <= {entry["unit_id"] for entry in national.json()["items"]}


async def test_the_access_log_lists_who_read_a_members_unmasked_data_and_no_writes(service):
    http, _, mine, theirs = service
    officer = principal("data_entry", mine, "can.bo.doc")
    body = {
        "full_name": "Lê Thị Lan",
        "gender": "female",
        "date_of_birth": "1994-05-05",
        "id_number": "001194000888",
        "unit_id": str(mine),
    }
    created = await http.post("/api/v1/members/members", json=body, headers=headers_for(officer))
    assert created.status_code == 201, created.text
    member_id = created.json()["member_id"]
    approver = principal("approver", mine, "can.bo.xem")
    shown = await http.get(f"/api/v1/members/members/{member_id}", headers=headers_for(approver))
    assert shown.status_code == 200 and not shown.json()["sensitive_masked"]

    admin_of_mine = headers_for(principal("unit_admin", mine))
    reads = (await http.get("/api/v1/members/audit", params={"kind": "read"}, headers=admin_of_mine)).json()["items"]
    assert [(r["username"], r["target"], r["action"]) for r in reads if r["username"] == "can.bo.xem"] == [
        ("can.bo.xem", f"member_id={member_id}; sensitive fields shown", "GET /api/v1/members/members/{member_id}")
    ]
    assert all(r["action"].startswith("GET ") for r in reads)
    writes = (await http.get("/api/v1/members/audit", params={"kind": "write"}, headers=admin_of_mine)).json()["items"]
    assert writes and not any(w["action"].startswith("GET ") for w in writes)
    # The access log of another subtree shows none of these reads.
    other = headers_for(principal("unit_admin", theirs))
    elsewhere = await http.get("/api/v1/members/audit", params={"kind": "read"}, headers=other)
    assert not [r for r in elsewhere.json()["items"] if r["username"] == "can.bo.xem"]
    unknown = await http.get("/api/v1/members/audit", params={"kind": "everything"}, headers=admin_of_mine)
    assert unknown.status_code == 422 and unknown.headers["content-type"].startswith("application/problem+json")
