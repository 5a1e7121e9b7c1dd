"""Reporting benchmark: the movements report (biến động đoàn viên) at national scale.

A script, not a test: `uv run python tests/benchmarks/bench_reporting.py` (`--members`, `--runs`). Its own
database (`bench_reporting`, rebuilt every run) on the test PostgreSQL server (DATABASE_URL): the national tree
(130,000 grassroots unions), a movements ledger opened with `--members` (default 10,000,000) members and a month
of movements (200,000 admissions, 50,000 transfers between provinces and 50,000 within one, 30,000 removals,
20,000 retirements, spread over October 2025). Through the reporting API in process, p50 / p95 of the month's
report for a grassroots union, an upper union, a province and the whole country.
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from chassis.database import asyncpg_dsn  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from reporting.config import ReportingSettings  # noqa: E402
from reporting.entrypoints.api import create_app  # noqa: E402

from tests.benchmarks.support import GRASSROOTS, fresh_database, print_results, record, unit_id, write_national_tree  # noqa: E402
from tests.support.infra import postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402

MIGRATIONS = ROOT / "services" / "reporting" / "src" / "reporting" / "migrations"

# One statement per kind of movement; `g` is the array of grassroots unit ids, `n` the movement's number.
LEDGER_SQL = """
CREATE TEMP TABLE g AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i, unit_id FROM tree_units
    WHERE type_code = 'grassroots_union';
CREATE UNIQUE INDEX ON g (i);
ANALYZE g;
INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta)
    SELECT gen_random_uuid(), g.unit_id, gen_random_uuid(), DATE '2025-01-01', 'opening', 1
    FROM generate_series(0, {members} - 1) AS n JOIN g ON g.i = n % {grassroots};
INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta)
    SELECT gen_random_uuid(), g.unit_id, gen_random_uuid(), DATE '2025-10-01' + n % 31, 'admitted', 1
    FROM generate_series(0, 199999) AS n JOIN g ON g.i = (n * 7) % {grassroots};
-- Transfers: grassroots union i hangs under upper union i % 1190, under province (i % 1190) % 34 (by code order),
-- so unions 1 apart sit in different provinces and unions 40,460 (1,190 × 34) apart in the same one.
INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta, other_unit_id)
    SELECT gen_random_uuid(), v.u, t.m, t.d, v.kind, v.delta, v.other FROM (
        SELECT gen_random_uuid() AS m, DATE '2025-10-01' + n % 31 AS d, a.unit_id AS a, b.unit_id AS b
        FROM generate_series(0, 99999) AS n
        JOIN g a ON a.i = n % {grassroots}
        JOIN g b ON b.i = (n + CASE WHEN n < 50000 THEN 1 ELSE 40460 END) % {grassroots}) t,
    LATERAL (VALUES (t.a, 'transferred_out', -1, t.b), (t.b, 'transferred_in', 1, t.a)) AS v(u, kind, delta, other);
INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta)
    SELECT gen_random_uuid(), g.unit_id, gen_random_uuid(), DATE '2025-10-01' + n % 31,
           CASE WHEN n < 30000 THEN 'removed' ELSE 'retired' END, -1
    FROM generate_series(0, 49999) AS n JOIN g ON g.i = (n * 13) % {grassroots};
"""


async def generate(url: str, members: int) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await write_national_tree(connection)
        started = time.perf_counter()
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'membership_movements' AND indexname LIKE '%day'"
        )
        for index in indexes:
            await connection.execute(f"DROP INDEX {index['indexname']}")
        await connection.execute(LEDGER_SQL.format(grassroots=GRASSROOTS, members=members))
        for index in indexes:
            await connection.execute(index["indexdef"])
        # The counts the consumer keeps next to the ledger: every unit's members now.
        await connection.execute("""
            INSERT INTO unit_member_counts (unit_id, status, gender, is_foreign, members)
            SELECT unit_id, 'active', 'female', false, sum(delta) FROM membership_movements GROUP BY unit_id""")
        await connection.execute("VACUUM ANALYZE membership_movements, unit_member_counts")
        await connection.execute("ANALYZE tree_closure")
        rows = await connection.fetchval("SELECT count(*) FROM membership_movements")
        record("generate the ledger", f"{time.perf_counter() - started:.0f} s", f"{rows:,} rows")
    finally:
        await connection.close()


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = await fresh_database(server, "bench_reporting", MIGRATIONS)
    await generate(url, args.members)
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        for unit, label in (
            (unit_id("g", 7), "a grassroots union (~77 members)"),
            (unit_id("u", 7), "an upper union (~110 units)"),
            (unit_id("p", 7), "a province (~3,800 units, ~300,000 members)"),
            (NATIONAL_CENTRE_ID, f"the country ({GRASSROOTS:,} units)"),
        ):
            viewer = headers_for(principal("report_viewer", unit, "viewer"))
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = await http.get(
                    f"/api/v1/reporting/units/{unit}/movements",
                    params={"from": "2025-10-01", "to": "2025-10-31"},
                    headers=viewer,
                )
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            samples.sort()
            body = response.json()
            record(
                f"October's movements report for {label}",
                f"{statistics.median(samples) * 1000:.1f} / {samples[int(len(samples) * 0.95)] * 1000:.1f} ms",
                f"p50 / p95; members {body['members_at_start']:,} → {body['members_at_end']:,}, "
                f"admitted {body['admitted']:,}, in {body['transferred_in']:,}, out {body['transferred_out']:,}",
            )
    print_results()


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
