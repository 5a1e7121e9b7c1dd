"""Alembic for every service: one env.py body, the chassis tables, and database creation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chassis import tables
from chassis.database import asyncpg_dsn
from chassis.outbox import NOTIFY_CHANNEL


def run_env(*service_metadata: MetaData) -> None:
    """The body of each service's `migrations/env.py`."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
    target = [tables.metadata, *service_metadata]

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())


def tune_tree_statistics(connection: Connection) -> None:
    """Let the planner know how big each unit's subtree is.

    Every scoped query filters by `tree_closure.ancestor_id = <unit>`. With the default statistics the planner
    guesses the same few thousand descendants for any unit that is not among the 100 most common ancestors (the
    average over the upper units), and for a grassroots union it scans a whole table instead of reading a few
    index entries: reporting's movements of one unit took 104 ms instead of 0.13 ms at national scale. With
    2,000 most-common values every upper unit (1,225 in the national tree) is known by its own count."""
    connection.exec_driver_sql("ALTER TABLE tree_closure ALTER COLUMN ancestor_id SET STATISTICS 2000")
    connection.exec_driver_sql("ANALYZE tree_closure")


def create_chassis_tables(connection: Connection) -> None:
    """First migration of every service: outbox, inbox, tree replica, and the outbox wake-up trigger."""
    tables.metadata.create_all(connection)
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$"
    )
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP; END $$"
    )
    # Dropped first so that running this again (a test database, a half-applied migration) is harmless.
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    connection.exec_driver_sql(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
    )
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events")
    connection.exec_driver_sql(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()"
    )
    tune_tree_statistics(connection)


async def ensure_database(url: str) -> None:
    """Create the service's database on the server when it does not exist yet."""
    name = make_url(url).database
    admin_dsn = asyncpg_dsn(make_url(url).set(database="postgres").render_as_string(hide_password=False))
    connection = await asyncpg.connect(admin_dsn)
    try:
        if not await connection.fetchval("select 1 from pg_database where datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        pass  # created concurrently by another process: what we wanted
    finally:
        await connection.close()


def upgrade(url: str, migrations_dir: Path, revision: str = "head") -> None:
    """Migrate the service's database to `revision` (tests of a migration stop before it)."""
    asyncio.run(ensure_database(url))
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["url"] = url
    command.upgrade(config, revision)


class DatabaseNotReady(RuntimeError):
    """A process was started without its database, or before its migrations: it says which, and how to fix it."""


def require_migrated(url: str, migrations_dir: Path, service: str) -> None:
    """Refuse to start a process whose database is unreachable or not at the newest migration (a release's
    processes started before its migration Job, or pointed at the wrong database)."""
    where = make_url(url).render_as_string(hide_password=True)

    async def current() -> str | None:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
        try:
            if not await connection.fetchval("select to_regclass('alembic_version') is not null"):
                return None
            return await connection.fetchval("select version_num from alembic_version")
        finally:
            await connection.close()

    try:
        revision = asyncio.run(current())
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        raise DatabaseNotReady(f"{service}: cannot use its database {where}: {error}") from None
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    newest = ScriptDirectory.from_config(config).get_current_head()
    if revision != newest:
        raise DatabaseNotReady(
            f"{service}: its database {where} is at migration {revision or 'none'}, the code "
            f"needs {newest}: run `python -m {service} migrate` first"
        )
