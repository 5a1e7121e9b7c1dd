"""Org tree benchmarks (issue 3). A script, not a test: `uv run python tests/benchmarks/bench_orgtree.py`.

Creates its own databases on the test PostgreSQL server, prints a Markdown table for
docs/BENCHMARKS.md and drops the databases (unless --keep).

1. Bulk-create the national tree (150,000 units): generator + COPY loader.   goal < 60 s
2. Move a subtree of ~5,000 units through the service layer (commit included). goal < 1 s
3. The scope filter of the national root over 10 million member rows.           goal < 20 ms
4. A new service's replica catching up on the 150,000 unit events.              goal < 30 s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from chassis import migrations, tree  # noqa: E402
from chassis.consumer import EventConsumer  # noqa: E402
from chassis.database import Database, asyncpg_dsn  # noqa: E402
from chassis.migrations import create_chassis_tables  # noqa: E402
from chassis.principal import Grant, Principal  # noqa: E402
from chassis.scope import restrict_to_scope  # noqa: E402
from chassis.settings import ServiceSettings  # noqa: E402
from chassis.tables import tree_closure  # noqa: E402
from chassis.text import search_key  # noqa: E402
from contracts.envelope import Envelope  # noqa: E402
from contracts.permissions import Permission  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from orgtree.adapters.tables import units  # noqa: E402
from orgtree.adapters.tree_loader import load_tree  # noqa: E402
from orgtree.application.queries import UnitQueries  # noqa: E402
from orgtree.application.service import UnitService  # noqa: E402
from orgtree.generator import generate_tree  # noqa: E402
from sqlalchemy import Column, MetaData, Table, Uuid, func, select  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from tests.support.infra import fresh_database, postgres_url  # noqa: E402

MIGRATIONS = ROOT / "services" / "orgtree" / "src" / "orgtree" / "migrations"
MEMBERS = 10_000_000
# A members-like table: only what a scoped member query filters on.
bench_members = Table("bench_members", MetaData(), Column("member_id", Uuid), Column("unit_id", Uuid))
results: list[tuple[str, str, str, str]] = []


def record(what: str, measured: str, goal: str, note: str = "") -> None:
    results.append((what, measured, goal, note))
    print(f"  {what}: {measured} (goal {goal}) {note}", flush=True)


async def bench_bulk_create(url: str) -> None:
    started = time.perf_counter()
    national = generate_tree(2025, "national")
    generated = time.perf_counter() - started
    report = await load_tree(url, national)
    total = generated + report.total_seconds
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in report.seconds.items())
    record(
        "Bulk-create the national tree",
        f"{total:.1f} s",
        "< 60 s",
        f"{len(national) + 1:,} units, {report.closure_rows:,} closure rows; generate {generated:.1f} s, "
        f"COPY by table (s): {phases}",
    )


async def fill_members(url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        started = time.perf_counter()
        await connection.execute("CREATE UNLOGGED TABLE bench_members (member_id uuid NOT NULL, unit_id uuid NOT NULL)")
        # Members sit in grassroots units and their sub-units, ~65 per unit, spread by generate_series.
        await connection.execute(f"""
            WITH holders AS (
                SELECT unit_id, row_number() OVER (ORDER BY code) - 1 AS n FROM units
                WHERE type_code IN ('grassroots_union', 'professional_union', 'departmental_union', 'union_group')
            ), total AS (SELECT count(*) AS c FROM holders)
            INSERT INTO bench_members (member_id, unit_id)
            SELECT gen_random_uuid(), holders.unit_id
            FROM generate_series(0, {MEMBERS - 1}) AS s, total, holders WHERE holders.n = s % total.c""")
        await connection.execute("ALTER TABLE bench_members ADD PRIMARY KEY (member_id)")
        await connection.execute("CREATE INDEX bench_members_unit ON bench_members (unit_id)")
        await connection.execute("VACUUM ANALYZE bench_members")
        print(f"  ({MEMBERS:,} member rows generated in {time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        await connection.close()


async def bench_move(database: Database) -> None:
    admin = Principal(user_id=uuid.uuid4(), username="bench", grants=(Grant("national_admin", NATIONAL_CENTRE_ID),))
    connection = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        # The smallest upper-level subtree of at least 5,000 units, and another province to take it.
        unit_id, size = await connection.fetchrow(
            """
            SELECT c.ancestor_id, count(*) FROM tree_closure c JOIN units u ON u.unit_id = c.ancestor_id
            WHERE u.type_code IN ('industrial_zone_union', 'commune_union', 'corporation_union')
              AND u.parent_id <> $1
            GROUP BY c.ancestor_id HAVING count(*) >= 5000 ORDER BY count(*) LIMIT 1""",
            NATIONAL_CENTRE_ID,
        )
        target = await connection.fetchval(
            "SELECT unit_id FROM units WHERE type_code = 'provincial_federation' AND unit_id <> "
            "(SELECT parent_id FROM units WHERE unit_id = $1) ORDER BY code LIMIT 1",
            unit_id,
        )
        started = time.perf_counter()
        async with database.transaction() as session:
            xid = await session.scalar(select(func.txid_current()))
            await UnitService(session).move(admin, unit_id, target, date.today())
        elapsed = time.perf_counter() - started
        written = await connection.fetchval(
            "SELECT count(*) FROM bench_members WHERE xmin::text::bigint = $1", xid % 2**32
        )
    finally:
        await connection.close()
    record(
        "Move a subtree",
        f"{elapsed * 1000:.0f} ms",
        "< 1 s",
        f"{size:,} units (an industrial-zone union to another province) through the service layer: history "
        f"row, closure re-link, event, commit; member rows written: {written}",
    )


async def bench_scope(url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        province = await connection.fetchval("SELECT unit_id FROM units WHERE code = 'LD79'")
        grassroots = await connection.fetchval(
            "SELECT unit_id FROM units WHERE type_code = 'grassroots_union' ORDER BY code LIMIT 1"
        )
        scope = select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id.in_([NATIONAL_CENTRE_ID]))
        timed, untimed = await explain(connection, scope), await explain(connection, scope, timing=False)
        record(
            "Scope subquery of the national root (the unit ids restrict_to_scope filters on)",
            f"{untimed['execution']:.1f} ms",
            "< 20 ms",
            f"{timed['rows']:,} unit ids from the closure index; {timed['execution']:.1f} ms under EXPLAIN "
            f"ANALYZE with per-node timing; planning {timed['planning']:.2f} ms",
        )
        for label, root in (
            ("national root", NATIONAL_CENTRE_ID),
            ("TP. Hồ Chí Minh", province),
            ("one grassroots unit", grassroots),
        ):
            principal = Principal(user_id=uuid.uuid4(), username="bench", grants=(Grant("report_viewer", root),))
            page = restrict_to_scope(
                select(bench_members.c.member_id).order_by(bench_members.c.member_id).limit(50),
                principal,
                Permission.MEMBERS_READ,
                bench_members.c.unit_id,
            )
            count = restrict_to_scope(
                select(func.count()).select_from(bench_members),
                principal,
                Permission.MEMBERS_READ,
                bench_members.c.unit_id,
            )
            counted, paged = await explain(connection, count), await explain(connection, page)
            record(
                f"Count members in scope: {label}",
                f"{counted['execution']:.0f} ms",
                "< 20 ms for the scope part" if root == NATIONAL_CENTRE_ID else "-",
                f"scope part {counted['scope']:.1f} ms; {counted['result']:,} of {MEMBERS:,} rows; planning "
                f"{counted['planning']:.2f} ms; plan {counted['shape']}",
            )
            record(
                f"First page of 50 members in scope: {label}",
                f"{paged['execution']:.1f} ms",
                "-",
                f"scope part {paged['scope']:.1f} ms; planning {paged['planning']:.2f} ms; plan {paged['shape']}",
            )
        unfiltered = await explain(connection, select(func.count()).select_from(bench_members))
        record(
            "Count all members with no scope filter (for comparison)",
            f"{unfiltered['execution']:.0f} ms",
            "-",
            f"plan {unfiltered['shape']}",
        )
    finally:
        await connection.close()


async def explain(connection: asyncpg.Connection, query, timing: bool = True) -> dict:
    """EXPLAIN ANALYZE (second run, warm cache). Without per-node timing the total is closer to a real run."""
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    options = "ANALYZE, BUFFERS, FORMAT JSON" + ("" if timing else ", TIMING OFF")
    await connection.fetchval(f"EXPLAIN ({options}) {sql}")
    plan = json.loads(await connection.fetchval(f"EXPLAIN ({options}) {sql}"))[0]
    result = await connection.fetchval(sql) if "count(" in sql else None
    return {
        "planning": plan["Planning Time"],
        "execution": plan["Execution Time"],
        "rows": plan["Plan"]["Actual Rows"],
        "result": result,
        "scope": _scope_time(plan["Plan"]) if timing else None,
        "shape": _shape(plan["Plan"]),
    }


def _scope_time(node: dict, processes: int = 1) -> float:
    """Wall milliseconds spent producing the scope's unit ids: the closure scan, or the hash table built on it.

    Under a Gather every process builds its own copy at the same time, so loops are divided by processes.
    """
    children = node.get("Plans", [])
    if node.get("Relation Name") == "tree_closure" or (
        node["Node Type"] == "Hash" and any(c.get("Relation Name") == "tree_closure" for c in children)
    ):
        return node["Actual Total Time"] * node["Actual Loops"] / processes
    if node["Node Type"] == "Gather":
        processes = node.get("Workers Launched", 0) + 1
    return sum(_scope_time(child, processes) for child in children)


def _shape(node: dict) -> str:
    inner = ", ".join(_shape(child) for child in node.get("Plans", []))
    name = node["Node Type"] + (f" {node['Relation Name']}" if "Relation Name" in node else "")
    return f"{name}({inner})" if inner else name


async def bench_queries(database: Database) -> None:
    """The read endpoints' queries on the national tree, as the national administrator (the widest scope)."""
    admin = Principal(user_id=uuid.uuid4(), username="bench", grants=(Grant("national_admin", NATIONAL_CENTRE_ID),))
    async with database.transaction() as session:
        hcm = await session.scalar(select(units.c.unit_id).where(units.c.code == "LD79"))
        grassroots, name = (
            await session.execute(
                select(units.c.unit_id, units.c.name)
                .where(units.c.type_code == "grassroots_union")
                .order_by(units.c.code.desc())
                .limit(1)
            )
        ).one()
    queries = {
        f"search by name without diacritics ('{search_key(name)[-24:]}')": lambda q: q.search(
            admin, search_key(name)[-24:], None, 51
        ),
        "search by code prefix ('CS00123')": lambda q: q.search(admin, "CS00123", None, 51),
        "descendants of the national root, first page of 50": lambda q: q.descendants(
            admin, NATIONAL_CENTRE_ID, None, 51, None, False
        ),
        "tree of TP. Hồ Chí Minh as of 2025-07-01, first page of 50": lambda q: q.tree_as_of(
            admin, hcm, date(2025, 7, 1), None, 51, None, False
        ),
        "ancestors of a grassroots unit": lambda q: q.ancestors(admin, grassroots),
    }
    for label, run in queries.items():
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            async with database.transaction() as session:
                found = await run(UnitQueries(session))
            timings.append(time.perf_counter() - started)
        record(f"Query: {label}", f"{min(timings) * 1000:.1f} ms", "-", f"{len(found)} rows, best of 3")


async def bench_replica(server: str, source_url: str, keep: bool) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(source_url))
    try:
        rows = await connection.fetch(
            "SELECT event_id, event_type, message_key, payload, occurred_at "
            "FROM outbox_events WHERE topic = 'orgtree.unit.v1' ORDER BY id"
        )
    finally:
        await connection.close()
    envelopes = [
        Envelope(
            id=r["event_id"],
            source="/services/orgtree",
            type=r["event_type"],
            time=r["occurred_at"],
            subject=r["message_key"],
            data=r["payload"].encode(),
        )
        for r in rows
    ]
    batched = await replica(server, "bench_orgtree_replica")
    started = time.perf_counter()
    states = [envelope.decode().unit for envelope in envelopes]
    decoded = time.perf_counter() - started
    for start in range(0, len(states), 2_000):
        async with batched.transaction() as session:
            await tree.apply_unit_states(session, states[start : start + 2_000])
    elapsed = time.perf_counter() - started
    same = await closure_digest(batched.url) == await closure_digest(source_url)
    record(
        "Replica catch-up, batched (chassis.tree.apply_unit_states, 2,000 events per transaction)",
        f"{elapsed:.1f} s",
        "< 30 s",
        f"{len(states):,} events, decoding {decoded:.1f} s; closure identical to orgtree's: {same}",
    )

    sample = 5_000
    consumer_db = await replica(server, "bench_orgtree_replica_consumer")
    settings = ServiceSettings(service_name="bench-replica", database_url=consumer_db.url)
    consumer = EventConsumer("bench-replica", settings, consumer_db, tree.tree_handlers())
    started = time.perf_counter()
    for offset, envelope in enumerate(envelopes[:sample]):
        await consumer.process("orgtree.unit.v1", 0, offset, envelope.kafka_headers(), envelope.data, envelope.key)
    per_event = (time.perf_counter() - started) / sample
    record(
        "Replica catch-up, today's consumer (one transaction and inbox row per event)",
        f"{per_event * len(states):.0f} s (extrapolated)",
        "< 30 s",
        f"{per_event * 1000:.2f} ms per event measured on the first {sample:,} events",
    )
    for database in (batched, consumer_db):
        await database.dispose()
        if not keep:
            await drop(server, database.url)


async def replica(server: str, name: str) -> Database:
    database = Database(await fresh_database(server, name), 4)
    async with database.engine.begin() as connection:
        await connection.run_sync(create_chassis_tables)
    return database


async def closure_digest(url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await connection.fetchval(
            "SELECT md5(string_agg(ancestor_id::text || descendant_id::text || depth, ',' "
            "ORDER BY ancestor_id, descendant_id)) FROM tree_closure"
        )
    finally:
        await connection.close()


async def drop(server: str, url: str) -> None:
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


async def main(server: str, keep: bool) -> None:
    url = await fresh_database(server, "bench_orgtree")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
    database = Database(url, 4)
    print("1. bulk create", flush=True)
    await bench_bulk_create(url)
    print("   members for 2 and 3", flush=True)
    await fill_members(url)
    print("2. move", flush=True)
    await bench_move(database)
    print("3. scope", flush=True)
    await bench_scope(url)
    print("   read queries", flush=True)
    await bench_queries(database)
    print("4. replica catch-up", flush=True)
    await bench_replica(server, url, keep)
    await database.dispose()
    if not keep:
        await drop(server, url)
    connection = await asyncpg.connect(server)
    version = await connection.fetchval("SHOW server_version")
    await connection.close()
    print(f"\nPostgreSQL {version}; {__import__('os').cpu_count()} CPUs\n")
    print("| What | Measured | Goal | Notes |\n|---|---|---|---|")
    for what, measured, goal, note in results:
        print(f"| {what} | {measured} | {goal} | {note} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases for inspection")
    arguments = parser.parse_args()
    server_url = postgres_url()
    asyncio.run(main(server_url, arguments.keep))
