"""The web app's speed as an officer feels it: the real platform, Debian's Chromium, a province of 300,000 members.

    uv run python tests/benchmarks/bench_web.py [--members 300000] [--runs 7] [--skip-lighthouse] [--profile]
        [--variant main=/tmp/main-dist --variant new=web/dist] [--cpu-profile]

Starts the whole platform on its own ports and data dir (`.data/bench-web`), creates a province with 30 upper-level
unions and 3,000 grassroots unions through the orgtree API, waits until the members service's tree replica holds
them, and writes the members straight into the members database (set-based, as bench_members does) so that the
province's subtree holds `--members` members. Then, for each profile, in a fresh browser context every run (cold
cache, as an officer opening the app in the morning):

- sign-in page ready: navigation start to the username field usable (shown, taking typing), and the form
  sendable (its button enabled: the app's script has taken the page over);
- signed in: the click on "Đăng nhập" to the page the app lands on (the province's own page) shown with nothing
  loading (its name, its children);
- the members list of the province ready: navigation to the first row of the table shown, from the page the app
  landed on once it has settled (nothing loading, its main thread idle: `settled`);
- a search answered: Enter in the search box to the table showing the matches;
- the JavaScript loaded before sign-in (bytes on the wire, compressed);
- a repeat visit, its own figure and never instead of the cold one: the same browser context (its HTTP cache
  warm, as for an officer who used the app yesterday: hashed assets are cached a year), its cookies cleared, a new
  sign-in, then the members list opened again in a new tab.

`--variant NAME=DIST` (repeatable) measures several builds of the web app side by side in one run, on the same
platform and data: the gateway serves one folder holding every variant's hashed assets, and each variant's pages
(index.html, dang-nhap.html, the screens' pages: revalidated on every visit) are put there before each of its
runs; the variants' runs take turns (one of each, then again), so that the machine's load falls on all alike.
`--cpu-profile` instead traces the main thread while it opens the members list (each variant's visits in turn): the
time by kind of task, and each visit's timeline from the tracing's start (just before the navigation) to its end:
the requests and answers, the long tasks, and when the first row entered the DOM and the next frame after it.

Profiles: desktop (no throttling) and mobile (Chromium's CPU throttled 4x and a slow 3G network: 400 ms
round trip, 400 kbit/s down, 400 kbit/s up: Chrome DevTools' "Slow 3G" bandwidth with Lighthouse's 3G latency).
Lighthouse 12.2.3 (`npx`, the last release that runs on Node 20) scores the sign-in page and the members list with
its mobile profile. Figures go to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client
from localrun.demo_people import create_account
from localrun.platform import Platform
from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_members import GIVEN, MIDDLE, SURNAMES  # noqa: E402
from tests.benchmarks.support import print_results, record  # noqa: E402
from tests.support.polling import eventually  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "DoTocDo@2026"
OFFICER = "bench.tinh"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
PROFILES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}, "cpu": 1, "network": None},
    "mobile": {
        "viewport": {"width": 360, "height": 740},
        "cpu": 4,
        "network": {"latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8},
    },
}
GOALS = {"desktop": 1.0, "mobile": 2.5}
# A row of the members list: Ant Design's table row (desktop, and every size before the phone's list of cards) or
# the phone's card; the list is busy (a search under way) while a spinner or `aria-busy` shows.
MEMBER_ROW = ".ant-table-tbody tr.ant-table-row, .member-row"
BUSY = ".ant-spin-spinning, [aria-busy='true']"
# The page the app lands on after signing in, the unit's own, shown: its name as the heading, and nothing loading
# (its children, if it has any).
LANDED = "main h1"


async def build_province(gateway_url: str, admin: httpx.AsyncClient, uppers: int, grassroots: int) -> str:
    found = await admin.get("/api/v1/orgtree/units", params={"q": "BW"})
    for unit in found.json()["items"]:
        if unit["code"] == "BW":
            return unit["unit_id"]
    province = await admin.post(
        "/api/v1/orgtree/units",
        json={
            "code": "BW",
            "name": "Liên đoàn Lao động tỉnh Đo Tốc Độ",
            "type_code": "provincial_federation",
            "parent_id": str(NATIONAL_CENTRE_ID),
        },
    )
    province.raise_for_status()
    province_id = province.json()["unit_id"]
    units = [
        {
            "code": f"BW-U{u:02d}",
            "name": f"Công đoàn Khu công nghiệp số {u}",
            "type_code": "industrial_zone_union",
            "parent_id": province_id,
        }
        for u in range(uppers)
    ]
    units += [
        {
            "code": f"BW-G{g:05d}",
            "name": f"Công đoàn cơ sở Công ty TNHH Sản xuất số {g}",
            "type_code": "grassroots_union",
            "parent_code": f"BW-U{g % uppers:02d}",
        }
        for g in range(grassroots)
    ]
    for first in range(0, len(units), 2_000):
        part = units[first : first + 2_000]
        # Later parts name parents created by earlier parts by code: resolve those to ids.
        if first:
            codes = {u["parent_code"] for u in part if "parent_code" in u}
            ids = {}
            for code in codes:
                hit = await admin.get("/api/v1/orgtree/units", params={"q": code})
                ids[code] = next(u["unit_id"] for u in hit.json()["items"] if u["code"] == code)
            part = [
                {**{k: v for k, v in u.items() if k != "parent_code"}, "parent_id": ids[u["parent_code"]]}
                if "parent_code" in u
                else u
                for u in part
            ]
        created = await admin.post("/api/v1/orgtree/units/batch", json={"units": part}, timeout=300)
        created.raise_for_status()
    await create_account(admin, gateway_url, OFFICER, "Cán bộ đo tốc độ", "unit_admin", province_id, PASSWORD)
    return province_id


async def wait_for_replica(dsn: str, province_id: str, units: int) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await eventually(
            lambda: connection.fetchval("SELECT count(*) FROM tree_closure WHERE ancestor_id = $1", province_id),
            lambda have: have >= units,
            timeout=600,
            max_interval=1,
        )
    finally:
        await connection.close()


MEMBERS_SQL = """
WITH units AS (SELECT array_agg(descendant_id ORDER BY descendant_id) AS ids FROM tree_closure c
               JOIN tree_units u ON u.unit_id = c.descendant_id
               WHERE c.ancestor_id = $3 AND u.type_code = 'grassroots_union'),
p AS (SELECT i, (i % 2 = 0) AS female, DATE '1965-01-01' + ((i * 7919) % 14000)::int AS born,
             (1 + abs(hashint8(i)) % array_length($4::text[], 1))::int AS s,
             (1 + abs(hashint8(i + 7777777)) % 8)::int AS m, (1 + abs(hashint8(i + 99999999)) % 20)::int AS g,
             units.ids FROM generate_series($1::bigint, $2::bigint) AS i, units)
INSERT INTO members (member_id, unit_id, status, member_code, full_name, name_search, gender, date_of_birth, id_kind,
                     id_number, phone, nationality, card_status, has_photo, version, created_by, created_at,
                     approved_at)
SELECT gen_random_uuid(), ids[(1 + i % array_length(ids, 1))::int], 'active', member_code_of(900000000 + i),
       full_name, name_search, CASE WHEN female THEN 'female' ELSE 'male' END, born, 'cccd',
       '095' || (CASE WHEN extract(year FROM born) >= 2000 THEN 2 ELSE 0 END + female::int)::text
             || to_char(born, 'YY') || lpad((i % 1000000)::text, 6, '0'),
       '09' || lpad((i % 100000000)::text, 8, '0'), 'VN', 'none', false, 1, 'bench', now(), now()
FROM (SELECT p.*, ($4::text[])[s] || ' ' || (CASE WHEN female THEN $6::text[] ELSE $5::text[] END)[m] || ' '
                  || (CASE WHEN female THEN $8::text[] ELSE $7::text[] END)[g] AS full_name,
             ($9::text[])[s] || ' ' || (CASE WHEN female THEN $11::text[] ELSE $10::text[] END)[m] || ' '
                  || (CASE WHEN female THEN $13::text[] ELSE $12::text[] END)[g] AS name_search
      FROM p) named
ON CONFLICT DO NOTHING
"""


async def write_members(dsn: str, province_id: str, count: int) -> None:
    from chassis.text import search_key

    connection = await asyncpg.connect(dsn)
    try:
        have = await connection.fetchval(
            "SELECT count(*) FROM members m JOIN tree_closure c ON c.descendant_id = m.unit_id "
            "WHERE c.ancestor_id = $1",
            province_id,
        )
        if have >= count:
            return
        started = time.perf_counter()
        names = [SURNAMES, MIDDLE["male"][:8], MIDDLE["female"][:8], GIVEN["male"][:20], GIVEN["female"][:20]]
        keys = [[search_key(n) for n in group] for group in names]
        for first in range(have + 1, count + 1, 100_000):
            await connection.execute(MEMBERS_SQL, first, min(first + 99_999, count), province_id, *names, *keys)
        # Every table, not only members: the province's 3,031 units arrived in the replica moments ago, and with the
        # tree's statistics taken half way through (or never) the planner sorts all 300,000 members for the first
        # page (~300 ms) instead of walking the name index (~5 ms), a state autovacuum ends soon after in service.
        await connection.execute("VACUUM ANALYZE")
        record(f"write {count - have:,} members", f"{time.perf_counter() - started:.0f} s")
    finally:
        await connection.close()


def network_log(cdp) -> list[tuple[str, str, float]]:
    """Every request's start and end (CDP's monotonic seconds), for `--profile`: the critical path of a screen."""
    events: list[tuple[str, str, float]] = []
    cdp.on("Network.requestWillBeSent", lambda e: events.append(("start", e["request"]["url"], e["timestamp"])))
    cdp.on("Network.responseReceived", lambda e: events.append(("answer", e["response"]["url"], e["timestamp"])))
    return events


def print_network_log(title: str, events: list[tuple[str, str, float]]) -> None:
    print(f"--- {title} (seconds since the navigation's first request)")
    for kind, url, at in events:
        print(f"{at - events[0][2]:7.3f} {kind:6} {url.split('//', 1)[-1].split('/', 1)[-1][:110]}")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def on_the_wire(cdp) -> tuple[dict[str, int], dict[str, str]]:
    """Bytes received per request (compressed, as sent) and each request's resource type."""
    transferred: dict[str, int] = {}
    kinds: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on("Network.loadingFinished", lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]))
    return transferred, kinds


async def open_members_list(page, province_id: str) -> float:
    started = time.perf_counter()
    # Not until the load event (goto's default): that waits for every module the page preloads, the screens' that
    # are not shown too, which on a phone comes about a second after the rows are on the screen and usable.
    await page.goto(f"/don-vi/{province_id}/doan-vien", wait_until="commit")
    await page.locator(MEMBER_ROW).first.wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - started


async def sign_in(page, username: str = OFFICER, password: str = PASSWORD) -> float:
    """Signs in from the sign-in page shown; the seconds from the click to the page the app lands on (the unit's
    own) shown, which is then left to settle (`settled`)."""
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    started = time.perf_counter()
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url("**/don-vi/**")
    await page.locator(LANDED).first.wait_for(state="visible", timeout=60_000)
    await page.locator(BUSY).first.wait_for(state="detached", timeout=60_000)
    took = time.perf_counter() - started
    await settled(page)
    return took


async def settled(page) -> None:
    """Until the page has been quiet for a second: no file or answer arrived, no long task ran. An officer opens the
    next screen from a page they have seen, seconds later; a navigation asked for while the last page still works
    waits for that work (the browser runs the leaving page's unload step on its main thread: up to half a second
    more on the phone right after signing in, and as much again when Ant Design, loaded after a plain screen's
    rows, is compiled from the cache on a repeat visit), which would be charged to the next screen."""
    await page.evaluate(QUIET)


QUIET = """() => new Promise((done) => {
  let last = performance.now();
  const seen = new PerformanceObserver(() => { last = performance.now(); });
  seen.observe({ entryTypes: ['resource', 'longtask'] });
  const check = () => {
    if (performance.now() - last < 1000) return void setTimeout(check, 100);
    seen.disconnect();
    done();
  };
  check();
})"""


async def throttle(context, page, profile):
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu"]})
    if profile["network"]:
        await cdp.send("Network.emulateNetworkConditions", {"offline": False, **profile["network"]})
    return cdp


async def measure(
    gateway_url: str,
    province_id: str,
    runs: int,
    variants: list[tuple[str, str]],
    served: Path | None,
    profile_network: bool = False,
) -> None:
    """Each profile's runs, the variants' in turns (one run of each, then again), so that the machine's load falls
    on every build alike. `served` is the gateway's web folder each variant is copied into before its run (None:
    the one build the gateway serves)."""
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, profile in PROFILES.items():
            timings = {variant: {what: [] for what in MEASURED} for variant, _ in variants}
            script_bytes: dict[str, list[int]] = {variant: [] for variant, _ in variants}
            for _ in range(runs):
                for variant, dist in variants:
                    if served is not None:
                        serve_variant(served, Path(dist))
                    one = await one_run(browser, gateway_url, province_id, name, profile, profile_network)
                    for what, seconds in one.items():
                        if what == "script bytes":
                            script_bytes[variant].append(int(seconds))
                        else:
                            timings[variant][what].append(seconds)
            for variant, _ in variants:
                prefix = f"{variant}: " if variant else ""
                for what, samples in timings[variant].items():
                    goal = GOALS[name]
                    record(
                        f"{prefix}{name}: {what} ready, p95 ({runs} runs)",
                        f"{p95(samples):.2f} s (median {statistics.median(samples):.2f} s)",
                        f"goal < {goal} s: {'met' if p95(samples) < goal else 'MISSED'}",
                    )
                record(
                    f"{prefix}{name}: JavaScript before sign-in (compressed, on the wire)",
                    f"{max(script_bytes[variant]) / 1024:.0f} KB",
                    "goal < 250 KB",
                )
        await browser.close()


MEASURED = (
    "sign-in page",
    "sign-in form sendable",
    "signed in, the unit's page",
    "members list",
    "search",
    "members list, repeat visit",
)


async def one_run(browser, gateway_url: str, province_id: str, name: str, profile: dict, profile_network: bool):
    """One cold visit (a new browser context): sign-in page, members list, a search; then the repeat visit."""
    timings: dict[str, float] = {}
    context = await browser.new_context(
        base_url=gateway_url, viewport=profile["viewport"], locale="vi-VN", is_mobile=name == "mobile"
    )
    page = await context.new_page()
    cdp = await throttle(context, page, profile)
    transferred, kinds = on_the_wire(cdp)
    events = network_log(cdp)

    started = time.perf_counter()
    # Not until the load event (goto's default): the field may be there, taking typing, before it.
    await page.goto("/dang-nhap", wait_until="commit")
    await page.get_by_label("Tên đăng nhập").wait_for(state="visible")
    timings["sign-in page"] = time.perf_counter() - started
    await page.locator('button[type="submit"]:not([disabled])').wait_for(state="visible")
    timings["sign-in form sendable"] = time.perf_counter() - started
    if profile_network:
        print_network_log(f"{name}: sign-in page, {timings['sign-in page']:.2f} s", list(events))
    timings["script bytes"] = sum(size for rid, size in transferred.items() if kinds.get(rid) == "Script")

    first = len(events)
    landed = timings["signed in, the unit's page"] = await sign_in(page)
    if profile_network:
        print_network_log(f"{name}: signed in, {landed:.2f} s", events[first:])
    first = len(events)
    timings["members list"] = await open_members_list(page, province_id)
    if profile_network:
        print_network_log(f"{name}: members list, {timings['members list']:.2f} s", events[first:])

    box = page.get_by_label("Tìm đoàn viên")
    await box.fill("tran thi lan")
    started = time.perf_counter()
    await box.press("Enter")
    await page.locator(MEMBER_ROW, has_text="Trần Thị").first.wait_for(state="visible", timeout=60_000)
    await page.locator(BUSY).first.wait_for(state="detached", timeout=60_000)
    timings["search"] = time.perf_counter() - started

    # The repeat visit: the HTTP cache as this visit left it, a new session, a new tab.
    await page.close()
    await context.clear_cookies()
    page = await context.new_page()
    await throttle(context, page, profile)
    await page.goto("/dang-nhap")
    await sign_in(page)
    timings["members list, repeat visit"] = await open_members_list(page, province_id)
    await context.close()
    return timings


async def cpu_profile(
    gateway_url: str, province_id: str, runs: int, variants: list[tuple[str, str]], served: Path | None
) -> None:
    """The members list opened on the mobile profile under Chromium's tracing: where the page's main thread spends
    the time from the navigation to the first row (self time by kind of task: script, style, layout, parsing...),
    and each visit's timeline: the long tasks (30 ms and more) beside the API's answers. Variants one after the
    other (a trace is read on its own, not as a sample of many)."""
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for variant, dist in variants:
            if served is not None:
                serve_variant(served, Path(dist))
            for name, profile in PROFILES.items():
                label = f"{variant}: {name}" if variant else name
                await traced_visits(browser, gateway_url, province_id, runs, label, name, profile)
        await browser.close()


async def traced_visits(
    browser, gateway_url: str, province_id: str, runs: int, label: str, name: str, profile: dict
) -> None:
    by_task: dict[str, float] = {}
    total = 0.0
    for _ in range(runs):
        context = await browser.new_context(
            base_url=gateway_url, viewport=profile["viewport"], locale="vi-VN", is_mobile=name == "mobile"
        )
        await context.add_init_script(ROW_STAMP)
        page = await context.new_page()
        cdp = await throttle(context, page, profile)
        await page.goto("/dang-nhap")
        await sign_in(page)
        trace: list[dict] = []
        complete = asyncio.get_running_loop().create_future()
        cdp.on("Tracing.dataCollected", lambda e, into=trace: into.extend(e["value"]))
        cdp.on("Tracing.tracingComplete", lambda e, done=complete: done.done() or done.set_result(None))
        await cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
        took = await open_members_list(page, province_id)
        await cdp.send("Tracing.end")
        await complete
        spans = main_thread_spans(trace)
        for span in spans:
            by_task[span["name"]] = by_task.get(span["name"], 0.0) + span["self"] / 1e6
        # A long task is 30 ms on the 4×-slowed phone, 10 ms on the desktop.
        print_timeline(f"{label}: members list, {took:.2f} s", trace, spans, 30_000 if profile["cpu"] > 1 else 10_000)
        total += took
        await context.close()
    print(f"--- {label}: the main thread by task, self time (s per visit; {runs} visits of {total / runs:.2f} s)")
    for task, seconds in sorted(by_task.items(), key=lambda item: -item[1])[:25]:
        print(f"  {seconds / runs:7.3f}  {task}")


TRACE_CATEGORIES = "devtools.timeline,v8,blink,disabled-by-default-devtools.timeline"
# Marks in the trace (console.timeStamp) when the members list's first row enters the DOM and the next frame after it.
ROW_STAMP = f"""
new MutationObserver((_, observer) => {{
  if (!document.querySelector({json.dumps(MEMBER_ROW)})) return;
  observer.disconnect();
  console.timeStamp('first row in the DOM');
  requestAnimationFrame(() => console.timeStamp('first row: next frame'));
}}).observe(document, {{ subtree: true, childList: true }});
"""


def main_thread_spans(trace: list[dict]) -> list[dict]:
    """The page's main thread's (CrRendererMain) complete events, each with its self time (`self`, its children's
    time taken out) and its top-level task (`task`)."""
    mains = {
        (e["pid"], e["tid"])
        for e in trace
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    spans = sorted(
        (dict(e) for e in trace if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and "dur" in e),
        key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"]),
    )
    stack: list[dict] = []
    for span in spans:
        while stack and (
            (stack[-1]["pid"], stack[-1]["tid"]) != (span["pid"], span["tid"])
            or stack[-1]["ts"] + stack[-1]["dur"] <= span["ts"]
        ):
            stack.pop()
        span["self"] = span["dur"]
        if stack:
            stack[-1]["self"] -= span["dur"]
        span["task"] = stack[0] if stack else span
        stack.append(span)
    return spans


def print_timeline(title: str, trace: list[dict], spans: list[dict], long_task_us: int) -> None:
    """The visit's tasks of `long_task_us` and more (with what they spent their time on) and the API's answers, in
    seconds since the navigation's request."""
    sent = [e for e in trace if e.get("name") == "ResourceSendRequest"]
    start = next((e["ts"] for e in sent if "/doan-vien" in e["args"]["data"].get("url", "")), None)
    if start is None:
        return
    urls = {e["args"]["data"]["requestId"]: e["args"]["data"]["url"] for e in sent}
    lines: list[tuple[float, str]] = []
    for event in trace:
        if event.get("name") in ("ResourceSendRequest", "ResourceReceiveResponse"):
            url = urls.get(event["args"]["data"]["requestId"], "")
            what = "ask" if event["name"] == "ResourceSendRequest" else "answer"
            if "/api/" in url:
                lines.append((event["ts"], f"{what} {url.split('/api/', 1)[1][:80]}"))
            elif "/assets/" in url:
                lines.append((event["ts"], f"{what} {url.rsplit('/', 1)[1]}"))
        if event.get("name") == "TimeStamp":
            lines.append((event["ts"], event["args"]["data"].get("message", "")))
    kinds: dict[int, dict[str, float]] = {}
    for span in spans:
        task = kinds.setdefault(id(span["task"]), {})
        task[span["name"]] = task.get(span["name"], 0.0) + span["self"]
    for span in spans:
        if span["task"] is span and span["dur"] >= long_task_us and span["ts"] >= start:
            top = sorted(kinds[id(span)].items(), key=lambda item: -item[1])[:3]
            inside = ", ".join(f"{name} {us / 1000:.0f}" for name, us in top)
            lines.append((span["ts"], f"task {span['dur'] / 1000:5.0f} ms: {inside}"))
    # The trace's bounds: from the tracing's start (just before the navigation was asked for) to its end (just
    # after the first row was seen), so that the time outside the page's own work shows too.
    stamped = [e["ts"] for e in trace if e.get("ts")]
    lines += [(min(stamped), "tracing started"), (max(stamped), "tracing ended")]
    print(f"--- {title} (seconds since the navigation's request)")
    for at, text in sorted(lines):
        print(f"  {(at - start) / 1e6:6.3f}  {text}")


def lighthouse(url: str, headers: dict[str, str] | None, label: str) -> None:
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            "npx",
            "--yes",
            "lighthouse@12.2.3",
            url,
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility",
            "--form-factor=mobile",
            "--quiet",
            f"--chrome-flags={' '.join(['--headless=new', *CHROMIUM_ARGS])}",
            "--locale=vi",
        ]
        if headers:
            command.append(f"--extra-headers={json.dumps(headers)}")
        # Lighthouse sometimes loses its own trace of the load ("NO_NAVSTART") on a busy machine: one more try.
        for attempt in (1, 2):
            done = subprocess.run(
                command, cwd=ROOT / "web", env={**os.environ, "CHROME_PATH": chromium}, timeout=600, check=attempt == 2
            )
            if done.returncode == 0:
                break
        result = json.loads(report.read_text())
        scores, audits = result["categories"], result["audits"]
        record(
            f"Lighthouse (mobile): {label}",
            f"performance {round(scores['performance']['score'] * 100)}, "
            f"accessibility {round(scores['accessibility']['score'] * 100)}",
            "goal >= 90 each",
        )
        metrics = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index")
        print(f"  {label}: " + ", ".join(f"{m} {audits[m]['displayValue']}" for m in metrics if m in audits))
        for category in ("accessibility", "performance"):
            for ref in scores[category]["auditRefs"]:
                audit = audits[ref["id"]]
                if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                    items = audit.get("details", {}).get("items", [])[:3]
                    nodes = [i.get("node", {}).get("snippet", "") or i.get("url", "") for i in items]
                    print(f"  {label}: {category} audit {ref['id']} scored {audit['score']}: {nodes}")


async def fresh_refresh_cookie(gateway_url: str) -> str:
    async with gateway_client(gateway_url) as http:
        login = await http.post(
            "/api/v1/identity/login",
            json={"username": OFFICER, "password": PASSWORD},
            headers={"x-token-transport": "cookie"},
        )
        login.raise_for_status()
        return login.cookies["congdoan_refresh"]


def serve_variant(served: Path, dist: Path) -> None:
    """The variant's files into the folder the gateway serves: its pages replace the last variant's (and a page the
    last variant had and this one has not is gone, e.g. a screen's page), its hashed assets join theirs (names never
    collide, and a page asks only for its own)."""
    # A build copied before its last step (the compressed copies) would be sent plain: 3-4 times the bytes.
    scripts = [f for f in (dist / "assets").glob("*.js") if f.stat().st_size >= 1024]
    plain = [f.name for f in scripts if not f.with_name(f.name + ".br").is_file()]
    if plain:
        raise RuntimeError(f"{dist}: scripts without their compressed copies (an unfinished build?): {plain[:3]}")
    if served.is_dir():
        for entry in served.iterdir():
            if entry.name != "assets":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(dist, served, dirs_exist_ok=True)


async def main(args: argparse.Namespace) -> None:
    # Every run signs in from 127.0.0.1: the production per-address login bucket would make runs wait.
    roomy = {"GATEWAY_RATE_LIMIT_LOGIN_BURST": "1000", "GATEWAY_RATE_LIMIT_LOGIN_PER_MINUTE": "6000"}
    variants = [tuple(v.split("=", 1)) for v in args.variant] or [("", str(ROOT / "web" / "dist"))]
    served = ROOT / ".data" / "bench-web-served"
    if args.variant:
        shutil.rmtree(served, ignore_errors=True)
        for _, dist in variants:
            serve_variant(served, Path(dist))
        roomy["GATEWAY_WEB_DIR"] = str(served)
    platform = Platform(
        ROOT / ".data" / "bench-web",
        base_port=12_000,
        broker_port=12_390,
        demo_data=False,
        database_prefix="benchweb_",
        settings=roomy,
    )
    await asyncio.to_thread(platform.start)
    try:
        async with gateway_client(platform.gateway_url) as admin:
            login = await admin.post("/api/v1/identity/login", json={"username": "admin", "password": "Admin@12345"})
            login.raise_for_status()
            admin.headers["authorization"] = f"Bearer {login.json()['access_token']}"
            started = time.perf_counter()
            province_id = await build_province(platform.gateway_url, admin, uppers=30, grassroots=3_000)
            dsn = platform.database_dsn("members")
            await wait_for_replica(dsn, province_id, 3_031)
            record(
                "province of 3,031 units through the API, in the members replica",
                f"{time.perf_counter() - started:.0f} s",
            )
            await write_members(dsn, province_id, args.members)
        if args.cpu_profile:
            await cpu_profile(platform.gateway_url, province_id, args.runs, variants, served if args.variant else None)
            return
        await measure(
            platform.gateway_url, province_id, args.runs, variants, served if args.variant else None, args.profile
        )
        for variant, dist in variants:
            if args.variant:
                serve_variant(served, Path(dist))
            if not args.skip_lighthouse:
                prefix = f"{variant}: " if variant else ""
                lighthouse(f"{platform.gateway_url}/dang-nhap", None, f"{prefix}sign-in page")
                cookie = await fresh_refresh_cookie(platform.gateway_url)
                lighthouse(
                    f"{platform.gateway_url}/don-vi/{province_id}/doan-vien",
                    {"Cookie": f"congdoan_refresh={cookie}", "X-Token-Transport": "cookie"},
                    f"{prefix}members list",
                )
    finally:
        await asyncio.to_thread(platform.stop)
    print_results()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print each members list run's requests in time")
    parser.add_argument(
        "--cpu-profile", action="store_true", help="only: where the phone's main thread spends the members list's time"
    )
    parser.add_argument(
        "--variant", action="append", default=[], metavar="NAME=DIST", help="a build of the web app to measure"
    )
    asyncio.run(main(parser.parse_args()))
