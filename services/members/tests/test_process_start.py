"""A process refuses to start without its database, or before its migrations, and says which and what to do
(chassis.migrations.require_migrated, called by every service's `api`, `consume`, `relay` and `replay`)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from chassis.database import asyncpg_dsn, database_on_server
from chassis.migrations import DatabaseNotReady, require_migrated, upgrade
from members.__main__ import DEFINITION as definition

from tests.support.infra import CREATED_DATABASES


async def test_no_database_then_no_migrations_then_ready(pg_server_url):
    name = f"start_check_{uuid.uuid4().hex[:8]}"
    url = database_on_server(pg_server_url, name)
    with pytest.raises(DatabaseNotReady, match=f"members: cannot use its database .*{name}.*does not exist"):
        await asyncio.to_thread(require_migrated, url, definition.migrations_dir, "members")

    admin = await asyncpg.connect(asyncpg_dsn(database_on_server(pg_server_url, "postgres")))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    CREATED_DATABASES.append(name)
    with pytest.raises(
        DatabaseNotReady, match="is at migration none, the code needs .*: run `python -m members migrate` first"
    ):
        await asyncio.to_thread(require_migrated, url, definition.migrations_dir, "members")

    await asyncio.to_thread(upgrade, url, definition.migrations_dir)
    await asyncio.to_thread(require_migrated, url, definition.migrations_dir, "members")  # no exception: it starts
