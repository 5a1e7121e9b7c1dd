"""The chaos scenario, shared by tests/e2e/test_chaos.py (a small list, in CI) and tests/benchmarks/bench_chaos.py
(20,000 rows, run once): an Excel import and its bulk approval through the gateway while processes are killed
with SIGKILL and the broker crashes, then every read model compared with the members table, row by row.

Three phases, each ending when the platform has converged (no unpublished event, every read model equal to the
members table), so each fault has its own figure:
1. the import, and SIGKILL of the members API (its worker runs the import) while it inserts;
2. approval of half the list, and SIGKILL of the members relay, then of the reporting, cards and dues consumers
   while they apply it;
3. approval of the rest, and SIGKILL of the broker: it comes back empty and the runner refills it from the
   outboxes (restarting every Kafka client, the gateway included).
A client keeps reading through the gateway all along: the only errors it may see are refusals while something
is down (503 `service-unavailable` or `checks-unavailable`, or a refused connection while the gateway restarts).
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from dataclasses import dataclass, field

import asyncpg
import httpx
import xlsxwriter
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.demo_people import member_list

from tests.support.polling import eventually

REFUSED_WHILE_DOWN = {"service-unavailable", "checks-unavailable"}
CONSUMERS = ("orgtree", "reporting", "cards", "dues")
# The read models of the members, each with the members' (member_id, unit_id, status, version) by its own names.
READ_MODELS = {
    "orgtree": "select member_id, unit_id, status, version from member_units where unit_id = any($1)",
    "reporting": "select member_id, unit_id, status, version from member_facts where unit_id = any($1)",
    "cards": "select member_id, unit_id, status, version from card_holders where unit_id = any($1)",
    "dues": "select member_id, unit_id, status, version from dues_payers where unit_id = any($1)",
}


@dataclass
class Fault:
    what: str
    phase: int
    at: float
    back_after_s: float | None = None  # until the killed program answered /ready again


@dataclass
class ChaosFigures:
    rows: int
    members: int = 0
    member_events: int = 0
    faults: list[Fault] = field(default_factory=list)
    converged_after_s: dict[int, float] = field(default_factory=dict)  # phase → seconds from its first fault
    phase_s: dict[int, float] = field(default_factory=dict)  # phase → seconds from its start to convergence
    inbox: dict[str, tuple[int, int]] = field(default_factory=dict)  # consumer → (inbox rows, distinct events)
    requests: int = 0
    refused_while_down: int = 0
    server_errors: list[str] = field(default_factory=list)
    refilled_events: int = 0  # republished from the outboxes into the restarted broker
    refill_s: float = 0.0


def as_xlsx(csv_bytes: bytes) -> bytes:
    """The same list as an Excel workbook, as a unit office sends it."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách đoàn viên")
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write_string(index, column, value)
    workbook.close()
    return buffer.getvalue()


class Client:
    """Reads through the gateway for as long as the scenario runs, and keeps every status it saw."""

    def __init__(self, gateway_url: str, auth: httpx.Auth, unit_id: str, figures: ChaosFigures) -> None:
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=30, auth=auth)
        self.unit_id, self.figures = unit_id, figures
        self._stop = asyncio.Event()

    async def get(self, path: str, **params) -> httpx.Response | None:
        """One request; None when refused while something was down. Any other 5xx is kept as an error."""
        self.figures.requests += 1
        try:
            response = await self.http.get(path, params=params)
        except httpx.TransportError:  # the gateway restarting with the broker: nothing listens for a moment
            self.figures.refused_while_down += 1
            return None
        if response.status_code >= 500:
            code = response.json().get("code") if "json" in response.headers.get("content-type", "") else None
            if response.status_code == 503 and code in REFUSED_WHILE_DOWN:
                self.figures.refused_while_down += 1
                return None
            self.figures.server_errors.append(f"{response.status_code} {path} {response.text[:300]}")
        return response

    async def browse(self) -> None:
        while not self._stop.is_set():
            await self.get("/api/v1/members/search", unit_id=self.unit_id, limit=20)
            await self.get("/api/v1/reporting/member-counts", unit_id=self.unit_id)
            await self.get(f"/api/v1/orgtree/units/{self.unit_id}")
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=1.0)  # a person's pace, within the per-user limit
            except TimeoutError:
                pass

    async def close(self) -> None:
        self._stop.set()
        await self.http.aclose()


async def fetch(platform, service: str, query: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(platform.database_dsn(service))
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def differences(platform, unit_ids: list[uuid.UUID]) -> dict[str, int]:
    """How far each read model is from the members table (rows missing, extra or at another version), the
    reporting counts from the members' counts, and the members outbox from empty. Empty: converged."""
    truth = {
        tuple(r)
        for r in await fetch(
            platform,
            "members",
            "select member_id, unit_id, status, version from members where unit_id = any($1)",
            unit_ids,
        )
    }
    found: dict[str, int] = {}
    for service, query in READ_MODELS.items():
        rows = {tuple(r) for r in await fetch(platform, service, query, unit_ids)}
        if rows != truth:
            found[service] = len(rows ^ truth)
    counted = {
        (r["unit_id"], r["status"]): r["members"]
        for r in await fetch(
            platform,
            "reporting",
            "select unit_id, status, sum(members)::bigint as members from unit_member_counts"
            " where unit_id = any($1) group by 1, 2 having sum(members) <> 0",
            unit_ids,
        )
    }
    expected: dict[tuple, int] = {}
    for _, unit_id, status, _ in truth:
        expected[unit_id, status] = expected.get((unit_id, status), 0) + 1
    if counted != expected:
        found["reporting counts"] = len(set(counted.items()) ^ set(expected.items()))
    unpublished = (
        await fetch(platform, "members", "select count(*) as n from outbox_events where published_at is null")
    )[0]["n"]
    if unpublished:
        found["unpublished"] = unpublished
    return found


async def converge(platform, unit_ids: list[uuid.UUID], since: float, timeout: float) -> float:
    await eventually(
        lambda: differences(platform, unit_ids), lambda found: not found, timeout=timeout, max_interval=1.0
    )
    return time.monotonic() - since


async def back(platform, program: str, timeout: float = 120) -> float:
    """Seconds from now until the program killed a moment ago answers /ready again."""
    started = time.monotonic()
    process = next(p for p in platform.processes if p.program == program)
    if process.command == "api":
        url = f"{platform.urls[process.service.name]}{process.service.ready_path}"
    else:
        url = platform.metrics_url(process.service.name, process.command, process.instance).replace(
            "/metrics", "/ready"
        )

    async def ready() -> bool:
        async with httpx.AsyncClient(timeout=2) as http:
            try:
                return (await http.get(url)).status_code == 200
            except httpx.TransportError:
                return False

    await eventually(ready, bool, timeout=timeout, interval=0.1)
    return time.monotonic() - started


async def kill(platform, figures: ChaosFigures, phase: int, program: str) -> None:
    fault = Fault(program, phase, time.monotonic())
    figures.faults.append(fault)
    await asyncio.to_thread(platform.kill, program)
    fault.back_after_s = await back(platform, program)


async def consumed(platform, service: str) -> float:
    """Events a service's consumers applied so far, by their own Prometheus counters (0 while restarting)."""
    total = 0.0
    for process in platform.processes:
        if process.service.name != service or process.command != "consume":
            continue
        async with httpx.AsyncClient(timeout=5) as http:
            try:
                text = (await http.get(platform.metrics_url(service, "consume", process.instance))).text
            except httpx.TransportError:
                continue
        total += sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("events_consumed_total{") and 'outcome="processed"' in line
        )
    return total


async def create_unit(http: httpx.AsyncClient, code: str, name: str, type_code: str, parent_id) -> str:
    response = await http.post(
        "/api/v1/orgtree/units", json={"code": code, "name": name, "type_code": type_code, "parent_id": str(parent_id)}
    )
    assert response.status_code == 201, response.text
    return response.json()["unit_id"]


async def run(platform, admin: httpx.AsyncClient, rows: int, serial_base: int, timeout: float = 600) -> ChaosFigures:
    figures = ChaosFigures(rows)
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"CH{suffix}", "Liên đoàn Lao động tỉnh Hỗn loạn", "provincial_federation", NATIONAL_CENTRE_ID
    )
    unit = await create_unit(admin, f"CH{suffix}-CS", "Công đoàn cơ sở Công ty Hỗn loạn", "grassroots_union", province)
    unit_ids = [uuid.UUID(unit)]
    client = Client(str(admin.base_url), admin.auth, unit, figures)
    browsing = asyncio.create_task(client.browse())
    try:
        # 1. The import; SIGKILL of the members API while its worker inserts the rows.
        started = time.monotonic()
        content = as_xlsx(member_list("HNI-CS-0001", rows, serial_base=serial_base))

        async def upload():
            return await admin.post(
                "/api/v1/members/imports",
                data={"unit_id": unit, "mode": "valid_rows_only"},
                files={
                    "file": (
                        "danh-sach.xlsx",
                        content,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                },
            )

        uploaded = await eventually(upload, lambda r: r.status_code not in (403, 404), timeout=60)
        assert uploaded.status_code == 202, uploaded.text
        import_id = uploaded.json()["import_id"]

        async def progress():
            return await client.get(f"/api/v1/members/imports/{import_id}")

        await eventually(
            progress,
            lambda r: r is not None and (r.json()["rows_done"] > 0 or r.json()["status"] == "completed"),
            timeout=timeout,
        )
        await kill(platform, figures, 1, "members-api")
        done = await eventually(
            progress, lambda r: r is not None and r.json()["status"] in ("completed", "rejected"), timeout=timeout
        )
        assert done.json()["inserted_rows"] == rows, done.text
        figures.converged_after_s[1] = await converge(platform, unit_ids, figures.faults[-1].at, timeout)
        figures.phase_s[1] = time.monotonic() - started

        pending = [
            str(r["member_id"])
            for r in await fetch(
                platform,
                "members",
                "select member_id from members where unit_id = $1 and status = 'pending' order by member_id",
                unit_ids[0],
            )
        ]
        assert len(pending) == rows

        # 2. Half approved; SIGKILL of the members relay, then of each consumer while it applies the approvals.
        started = time.monotonic()
        before = {service: await consumed(platform, service) for service in ("reporting", "cards", "dues")}
        decided = await admin.post(
            "/api/v1/members/decisions",
            json={"decision": "approve", "unit_id": unit, "member_ids": pending[: rows // 2]},
        )
        assert decided.status_code == 200 and decided.json()["decided"] == rows // 2, decided.text
        await kill(platform, figures, 2, "members-relay")
        for service in ("reporting", "cards", "dues"):
            await eventually(
                lambda service=service: consumed(platform, service),
                lambda n, service=service: n > before[service],
                timeout=timeout,
            )
            await kill(platform, figures, 2, f"{service}-consume")
        figures.converged_after_s[2] = await converge(platform, unit_ids, figures.faults[-4].at, timeout)
        figures.phase_s[2] = time.monotonic() - started

        # 3. The rest approved; the broker crashes and comes back empty while the approvals travel.
        started = time.monotonic()
        recoveries = len(platform.broker_recoveries)
        decided = await admin.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": unit})
        assert decided.status_code == 200 and decided.json()["decided"] == rows - rows // 2, decided.text
        fault = Fault("broker", 3, time.monotonic())
        figures.faults.append(fault)
        await asyncio.to_thread(platform.kill, "broker")
        await eventually(lambda: _recovered(platform, recoveries), bool, timeout=timeout, interval=0.2)
        fault.back_after_s = time.monotonic() - fault.at
        refill = platform.broker_recoveries[-1].refill
        figures.refilled_events, figures.refill_s = sum(refill.events.values()), refill.seconds
        figures.converged_after_s[3] = await converge(platform, unit_ids, fault.at, timeout)
        figures.phase_s[3] = time.monotonic() - started
    finally:
        await client.close()
        browsing.cancel()

    events = [
        r["event_id"]
        for r in await fetch(
            platform,
            "members",
            "select event_id from outbox_events where topic = 'members.member.v1' and message_key = any($1::text[])",
            [
                str(m["member_id"])
                for m in await fetch(
                    platform, "members", "select member_id from members where unit_id = $1", unit_ids[0]
                )
            ],
        )
    ]
    figures.member_events = len(events)
    figures.members = len(pending)
    for service in CONSUMERS:
        row = (
            await fetch(
                platform,
                service,
                "select count(*) as total, count(distinct event_id) as events"
                " from inbox_events where event_id = any($1)",
                events,
            )
        )[0]
        figures.inbox[service] = (row["total"], row["events"])
    return figures


async def _recovered(platform, before: int) -> bool:
    return len(platform.broker_recoveries) > before


def markdown(figures: ChaosFigures) -> str:
    """The figures as the table in docs/BENCHMARKS.md."""
    lines = [
        "| phase | SIGKILL of | back (ready) after | converged after the phase's first fault | phase in all |",
        "|---|---|---|---|---|",
    ]
    for fault in figures.faults:
        lines.append(
            f"| {fault.phase} | {fault.what} | {fault.back_after_s:.1f} s | "
            f"{figures.converged_after_s[fault.phase]:.1f} s | {figures.phase_s[fault.phase]:.1f} s |"
        )
    lines.append(f"\nbroker refilled with {figures.refilled_events:,} events in {figures.refill_s:.1f} s")
    return "\n".join(lines)
