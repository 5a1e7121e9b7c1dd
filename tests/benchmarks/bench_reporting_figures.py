"""Reporting benchmark: figures of a subtree by dimension, now and as of a past day, at national scale.

A script, not a test: `uv run python tests/benchmarks/bench_reporting_figures.py` (`--runs`). Its own database
(`bench_reporting_figures`, rebuilt every run) on the test PostgreSQL server: the national tree (130,000
grassroots unions) and the figure tables as the consumer leaves them for 10,000,000 members: every grassroots
union's opening figures on 1/1/2025 (~77 members each over 15 dimensions, ~81 values), rolled up to its upper
union, province and the country; then a change of 10 values a day for every upper union from 2/1/2025 to
1/12/2026 (699 days), rolled up to the provinces and the country. Through the reporting API in process, p50 /
p95 of a breakdown for a grassroots union, an upper union, a province and the country now and as of past days,
the country's .xlsx, the standard period reports (member development per unit below, the units report, dues by
month, targets; the country's development report as .xlsx and PDF), and the consumer's write of a poll of 1,000
new members. Side by side in one run (migration 0009): the grassroots unions by members walked down the tree's history
and read from the rolled-up bands; the development report with and without the year tables; the poll with and
without migration 0009's triggers; first of all, the reports most at risk with each of the sessions' settings
(`SESSION_SETTINGS`) in turns. Prints a Markdown table. Generate once (`--generate-only --keep`), then re-time with
`--reuse` (a reused database is kept; `--settings-only` times the settings alone, `--reports-only` the period
reports alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
import httpx  # noqa: E402
from chassis.database import Database, asyncpg_dsn, database_on_server  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from reporting.adapters.figures import FigureRepository  # noqa: E402
from reporting.application.read_model import apply_member_changes  # noqa: E402
from reporting.config import ReportingSettings  # noqa: E402
from reporting.domain.facts import MemberChange  # noqa: E402
from reporting.entrypoints.api import create_app  # noqa: E402

from tests.benchmarks.support import GRASSROOTS, fresh_database, print_results, record, unit_id, write_national_tree  # noqa: E402
from tests.support.infra import drop_databases, postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402

MIGRATIONS = ROOT / "services" / "reporting" / "src" / "reporting" / "migrations"
BAND_TRIGGERS = ("subtree_figure_days_banded", "subtree_figure_days_rebanded")
# Migration 0009's triggers, off for the consumer's poll "without" (the bands' and the year tables').
NEW_TRIGGERS = (
    *(("subtree_figure_days", trigger) for trigger in BAND_TRIGGERS),
    *(
        (table, f"{table}_{event}")
        for table in ("subtree_figure_months", "subtree_movement_months")
        for event in ("inserted", "updated")
    ),
)
BIG_TABLES = ("subtree_figure_days", "subtree_figures", "subtree_movement_days", "dues_months", "subtree_dues")
TRIGGERED_TABLES = (
    "subtree_figure_months",
    "subtree_movement_months",
    "subtree_figure_years",
    "subtree_movement_years",
    "grassroots_bands",
)
TREE = ("tree_units", "tree_closure", "unit_versions", "member_targets")

# (dimension, value, share of a unit's members); a dimension with `per_unit` takes one value per unit.
_SHARES = {
    "status": {"active": 0.93, "pending": 0.04, "suspended": 0.01, "retired": 0.01, "removed": 0.01},
    "gender": {"male": 0.55, "female": 0.45},
    "birth_year": {str(year): 1 / 42 for year in range(1966, 2008)},
    "nationality": {"VN": 0.995, "KR": 0.003, "CN": 0.002},
    "ethnicity": {"Kinh": 0.85, "Tày": 0.03, "Thái": 0.03, "Mường": 0.03, "Khmer": 0.03, "Hoa": 0.03},
    "religion": {"": 0.1, "Không": 0.7, "Phật giáo": 0.12, "Công giáo": 0.08},
    "education": {"Phổ thông": 0.5, "Trung cấp": 0.2, "Cao đẳng": 0.1, "Đại học": 0.18, "Sau đại học": 0.02},
    "position": {"officer": 0.05, "member": 0.95},
    "card_status": {"none": 0.3, "requested": 0.2, "printed": 0.1, "delivered": 0.4},
    "has_photo": {"yes": 0.7, "no": 0.3},
    "has_id_number": {"yes": 1.0},
    "has_phone": {"yes": 0.9, "no": 0.1},
    "enterprise_type": dict.fromkeys(
        ("state_administrative", "state_owned", "non_state_domestic", "foreign_invested", "cooperative", "other"), 1.0
    ),
    "sector": dict.fromkeys(
        ("Dệt may", "Da giày", "Điện tử", "Xây dựng", "Giáo dục", "Y tế", "Khai khoáng", "Thương mại"), 1.0
    ),
    "employer_size": dict.fromkeys(("lt10", "10-99", "100-199", "200-999", "ge1000"), 1.0),
}
_PER_UNIT = ("enterprise_type", "sector", "employer_size")
_DAILY = (
    "status",
    "gender",
    "birth_year",
    "ethnicity",
    "education",
    "position",
    "card_status",
    "has_photo",
    "has_phone",
    "religion",
)

GENERATE_SQL = """
CREATE TEMP TABLE dv (dimension text, value text, share float8, rn int, n int, per_unit boolean, daily boolean);
INSERT INTO dv SELECT * FROM jsonb_to_recordset(CAST($1 AS jsonb))
    AS x(dimension text, value text, share float8, rn int, n int, per_unit boolean, daily boolean);
CREATE TEMP TABLE g AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i, unit_id, parent_id FROM tree_units
    WHERE type_code = 'grassroots_union';
CREATE TEMP TABLE u AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i, unit_id, parent_id FROM tree_units
    WHERE type_code = 'industrial_zone_union';
-- Grassroots unions' opening figures (~77 members each).
CREATE TEMP TABLE opening AS
    SELECT g.unit_id, dv.dimension, dv.value,
           CASE WHEN dv.per_unit THEN 77 ELSE round(77 * dv.share * (0.5 + random()))::bigint END AS members
    FROM g CROSS JOIN dv
    WHERE NOT dv.per_unit OR dv.rn = g.i % dv.n;
DELETE FROM opening WHERE members = 0;
CREATE TEMP TABLE upper_opening AS
    SELECT g.parent_id AS unit_id, o.dimension, o.value, sum(o.members)::bigint AS members
    FROM opening o JOIN g ON g.unit_id = o.unit_id GROUP BY 1, 2, 3;
CREATE TEMP TABLE province_opening AS
    SELECT u.parent_id AS unit_id, o.dimension, o.value, sum(o.members)::bigint AS members
    FROM upper_opening o JOIN u ON u.unit_id = o.unit_id GROUP BY 1, 2, 3;
-- Every upper union's changes of a day: one value of each of 10 dimensions, 1 to 3 members.
CREATE TEMP TABLE upper_days AS
    SELECT u.unit_id, dv.dimension, DATE '2025-01-01' + d AS day, dv.value,
           (1 + (u.i + d + dv.rn) % 3)::bigint AS members
    FROM u CROSS JOIN generate_series(1, 699) AS d JOIN dv ON dv.daily AND dv.rn = (u.i + d) % dv.n;
INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
    SELECT unit_id, dimension, DATE '2025-01-01', value, members FROM opening
    UNION ALL SELECT unit_id, dimension, DATE '2025-01-01', value, members FROM upper_opening
    UNION ALL SELECT unit_id, dimension, DATE '2025-01-01', value, members FROM province_opening
    UNION ALL SELECT '{national}'::uuid, dimension, DATE '2025-01-01', value, sum(members)
              FROM province_opening GROUP BY 2, 4
    UNION ALL SELECT unit_id, dimension, day, value, members FROM upper_days
    UNION ALL SELECT u.parent_id, d.dimension, d.day, d.value, sum(d.members)
              FROM upper_days d JOIN u ON u.unit_id = d.unit_id GROUP BY 1, 2, 3, 4
    UNION ALL SELECT '{national}'::uuid, dimension, day, value, sum(members) FROM upper_days GROUP BY 2, 3, 4;
-- The units themselves, for the period reports' grassroots columns and the units report: each unit adds one to its
-- type, a grassroots union also to its employer's enterprise type, for itself and every unit above it.
INSERT INTO subtree_figure_days (unit_id, dimension, day, value, members)
    SELECT c.ancestor_id, 'unit_type', DATE '2025-01-01', t.type_code, count(*)
    FROM tree_units t JOIN tree_closure c ON c.descendant_id = t.unit_id GROUP BY 1, 4
    UNION ALL SELECT c.ancestor_id, 'grassroots_enterprise_type', DATE '2025-01-01', o.value, count(*)
    FROM opening o JOIN tree_closure c ON c.descendant_id = o.unit_id WHERE o.dimension = 'enterprise_type'
    GROUP BY 1, 4;
INSERT INTO subtree_figures (unit_id, dimension, value, members)
    SELECT unit_id, dimension, value, sum(members) FROM subtree_figure_days GROUP BY 1, 2, 3;
UPDATE figure_ledger SET opened_on = DATE '2025-01-01';
-- The tree's history: every unit in force since 1/1/2020 (reports of past days walk it).
INSERT INTO unit_versions (unit_id, version, valid_from, parent_id, code, name, type_code, status, enterprise_type)
    SELECT t.unit_id, 1, DATE '2020-01-01', t.parent_id, t.code, t.name, t.type_code, 'active', o.value
    FROM tree_units t LEFT JOIN opening o ON o.unit_id = t.unit_id AND o.dimension = 'enterprise_type';
-- Movements: every grassroots union has one kind of movement every 30th day (1 to 4 members, women every other),
-- ~3 M days, rolled up to its upper union, province and the country (transfers between two units of one subtree
-- are counted at every level here; the real consumer leaves them out above the pair: a little more to read).
CREATE TEMP TABLE moves AS
    SELECT g.unit_id, g.parent_id, DATE '2025-01-01' + d AS day,
           (ARRAY['admitted', 'admitted', 'admitted', 'transferred_in', 'transferred_out', 'suspended', 'resumed',
                  'retired', 'removed'])[1 + (g.i / 30 + d / 30) % 9] AS kind,
           (g.i + d / 30) % 2 = 0 AS female, (1 + (g.i * 7 + d) % 4)::bigint AS members
    FROM g CROSS JOIN LATERAL generate_series(30 - g.i % 30, 699, 30) AS d;
INSERT INTO subtree_movement_days (unit_id, day, kind, female, members)
    SELECT unit_id, day, kind, female, members FROM moves
    UNION ALL SELECT parent_id, day, kind, female, sum(members) FROM moves GROUP BY 1, 2, 3, 4
    UNION ALL SELECT u.parent_id, m.day, m.kind, m.female, sum(m.members)
              FROM moves m JOIN u ON u.unit_id = m.parent_id GROUP BY 1, 2, 3, 4
    UNION ALL SELECT '{national}'::uuid, day, kind, female, sum(members) FROM moves GROUP BY 2, 3, 4;
-- Dues: every grassroots union records the twelve months from 12/2025 to 11/2026, rolled up like the figures.
INSERT INTO dues_months (unit_id, month, members_paid, members_exempt, collected_vnd, norm_vnd, upper_share_vnd,
                         grassroots_share_vnd, units_reporting)
    SELECT g.unit_id, (DATE '2025-12-01' + make_interval(months => m))::date, 70, 3, 70 * 52000, 77 * 52000,
           70 * 52000 * 3 / 10, 70 * 52000 * 7 / 10, 1
    FROM g CROSS JOIN generate_series(0, 11) AS m;
INSERT INTO subtree_dues (unit_id, month, members_paid, members_exempt, collected_vnd, norm_vnd, upper_share_vnd,
                          grassroots_share_vnd, units_reporting)
    SELECT c.ancestor_id, d.month, sum(d.members_paid), sum(d.members_exempt), sum(d.collected_vnd), sum(d.norm_vnd),
           sum(d.upper_share_vnd), sum(d.grassroots_share_vnd), sum(d.units_reporting)
    FROM dues_months d JOIN tree_closure c ON c.descendant_id = d.unit_id GROUP BY 1, 2;
-- Targets of the term 2023-2028 for every province (set by the country) and every upper union (by its province).
INSERT INTO member_targets (unit_id, term, starts_on, ends_on, members, admissions, set_by)
    SELECT unit_id, '2023-2028', DATE '2023-07-01', DATE '2028-06-30', 320000, 40000, 'benchmark'
    FROM tree_units WHERE type_code = 'provincial_federation'
    UNION ALL SELECT unit_id, '2023-2028', DATE '2023-07-01', DATE '2028-06-30', 9000, 1200, 'benchmark'
    FROM tree_units WHERE type_code = 'industrial_zone_union';
"""


async def generate(url: str, write_tree=write_national_tree) -> None:
    shares = []
    for dimension, values in _SHARES.items():
        for rn, (value, share) in enumerate(values.items()):
            shares.append(
                {
                    "dimension": dimension,
                    "value": value,
                    "share": share,
                    "rn": rn,
                    "n": len(values),
                    "per_unit": dimension in _PER_UNIT,
                    "daily": dimension in _DAILY,
                }
            )
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await write_tree(connection)
        started = time.perf_counter()
        # The big tables are written without their keys, which are built once afterwards.
        keys = await connection.fetch(
            "SELECT conrelid::regclass::text AS table, conname, pg_get_constraintdef(oid) AS definition"
            " FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype = 'p'",
            list(BIG_TABLES),
        )
        for key in keys:
            await connection.execute(f"ALTER TABLE {key['table']} DROP CONSTRAINT {key['conname']}")
        # The bands' trigger upserts into the day table, which has no key meanwhile: it is run once afterwards.
        await set_band_triggers(connection, enabled=False)
        await connection.execute("SET work_mem = '256MB'")
        async with connection.transaction():
            for statement in GENERATE_SQL.replace("{national}", str(NATIONAL_CENTRE_ID)).split(";\n"):
                if statement.strip():
                    await connection.execute(statement, *([json.dumps(shares)] if "$1" in statement else []))
        for key in keys:
            await connection.execute(f"ALTER TABLE {key['table']} ADD CONSTRAINT {key['conname']} {key['definition']}")
        await set_band_triggers(connection, enabled=True)
        banding = time.perf_counter()
        await connection.execute(
            "SELECT grassroots_bands_from(array_agg(unit_id ORDER BY unit_id), array_agg(DATE '-infinity'))"
            " FROM tree_units WHERE type_code = 'grassroots_union'"
        )
        record(
            "roll up the grassroots unions' bands (migration 0009's backfill)",
            f"{time.perf_counter() - banding:.0f} s",
            "",
        )
        # Every table a report reads, as autovacuum would leave them (it is off on the development server): the
        # month and year tables and the bands, filled by triggers, had no statistics at all before 2026-12-04, and
        # the closure table no visibility map (a province's scope filter read 3,800 heap pages instead of its index).
        await connection.execute(f"VACUUM ANALYZE {', '.join((*BIG_TABLES, *TRIGGERED_TABLES))}, {', '.join(TREE)}")
        rows = await connection.fetchval("SELECT count(*) FROM subtree_figure_days")
        members = await connection.fetchval(
            "SELECT sum(members) FROM subtree_figures WHERE unit_id = $1 "
            "AND dimension = 'status' AND value IN ('active', 'suspended')",
            NATIONAL_CENTRE_ID,
        )
        size = await connection.fetchval("SELECT pg_size_pretty(pg_total_relation_size('subtree_figure_days'))")
        record(
            "generate the figures",
            f"{time.perf_counter() - started:.0f} s",
            f"{rows:,} day rows ({size} with its key), the country's members {members:,}",
        )
    finally:
        await connection.close()


async def set_band_triggers(connection, *, enabled: bool, years: bool = False) -> None:
    """The grassroots bands' triggers on the day table (migration 0009) on or off; `years`: the year tables' too."""
    for table, trigger in NEW_TRIGGERS if years else (("subtree_figure_days", name) for name in BAND_TRIGGERS):
        await connection.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER {trigger}")


async def time_grassroots_sizes(url: str, runs: int) -> None:
    """The units report's grassroots unions by members as of a past day, side by side: the walk down the tree's
    history (before migration 0009) and the bands rolled up on write; both must give the same answer."""
    database = Database(url, 2)
    viewer = principal("report_viewer", NATIONAL_CENTRE_ID)
    today = date(2026, 12, 3)
    try:
        for unit, label in ((NATIONAL_CENTRE_ID, "the country"), (unit_id("p", 7), "a province")):
            for day in (date(2025, 12, 31), date(2026, 10, 31)):
                timings = {}
                for way in ("grassroots_sizes_walked", "grassroots_sizes"):
                    samples = []
                    for _ in range(max(3, runs // 4) if way.endswith("walked") else runs):
                        async with database.transaction() as session:
                            started = time.perf_counter()
                            found = await getattr(FigureRepository(session), way)(viewer, unit, day, today)
                            samples.append(time.perf_counter() - started)
                    timings[way] = (sorted(samples), found)
                (walked, by_walk), (rolled, by_bands) = timings.values()
                assert by_walk == by_bands, (by_walk, by_bands)
                record(
                    f"grassroots unions by members, {label}, as of {day.strftime('%d/%m/%Y')}: walk / bands",
                    f"{p50_p95(walked)} / {p50_p95(rolled)}",
                    f"{sum(by_bands.values()):,} unions",
                )
    finally:
        await database.dispose()


async def time_breakdowns(http, runs: int) -> None:
    cases = [
        (unit_id("g", 7), "a grassroots union", "gender", None),
        (unit_id("u", 7), "an upper union (~110 units)", "gender", None),
        (unit_id("p", 7), "a province (~3,800 units)", "gender", None),
        (NATIONAL_CENTRE_ID, "the country", "gender", None),
        (unit_id("g", 7), "a grassroots union", "age_band", date(2025, 6, 30)),
        (unit_id("u", 7), "an upper union", "age_band", date(2025, 6, 30)),
        (unit_id("p", 7), "a province", "age_band", date(2025, 6, 30)),
        (NATIONAL_CENTRE_ID, "the country", "age_band", date(2025, 6, 30)),
        (NATIONAL_CENTRE_ID, "the country", "age_band", date(2026, 1, 31)),
        (NATIONAL_CENTRE_ID, "the country", "age_band", date(2026, 9, 30)),
        (NATIONAL_CENTRE_ID, "the country", "enterprise_type", date(2025, 6, 30)),
        (unit_id("p", 7), "a province", "status", date(2026, 6, 30)),
    ]
    for unit, label, by, as_of in cases:
        params = {"unit_id": str(unit), "by": by, **({"as_of": as_of.isoformat()} if as_of else {})}
        samples, response = await timed(http, "/api/v1/reporting/members/breakdown", params, runs)
        body = response.json()
        record(
            f"{label}, by {by}, {'as of ' + as_of.strftime('%d/%m/%Y') if as_of else 'now'}",
            p50_p95(samples),
            f"{len(body['rows'])} rows, total {body['total']:,}",
        )
    params = {"unit_id": str(NATIONAL_CENTRE_ID), "by": "age_band", "as_of": "2025-06-30"}
    samples, response = await timed(http, "/api/v1/reporting/members/breakdown.xlsx", params, max(3, runs // 4))
    record(
        "the country by age band as of 30/06/2025, .xlsx",
        f"{statistics.median(samples) * 1000:.1f} ms p50",
        f"{len(response.content):,} bytes",
    )


async def timed(http, path: str, params: dict, runs: int) -> tuple[list[float], object]:
    """Sorted durations of `runs` calls by a report viewer of `params["unit_id"]`, and the last answer (each must
    be 200). A token per call: a slow report would outlive one."""
    samples = []
    for _ in range(runs):
        headers = headers_for(principal("report_viewer", uuid.UUID(params["unit_id"]), "viewer"))
        started = time.perf_counter()
        response = await http.get(path, params=params, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return sorted(samples), response


def p50_p95(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} / {samples[int(len(samples) * 0.95)] * 1000:.1f} ms"


async def time_period_reports(http, runs: int, *, development_only: bool = False) -> None:
    """The standard period reports (issue 13): member development per unit below, the units report, dues by month
    and targets, for the country, a province, an upper union and a grassroots union, over periods in the past.
    `development_only`: the development report alone, its whole years read from the month tables (as before the
    year tables of migration 0009)."""
    year, quarter, month = ("2025-01-01", "2025-12-31"), ("2025-07-01", "2025-09-30"), ("2026-10-01", "2026-10-31")
    subtrees = [
        (NATIONAL_CENTRE_ID, "the country (34 provinces)"),
        (unit_id("p", 7), "a province (35 upper unions)"),
        (unit_id("u", 7), "an upper union (~110 grassroots unions)"),
        (unit_id("g", 7), "a grassroots union"),
    ]
    cases = [
        *((unit, f"development, {label}, year 2025", "/members/development", year) for unit, label in subtrees),
        (NATIONAL_CENTRE_ID, "development, the country, Q3 2025", "/members/development", quarter),
        (unit_id("p", 7), "development, a province, 10/2026", "/members/development", month),
        *((unit, f"units report, {label}, year 2025", "/unit-figures", year) for unit, label in subtrees[:2]),
        (unit_id("p", 7), "units report, a province, 10/2026", "/unit-figures", month),
    ]
    if development_only:
        cases = [(*case[:1], f"{case[1]} (month tables only)", *case[2:]) for case in cases if "development" in case[1]]
    FigureRepository.read_years = not development_only
    for unit, label, path, (first, last) in cases:
        params = {"unit_id": str(unit), "from": first, "to": last}
        samples, response = await timed(http, f"/api/v1/reporting{path}", params, runs)
        body = response.json()
        if "rows" in body:
            what = f"{len(body['rows'])} rows, members at the end {body['total']['members_at_end']:,}"
        else:
            what = f"{body['grassroots_without_members']:,} grassroots unions without members"
        record(label, p50_p95(samples), what)
    FigureRepository.read_years = True
    if development_only:
        return
    for unit, label in subtrees[:2]:
        params = {"unit_id": str(unit), "from": "2025-12", "to": "2026-11"}
        samples, response = await timed(http, "/api/v1/reporting/dues", params, runs)
        record(f"dues, {label}, 12 months", p50_p95(samples), f"{len(response.json()['months'])} months")
        params = {"unit_id": str(unit), "term": "2023-2028"}
        samples, response = await timed(http, "/api/v1/reporting/targets", params, runs)
        record(f"targets, {label}, term 2023-2028", p50_p95(samples), f"{len(response.json())} rows")
    for suffix in ("xlsx", "pdf"):
        params = {"unit_id": str(NATIONAL_CENTRE_ID), "from": year[0], "to": year[1]}
        samples, response = await timed(
            http, f"/api/v1/reporting/members/development.{suffix}", params, max(3, runs // 4)
        )
        record(
            f"the country's development report, year 2025, .{suffix}",
            f"{statistics.median(samples) * 1000:.0f} ms p50, max {samples[-1] * 1000:.0f} ms",
            f"{len(response.content):,} bytes",
        )


# The sessions' settings compared side by side: PostgreSQL's default (a prepared statement's generic plan from its
# sixth execution on), the chassis' custom plans, and custom plans without parallel workers, without JIT compilation
# (on by default: a statement estimated costly is compiled first), or without both.
SESSION_SETTINGS = {
    "plan_cache_mode=auto": {"plan_cache_mode": "auto"},
    "force_custom_plan": {},
    "force_custom_plan, no parallel workers": {"max_parallel_workers_per_gather": "0"},
    "force_custom_plan, jit off": {"jit": "off"},
    "force_custom_plan, jit off, no parallel workers": {"jit": "off", "max_parallel_workers_per_gather": "0"},
}


async def time_session_settings(settings: ReportingSettings, runs: int) -> None:
    """The reports most at risk, each through one app per setting of `SESSION_SETTINGS`, called in turns (one call
    of each setting, then again) so that the machine's load weighs on each alike."""
    year, month = ("2025-01-01", "2025-12-31"), ("2026-10-01", "2026-10-31")
    cases = [
        ("development, the country, year 2025", "/members/development", NATIONAL_CENTRE_ID, year),
        ("development, a province, year 2025", "/members/development", unit_id("p", 7), year),
        ("development, a province, 10/2026", "/members/development", unit_id("p", 7), month),
        ("development, an upper union, year 2025", "/members/development", unit_id("u", 7), year),
        ("units report, a province, 10/2026", "/unit-figures", unit_id("p", 7), month),
        ("targets, a province, term 2023-2028", "/targets", unit_id("p", 7), None),
        ("dues, a province, 12 months", "/dues", unit_id("p", 7), ("2025-12", "2026-11")),
        ("a province by status as of 30/06/2026", "/members/breakdown", unit_id("p", 7), None),
    ]
    databases = {name: Database(settings.database_url, 2, values) for name, values in SESSION_SETTINGS.items()}
    apps = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, db)), base_url="http://service")
        for db in databases.values()
    ]
    try:
        for label, path, unit, period in cases:
            params = {"unit_id": str(unit)}
            if path == "/targets":
                params["term"] = "2023-2028"
            elif path == "/members/breakdown":
                params |= {"by": "status", "as_of": "2026-06-30"}
            else:
                params |= {"from": period[0], "to": period[1]}
            samples: list[list[float]] = [[] for _ in apps]
            for _ in range(runs):
                for index, http in enumerate(apps):
                    found, _ = await timed(http, f"/api/v1/reporting{path}", params, 1)
                    samples[index].extend(found)
            record(label, " / ".join(p50_p95(sorted(found)) for found in samples), f"{runs} calls each, in turns")
    finally:
        for db in databases.values():
            await db.dispose()


async def time_consumer_poll(url: str) -> None:
    """The consumer's write of a poll of 1,000 new members spread over 1,000 grassroots unions: facts, ledger,
    counts and the figures of their units and every unit above them; in turns with the grassroots bands' triggers
    (migration 0009) on and off (their bands are left behind then: the last thing the run does)."""
    database = Database(url, 2)
    samples: dict[bool, list[float]] = {True: [], False: []}
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for run in range(10):
            banded = run % 2 == 0
            await set_band_triggers(connection, enabled=banded, years=True)
            changes = [
                MemberChange(
                    uuid.uuid4(),
                    date(2026, 12, 1),
                    uuid.uuid4(),
                    unit_id("g", (run * 1000 + i) * 97 % GRASSROOTS),
                    "active",
                    "female" if i % 2 else "male",
                    False,
                    2,
                    birth_year=1970 + i % 37,
                    nationality="VN",
                    ethnicity="Kinh",
                    religion="Không",
                    education="Đại học",
                    has_photo=True,
                    has_id_number=True,
                    has_phone=True,
                )
                for i in range(1000)
            ]
            started = time.perf_counter()
            async with database.transaction() as session:
                await apply_member_changes(session, changes)
            samples[banded].append(time.perf_counter() - started)
    finally:
        await set_band_triggers(connection, enabled=True, years=True)
        await connection.close()
        await database.dispose()
    for banded, polls in samples.items():
        polls.sort()
        record(
            "consumer: a poll of 1,000 new members in 1,000 unions written (facts, ledger, counts, figures), "
            + ("with migration 0009's triggers" if banded else "without migration 0009's triggers (bands, years)"),
            f"{statistics.median(polls) * 1000:.0f} ms p50, max {polls[-1] * 1000:.0f} ms",
            f"{len(polls)} polls, in turns",
        )


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN afterwards)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the database a --keep run left (and keep it)"
    )
    parser.add_argument("--database", default="bench_reporting_figures", help="its name (two helpers, two names)")
    parser.add_argument("--generate-only", action="store_true", help="generate and keep the database, measure nothing")
    parser.add_argument("--settings-runs", type=int, default=30, help="calls of each setting side by side")
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="only the standard period reports (development, units, dues, targets; the documents)",
    )
    parser.add_argument(
        "--settings-only",
        action="store_true",
        help="only the sessions' settings side by side: " + "; ".join(SESSION_SETTINGS),
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    if args.reuse:
        url = database_on_server(server, args.database)
        # A database kept by an older run (or changed by the last run's consumer polls) analyzed as autovacuum would:
        # the tree vacuumed too (a few seconds), the big tables only analyzed.
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await connection.execute(f"VACUUM ANALYZE {', '.join(TREE)}")
            await connection.execute(f"ANALYZE {', '.join((*BIG_TABLES, *TRIGGERED_TABLES))}")
        finally:
            await connection.close()
    else:
        url = await fresh_database(server, args.database, MIGRATIONS)
        await generate(url)
    if args.generate_only:
        print_results()
        return
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    if args.reports_only:
        async with client(create_app, settings) as http:
            await time_period_reports(http, args.runs)
        print(f"load average after the run: {os.getloadavg()}", flush=True)
        print_results()
        return
    await time_session_settings(settings, args.settings_runs)
    if args.settings_only:
        print(f"load average after the run: {os.getloadavg()}", flush=True)
        print_results()
        return
    await time_grassroots_sizes(url, args.runs)
    async with client(create_app, settings) as http:
        await time_breakdowns(http, args.runs)
        await time_period_reports(http, args.runs, development_only=True)
        await time_period_reports(http, args.runs)
    await time_consumer_poll(url)
    print(f"load average after the run: {os.getloadavg()}", flush=True)
    print_results()
    if not (args.keep or args.reuse):  # a reused database stays for the next re-timing
        await drop_databases(server, [args.database])


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
