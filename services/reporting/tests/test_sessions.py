"""Reporting's database sessions as its processes open them (API and consumer alike)."""

from __future__ import annotations

from chassis.database import database_on_server
from reporting.__main__ import DEFINITION
from reporting.config import ReportingSettings
from sqlalchemy import text

from tests.support.services import TEST_SECRET


async def test_every_statement_is_planned_for_its_values_and_no_parallel_workers_start(pg_server_url):
    settings = ReportingSettings(
        database_url=database_on_server(pg_server_url, "postgres"), internal_token_secret=TEST_SECRET
    )
    database = DEFINITION.database(settings)
    try:
        async with database.transaction() as session:
            found = await session.execute(
                text("SELECT current_setting('plan_cache_mode'), current_setting('max_parallel_workers_per_gather')")
            )
            assert tuple(found.one()) == ("force_custom_plan", "0")
    finally:
        await database.dispose()
