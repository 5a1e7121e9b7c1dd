"""Dues benchmark. A script, not a test: `uv run python tests/benchmarks/bench_dues.py`.

Its own database (`bench_dues`, rebuilt every run) on the test PostgreSQL server (DATABASE_URL): the national
tree (34 provinces, 1,190 upper unions, 130,000 grassroots unions that collect dues) and one month recorded by
every grassroots union. Through the dues API in process (auth, scope, JSON and all):
1. a grassroots union of `--members` (default 2,000) records its month, then corrects it
2. the month's totals for a province (~3,800 units) and for the whole country (130,000 records), p50 / p95
3. arrears (`--owing` members owing 1 to 6 months each, spread over every grassroots union: 1,000,000 stands for
   10 % of a 10-million-member country): the totals and the first page of the list for a province and for the
   country, and one member's months, p50 / p95
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from chassis.database import asyncpg_dsn  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from dues.adapters.repository import REFRESH_UNITS  # noqa: E402
from dues.config import DuesSettings  # noqa: E402
from dues.domain.model import first_of_month  # noqa: E402
from dues.entrypoints.api import create_app  # noqa: E402

from tests.benchmarks.support import GRASSROOTS, fresh_database, print_results, record, unit_id, write_national_tree  # noqa: E402
from tests.support.infra import postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402

MIGRATIONS = ROOT / "services" / "dues" / "src" / "dues" / "migrations"
MONTH = "2025-10"


async def generate(url: str, members: int) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await write_national_tree(connection)
        # Every grassroots union but the first recorded the month (~90 members each, 0.5 % of 8-12 M VND).
        await connection.copy_records_to_table(
            "dues_collections",
            columns=[
                "collection_id",
                "unit_id",
                "month",
                "status",
                "policy_from",
                "members_paid",
                "members_exempt",
                "collected_vnd",
                "norm_vnd",
                "upper_share_vnd",
                "grassroots_share_vnd",
                "recorded_by",
            ],
            records=[
                (
                    uuid.uuid4(),
                    unit_id("g", g),
                    first_of_month(MONTH),
                    "recorded",
                    first_of_month("2025-07"),
                    90,
                    2,
                    4_500_000,
                    4_500_000,
                    1_350_000,
                    3_150_000,
                    "bench",
                )
                for g in range(1, GRASSROOTS)
            ],
        )
        payers = [(uuid.uuid4(), unit_id("g", 0), f"01{n:08d}", "Phạm Thị Hoa", "active", 2) for n in range(members)]
        await connection.copy_records_to_table(
            "dues_payers",
            columns=["member_id", "unit_id", "member_code", "full_name", "status", "version"],
            records=payers,
        )
        # Their history: in the unit since they joined (a month is checked against who was in the unit then).
        await connection.copy_records_to_table(
            "dues_payer_spells",
            columns=["member_id", "version", "unit_id", "status", "valid_from"],
            records=[
                (member, version, unit, status, datetime(2020, 1, 1, tzinfo=UTC))
                for member, unit, _, _, status, version in payers
            ],
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def generate_arrears(url: str, owing: int) -> None:
    """`owing` members spread over the grassroots unions, each owing 1-6 months of 2025 (a 10,000,000 VND salary
    at 0.5 %: 40,000 owed of a 50,000 norm a month), written in SQL, then each unit's sums."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(f"""
CREATE TEMP TABLE owing AS
SELECT md5('owing-' || n)::uuid AS member_id, ids[1 + n % cardinality(ids)] AS unit_id, n
FROM (SELECT array_agg(unit_id ORDER BY unit_id) AS ids FROM tree_units WHERE can_collect_dues) AS g,
     generate_series(1, {int(owing)}) AS n""")
        await connection.execute("""
INSERT INTO dues_payers (member_id, unit_id, member_code, full_name, status, version)
SELECT member_id, unit_id, lpad(n::text, 10, '0'), 'Nguyễn Văn Nam', 'active', 2 FROM owing""")
        await connection.execute("""
INSERT INTO dues_arrears (collection_id, member_id, month, recorded_by_unit_id, unit_id, salary_vnd, norm_vnd,
                          paid_vnd, owed_vnd)
SELECT md5(unit_id::text || k)::uuid, member_id, make_date(2025, k, 1), unit_id, unit_id, 10000000, 50000,
       10000, 40000
FROM owing, generate_series(1, 1 + n % 6) AS k""")
        await connection.execute(REFRESH_UNITS.format(units="SELECT DISTINCT unit_id FROM dues_arrears"))
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def timed(http, path: str, params: dict, headers: dict, runs: int) -> tuple[list[float], dict]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await http.get(path, params=params, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return sorted(samples), response.json()


def percentiles(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} / {samples[int(len(samples) * 0.95)] * 1000:.1f} ms"


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--owing", type=int, default=1_000_000)
    args = parser.parse_args()
    url = await fresh_database(server, "bench_dues", MIGRATIONS)
    await generate(url, args.members)
    started = time.perf_counter()
    await generate_arrears(url, args.owing)
    record(
        f"arrears generated: {args.owing:,} members owing 1-6 months",
        f"{time.perf_counter() - started:.0f} s",
        "SQL, with each unit's sums",
    )
    settings = DuesSettings(database_url=url, internal_token_secret=TEST_SECRET)
    grassroots = unit_id("g", 0)
    async with client(create_app, settings) as http:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        payers = [
            row["member_id"]
            for row in await connection.fetch(  # the unit's own: with their history
                "SELECT member_id FROM dues_payer_spells WHERE unit_id = $1", grassroots
            )
        ]
        await connection.close()
        officer = headers_for(principal("dues_officer", grassroots, "bench"))
        lines = [{"member_id": str(m), "salary_vnd": 8_000_000 + n * 1_000} for n, m in enumerate(payers)]
        started = time.perf_counter()
        first = await http.post(
            "/api/v1/dues/months", json={"unit_id": str(grassroots), "month": MONTH, "lines": lines}, headers=officer
        )
        recorded = time.perf_counter() - started
        assert first.status_code == 201, first.text
        started = time.perf_counter()
        corrected = await http.post(
            "/api/v1/dues/months",
            json={
                "unit_id": str(grassroots),
                "month": MONTH,
                "lines": lines,
                "corrects_id": first.json()["collection_id"],
            },
            headers=officer,
        )
        assert corrected.status_code == 201, corrected.text
        record(
            f"a grassroots union of {len(payers):,} members records its month / corrects it",
            f"{recorded * 1000:.0f} / {(time.perf_counter() - started) * 1000:.0f} ms",
            "checks every line, computes the shares, writes a line per member and the event",
        )
        for who, unit, label in (
            (unit_id("p", 0), unit_id("p", 0), "a province (~3,800 units)"),
            (NATIONAL_CENTRE_ID, NATIONAL_CENTRE_ID, f"the country ({GRASSROOTS:,} units)"),
        ):
            viewer = headers_for(principal("dues_officer", who, "viewer"))
            samples, body = await timed(
                http, "/api/v1/dues/summary", {"unit_id": str(unit), "month": MONTH}, viewer, args.runs
            )
            record(
                f"the month's totals for {label}",
                percentiles(samples),
                f"p50 / p95; {body['units_reported']:,} units reported",
            )
            samples, body = await timed(http, "/api/v1/dues/arrears/summary", {"unit_id": str(unit)}, viewer, args.runs)
            record(
                f"arrears totals for {label}",
                percentiles(samples),
                f"p50 / p95; {body['members_owing']:,} members owe {body['months_owed']:,} months",
            )
            samples, body = await timed(
                http, "/api/v1/dues/arrears", {"unit_id": str(unit), "limit": 50}, viewer, args.runs
            )
            record(f"arrears list, first page of 50, for {label}", percentiles(samples), "p50 / p95")
        member = body["items"][0]["member_id"]
        samples, body = await timed(http, f"/api/v1/dues/arrears/members/{member}", {}, viewer, args.runs)
        record("one member's months owed", percentiles(samples), f"p50 / p95; {body['months_owed']} months")
    print_results()


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
