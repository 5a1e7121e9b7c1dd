"""Reporting's read model fed by member events, read through its HTTP API."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from chassis.database import Database
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot, MemberStatusChanged, MemberTransferred
from contracts.wellknown import NATIONAL_CENTRE_ID
from reporting.config import ReportingSettings
from reporting.entrypoints.api import create_app
from reporting.entrypoints.consumers import apply_member_change

from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal, replicate_unit

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "reporting" / "migrations"


@pytest.fixture(scope="module")
async def reporting(pg_server_url):
    url = await migrated_database(pg_server_url, "reporting", MIGRATIONS)
    database = Database(url, 2)
    await replicate_unit(database, "TLD", None, "national_centre", can_admit=False, unit_id=NATIONAL_CENTRE_ID)
    province = await replicate_unit(database, "HNI", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    unit_a = await replicate_unit(database, "HNI-A", province)
    unit_b = await replicate_unit(database, "HNI-B", province)
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield {"http": http, "db": database, "province": province, "a": unit_a, "b": unit_b}


def snapshot(member_id, unit_id, status="active", gender="female", version=1) -> MemberSnapshot:
    return MemberSnapshot(
        member_id=member_id, unit_id=unit_id, status=status, full_name="Đoàn viên", gender=gender,
        date_of_birth=date(1990, 1, 1), version=version,
    )


async def deliver(database: Database, event) -> None:
    async with database.transaction() as session:
        await apply_member_change(session, event, None)


async def summary(reporting, unit_id, subtree=True):
    response = await reporting["http"].get(
        f"/api/v1/reporting/units/{unit_id}/member-summary",
        params={"subtree": str(subtree).lower()},
        headers=headers_for(principal("report_viewer", NATIONAL_CENTRE_ID)),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_counts_follow_creation_transfer_and_status_changes(reporting):
    db, a, b = reporting["db"], reporting["a"], reporting["b"]
    first, second = uuid.uuid4(), uuid.uuid4()
    await deliver(db, MemberCreated(member_id=first, member=snapshot(first, a)))
    await deliver(db, MemberCreated(member_id=second, member=snapshot(second, a, gender="male", status="pending")))
    assert (await summary(reporting, a, subtree=False))["members"] == 1
    assert (await summary(reporting, a, subtree=False))["by_status"] == {"active": 1, "pending": 1}

    await deliver(db, MemberTransferred(member_id=first, member=snapshot(first, b, version=2), from_unit_id=a,
                                        to_unit_id=b))
    assert (await summary(reporting, a, subtree=False))["members"] == 0
    assert (await summary(reporting, b, subtree=False))["members"] == 1
    province = await summary(reporting, reporting["province"])
    assert (province["members"], province["female"]) == (1, 1)

    await deliver(db, MemberStatusChanged(member_id=first, member=snapshot(first, b, status="removed", version=3),
                                          old_status="active"))
    assert (await summary(reporting, reporting["province"]))["members"] == 0


async def test_a_stale_or_repeated_event_changes_nothing(reporting):
    db, a = reporting["db"], reporting["a"]
    member = uuid.uuid4()
    before = (await summary(reporting, a, subtree=False))["by_status"].get("active", 0)
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, version=2)))
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, version=2)))
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, status="pending", version=1)))
    assert (await summary(reporting, a, subtree=False))["by_status"].get("active", 0) == before + 1


async def test_viewer_of_another_unit_cannot_read_figures(reporting):
    response = await reporting["http"].get(
        f"/api/v1/reporting/units/{reporting['a']}/member-summary",
        headers=headers_for(principal("report_viewer", reporting["b"])),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out-of-scope"
