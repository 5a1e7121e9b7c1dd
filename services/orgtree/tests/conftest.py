"""orgtree's test fixtures: one migrated database and one in-process client per test module."""

from __future__ import annotations

from pathlib import Path

import pytest
from chassis.database import Database
from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app

from services.orgtree.tests.helpers import Orgtree, drop_database
from tests.support.services import TEST_SECRET, client, migrated_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "orgtree" / "migrations"


@pytest.fixture(scope="module")
async def orgtree(pg_server_url):
    url = await migrated_database(pg_server_url, "orgtree", MIGRATIONS)
    settings = OrgtreeSettings(database_url=url, internal_token_secret=TEST_SECRET)
    database = Database(url, 2)
    async with client(create_app, settings) as http:
        yield Orgtree(http, database, url)
        await http._transport.app.state.database.dispose()
    await drop_database(pg_server_url, database)
