"""The reporting service with its API, fed through its consumers' handlers (tests of figures and period reports)."""

from __future__ import annotations

import pytest
from chassis.database import Database
from contracts.events.orgtree_unit_v1 import UnitCreated
from contracts.wellknown import NATIONAL_CENTRE_ID
from reporting.config import ReportingSettings
from reporting.entrypoints.api import create_app

from services.reporting.tests.figures_support import START, admit, deliver, state
from services.reporting.tests.test_member_summary import MIGRATIONS
from tests.support.services import TEST_SECRET, client, migrated_database


@pytest.fixture(scope="module")
async def reporting(pg_server_url):
    url = await migrated_database(pg_server_url, "reporting_figures", MIGRATIONS)
    database = Database(url, 2)
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    await deliver(database, UnitCreated, state(NATIONAL_CENTRE_ID, "TLD", None, "national_centre"), START)
    # The figures' ledger opens on START whichever test runs first (or alone).
    await admit(database, NATIONAL_CENTRE_ID, START)
    async with client(create_app, settings) as http:
        yield {"http": http, "db": database}
