"""The web app of issue 16 as its users feel it: the public pages on a phone, the national dashboard at scale.

    uv run python tests/benchmarks/bench_web_part2.py [--public] [--screens [--screen nhat-ky]]
        [--dashboard [--keep] [--reuse]]
        [--runs 7] [--variant main=/tmp/main-dist --variant new=web/dist] [--profile]

(no part named: every part). Each part starts the whole platform on its own ports, data dir and databases, as
bench_web does, with bench_web's browser profiles and its Lighthouse 12.2.3:

- `--public`: the platform with its demo data (a printed card among it); Lighthouse's mobile profile scores the
  member's lookup page (/tra-cuu) and the page a card's QR code opens (its verification address).
- `--screens`: the platform with its demo data; the national administrator opens part 2's most used screens
  (`SCREENS`: a province's print orders, a grassroots union's months of dues, the users and the audit trail of a
  province), each cold (a fresh browser context, signed in first), desktop and throttled mobile: navigation start
  to the screen's table showing rows (Ant Design's, or the plain table's before it) with nothing loading, against
  part 1's budgets (1 s, 2.5 s); the audit trail's filters, which load after its rows, are timed too. `--screen`
  (repeatable) measures only the screens named; `--variant` several builds, as with `--dashboard`.
- `--dashboard`: reporting's figure tables filled for the whole country (130,000 grassroots unions, ~10 million
  members, 699 days of changes) by bench_reporting_figures' generator, written into the running platform's
  reporting database; then the national administrator opens the national centre's dashboard (Báo cáo) in a fresh
  browser context every run (cold cache), desktop and throttled mobile: navigation start to every figure shown
  (the six numbers, the charts of the 12 months, by status and the period's movements, nothing loading); then,
  as a row of its own, the mobile repeat visit: a new session in a browser whose HTTP cache holds an earlier
  visit's files. `--variant NAME=DIST` (repeatable) measures several builds side by side on the same figures, as
  bench_web's option does, their runs interleaved (one of each in turn) so that the machine's load falls on
  every build alike. The platform's databases are dropped afterwards (the figures take gigabytes), unless
  `--keep`; `--reuse` then skips the 12 minutes of generating them.
- `--profile`: after the timed runs, one more cold mobile visit per variant (with `--screens`: per screen), not
  counted, that says where the phone's time went: when the numbers, the charts, the first row and the whole page
  showed, every request (start, end, bytes), the main thread's long tasks before and after the figures' (the
  screen's) data arrived, and the JavaScript's own time per file (Chromium's sampling profiler, which slows the
  page: its total is not the timed runs').
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from chassis.database import asyncpg_dsn, database_on_server
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client
from localrun.platform import Platform
from playwright.async_api import Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_reporting_figures import BIG_TABLES, generate  # noqa: E402
from tests.benchmarks.bench_web import CHROMIUM_ARGS, PROFILES, ROOT, lighthouse, p95, serve_variant  # noqa: E402
from tests.benchmarks.bench_web import sign_in as sign_in_on_the_page  # noqa: E402
from tests.benchmarks.support import print_results, record, write_national_tree  # noqa: E402
from tests.support.polling import eventually  # noqa: E402

ADMIN = {"username": "admin", "password": "Admin@12345"}
DASHBOARD_GOALS = {"desktop": 2.0, "mobile": 3.5}
# Every run signs in from 127.0.0.1: the production per-address login bucket would make runs wait.
ROOMY = {"GATEWAY_RATE_LIMIT_LOGIN_BURST": "1000", "GATEWAY_RATE_LIMIT_LOGIN_PER_MINUTE": "6000"}


def platform_for(name: str, base_port: int, demo_data: bool, web_dir: Path | None = None) -> Platform:
    return Platform(
        ROOT / ".data" / f"bench-{name}",
        base_port=base_port,
        broker_port=base_port + 390,
        demo_data=demo_data,
        database_prefix=f"bench{name.replace('-', '')}_",
        settings={**ROOMY, "GATEWAY_WEB_DIR": str(web_dir)} if web_dir else ROOMY,
    )


async def drop_databases(platform: Platform) -> None:
    """The platform's databases, once it has stopped (the national figures alone take gigabytes)."""
    server = await asyncpg.connect(asyncpg_dsn(database_on_server(platform.layout().server_url, "postgres")))
    try:
        names = await server.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", platform.database_prefix + "%"
        )
        for row in names:
            await server.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await server.close()


@asynccontextmanager
async def admin_client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(platform.gateway_url) as http:
        login = await http.post("/api/v1/identity/login", json=ADMIN)
        login.raise_for_status()
        http.headers["authorization"] = f"Bearer {login.json()['access_token']}"
        yield http


@asynccontextmanager
async def demo_platform(name: str, base_port: int, web_dir: Path | None = None) -> AsyncIterator[Platform]:
    """The platform with its demo data, stopped and its databases dropped afterwards."""
    platform = platform_for(name, base_port, demo_data=True, web_dir=web_dir)
    await asyncio.to_thread(platform.start)
    try:
        if platform.demo_error is not None:
            raise RuntimeError("the demo data did not load") from platform.demo_error
        yield platform
    finally:
        await asyncio.to_thread(platform.stop)
        await drop_databases(platform)


async def unit_id(admin: httpx.AsyncClient, code: str) -> str:
    found = await admin.get("/api/v1/orgtree/units", params={"q": code})
    return next(u["unit_id"] for u in found.json()["items"] if u["code"] == code)


async def public_pages() -> None:
    async with demo_platform("web-public", 12_400) as platform:
        async with admin_client(platform) as admin:
            unit = await unit_id(admin, "HNI-CS-0001")
            cards = await admin.get("/api/v1/cards/cards", params={"unit_id": unit, "status": "printed", "limit": 1})
            cards.raise_for_status()
            verification_url = cards.json()["items"][0]["verification_url"]
        path = "/" + verification_url.split("://", 1)[-1].split("/", 1)[1]
        lighthouse(f"{platform.gateway_url}/tra-cuu", None, "the member's lookup (/tra-cuu)")
        lighthouse(f"{platform.gateway_url}{path}", None, "a card's verification page (its QR address)")


# Part 2's screens an officer opens most, on the demo data, with the unit (by code) whose screen is opened: each is
# ready when its table shows rows and nothing on the page is loading (part 1's budgets: 1 s desktop, 2.5 s phone).
SCREENS = [
    ("the print orders of a province (Thẻ đoàn viên)", "the", "HNI"),
    ("the months of dues (Đoàn phí)", "doan-phi", "HNI-CS-0001"),
    ("the users of the subtree (Người dùng)", "nguoi-dung", "HNI"),
    ("the audit trail (Nhật ký)", "nhat-ky", "HNI"),
]
SCREEN_GOALS = {"desktop": 1.0, "mobile": 2.5}
# A list's rows are either Ant Design's or, before that table's code has loaded, the plain table's of the same rows
# (web/src/components/progressive-table.tsx).
SCREEN_READY = """() => {
  const main = document.querySelector('main');
  if (!main || document.querySelector(".ant-spin-spinning, .ant-skeleton, [aria-busy='true']")) return false;
  return !!main.querySelector('.ant-table-tbody tr.ant-table-row, .ant-list-item, tr.plain-table-row');
}"""
# What a screen shows after its rows (loaded when the browser idles after them), timed apart: the audit trail's filters.
SCREEN_LATER = {"nhat-ky": ("the filters usable", ".audit-filters button[type=submit]")}
# The requests of a screen's own data (`--profile`: when they had all answered).
SCREEN_DATA = {
    "the": "/api/v1/cards/",
    "doan-phi": "/api/v1/dues/",
    "nguoi-dung": "/api/v1/identity/users",
    "nhat-ky": "/api/v1/audit",
}


async def part_two_screens(runs: int, variants: list[tuple[str, Path]], only: list[str], profile: bool) -> None:
    """Each screen of `SCREENS` (those named in `only`, if any), cold (a fresh context signed in, then the screen's
    address), `runs` times a profile: navigation start to its rows shown. Several builds (`variants`): their runs
    interleaved, one of each in turn, so that the machine's load falls on all of them alike. `profile`: then one
    profiled mobile visit of each build (`profiled_visit`)."""
    served = ROOT / ".data" / "bench-web-screens-served"
    if variants:
        shutil.rmtree(served, ignore_errors=True)
        for _, dist in variants:
            serve_variant(served, dist)
    builds = variants or [("", ROOT / "web" / "dist")]
    async with demo_platform("web-screens", 12_600, web_dir=served if variants else None) as platform:
        async with admin_client(platform) as admin:
            units = {code: await unit_id(admin, code) for _, _, code in SCREENS}
        chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for title, path, code in SCREENS:
                if only and path not in only:
                    continue
                for name, throttling in PROFILES.items():
                    samples: dict[str, list[float]] = {variant: [] for variant, _ in builds}
                    later: dict[str, list[float]] = {variant: [] for variant, _ in builds}
                    for _ in range(runs):
                        for variant, dist in builds:
                            if variants:
                                serve_variant(served, dist)
                            context = await browser.new_context(
                                base_url=platform.gateway_url,
                                viewport=throttling["viewport"],
                                locale="vi-VN",
                                is_mobile=name == "mobile",
                            )
                            try:
                                page = await context.new_page()
                                await sign_in(page)
                                took, then = await timed_visit(page, throttling, f"/don-vi/{units[code]}/{path}", path)
                                samples[variant].append(took)
                                if then is not None:
                                    later[variant].append(then)
                            finally:
                                await context.close()
                    goal = SCREEN_GOALS[name]
                    for variant, _ in builds:
                        prefix = f"{variant}: " if variant else ""
                        taken = samples[variant]
                        record(
                            f"{prefix}{title}, {name}: ready, p95 ({runs} cold runs)",
                            f"{p95(taken):.2f} s (median {statistics.median(taken):.2f} s; each: "
                            + ", ".join(f"{took:.2f}" for took in taken)
                            + ")",
                            f"goal < {goal} s: {'met' if p95(taken) < goal else 'MISSED'}",
                        )
                        if later[variant]:
                            record(
                                f"{prefix}{title}, {name}: {SCREEN_LATER[path][0]} (after the rows), p95",
                                f"{p95(later[variant]):.2f} s; each: " + ", ".join(f"{t:.2f}" for t in later[variant]),
                            )
                if profile:
                    address = f"/don-vi/{units[code]}/{path}"

                    async def visit(page: Page, throttling: dict, address: str = address, path: str = path) -> float:
                        return (await timed_visit(page, throttling, address, path))[0]

                    for variant, dist in builds:
                        if variants:
                            serve_variant(served, dist)
                        await profiled_visit(
                            browser,
                            platform.gateway_url,
                            f"{variant}: {path}" if variant else path,
                            visit,
                            SCREEN_DATA[path],
                        )
            await browser.close()


async def national_tree_replacing_the_replica(connection) -> None:
    """The national tree in reporting's replica and its history, instead of the national centre alone the platform
    put there, and none of the figures its events made (the generator writes the centre's). Only once reporting's
    consumer has applied the centre's own events: applied during the generation, they would add a second row."""
    await eventually(
        lambda: connection.fetchval("SELECT count(*) FROM subtree_figures WHERE unit_id = $1", NATIONAL_CENTRE_ID),
        lambda rows: rows > 0,
        timeout=120,
    )
    tables = ("tree_closure", "tree_units", "unit_versions", *BIG_TABLES)
    async with connection.transaction():
        await connection.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
        for table in tables:
            await connection.execute(f"DELETE FROM {table}")
        await write_national_tree(connection)


# Each grassroots union's ~77 members by status, gender and card status, as the consumer counts them: the members
# now and the card progress of the dashboard read these counts over the subtree (~2 million rows for the country).
MEMBER_COUNTS_SQL = """
INSERT INTO unit_member_counts (unit_id, status, gender, is_foreign, card_status, members)
SELECT t.unit_id, s.status, g.gender, false, c.card_status, greatest(1, round(77 * s.share * g.share * c.share))
FROM tree_units t
CROSS JOIN (VALUES ('active', 0.93), ('pending', 0.04), ('suspended', 0.01), ('retired', 0.02)) AS s(status, share)
CROSS JOIN (VALUES ('male', 0.55), ('female', 0.45)) AS g(gender, share)
CROSS JOIN (VALUES ('none', 0.3), ('requested', 0.2), ('printed', 0.1), ('delivered', 0.4)) AS c(card_status, share)
WHERE t.type_code = 'grassroots_union'
"""


async def fill_member_counts(dsn: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(dsn))
    try:
        await connection.execute("DELETE FROM unit_member_counts")
        await connection.execute(MEMBER_COUNTS_SQL)
        await connection.execute("ANALYZE unit_member_counts")
    finally:
        await connection.close()


async def dashboard_ready(page: Page) -> None:
    """Every figure of the dashboard shown: the members now, the three charts with their tables, nothing loading."""
    # Ant Design's statistic (builds before 2026-12-04) or the plain figure that replaced it.
    members = (
        page.locator(".ant-statistic, .figure")
        .filter(has_text="Đoàn viên hiện nay")
        .locator(".ant-statistic-content, .figure-value")
    )
    await page.wait_for_function(
        "(e) => e && /\\d/.test(e.textContent)", arg=await members.element_handle(timeout=60_000), timeout=60_000
    )
    for chart in (
        "Biểu đồ số đoàn viên cuối mỗi tháng và số kết nạp trong tháng, 12 tháng qua",
        "Biểu đồ tròn: đoàn viên theo trạng thái",
        "Biểu đồ cột: biến động đoàn viên trong kỳ",
    ):
        await page.get_by_role("img", name=chart).locator("canvas, svg").first.wait_for(timeout=60_000)
    await page.wait_for_function(
        "() => !document.querySelector("
        "'.ant-spin-spinning, .ant-skeleton, .ant-card-loading-content, [aria-busy=\"true\"]')",
        timeout=60_000,
    )


SLOWEST_REQUESTS = """() => performance.getEntriesByType('resource')
  .sort((a, b) => b.responseEnd - a.responseEnd).slice(0, 6)
  .map((e) => `${new URL(e.name).pathname.split('/').slice(-2).join('/')} ` +
    `${(e.startTime / 1000).toFixed(2)}-${(e.responseEnd / 1000).toFixed(2)} s ` +
    `${Math.round(e.transferSize / 1024)} KB`)"""


# Set before the page's own scripts: when each part of the dashboard first showed (ms from navigation start), and
# the main thread's long tasks (over 50 ms; on the throttled CPU, wall time).
MILESTONES = """
window.__marks = {}; window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({ type: 'longtask', buffered: true });
const mark = (name) => { if (!(name in window.__marks)) window.__marks[name] = performance.now(); };
const look = () => {
  const first = document.querySelector('.ant-statistic-content, .figure-value');
  if (first && /\\d/.test(first.textContent)) mark('the first number shown');
  // The dashboard's charts (a screen's icons are images too).
  if (location.pathname.endsWith('/bao-cao') && document.querySelector('[role=img] svg')) mark('the first chart drawn');
  if (location.pathname.endsWith('/bao-cao') && document.querySelectorAll('[role=img] svg').length >= 3) {
    mark('three charts drawn');
  }
  if (document.querySelector('table')) mark('the first table shown');
  if (document.querySelector('tr.plain-table-row, tr.ant-table-row')) mark('the first row shown');
  if (document.querySelector('.ant-picker, input[type=date]')) mark('the period picker shown');
};
document.addEventListener('DOMContentLoaded', () => mark('DOMContentLoaded'));
new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
"""

PROFILE_REPORT = """(api) => {
  const data = performance.getEntriesByType('resource').filter((e) => e.name.includes(api));
  const arrived = data.length ? Math.max(...data.map((e) => e.responseEnd)) : 0;
  const tasks = window.__longtasks;
  const sum = (list) => Math.round(list.reduce((total, [, d]) => total + d, 0));
  return {
    marks: window.__marks, arrived,
    before: [tasks.filter(([s]) => s < arrived).length, sum(tasks.filter(([s]) => s < arrived))],
    after: [tasks.filter(([s]) => s >= arrived).length, sum(tasks.filter(([s]) => s >= arrived))],
    tasks: tasks.map(([s, d]) => `${(s / 1000).toFixed(2)}+${Math.round(d)}`),
    requests: performance.getEntriesByType('resource').sort((a, b) => a.startTime - b.startTime).map((e) =>
      `${(e.startTime / 1000).toFixed(2)}-${(e.responseEnd / 1000).toFixed(2)} s ` +
      `${Math.round(e.transferSize / 1024)} KB ${new URL(e.name).pathname.split('/').slice(-2).join('/')}`),
  };
}"""


def self_time_by_file(profile: dict) -> list[tuple[str, float]]:
    """The sampling profile's time per script file (self time of its functions), the busiest first."""
    by_node = {node["id"]: node for node in profile["nodes"]}
    spent: dict[str, float] = {}
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = by_node[node_id]["callFrame"]
        name = frame["url"].rsplit("/", 1)[-1] or frame["functionName"] or "(anonymous)"
        spent[name] = spent.get(name, 0.0) + delta / 1000
    return sorted(spent.items(), key=lambda item: -item[1])


async def profiled_visit(
    browser,
    gateway_url: str,
    variant: str,
    visit: Callable[[Page, dict], Awaitable[float]] | None = None,
    api: str = "/api/v1/reporting/",
) -> None:
    """One cold mobile visit, not counted: where its time went (`--profile`). `visit` opens the page and says when
    it was ready (the dashboard's, unless given); `api` names the requests of its data."""
    profile = PROFILES["mobile"]
    context = await browser.new_context(
        base_url=gateway_url, viewport=profile["viewport"], locale="vi-VN", is_mobile=True
    )
    try:
        page = await context.new_page()
        await sign_in(page)
        await context.add_init_script(MILESTONES)
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Profiler.enable")
        await cdp.send("Profiler.setSamplingInterval", {"interval": 1000})
        await cdp.send("Profiler.start")
        took = await (visit or timed_dashboard)(page, profile)
        sampled = (await cdp.send("Profiler.stop"))["profile"]
        report = await page.evaluate(PROFILE_REPORT, api)
    finally:
        await context.close()
    prefix = f"{variant}: " if variant else ""
    marks = ", ".join(f"{name} {at / 1000:.2f} s" for name, at in sorted(report["marks"].items(), key=lambda m: m[1]))
    print(f"--- {prefix}mobile, profiled (not counted): ready after {took:.2f} s; {marks}")
    print(f"  its data ({api}) all arrived at {report['arrived'] / 1000:.2f} s")
    for when, (count, total) in (("before", report["before"]), ("after", report["after"])):
        print(f"  long tasks starting {when} it: {count}, {total} ms")
    print("  long tasks (start s + ms): " + " ".join(report["tasks"]))
    print(
        "  JavaScript self time per file (ms, sampling profiler): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in self_time_by_file(sampled)[:16])
    )
    print("  requests:")
    for line in report["requests"]:
        print(f"    {line}")


async def sign_in(page: Page) -> None:
    """The national administrator signed in, the page the app lands on settled (bench_web's `sign_in`)."""
    await page.goto("/dang-nhap")
    await sign_in_on_the_page(page, ADMIN["username"], ADMIN["password"])


async def throttle(page: Page, profile: dict) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu"]})
    if profile["network"]:
        await cdp.send("Network.emulateNetworkConditions", {"offline": False, **profile["network"]})


async def timed_dashboard(page: Page, profile: dict) -> float:
    """Navigation start to every figure shown, on `profile`'s CPU and network."""
    await throttle(page, profile)
    started = time.perf_counter()
    await page.goto(f"/don-vi/{NATIONAL_CENTRE_ID}/bao-cao")
    await dashboard_ready(page)
    return time.perf_counter() - started


async def timed_visit(page: Page, profile: dict, path: str, screen: str) -> tuple[float, float | None]:
    """Navigation start to a screen of `SCREENS` ready, on `profile`'s CPU and network; and to what it shows after
    its rows (`SCREEN_LATER`), if anything, whatever the build (a build drawing it with the rows shows it then)."""
    await throttle(page, profile)
    started = time.perf_counter()
    await page.goto(path)
    await page.wait_for_function(SCREEN_READY, timeout=60_000)
    ready = time.perf_counter() - started
    if screen not in SCREEN_LATER:
        return ready, None
    await page.locator(SCREEN_LATER[screen][1]).wait_for(timeout=60_000)
    return ready, time.perf_counter() - started


async def one_visit(browser, gateway_url: str, name: str, repeat: bool) -> tuple[float, list[str]]:
    """A cold run: a fresh context (empty HTTP cache) signs in, then opens the dashboard. A repeat visit (`repeat`):
    the same context opened the dashboard once before and signed out (cookies cleared): a new session with the
    HTTP cache of an earlier visit, as an officer who used the app yesterday (hashed assets are cached a year)."""
    profile = PROFILES[name]
    context = await browser.new_context(
        base_url=gateway_url, viewport=profile["viewport"], locale="vi-VN", is_mobile=name == "mobile"
    )
    try:
        page = await context.new_page()
        await sign_in(page)
        if repeat:
            await page.goto(f"/don-vi/{NATIONAL_CENTRE_ID}/bao-cao")
            await dashboard_ready(page)
            await page.close()
            await context.clear_cookies()
            page = await context.new_page()
            await sign_in(page)
        took = await timed_dashboard(page, profile)
        return took, await page.evaluate(SLOWEST_REQUESTS)
    finally:
        await context.close()


async def time_dashboard(
    gateway_url: str, runs: int, variants: list[tuple[str, Path]], served: Path, profile: bool = False
) -> None:
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # The goals are for cold runs; the repeat visit is its own row, never instead of the cold figure.
        for name, repeat in (("desktop", False), ("mobile", False), ("mobile", True)):
            samples: dict[str, list[float]] = {variant: [] for variant, _ in variants}
            # Each run's 1-minute load average as it began: a slow run beside a busy machine says so.
            loads: dict[str, list[float]] = {variant: [] for variant, _ in variants}
            slowest: dict[str, list[str]] = {}
            for _ in range(runs):
                for variant, dist in variants:
                    if variant:
                        serve_variant(served, dist)
                    loads[variant].append(os.getloadavg()[0])
                    took, slowest[variant] = await one_visit(browser, gateway_url, name, repeat)
                    samples[variant].append(took)
            label = f"{name}, repeat visit (HTTP cache of an earlier visit, new session)" if repeat else name
            runs_kind = "repeat visits" if repeat else "cold runs"
            goal = DASHBOARD_GOALS[name]
            for variant, _ in variants:
                prefix = f"{variant}: " if variant else ""
                # Where the last run's time went: its slowest requests (start and end from navigation start, bytes).
                record(f"{prefix}{label}: the last run's slowest requests", "; ".join(slowest[variant]))
                timed = samples[variant]
                record(
                    f"{prefix}{label}: the national centre's dashboard ready, p95 ({runs} {runs_kind})",
                    f"{p95(timed):.2f} s (median {statistics.median(timed):.2f} s)",
                    f"goal < {goal} s (cold): {'met' if p95(timed) < goal else 'MISSED'}",
                )
                record(
                    f"{prefix}{label}: each run in turn, seconds (load average as it began)",
                    ", ".join(f"{took:.2f} ({load:.1f})" for took, load in zip(timed, loads[variant], strict=True)),
                )
            if profile and name == "mobile" and not repeat:
                for variant, dist in variants:
                    if variant:
                        serve_variant(served, dist)
                    await profiled_visit(browser, gateway_url, variant)
        await browser.close()


async def figures_generated(dsn: str) -> bool:
    connection = await asyncpg.connect(asyncpg_dsn(dsn))
    try:
        # A generation that failed half way leaves the big tables without their keys (built last): not reused.
        keys = await connection.fetchval(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND conrelid = ANY($1::regclass[])",
            list(BIG_TABLES),
        )
        units = await connection.fetchval("SELECT count(*) FROM tree_units")
        return keys == len(BIG_TABLES) and units > 100_000
    finally:
        await connection.close()


async def dashboard(
    runs: int, keep: bool, reuse: bool, variants: list[tuple[str, Path]], profile: bool = False
) -> None:
    # Several builds: the gateway serves one folder holding every build's hashed assets, and each build's pages
    # are put there before each of its runs (bench_web's `serve_variant`).
    served = ROOT / ".data" / "bench-web-dashboard-served"
    if variants:
        shutil.rmtree(served, ignore_errors=True)
        for _, dist in variants:
            serve_variant(served, dist)
    platform = platform_for("web-dashboard", 12_800, demo_data=False, web_dir=served if variants else None)
    await asyncio.to_thread(platform.start)
    try:
        dsn = platform.database_dsn("reporting")
        if reuse and await figures_generated(dsn):
            record("the figures", "reused from the last run kept (--keep)")
        else:
            await generate(dsn, write_tree=national_tree_replacing_the_replica)
            await fill_member_counts(dsn)
        async with admin_client(platform) as admin:
            summary = await admin.get(
                f"/api/v1/reporting/units/{NATIONAL_CENTRE_ID}/member-summary", params={"subtree": True}
            )
            summary.raise_for_status()
            record("the national centre's members, as the dashboard reads them", f"{summary.json()['members']:,}")
        await time_dashboard(platform.gateway_url, runs, variants or [("", ROOT / "web" / "dist")], served, profile)
    finally:
        await asyncio.to_thread(platform.stop)
        if not keep:
            await drop_databases(platform)


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg()) + f" at {time.strftime('%H:%M', time.gmtime())} UTC"


async def main(args: argparse.Namespace) -> None:
    every = not (args.public or args.dashboard or args.screens)
    record("load average at the start (1, 5, 15 min)", load_average())
    if args.public or every:
        await public_pages()
    variants = [(name, Path(dist)) for name, dist in (v.split("=", 1) for v in args.variant)]
    if args.screens or every:
        await part_two_screens(args.runs, variants, args.screen, args.profile)
    if args.dashboard or every:
        await dashboard(args.runs, args.keep, args.reuse, variants, args.profile)
    record("load average at the end (1, 5, 15 min)", load_average())
    print_results()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--public", action="store_true", help="Lighthouse of the lookup and the verification page")
    parser.add_argument("--dashboard", action="store_true", help="the national dashboard at 10 million members")
    parser.add_argument("--screens", action="store_true", help="part 2's most used screens on the demo data")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the dashboard's databases (gigabytes) for --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the figures a --keep run left, if any")
    parser.add_argument(
        "--variant", action="append", default=[], metavar="NAME=DIST", help="a build of the web app to measure"
    )
    parser.add_argument(
        "--screen", action="append", default=[], metavar="NAME", help="with --screens: only this one (e.g. nhat-ky)"
    )
    parser.add_argument("--profile", action="store_true", help="one more mobile visit: where its time went")
    asyncio.run(main(parser.parse_args()))
