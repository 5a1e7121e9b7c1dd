"""Every read model keeps up with member writes (issue 12). A script, not a test; run it alone on the machine:
`flock /tmp/heavy.lock uv run python tests/benchmarks/bench_read_models.py [--rows 20000] [--runs 1]
[--big-rows 1000000] [--changes 100] [--skip-big | --skip-small] [--set CONSUMER_BATCH_MAX_RECORDS=5000 ...]
[--scale members.relay=2,...] [--profile members-relay,reporting-consume]`

It starts the real platform with deploy/local's `Platform` (every service's api, consume and relay processes
under supervisord, the development broker, migrations; its own databases `benchrm_*` (`--db-prefix`) on the test
PostgreSQL server, dropped at the end) on free ports, logs in through the gateway as the bootstrap administrator
and creates a province with grassroots unions. Then, through the gateway:
1. A 20,000-row .csv imported into one union (`mode=valid_rows_only`); from the import's commit (its
   `finished_at`), the time until each read model holds exactly the members table's members of the union
   (orgtree `member_units`, reporting `member_facts`, cards `card_holders`, dues `dues_payers`: same members,
   units, statuses and versions, compared by an order-free digest in SQL).                goal ≤ 5 s
2. The same 20,000 approved by one bulk decision; the same, from the decision's answer.    goal ≤ 5 s
   `--runs N` repeats 1 and 2 on N unions of one platform and gives the median and the worst of the N.
3. Single changes at light load: a member suspended and resumed in turn, one change every 250 ms; the time
   from the API's answer until reporting's database shows it, and the p95 of reporting's own freshness
   histogram (`consumer_event_delay_seconds`) over those changes.                          goal p95 < 1 s
4. A 1,000,000-row .csv imported into another union; from its commit, the time until every read model is
   equal; each consumer group's events per second; the broker's memory.                   goal ≤ 120 s
   `--skip-small` runs this phase alone (a hold of the heavy lock of its own); its .csv is generated once and
   kept in .data/bench_read_models-csv/.
For each phase: the CPU seconds each platform process used (from /proc), those of PostgreSQL's backends
per service's database (`pg:reporting`), and the machine's load.
`--set NAME=VALUE` sets `<SERVICE>_NAME` for every service (e.g. the consumers' batch size) to compare settings;
`--scale` runs several workers of a service as the runner's `--scale` does; `--profile` samples the named programs
with py-spy (`uv tool install py-spy`) over all phases and writes their stacks (py-spy's raw, collapsed format) to
.data/bench_read_models-profiles/.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from localrun.client import gateway_client  # noqa: E402
from localrun.platform import Platform  # noqa: E402
from localrun.services import ONE_MACHINE_SCALE, SERVICES, parse_scale  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from tests.benchmarks.bench_members import as_csv, import_rows  # noqa: E402
from tests.support.infra import drop_databases, free_port_block, postgres_url  # noqa: E402
from tests.support.polling import eventually  # noqa: E402

FOLLOWERS = {"orgtree": "member_units", "reporting": "member_facts", "cards": "card_holders", "dues": "dues_payers"}
MEMBER_EVENTS = "members.member.v1"
# An order-free digest of a union's members as a view holds them: equal digests, equal sets (up to hash luck).
DIGEST = (
    "SELECT count(*), coalesce(sum(version), 0), "
    "coalesce(sum(hashtext(member_id::text || status || unit_id::text || version::text)::bigint), 0) "
    "FROM {table} WHERE unit_id = $1"
)
results: list[tuple[str, str, str, str]] = []
# Seconds from the writer's commit until the last of the read models was equal, per phase and run.
every_equal: dict[str, list[float]] = {"import": [], "approval": []}


def record(what: str, measured: str, goal: str = "–", note: str = "") -> None:
    results.append((what, measured, goal, note))
    print(f"  {what}: {measured} (goal {goal}) {note}", flush=True)


@dataclass
class Bench:
    platform: Platform
    http: httpx.AsyncClient
    databases: dict[str, asyncpg.Connection] = field(default_factory=dict)
    scraper: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10))

    async def connect(self) -> None:
        for service in ("members", *FOLLOWERS):
            self.databases[service] = await asyncpg.connect(self.platform.database_dsn(service))

    async def close(self) -> None:
        for connection in self.databases.values():
            await connection.close()
        await self.scraper.aclose()

    async def digest(self, service: str, unit_id: str) -> tuple:
        table = "members" if service == "members" else FOLLOWERS[service]
        return tuple(await self.databases[service].fetchrow(DIGEST.format(table=table), unit_id))

    async def metrics(
        self, service: str, command: str = "consume", instance: int = 1
    ) -> dict[tuple[str, tuple], float]:
        text = (await self.scraper.get(self.platform.metrics_url(service, command, instance))).text
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    async def processed(self, service: str) -> float:
        """Member events the service's consumers (every scaled-out instance) have applied so far."""
        instances = self.platform.scale.get(f"{service}.consume", 1)
        # Scraped first: an `await` inside the generator would make it an async generator, which `sum` cannot take.
        scraped = [await self.metrics(service, instance=instance) for instance in range(1, instances + 1)]
        return sum(
            value
            for samples in scraped
            for (name, labels), value in samples.items()
            if name == "events_consumed_total"
            and dict(labels).get("outcome") == "processed"
            and dict(labels).get("event_type", "").startswith("members.member.")
        )


# --- process figures ---------------------------------------------------------------------------------------------


def pid_of(platform: Platform, program: str) -> int:
    return int(platform.supervisor.info(program)["pid"])


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def machine_cpu() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return (sum(int(f) for f in fields) - int(fields[3]) - int(fields[4])) / os.sysconf("SC_CLK_TCK")


def database_backends(prefix: str) -> dict[int, str]:
    """PostgreSQL's backends serving the platform's databases (their process titles name the database), by pid:
    the service whose database each serves. The server is on this machine, so its work is the platform's too."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {prefix}" in title:
            found[int(entry.name)] = title.split(f" {prefix}", 1)[1].split()[0]
    return found


class CpuMeter:
    """CPU seconds of the platform's workers (and the members API, where imports run) over a phase, and of the
    PostgreSQL backends serving each service's database (`pg:reporting`: reporting's consumer, API and relay
    connections together, and the benchmark's own digest queries)."""

    PROGRAMS = (
        "members-api",
        "members-relay",
        "orgtree-consume",
        "reporting-consume",
        "cards-consume",
        "dues-consume",
        "members-consume",
        "identity-consume",
        "broker",
    )

    def __init__(self, platform: Platform) -> None:
        # Scaled-out workers (`--scale`) are counted too: members-relay-2, reporting-consume-2, ...
        scaled = [process.program for process in platform.processes if process.instance > 1]
        self.pids = {program: pid_of(platform, program) for program in (*self.PROGRAMS, *scaled)}
        self.start = {program: cpu_of(pid) for program, pid in self.pids.items()}
        self.prefix = platform.database_prefix
        self.backends = {pid: cpu_of(pid) for pid in database_backends(self.prefix)}
        self.machine = machine_cpu()
        self.began = time.monotonic()

    def report(self, phase: str) -> None:
        elapsed = time.monotonic() - self.began
        used = {program: cpu_of(pid) - self.start[program] for program, pid in self.pids.items()}
        for pid, service in database_backends(self.prefix).items():
            try:  # a backend that started during the phase counts whole; one that ended is not seen
                spent = cpu_of(pid) - self.backends.get(pid, 0.0)
            except OSError:
                continue
            used[f"pg:{service}"] = used.get(f"pg:{service}", 0.0) + spent
        machine = machine_cpu() - self.machine
        parts = ", ".join(f"{program} {seconds:.1f}" for program, seconds in used.items() if seconds >= 0.05)
        record(
            f"{phase}: CPU seconds per process",
            parts,
            "–",
            f"whole machine {machine:.1f} core-s in {elapsed:.1f} s, load {os.getloadavg()[0]:.1f}",
        )


# --- steps -------------------------------------------------------------------------------------------------------


async def create_unit(http: httpx.AsyncClient, code: str, name: str, type_code: str, parent: str) -> str:
    response = await http.post(
        "/api/v1/orgtree/units", json={"code": code, "name": name, "type_code": type_code, "parent_id": str(parent)}
    )
    assert response.status_code == 201, response.text
    return response.json()["unit_id"]


async def import_file(bench: Bench, unit_id: str, name: str, content: bytes) -> datetime:
    """Upload through the gateway and wait for the import; returns its commit time (`finished_at`)."""

    async def upload():
        return await bench.http.post(
            "/api/v1/members/imports",
            data={"unit_id": unit_id, "mode": "valid_rows_only"},
            files={"file": (name, content, "text/csv")},
            timeout=600,
        )

    # Until members' tree replica has the new unit, the upload is refused as outside the caller's scope.
    response = await eventually(upload, lambda r: r.status_code not in (403, 404), timeout=60)
    assert response.status_code == 202, response.text
    import_id = response.json()["import_id"]

    async def state():
        return (await bench.http.get(f"/api/v1/members/imports/{import_id}")).json()

    done = await eventually(state, lambda s: s["status"] in ("completed", "rejected"), timeout=1800, max_interval=1.0)
    assert done["status"] == "completed", done
    print(f"  import {name}: {done['inserted_rows']:,} members, {done['rows_per_second']} rows/s", flush=True)
    return datetime.fromisoformat(done["finished_at"])


async def until_equal(
    bench: Bench,
    unit_id: str,
    since_wall: float,
    expected_events: int,
    baseline: dict,
    phase: str,
    goal: str,
    within: float,
) -> dict[str, float]:
    """Seconds from `since_wall` (the writer's commit, epoch) until each read model equals the members table;
    each consumer's events per second while it caught up."""
    target = await bench.digest("members", unit_id)
    reached: dict[str, float] = {}
    progress: dict[str, list[tuple[float, float]]] = {service: [] for service in FOLLOWERS}
    deadline = time.monotonic() + within
    while len(reached) < len(FOLLOWERS) and time.monotonic() < deadline:
        for service in FOLLOWERS:
            if service in reached:
                continue
            applied = await bench.processed(service) - baseline[service]
            progress[service].append((time.time(), applied))
            # The digest reads the whole union: only once the consumer has applied about as many events.
            if applied >= expected_events and await bench.digest(service, unit_id) == target:
                reached[service] = time.time() - since_wall
        await asyncio.sleep(0.1)  # the next look at the consumers' progress; the condition is the digest
    for service in FOLLOWERS:
        seconds = reached.get(service)
        samples = [(t, n) for t, n in progress[service] if n > 0]
        rate = ""
        if len(samples) > 1 and samples[-1][1] > samples[0][1]:
            rate = f"; {(samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0]):,.0f} events/s applied"
        record(
            f"{phase}: {service} equal to members",
            "not within the wait" if seconds is None else f"{seconds:.1f} s",
            goal,
            f"{target[0]:,} members{rate}",
        )
    return reached


async def single_changes(bench: Bench, unit_id: str, count: int) -> None:
    """Suspend and resume one member in turn; time until reporting's database shows each change."""
    members = await bench.databases["members"].fetch(
        "SELECT member_id FROM members WHERE unit_id = $1 AND status = 'active' LIMIT 1", unit_id
    )
    member_id = str(members[0]["member_id"])
    before = await bench.metrics("reporting")
    latencies = []
    for number in range(count):
        suspend = number % 2 == 0
        path = f"/api/v1/members/members/{member_id}/{'suspension' if suspend else 'resumption'}"
        body = (
            {"reason": "Đo độ trễ báo cáo", "until": (date.today() + timedelta(days=30)).isoformat()}
            if suspend
            else {"reason": "Đo độ trễ báo cáo"}
        )
        response = await bench.http.post(path, json=body)
        answered = time.perf_counter()
        assert response.status_code == 200, response.text
        version = response.json()["version"]
        await eventually(
            lambda: bench.databases["reporting"].fetchval(
                "SELECT version FROM member_facts WHERE member_id = $1", member_id
            ),
            lambda found, version=version: found == version,
            timeout=30,
            interval=0.005,
            max_interval=0.005,
        )
        latencies.append(time.perf_counter() - answered)
        await asyncio.sleep(0.25)  # light load: one change every quarter of a second
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95) - 1]
    record(
        f"single change → visible in reporting, {count} changes, p50 / p95 / max",
        f"{p50 * 1000:.0f} / **{p95 * 1000:.0f}** / {latencies[-1] * 1000:.0f} ms",
        "p95 < 1 s",
        "from the API's answer to reporting's row at the new version (polled every 5 ms)",
    )
    after = await bench.metrics("reporting")
    record(
        "same, reporting's freshness histogram (event time → commit), p95",
        f"≤ {histogram_p95(before, after, 'reporting', MEMBER_EVENTS) * 1000:.0f} ms",
        "p95 < 1 s",
        "upper bound of the bucket holding the 95th percentile of the changes' delays",
    )


def histogram_p95(before: dict, after: dict, consumer: str, topic: str) -> float:
    buckets = []
    for (name, labels), value in after.items():
        found = dict(labels)
        if name == "consumer_event_delay_seconds_bucket" and found.get("topic") == topic:
            bound = float("inf") if found["le"] == "+Inf" else float(found["le"])
            buckets.append((bound, value - before.get((name, labels), 0.0)))
    buckets.sort()
    total = buckets[-1][1]
    return next(bound for bound, count in buckets if count >= 0.95 * total)


async def run(args: argparse.Namespace, server: str) -> None:
    data_dir = ROOT / ".data" / "bench_read_models"
    shutil.rmtree(data_dir, ignore_errors=True)
    for name, value in args.set:
        for service in SERVICES:
            os.environ[f"{service.prefix}{name}"] = value
    os.environ["MEMBERS_IMPORT_MAX_ROWS"] = str(max(args.big_rows, 200_000))
    os.environ["MEMBERS_IMPORT_MAX_BYTES"] = str(512 * 2**20)
    os.environ["GATEWAY_MAX_BODY_BYTES"] = str(512 * 2**20)
    os.environ["GATEWAY_RATE_LIMIT_USER_PER_MINUTE"] = "100000"  # the status polls of one administrator
    base = free_port_block()
    platform = Platform(
        data_dir,
        base_port=base,
        broker_port=base + 390,
        database_url=server,
        demo_data=False,
        database_prefix=args.db_prefix,
        ready_timeout=300,
        scale={**ONE_MACHINE_SCALE, **args.scale},
    )
    started = time.monotonic()
    platform.start()
    print(f"platform ready in {time.monotonic() - started:.0f} s (ports {base}…)", flush=True)
    profilers = start_profilers(platform, args.profile)
    try:
        async with gateway_client(platform.gateway_url, timeout=600) as http:
            login = await http.post("/api/v1/identity/login", json={"username": "admin", "password": "Admin@12345"})
            assert login.status_code == 200, login.text
            http.headers["authorization"] = f"Bearer {login.json()['access_token']}"
            bench = Bench(platform, http)
            await bench.connect()
            try:
                await phases(bench, args)
            finally:
                await bench.close()
    finally:
        stop_profilers(profilers)
        platform.stop()
        await drop_databases(server, prefix=args.db_prefix)


PROFILES = ROOT / ".data" / "bench_read_models-profiles"


def start_profilers(platform: Platform, programs: list[str]) -> list[subprocess.Popen]:
    """py-spy sampling each program until `stop_profilers` (it writes its file when interrupted)."""
    if not programs:
        return []
    PROFILES.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path.home() / ".local" / "bin" / "py-spy")
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid_of(platform, program)),
                "--rate",
                "200",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(PROFILES / f"{program}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for program in programs
    ]


def stop_profilers(profilers: list[subprocess.Popen]) -> None:
    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)
    for profiler in profilers:
        profiler.wait(timeout=60)


async def import_and_approve(bench: Bench, args: argparse.Namespace, union: str, run_number: int) -> None:
    http = bench.http
    label = f"run {run_number + 1}: " if args.runs > 1 else ""
    rows = as_csv(import_rows(args.rows, 1 + run_number * args.rows, "096"))
    baseline = {service: await bench.processed(service) for service in FOLLOWERS}
    meter = CpuMeter(bench.platform)
    finished = await import_file(bench, union, f"bench-rm-20k-{run_number}.csv", rows)
    reached = await until_equal(
        bench,
        union,
        finished.timestamp(),
        args.rows,
        baseline,
        f"{label}import of {args.rows:,} rows",
        "≤ 5 s after the import's commit",
        within=600,
    )
    meter.report(f"{label}import of {args.rows:,} rows")
    every_equal["import"].append(max(reached.values()) if len(reached) == len(FOLLOWERS) else float("inf"))

    baseline = {service: await bench.processed(service) for service in FOLLOWERS}
    meter = CpuMeter(bench.platform)
    response = await http.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": union})
    assert response.status_code == 200, response.text
    answered = time.time()
    record(
        f"{label}bulk approval of {args.rows:,}",
        f"{response.elapsed.total_seconds():.1f} s",
        "–",
        f"{response.json()['decided']:,} approved; the API's answer after its commit",
    )
    reached = await until_equal(
        bench,
        union,
        answered,
        args.rows,
        baseline,
        f"{label}bulk approval of {args.rows:,}",
        "≤ 5 s after the decision's commit",
        within=600,
    )
    meter.report(f"{label}bulk approval of {args.rows:,}")
    every_equal["approval"].append(max(reached.values()) if len(reached) == len(FOLLOWERS) else float("inf"))


async def phases(bench: Bench, args: argparse.Namespace) -> None:
    http = bench.http
    province = await create_unit(
        http, "BRM", "Liên đoàn Lao động tỉnh Đo kiểm", "provincial_federation", NATIONAL_CENTRE_ID
    )
    runs = 0 if args.skip_small else args.runs
    unions = [
        await create_unit(http, f"BRM-{n}", f"Công đoàn cơ sở Đo kiểm {n}", "grassroots_union", province)
        for n in range(1, runs + 3)
    ]
    # 1. A 20,000-row import, then its bulk approval; `--runs` times, each into a union of its own.
    for run_number in range(runs):
        await import_and_approve(bench, args, unions[2 + run_number], run_number)
    if runs > 1:
        for phase, seconds in every_equal.items():
            record(
                f"{phase} of {args.rows:,}: every read model equal, median / worst of {runs} runs",
                f"{statistics.median(seconds):.1f} / {max(seconds):.1f} s",
                "≤ 5 s",
                "after the writer's commit; " + ", ".join(f"{value:.1f}" for value in seconds),
            )
    if args.skip_small:
        await big_import(bench, args, unions[0])
        return

    # 2. Single changes at light load.
    if not args.changes:
        return
    small = as_csv(import_rows(20, 900_000, "096"))
    await import_file(bench, unions[1], "bench-rm-small.csv", small)
    response = await http.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": unions[1]})
    assert response.status_code == 200, response.text
    await eventually(lambda: bench.digest("reporting", unions[1]), lambda d: d[1] == 2 * 20, timeout=60)
    meter = CpuMeter(bench.platform)
    await single_changes(bench, unions[1], args.changes)
    meter.report(f"{args.changes} single changes")

    # 3. A 1,000,000-row import.
    if not args.skip_big:
        await big_import(bench, args, unions[0])


def big_csv(rows: int) -> bytes:
    """The big import's .csv, generated once and kept in .data (a minute of a core for a million rows)."""
    kept = ROOT / ".data" / "bench_read_models-csv" / f"{rows}.csv"
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(as_csv(import_rows(rows, 200_000, "095")))
    return kept.read_bytes()


async def big_import(bench: Bench, args: argparse.Namespace, union: str) -> None:
    big = big_csv(args.big_rows)
    broker_pid = pid_of(bench.platform, "broker")
    print(f"  broker before: {memory_mb(broker_pid)[0]:.0f} MB resident", flush=True)
    baseline = {service: await bench.processed(service) for service in FOLLOWERS}
    meter = CpuMeter(bench.platform)
    started = time.time()
    finished = await import_file(bench, union, "bench-rm-1m.csv", big)
    record(
        f"import of {args.big_rows:,} rows",
        f"{finished.timestamp() - started:.0f} s",
        "–",
        "upload through the gateway to the import's commit",
    )
    await until_equal(
        bench,
        union,
        finished.timestamp(),
        args.big_rows,
        baseline,
        f"import of {args.big_rows:,} rows",
        "≤ 120 s after the import's commit",
        within=900,
    )
    meter.report(f"import of {args.big_rows:,} rows")
    resident, peak = memory_mb(broker_pid)
    record(
        "broker memory after all phases",
        f"{resident:.0f} MB resident, peak {peak:.0f} MB",
        "–",
        "Tansu, memory storage, lz4 batches",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-small", action="store_true", help="only the big import (a hold of its own)")
    parser.add_argument("--db-prefix", default="benchrm_", help="of its databases (a session's own name)")
    parser.add_argument("--runs", type=int, default=1, help="20,000-row imports and approvals, one union each")
    parser.add_argument(
        "--set",
        type=lambda s: tuple(s.split("=", 1)),
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="<SERVICE>_NAME=VALUE for every service",
    )
    parser.add_argument(
        "--scale",
        type=parse_scale,
        default={},
        metavar="SERVICE.PROCESS=N,...",
        help="worker processes per service and command on top of the runner's defaults, as its --scale "
        "(reporting.consume=1 for one reporting consumer)",
    )
    parser.add_argument(
        "--profile",
        type=lambda s: [p for p in s.split(",") if p],
        default=[],
        metavar="PROGRAM,...",
        help="sample these programs with py-spy (e.g. members-relay)",
    )
    args = parser.parse_args()
    # Stopped from outside (a background job ignores SIGINT), it still stops its platform and drops its databases.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    logging.basicConfig(level=logging.WARNING)
    load = os.getloadavg()
    print(
        f"bench_read_models on {os.cpu_count()} CPUs, load {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
        f"settings {dict(args.set) or 'one-machine defaults'}, "
        f"scale { ({**ONE_MACHINE_SCALE, **args.scale}) } (one of every other worker)",
        flush=True,
    )
    server = postgres_url()  # may start an embedded server; it runs its own event loop
    asyncio.run(run(args, server))
    print("\n| What | Measured | Goal | Note |\n|---|---|---|---|")
    for row in results:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
