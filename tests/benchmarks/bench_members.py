"""Members benchmarks (issue 5). A script, not a test: `uv run python tests/benchmarks/bench_members.py`.

Uses its own database (`bench_members`) on the test PostgreSQL server. Steps:
0. Generate the registry (default 10,000,000 members in ~130,000 grassroots units under
   34 provinces): one INSERT ... SELECT over generate_series per million rows, indexes rebuilt
   after the load. Kept between runs (--regenerate to redo it).
1. Import a 100,000-row .xlsx end to end (sniff, zip check, parse, validate, COPY to staging,
   dedupe against the whole registry, insert, history, outbox).                     goal < 20 s
2. Import a 1,000,000-row .csv the same way.                                        goal >= 20,000 rows/s
   and plain COPY of the same rows into the same table, for the ratio.
3. Bulk approval of the 100,000 pending members of step 1 with code issuance.        goal < 10 s
4. p95 latencies: name search within a province (~300,000 members)                 goal < 100 ms
   lookup by member code (public lookup) and by ID number                          goal < 5 ms
   first page of a unit's members                                                  goal < 20 ms
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
import xlsxwriter  # noqa: E402
from chassis import migrations  # noqa: E402
from chassis.database import Database, asyncpg_dsn, database_on_server  # noqa: E402
from chassis.ids import uuid7_texts  # noqa: E402
from chassis.principal import Grant, Principal  # noqa: E402
from chassis.text import search_key  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from members.adapters.public import PublicLookup  # noqa: E402
from members.adapters.repository import MemberRepository  # noqa: E402
from members.adapters.search import MemberFilter, MemberSearch  # noqa: E402
from members.application.approval import ApprovalService  # noqa: E402
from members.application.importing.processor import ImportProcessor  # noqa: E402
from members.application.importing.service import ImportService  # noqa: E402
from members.config import MembersSettings  # noqa: E402
from members.domain.identity_numbers import CCCD_PROVINCE_CODES  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.benchmarks.support import GRASSROOTS, PROVINCES, unit_id, write_national_tree  # noqa: E402
from tests.support.infra import postgres_url  # noqa: E402

MIGRATIONS = ROOT / "services" / "members" / "src" / "members" / "migrations"
results: list[tuple[str, str, str, str]] = []

SURNAMES = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 9
    + ["Phạm"] * 7
    + ["Hoàng"] * 5
    + ["Huỳnh"] * 5
    + ["Phan"] * 4
    + ["Vũ"] * 4
    + ["Võ"] * 4
    + ["Đặng"] * 2
    + ["Bùi"] * 2
    + ["Đỗ"] * 2
    + ["Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương"]
)
MIDDLE = {
    "male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Đình", "Ngọc"],
    "female": ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Phương", "Mai", "Thùy", "Bích"],
}
GIVEN = {
    "male": "An Anh Bảo Bình Cường Dũng Duy Đạt Hải Hiếu Hòa Hùng Huy Khang Khánh Khoa Kiên Lâm Long Lợi Mạnh Nam "
    "Nghĩa Phong Phúc Quân Quang Sơn Tài Tâm Thái Thắng Thành Thịnh Toàn Trung Tuấn Tùng Việt Vinh".split(),
    "female": "An Anh Bích Châu Chi Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương Lan Liên Linh Loan Mai Minh "
    "Nga Ngân Ngọc Nhung Oanh Phương Quỳnh Tâm Thảo Thu Thủy Trang Trinh Tuyết Uyên Vân Yến".split(),
}
PROVINCE_CODES = sorted(CCCD_PROVINCE_CODES)


def record(what: str, measured: str, goal: str, note: str = "") -> None:
    results.append((what, measured, goal, note))
    print(f"  {what}: {measured} (goal {goal}) {note}", flush=True)


def p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def bench_database(server: str, regenerate: bool) -> str:
    connection = await asyncpg.connect(server)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = 'bench_members'")
        if regenerate and exists:
            await connection.execute('DROP DATABASE "bench_members" WITH (FORCE)')
            exists = False
        if not exists:
            await connection.execute('CREATE DATABASE "bench_members"')
    finally:
        await connection.close()
    url = database_on_server(server, "bench_members")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
    return url


async def generate(url: str, total: int) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        if await connection.fetchval("SELECT count(*) FROM members") >= total:
            print(f"registry already holds {total:,} members", flush=True)
            return
        started = time.perf_counter()
        await connection.execute(
            "SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; "
            "SET max_parallel_maintenance_workers = 2; TRUNCATE members, tree_units, tree_closure"
        )
        await write_national_tree(connection)
        indexes = await _drop_member_indexes(connection)
        names = {"surnames": SURNAMES, "surname_keys": [search_key(n) for n in SURNAMES]}
        for gender in ("male", "female"):
            names[f"middle_{gender}"] = MIDDLE[gender]
            names[f"middle_{gender}_keys"] = [search_key(n) for n in MIDDLE[gender]]
            names[f"given_{gender}"] = GIVEN[gender]
            names[f"given_{gender}_keys"] = [search_key(n) for n in GIVEN[gender]]
        step = 1_000_000
        for first in range(1, total + 1, step):
            await connection.execute(
                _MEMBERS_SQL, first, min(first + step - 1, total), PROVINCE_CODES, *[names[k] for k in _NAME_ARGS]
            )
            print(
                f"  generated {min(first + step - 1, total):,} members ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        loaded = time.perf_counter()
        for statement in indexes:
            await connection.execute(statement)
        await connection.execute(f"SELECT setval('member_code_seq', {total + 1})")
        for table in ("members", "tree_units", "tree_closure"):
            await connection.execute(f"VACUUM ANALYZE {table}")
        record(
            f"generate {total:,} members",
            f"{time.perf_counter() - started:.0f} s",
            "-",
            f"rows {loaded - started:.0f} s, indexes and analyze {time.perf_counter() - loaded:.0f} s",
        )
    finally:
        await connection.close()


_NAME_ARGS = (
    "surnames",
    "surname_keys",
    "middle_male",
    "middle_male_keys",
    "middle_female",
    "middle_female_keys",
    "given_male",
    "given_male_keys",
    "given_female",
    "given_female_keys",
)

# Member i: unit = grassroots (i mod 130,000); deterministic names, dates and a CCCD consistent with
# them (province code, gender and century digit, year); 1% pending, the rest approved with codes.
# Only the first 61 province codes: 095 and 096 stay free for the people the import benchmarks add.
_MEMBERS_SQL = """
WITH units AS (SELECT array_agg(unit_id ORDER BY code) AS ids FROM tree_units WHERE type_code = 'grassroots_union'),
names AS (
    SELECT $3::text[] AS provinces, $4::text[] AS sn, $5::text[] AS snk, $6::text[] AS mm, $7::text[] AS mmk,
           $8::text[] AS mf, $9::text[] AS mfk, $10::text[] AS gm, $11::text[] AS gmk, $12::text[] AS gf,
           $13::text[] AS gfk
), n AS (
    SELECT i, (i % 2 = 0) AS female, DATE '1962-01-01' + ((i * 7919) % 15000)::int AS born, units.ids, names.*
    FROM generate_series($1::bigint, $2::bigint) AS i, units, names
), p AS (
    SELECT n.*, CASE WHEN female THEN 'female' ELSE 'male' END AS gender,
           -- independent parts (hash bits of i), so every surname-middle-given combination occurs
           (1 + abs(hashint8(i)::bigint) % array_length(sn, 1))::int AS s,
           (1 + abs(hashint8(i + 7777777)::bigint) % array_length(mm, 1))::int AS m,
           (1 + abs(hashint8(i + 99999999)::bigint)
              % array_length(CASE WHEN female THEN gf ELSE gm END, 1))::int AS g
    FROM n
)
INSERT INTO members (member_id, unit_id, status, member_code, full_name, name_search, gender, date_of_birth, id_kind,
                     id_number, joined_on, position, phone, hometown, ethnicity, nationality, card_type, card_status,
                     has_photo, version, created_by, created_at, approved_at)
SELECT gen_random_uuid(), ids[(1 + i % 130000)::int], CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'active' END,
       CASE WHEN i % 100 = 0 THEN NULL ELSE member_code_of(i) END,
       sn[s] || ' ' || (CASE WHEN female THEN mf[m] ELSE mm[m] END) || ' ' ||
           (CASE WHEN female THEN gf[g] ELSE gm[g] END),
       snk[s] || ' ' || (CASE WHEN female THEN mfk[m] ELSE mmk[m] END) || ' ' ||
           (CASE WHEN female THEN gfk[g] ELSE gmk[g] END),
       gender, born, 'cccd',
       provinces[(1 + i % 61)::int]
           || (CASE WHEN extract(year FROM born) >= 2000 THEN 2 ELSE 0 END + female::int)::text || to_char(born, 'YY')
           || lpad(((i / 61) % 1000000)::text, 6, '0'),
       born + 7300, CASE WHEN i % 20 = 0 THEN 'Tổ trưởng công đoàn' END, '09' || lpad((i % 100000000)::text, 8, '0'),
       'Hà Nội', 'Kinh', 'VN', 'regular', (ARRAY['none', 'requested', 'printed', 'delivered'])[1 + i % 4],
       i % 3 = 0, 1, 'generator', now() - interval '400 days', now() - interval '300 days'
FROM p
"""


async def _drop_member_indexes(connection) -> list[str]:
    """Drop the members indexes for the bulk load; returns the statements that rebuild them."""
    constraints = await connection.fetch(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid = 'members'::regclass AND contype IN ('p', 'u')"
    )
    indexes = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'members' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'members'::regclass)"
    )
    for row in constraints:
        await connection.execute(f'ALTER TABLE members DROP CONSTRAINT "{row["conname"]}"')
    for row in indexes:
        await connection.execute(f'DROP INDEX "{row["indexname"]}"')
    return [f'ALTER TABLE members ADD CONSTRAINT "{r["conname"]}" {r["definition"]}' for r in constraints] + [
        r["indexdef"] for r in indexes
    ]


# --- import rows: people who are not in the registry yet (province codes the generator leaves free) ---


def import_rows(count: int, first: int, province: str) -> list[list]:
    rows, day = [], date(1975, 1, 1)
    for n in range(first, first + count):
        female = n % 2 == 0
        gender = "female" if female else "male"
        born = day + timedelta(days=n % 9000)
        century = (2 if born.year >= 2000 else 0) + int(female)
        name = f"{SURNAMES[n % len(SURNAMES)]} {MIDDLE[gender][n % 10]} {GIVEN[gender][n % len(GIVEN[gender])]}"
        id_number = f"{province}{century}{born:%y}{n % 1_000_000:06d}"
        rows.append(
            [
                name,
                "Nữ" if female else "Nam",
                f"{born:%d/%m/%Y}",
                id_number,
                f"09{n % 100_000_000:08d}",
                "Đoàn viên" if n % 7 else "Tổ phó",
            ]
        )
    return rows


HEADERS = ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD/CMND", "Số điện thoại", "Chức vụ công đoàn"]


def as_xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": False})
    sheet = workbook.add_worksheet("Danh sách đoàn viên")
    sheet.write_row(0, 0, HEADERS)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write_string(index, column, value)
    workbook.close()
    return buffer.getvalue()


def as_csv(rows: list[list]) -> bytes:
    return ("\ufeff" + "\n".join(",".join(r) for r in [HEADERS, *rows]) + "\n").encode()


async def run_import(
    database: Database, settings: MembersSettings, unit: uuid.UUID, name: str, content: bytes
) -> tuple[float, object]:
    officer = Principal(uuid.uuid4(), "bench", (Grant("data_entry", unit),))
    started = time.perf_counter()
    async with database.transaction() as session:
        row, _ = await ImportService(session).upload(officer, unit, name, content, "valid_rows_only", 1_000_000)
    await ImportProcessor(database, settings).run_once()
    elapsed = time.perf_counter() - started
    async with database.transaction() as session:
        done = await ImportService(session).get(officer, row.import_id)
    assert done.status == "completed", (done.status, done.problem)
    return elapsed, done


async def bench_imports(url: str, database: Database, settings: MembersSettings, big_rows: int) -> uuid.UUID:
    unit = unit_id("g", 7)
    rows = import_rows(100_000, 1, "096")
    elapsed, done = await run_import(database, settings, unit, "bench-100k.xlsx", as_xlsx(rows))
    record(
        "import 100,000-row .xlsx end to end",
        f"{elapsed:.1f} s",
        "< 20 s",
        f"{done.inserted_rows:,} inserted, {done.total_rows / elapsed:,.0f} rows/s",
    )
    big = import_rows(big_rows, 200_000, "095")
    csv_content = as_csv(big)
    copy_unit = unit_id("g", 8)
    copy_seconds = await plain_copy(url, copy_unit, big)
    machine_before, process_before = cpu_seconds()
    elapsed, done = await run_import(database, settings, unit_id("g", 9), "bench-1m.csv", csv_content)
    machine, process = (
        after - before for after, before in zip(cpu_seconds(), (machine_before, process_before), strict=True)
    )
    rate = done.total_rows / elapsed
    record(
        f"import {big_rows:,}-row .csv end to end",
        f"{rate:,.0f} rows/s ({elapsed:.1f} s)",
        ">= 20,000 rows/s",
        f"plain COPY of the same rows into members: {copy_seconds:.1f} s ({big_rows / copy_seconds:,.0f} rows/s); "
        f"import/COPY time ratio {elapsed / copy_seconds:.1f}; CPU used {machine:.0f} core-s on "
        f"{os.cpu_count()} cores ({machine / done.total_rows * 1e6:.0f} µs a row; this process, which parses and "
        f"checks, {process / done.total_rows * 1e6:.0f} µs; the rest is PostgreSQL and the system)",
    )
    return unit


def cpu_seconds() -> tuple[float, float]:
    """CPU time used so far by the whole machine (all cores, /proc/stat) and by this process."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # everything but idle and iowait
    own = os.times()
    return busy / os.sysconf("SC_CLK_TCK"), own.user + own.system


async def plain_copy(url: str, unit: uuid.UUID, rows: list[list]) -> float:
    """COPY the same people straight into `members` (indexes and all, time-ordered ids as the service makes
    them), time it, then take them out again."""
    records = []
    for member_id, (name, gender, born, id_number, phone, position) in zip(uuid7_texts(len(rows)), rows, strict=True):
        day, month, year = (int(x) for x in born.split("/"))
        records.append(
            (
                member_id,
                unit,
                "pending",
                name,
                search_key(name),
                "female" if gender == "Nữ" else "male",
                date(year, month, day),
                "cccd",
                id_number,
                phone,
                position,
                1,
                "copy",
            )
        )
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "members",
            records=records,
            columns=[
                "member_id",
                "unit_id",
                "status",
                "full_name",
                "name_search",
                "gender",
                "date_of_birth",
                "id_kind",
                "id_number",
                "phone",
                "position",
                "version",
                "created_by",
            ],
        )
        elapsed = time.perf_counter() - started
        await connection.execute("DELETE FROM members WHERE unit_id = $1 AND created_by = 'copy'", unit)
        await connection.execute("VACUUM ANALYZE members")
    finally:
        await connection.close()
    return elapsed


async def bench_bulk_approval(database: Database, unit: uuid.UUID) -> None:
    approver = Principal(uuid.uuid4(), "bench-approver", (Grant("approver", NATIONAL_CENTRE_ID),))
    started = time.perf_counter()
    async with database.transaction() as session:
        decided = await ApprovalService(session).decide_many(
            approver, approve=True, reason=None, unit_id=unit, created_from=None, created_to=None, member_ids=None
        )
    elapsed = time.perf_counter() - started
    record(
        f"bulk approval of {len(decided):,} pending members with code issuance",
        f"{elapsed:.1f} s",
        "< 10 s",
        "one UPDATE, then history and outbox rows by COPY; commit included",
    )


async def timed(database: Database, runs: int, call) -> tuple[float, float]:
    samples = []
    for index in range(runs):
        started = time.perf_counter()
        async with database.transaction() as session:
            await call(session, index)
        samples.append(time.perf_counter() - started)
    return p95(samples)


async def bench_queries(database: Database, total: int, runs: int) -> None:
    rng = random.Random(5)
    today = date.today()
    provinces = [unit_id("p", p) for p in range(PROVINCES)]
    names = [
        f"{rng.choice(SURNAMES)} {MIDDLE[g][rng.randrange(10)]} {rng.choice(GIVEN[g])}"
        for g in (rng.choice(["male", "female"]) for _ in range(runs))
    ]

    for match in ("prefix", "contains"):

        async def by_name(session, index, match=match):
            viewer = Principal(uuid.uuid4(), "v", (Grant("report_viewer", provinces[index % PROVINCES]),))
            await MemberSearch(session).page(viewer, MemberFilter(name=names[index], name_match=match), None, 51, today)

        median, high = await timed(database, runs, by_name)
        record(
            f"search by full name within a province, name_match={match} (p50 / p95)",
            f"{median:.1f} / {high:.1f} ms",
            "p95 < 100 ms",
            "random full names; principal scoped to the province",
        )

        async def by_partial(session, index, match=match):
            viewer = Principal(uuid.uuid4(), "v", (Grant("report_viewer", provinces[index % PROVINCES]),))
            await MemberSearch(session).page(viewer, MemberFilter(name="tran thi", name_match=match), None, 51, today)

        median, high = await timed(database, max(runs // 5, 10), by_partial)
        record(
            f'search "tran thi" (~1 in 40 members) within a province, name_match={match}',
            f"{median:.1f} / {high:.1f} ms",
            "(worst case)",
        )
    async with database.transaction() as session:
        # The lookups below read one or two index leaves and a heap page each; with two registries or a cold
        # server those leaves come from disk, and the figure measures the disk. A production server keeps the
        # registry's lookup indexes in memory (deploy/production/postgresql.conf), so they are read in first.
        await session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        await session.execute(
            text(
                "SELECT pg_prewarm(name) FROM unnest(ARRAY['members_member_code', 'members_one_person', "
                "'members_id_number_closed', 'members_unit_name', 'tree_closure_pkey', 'tree_closure_descendant', "
                "'tree_units_pkey']) AS name"
            )
        )
        percent = min(100.0, 100.0 * runs * 5 / total)
        sample = list(
            await session.execute(
                text(
                    f"SELECT member_code, id_number, unit_id FROM members TABLESAMPLE BERNOULLI ({percent}) "
                    "WHERE member_code IS NOT NULL LIMIT :n"
                ),
                {"n": runs},
            )
        )

    async def by_code(session, index):
        await PublicLookup(session).find(sample[index % len(sample)].member_code, sample[index % len(sample)].id_number)

    median, high = await timed(database, runs, by_code)
    record("lookup by member code + ID number (public lookup query)", f"{median:.2f} / {high:.2f} ms", "p95 < 5 ms")
    national = Principal(uuid.uuid4(), "n", (Grant("national_admin", NATIONAL_CENTRE_ID),))

    async def by_id(session, index):
        await MemberSearch(session).page(
            national, MemberFilter(id_number=sample[index % len(sample)].id_number), None, 51, today
        )

    median, high = await timed(database, runs, by_id)
    record(
        "search by ID number (national officer, scope filters included)", f"{median:.2f} / {high:.2f} ms", "p95 < 5 ms"
    )

    async def first_page(session, index):
        row = sample[index % len(sample)]
        officer = Principal(uuid.uuid4(), "o", (Grant("data_entry", row.unit_id),))
        await MemberRepository(session).page_in_unit(officer, row.unit_id, None, 51)

    median, high = await timed(database, runs, first_page)
    record(
        f"first page (50) of a unit's members, ~{total // GRASSROOTS} per unit",
        f"{median:.2f} / {high:.2f} ms",
        "p95 < 20 ms",
    )


class _StageTimes(logging.Handler):
    """Prints the import worker's own stage timings (check, COPY, dedupe, commit) as they are logged."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"    {record.getMessage()}: {getattr(record, 'fields', '')}", flush=True)


async def vacuum_members(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE members"))


async def main(server: str) -> None:
    stages = logging.getLogger("members.application.importing")
    stages.setLevel(logging.INFO)
    stages.addHandler(_StageTimes())
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-imports", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    args = parser.parse_args()
    url = await bench_database(server, args.regenerate)
    await generate(url, args.members)
    database = Database(url, 4)
    settings = MembersSettings(database_url=url, import_max_rows=max(args.csv_rows, 200_000))
    try:
        if not args.skip_queries:
            await vacuum_members(database)  # so that no autovacuum of members runs alongside the queries
            await bench_queries(database, args.members, args.runs)
        if not args.skip_imports:
            # Back to the generated registry: the generator writes no history, events or imports, so
            # every run starts from the same tables.
            async with database.transaction() as session:
                await session.execute(text("DELETE FROM members WHERE created_by = 'bench'"))
                await session.execute(
                    text("TRUNCATE member_history, outbox_events, member_import_rows, member_imports")
                )
            await vacuum_members(database)
            unit = await bench_imports(url, database, settings, args.csv_rows)
            # After 1,100,000 inserts autovacuum (on, on a production server) would start on members and compete
            # with the approval for the CPUs; the approval is measured on the table as that vacuum leaves it.
            await vacuum_members(database)
            await bench_bulk_approval(database, unit)
    finally:
        await database.dispose()
    print("\n| what | measured | goal | note |\n|---|---|---|---|")
    for row in results:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
