"""An identity service per test module: its own migrated database, driven in-process through its API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from chassis.database import Database
from contracts.wellknown import NATIONAL_CENTRE_ID
from identity.config import IdentitySettings
from identity.entrypoints.api import create_app

from tests.support.services import TEST_SECRET, migrated_database

from .support import Identity, drop_database, replicate

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "identity" / "migrations"


@pytest.fixture(scope="module")
async def identity(pg_server_url):
    url = await migrated_database(pg_server_url, "identity", MIGRATIONS)
    database = Database(url, 2)
    units = {"TLD": await replicate(database, "TLD", None, "national_centre", NATIONAL_CENTRE_ID)}
    units["HNI"] = await replicate(database, "HNI", NATIONAL_CENTRE_ID, "provincial_federation")
    units["HNI-1"] = await replicate(database, "HNI-1", units["HNI"], "grassroots_union")
    units["HNI-1-TO"] = await replicate(database, "HNI-1-TO", units["HNI-1"], "union_group", can_have_users=False)
    units["HCM"] = await replicate(database, "HCM", NATIONAL_CENTRE_ID, "provincial_federation")
    # Cheaper argon2 for the accounts tests create; the bootstrap admin keeps the production cost.
    settings = IdentitySettings(
        database_url=url,
        internal_token_secret=TEST_SECRET,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        require_totp_for_admins=False,
    )
    app = create_app(settings, Database(url, 5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://identity") as http:
        yield Identity(http, database, settings, units)
    await app.state.database.dispose()
    await database.dispose()
    await drop_database(pg_server_url, url)
