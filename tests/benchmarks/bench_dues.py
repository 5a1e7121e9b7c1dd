"""Dues benchmark. A script, not a test: `uv run python tests/benchmarks/bench_dues.py`.

Its own database (`bench_dues`, rebuilt every run) on the test PostgreSQL server (DATABASE_URL): the national
tree (34 provinces, 1,190 upper unions, 130,000 grassroots unions that collect dues) and one month recorded by
every grassroots union. Through the dues API in process (auth, scope, JSON and all):
1. a grassroots union of `--members` (default 2,000) records its month, then corrects it
2. the month's totals for a province (~3,800 units) and for the whole country (130,000 records), p50 / p95
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from chassis.database import asyncpg_dsn  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
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
        await connection.copy_records_to_table("dues_collections", columns=[
            "collection_id", "unit_id", "month", "status", "policy_from", "members_paid", "members_exempt",
            "collected_vnd", "norm_vnd", "upper_share_vnd", "grassroots_share_vnd", "recorded_by"], records=[
            (uuid.uuid4(), unit_id("g", g), first_of_month(MONTH), "recorded", first_of_month("2025-07"), 90, 2,
             4_500_000, 4_500_000, 1_350_000, 3_150_000, "bench") for g in range(1, GRASSROOTS)])
        await connection.copy_records_to_table("dues_payers", columns=[
            "member_id", "unit_id", "member_code", "full_name", "status", "version"], records=[
            (uuid.uuid4(), unit_id("g", 0), f"01{n:08d}", "Phạm Thị Hoa", "active", 2) for n in range(members)])
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()



async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    url = await fresh_database(server, "bench_dues", MIGRATIONS)
    await generate(url, args.members)
    settings = DuesSettings(database_url=url, internal_token_secret=TEST_SECRET)
    grassroots = unit_id("g", 0)
    async with client(create_app, settings) as http:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        payers = [row["member_id"] for row in await connection.fetch("SELECT member_id FROM dues_payers")]
        await connection.close()
        officer = headers_for(principal("dues_officer", grassroots, "bench"))
        lines = [{"member_id": str(m), "salary_vnd": 8_000_000 + n * 1_000} for n, m in enumerate(payers)]
        started = time.perf_counter()
        first = await http.post("/api/v1/dues/months", json={"unit_id": str(grassroots), "month": MONTH,
                                                              "lines": lines}, headers=officer)
        recorded = time.perf_counter() - started
        assert first.status_code == 201, first.text
        started = time.perf_counter()
        corrected = await http.post("/api/v1/dues/months", json={
            "unit_id": str(grassroots), "month": MONTH, "lines": lines,
            "corrects_id": first.json()["collection_id"]}, headers=officer)
        assert corrected.status_code == 201, corrected.text
        record(f"a grassroots union of {len(payers):,} members records its month / corrects it",
               f"{recorded * 1000:.0f} / {(time.perf_counter() - started) * 1000:.0f} ms",
               "checks every line, computes the shares, writes a line per member and the event")
        for who, unit, label in ((unit_id("p", 0), unit_id("p", 0), "a province (~3,800 units)"),
                                 (NATIONAL_CENTRE_ID, NATIONAL_CENTRE_ID, f"the country ({GRASSROOTS:,} units)")):
            viewer = headers_for(principal("dues_officer", who, "viewer"))
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = await http.get("/api/v1/dues/summary", params={"unit_id": str(unit), "month": MONTH},
                                          headers=viewer)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            samples.sort()
            record(f"the month's totals for {label}", f"{statistics.median(samples) * 1000:.1f} / "
                   f"{samples[int(len(samples) * 0.95)] * 1000:.1f} ms",
                   f"p50 / p95; {response.json()['units_reported']:,} units reported")
    print_results()


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
