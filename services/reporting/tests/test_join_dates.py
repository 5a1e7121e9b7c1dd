"""A member entered with an earlier join date (the migration of existing members) is a member since that day: its
entry is dated then, the ledger opens there, and only its entry is back-dated."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.database import Database
from contracts.events.members_member_v1 import MemberApproved, MemberCreated, MemberStatusChanged
from contracts.events.orgtree_unit_v1 import UnitCreated
from contracts.wellknown import NATIONAL_CENTRE_ID
from reporting.config import ReportingSettings
from reporting.entrypoints.api import create_app

from services.reporting.tests.figures_support import change, deliver, national, state
from services.reporting.tests.test_member_summary import MIGRATIONS
from tests.support.services import TEST_SECRET, client, migrated_database

FOUNDED = date(2005, 1, 1)
ENTERED = date(2026, 11, 20)  # the day the list is entered and approved
JOINED = date(2010, 3, 15)  # the day on the member's record


@pytest.fixture(scope="module")
async def reporting(pg_server_url):
    url = await migrated_database(pg_server_url, "reporting_join_dates", MIGRATIONS)
    database = Database(url, 2)
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    await deliver(
        database,
        UnitCreated,
        state(NATIONAL_CENTRE_ID, "TLD", None, "national_centre", effective_from=FOUNDED),
        FOUNDED,
    )
    async with client(create_app, settings) as http:
        yield {"http": http, "db": database}
    await database.dispose()


async def development(reporting, unit_id, first: date, last: date) -> dict:
    response = await reporting["http"].get(
        "/api/v1/reporting/members/development",
        headers=national(),
        params={"unit_id": str(unit_id), "from": first.isoformat(), "to": last.isoformat()},
    )
    assert response.status_code == 200, response.text
    return response.json()["total"]


async def test_a_member_joined_years_ago_counts_from_its_join_date_and_opens_the_ledger_there(reporting):
    db = reporting["db"]
    province, union = uuid.uuid4(), uuid.uuid4()
    await deliver(
        db,
        UnitCreated,
        state(province, "JD-P", NATIONAL_CENTRE_ID, "provincial_federation", effective_from=FOUNDED),
        FOUNDED,
    )
    await deliver(db, UnitCreated, state(union, "JD-G", province, effective_from=FOUNDED), FOUNDED)
    migrated, newcomer = uuid.uuid4(), uuid.uuid4()
    for member, joined in ((migrated, JOINED), (newcomer, None)):
        await change(db, MemberCreated, member, union, ENTERED, status="pending", version=1, joined_on=joined)
        await change(db, MemberApproved, member, union, ENTERED, version=2, joined_on=joined)
    # A later change of the migrated member is dated its own day, not its join date.
    await change(
        db, MemberStatusChanged, migrated, union, date(2026, 11, 25), status="suspended", version=3, joined_on=JOINED
    )

    earliest = await reporting["http"].get(
        "/api/v1/reporting/members/development",
        headers=national(),
        params={"unit_id": str(province), "from": "2010-01-01", "to": "2010-12-31"},
    )
    assert earliest.status_code == 422
    assert (earliest.json()["field"], earliest.json()["earliest"]) == ("from", JOINED.isoformat())

    year_joined = await development(reporting, province, JOINED, date(2010, 12, 31))
    assert (year_joined["members_at_start"], year_joined["admitted"], year_joined["members_at_end"]) == (0, 1, 1)
    before_entry = await development(reporting, province, date(2026, 11, 1), date(2026, 11, 19))
    assert (before_entry["members_at_start"], before_entry["admitted"], before_entry["members_at_end"]) == (1, 0, 1)
    # The newcomer has no earlier join date: admitted the day it was entered; nobody stays pending in the past.
    november = await development(reporting, province, date(2026, 11, 1), date(2026, 11, 30))
    assert (november["admitted"], november["suspended"]) == (1, 1)
    assert november["members_at_end"] == 2  # a suspended member still counts

    in_2015 = await reporting["http"].get(
        "/api/v1/reporting/members/breakdown",
        headers=national(),
        params={"unit_id": str(province), "by": "status", "as_of": "2015-06-01"},
    )
    assert in_2015.status_code == 200, in_2015.text
    assert {row["value"]: row["members"] for row in in_2015.json()["rows"] if row["members"]} == {"active": 1}
