"""Dues benchmark. A script, not a test: `flock /tmp/heavy.lock uv run python tests/benchmarks/bench_dues.py`.

Its own database (`bench_dues`, rebuilt every run, dropped at the end unless `--keep`) on the test PostgreSQL
server (DATABASE_URL), generated in SQL:
- the national tree (34 provinces, 1,190 upper unions, 130,000 grassroots unions that collect dues);
- `--payers` members the dues service knows (default 10,000,000, its `dues_payers` view and their history), spread
  over the grassroots unions (~77 each), with 2,000 in the first grassroots union and 5,000 in the second;
- a year of months (1-12/2025) recorded by every grassroots union (130,000 x 12 records, the month's figures
  summed from its members), except October by the first, which the benchmark records;
- the lines of those months (a line per member and month) for as many months as fit in `--lines-budget` seconds
  (all 12 at full scale: 120,000,000 lines), their indexes built afterwards;
- arrears: one member in ten owes 1 to 6 of the last months of 2025 (paid 10,000 of a 50,000 norm), with each
  unit's sums, as the recording derives them (`dues_arrears`, `dues_arrears_units`).
Then through the dues API in process (auth, scope, JSON and all), `--runs` runs each:
1. a grassroots union of 2,000 members records its month, then corrects it (`--corrections` times)
2. the month's totals, the arrears totals and the first page of the arrears list for a province and the country
3. one member's months owed
4. a 5,000-row payroll list (.csv and .xlsx) computed (previewed)
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
import xlsxwriter  # noqa: E402
from chassis.database import asyncpg_dsn, database_on_server  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from dues.adapters.repository import REFRESH_UNITS  # noqa: E402
from dues.config import DuesSettings  # noqa: E402
from dues.entrypoints.api import create_app  # noqa: E402

from tests.benchmarks.support import (  # noqa: E402
    GRASSROOTS,
    fresh_database,
    print_results,
    record,
    unit_id,
    write_national_tree,  # noqa: E402
)
from tests.support.infra import drop_databases, postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402

MIGRATIONS = ROOT / "services" / "dues" / "src" / "dues" / "migrations"
MONTH = "2025-10"
RECORDER, PAYROLL = 2_000, 5_000  # members of the first grassroots union (records its month), of the second

# Every member: the n-th of the spread (from 1), or of the first two units (negative n). A 10,000,000 VND salary:
# norm 100,000 to 6/2025 (1 %), 50,000 from 7/2025 (0.5 %), never the cap (234,000). A member with n % 10 = 0
# owes the last (n / 10) % 6 + 1 months of the year: 10,000 paid of the 50,000 norm.
MEMBERS = """
CREATE UNLOGGED TABLE bench_members AS
SELECT n, md5('payer-' || n)::uuid AS member_id, ids[1 + n % (cardinality(ids) - 2) + 2] AS unit_id
FROM (SELECT array_agg(unit_id ORDER BY code) AS ids FROM tree_units WHERE can_collect_dues) AS g,
     generate_series(1, {spread}) AS n
UNION ALL
SELECT -n, md5('payer-' || -n)::uuid, CASE WHEN n <= {recorder} THEN $1::uuid ELSE $2::uuid END
FROM generate_series(1, {recorder} + {payroll}) AS n
"""
OWES = "(m.n > 0 AND m.n % 10 = 0 AND k >= 12 - (m.n / 10) % 6)"
COLLECTION_ID = "md5(m.unit_id::text || '-' || k)::uuid"
NORM = "CASE WHEN k <= 6 THEN 100000 ELSE 50000 END"
PAID = f"CASE WHEN {OWES} THEN 10000 ELSE {NORM} END"
SKIPPED = "(m.unit_id = $1::uuid AND k = 10)"  # the month the benchmark records


async def generate(url: str, payers: int, lines_budget: float) -> str:
    """The database as described above; what was generated, for the results."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    await connection.execute("SET maintenance_work_mem = '1GB'")  # the index builds after the load
    recorder, payroll = unit_id("g", 0), unit_id("g", 1)

    async def step(what: str, sql: str, *args) -> None:
        started = time.perf_counter()
        await connection.execute(sql, *args)
        print(f"  {what}: {time.perf_counter() - started:.0f} s", flush=True)

    try:
        await write_national_tree(connection)
        spread = payers - RECORDER - PAYROLL
        await step(
            "members",
            MEMBERS.format(spread=spread, recorder=RECORDER, payroll=PAYROLL),
            recorder,
            payroll,
        )
        # The service's view and history as its consumer writes them (indexes built once, after the rows).
        await connection.execute(
            "DROP INDEX dues_payers_unit; ALTER TABLE dues_payers DROP CONSTRAINT dues_payers_pkey"
        )
        await step(
            "dues_payers",
            "INSERT INTO dues_payers (member_id, unit_id, member_code, full_name, status, version, joined_on) "
            "SELECT member_id, unit_id, lpad((n + 100000)::text, 11, '0'), 'Nguyễn Văn Nam', 'active', 2, "
            "DATE '2020-01-01' FROM bench_members",
        )
        await step(
            "dues_payers indexes",
            "ALTER TABLE dues_payers ADD PRIMARY KEY (member_id); "
            "CREATE INDEX dues_payers_unit ON dues_payers (unit_id)",
        )
        await connection.execute(
            "ALTER TABLE dues_payer_spells DROP CONSTRAINT dues_payer_spells_pkey; DROP INDEX dues_payer_spells_unit"
        )
        await step(
            "dues_payer_spells",
            "INSERT INTO dues_payer_spells (member_id, version, unit_id, status, valid_from) "
            "SELECT member_id, 2, unit_id, 'active', TIMESTAMPTZ '2020-01-01 00:00+07' FROM bench_members",
        )
        await step(
            "dues_payer_spells indexes",
            "ALTER TABLE dues_payer_spells ADD PRIMARY KEY (member_id, version); "
            "CREATE INDEX dues_payer_spells_unit ON dues_payer_spells (unit_id, member_id)",
        )
        # Each unit's months summed from its members (counted once per unit, not per month): the paying ones,
        # the part-paying owing ones.
        await step(
            "dues_collections (a year for every unit)",
            f"""
INSERT INTO dues_collections (collection_id, unit_id, month, status, policy_from, members_paid, members_exempt,
    collected_vnd, norm_vnd, upper_share_vnd, grassroots_share_vnd, members_part_paid, members_unpaid, owed_vnd,
    recorded_by, recorded_at)
SELECT {COLLECTION_ID}, m.unit_id, make_date(2025, k, 1), 'recorded',
       CASE WHEN k <= 6 THEN DATE '2024-07-01' ELSE DATE '2025-07-01' END,
       m.members - o.owing, 0, m.members * {NORM} - o.owing * 40000, m.members * {NORM},
       (m.members * {NORM} - o.owing * 40000) * 3 / 10,
       m.members * {NORM} - o.owing * 40000 - (m.members * {NORM} - o.owing * 40000) * 3 / 10,
       o.owing, 0, o.owing * 40000, 'bench', make_date(2025, k, 1) + 40
FROM (SELECT unit_id, count(*) AS members,
             array_agg((n / 10) % 6) FILTER (WHERE n > 0 AND n % 10 = 0) AS owes
      FROM bench_members GROUP BY unit_id) AS m,
     generate_series(1, 12) AS k,
     LATERAL (SELECT count(*) AS owing FROM unnest(m.owes) AS d WHERE k >= 12 - d) AS o
WHERE NOT {SKIPPED}""",
            recorder,
        )
        await step(
            "dues_arrears",
            f"""
INSERT INTO dues_arrears (collection_id, member_id, month, recorded_by_unit_id, unit_id, salary_vnd, norm_vnd,
                          paid_vnd, owed_vnd)
SELECT {COLLECTION_ID}, m.member_id, make_date(2025, k, 1), m.unit_id, m.unit_id, 10000000, {NORM}, {PAID},
       {NORM} - {PAID}
FROM bench_members m, generate_series(7, 12) AS k
WHERE {OWES} AND NOT {SKIPPED}""",
            recorder,
        )
        await step(
            "dues_arrears_units", REFRESH_UNITS.format(units="SELECT unit_id FROM tree_units WHERE can_collect_dues")
        )
        # The lines, a month at a time while the budget lasts; the keys and the append-only trigger put back after.
        await connection.execute(
            "ALTER TABLE dues_lines DROP CONSTRAINT dues_lines_pkey; DROP INDEX dues_lines_member; "
            "ALTER TABLE dues_lines DISABLE TRIGGER ALL"
        )
        started, months = time.perf_counter(), 0
        for k in range(1, 13):
            if time.perf_counter() - started > lines_budget:
                break
            await step(
                f"dues_lines, month {k}",
                f"""
INSERT INTO dues_lines (collection_id, member_id, salary_vnd, norm_vnd, paid_vnd, upper_share_vnd)
SELECT {COLLECTION_ID}, m.member_id, 10000000, {NORM}, {PAID}, {PAID} * 3 / 10
FROM bench_members m, (SELECT {k} AS k) AS month
WHERE NOT {SKIPPED}""",
                recorder,
            )
            months = k
        await step(
            "dues_lines indexes",
            "ALTER TABLE dues_lines ADD PRIMARY KEY (collection_id, member_id); "
            "CREATE INDEX dues_lines_member ON dues_lines (member_id); ALTER TABLE dues_lines ENABLE TRIGGER ALL",
        )
        await connection.execute("DROP TABLE bench_members")
        await step("VACUUM ANALYZE", "VACUUM ANALYZE")
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("dues_payers", "dues_collections", "dues_lines", "dues_arrears")
        }
        size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return (
            ", ".join(f"{table} {count:,}" for table, count in counts.items()) + f"; lines for {months} months; {size}"
        )
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


def payroll_files(codes: list[str]) -> dict[str, bytes]:
    """The 5,000-row salary list of the second unit as .csv and as .xlsx."""
    rows = [(n + 1, code, "Nguyễn Văn Nam", 8_000_000 + n * 1_000) for n, code in enumerate(codes)]
    csv = "STT;Mã đoàn viên;Họ và tên;Tiền lương\n" + "".join(f"{a};{b};{c};{d}\n" for a, b, c, d in rows)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet("Bảng lương")
        sheet.write_row(0, 0, ("STT", "Mã đoàn viên", "Họ và tên", "Tiền lương"))
        for n, row in enumerate(rows, start=1):
            sheet.write_row(n, 0, row)
    return {"luong.csv": csv.encode(), "luong.xlsx": buffer.getvalue()}


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payers", type=int, default=10_000_000)
    parser.add_argument("--lines-budget", type=float, default=900, help="seconds of line generation (whole months)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--corrections", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN afterwards)")
    parser.add_argument("--reuse", action="store_true", help="measure again on the database a --keep run left")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    if args.reuse:
        url = database_on_server(server, "bench_dues")
    else:
        url = await fresh_database(server, "bench_dues", MIGRATIONS)
        started = time.perf_counter()
        generated = await generate(url, args.payers, args.lines_budget)
        record("generated", f"{time.perf_counter() - started:.0f} s", generated)
        print(f"load average after generation: {os.getloadavg()}", flush=True)
    settings = DuesSettings(database_url=url, internal_token_secret=TEST_SECRET)
    recorder, payroll = unit_id("g", 0), unit_id("g", 1)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        members = [
            row["member_id"]
            for row in await connection.fetch(
                "SELECT member_id FROM dues_payers WHERE unit_id = $1 ORDER BY member_id", recorder
            )
        ]
        codes = [
            row["member_code"]
            for row in await connection.fetch(
                "SELECT member_code FROM dues_payers WHERE unit_id = $1 ORDER BY member_code", payroll
            )
        ]
        # The month the first unit records: October, or after a --keep run the first month it has not recorded.
        month = await connection.fetchval(
            "SELECT to_char(m, 'YYYY-MM') FROM unnest(ARRAY[DATE '2025-10-01'] || ARRAY(SELECT generate_series("
            "DATE '2026-01-01', DATE '2026-11-01', interval '1 month')::date)) AS m WHERE NOT EXISTS (SELECT FROM "
            "dues_collections WHERE unit_id = $1 AND month = m AND status = 'recorded') LIMIT 1",
            recorder,
        )
    finally:
        await connection.close()
    async with client(create_app, settings) as http:
        officer = headers_for(principal("dues_officer", recorder, "bench"))
        lines = [{"member_id": str(m), "salary_vnd": 8_000_000 + n * 1_000} for n, m in enumerate(members)]
        started = time.perf_counter()
        first = await http.post(
            "/api/v1/dues/months", json={"unit_id": str(recorder), "month": month, "lines": lines}, headers=officer
        )
        recorded = time.perf_counter() - started
        assert first.status_code == 201, first.text
        live, corrections = first.json()["collection_id"], []
        for _ in range(args.corrections):
            started = time.perf_counter()
            corrected = await http.post(
                "/api/v1/dues/months",
                json={"unit_id": str(recorder), "month": month, "lines": lines, "corrects_id": live},
                headers=officer,
            )
            corrections.append(time.perf_counter() - started)
            assert corrected.status_code == 201, corrected.text
            live = corrected.json()["collection_id"]
        record(
            f"a grassroots union of {len(members):,} members records its month / corrects it",
            f"{recorded * 1000:.0f} ms / {percentiles(sorted(corrections))}",
            f"the record once; {args.corrections} corrections, p50 / p95",
        )
        for who, label in (
            (unit_id("p", 0), "a province (~3,800 units)"),
            (NATIONAL_CENTRE_ID, f"the country ({GRASSROOTS:,} units)"),
        ):
            viewer = headers_for(principal("dues_officer", who, "viewer"))
            samples, body = await timed(
                http, "/api/v1/dues/summary", {"unit_id": str(who), "month": MONTH}, viewer, args.runs
            )
            record(
                f"the month's totals for {label}",
                percentiles(samples),
                f"p50 / p95; {body['units_reported']:,} units reported",
            )
            samples, body = await timed(http, "/api/v1/dues/arrears/summary", {"unit_id": str(who)}, viewer, args.runs)
            record(
                f"arrears totals for {label}",
                percentiles(samples),
                f"p50 / p95; {body['members_owing']:,} members owe {body['months_owed']:,} months",
            )
            samples, body = await timed(
                http, "/api/v1/dues/arrears", {"unit_id": str(who), "limit": 50}, viewer, args.runs
            )
            record(f"arrears list, first page of 50, for {label}", percentiles(samples), "p50 / p95")
        member = body["items"][0]["member_id"]
        samples, body = await timed(http, f"/api/v1/dues/arrears/members/{member}", {}, viewer, args.runs)
        record("one member's months owed", percentiles(samples), f"p50 / p95; {body['months_owed']} months")
        treasurer = headers_for(principal("dues_officer", payroll, "bench"))
        for name, content in payroll_files(codes).items():
            samples = []
            for _ in range(max(1, args.runs // 5)):
                started = time.perf_counter()
                response = await http.post(
                    "/api/v1/dues/payroll/preview",
                    data={"unit_id": str(payroll), "month": MONTH},
                    files={"file": (name, content)},
                    headers=treasurer,
                )
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                assert len(response.json()["lines"]) == len(codes), response.text[:500]
            record(
                f"a {len(codes):,}-row payroll list ({name}, {len(content) // 1024} KB) computed",
                percentiles(sorted(samples)),
                f"p50 / p95 of {len(samples)} previews",
            )
    print(f"load average after the run: {os.getloadavg()}", flush=True)
    print_results()
    if not args.keep:
        await drop_databases(server, ["bench_dues"])


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
