"""Scale-out on one machine: the end-to-end platform runs two members consumers, two reporting consumers and two
members relays (`Platform(scale=...)`, `python -m localrun up --scale ...`). Each consumer of a group holds
partitions; SIGKILL of a consumer of each group and of a relay in the middle of an import and its approval loses
nothing: the survivors take over and the totals come out exact."""

from __future__ import annotations

import re
import uuid

import asyncpg
import httpx
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.demo_people import member_list

from tests.e2e.test_walking_skeleton import create_unit
from tests.support.polling import eventually


async def counter(platform, service: str, command: str, instance: int, metric: str) -> float:
    """The sum of a counter over its label sets, as one worker process reports it (0 while it restarts)."""
    async with httpx.AsyncClient(timeout=5) as http:
        try:
            text = (await http.get(platform.metrics_url(service, command, instance))).text
        except httpx.TransportError:
            return 0.0
    return sum(float(value) for value in re.findall(rf"^{metric}(?:\{{[^}}]*\}})? (\S+)$", text, re.MULTILINE))


async def import_and_approve(admin, unit_id: str, rows: int, serial_base: int) -> str:
    content = member_list("HNI-CS-0001", rows, serial_base=serial_base)

    async def upload():
        return await admin.post(
            "/api/v1/members/imports",
            data={"unit_id": unit_id, "mode": "valid_rows_only"},
            files={"file": ("danh-sach.csv", content, "text/csv")},
        )

    # A unit created a moment ago reaches the members service through Kafka.
    uploaded = await eventually(upload, lambda r: r.status_code not in (403, 404), timeout=60)
    assert uploaded.status_code == 202, uploaded.text
    return uploaded.json()["import_id"]


async def wait_for_import(admin, import_id: str) -> dict:
    async def status():
        return (await admin.get(f"/api/v1/members/imports/{import_id}")).json()

    return await eventually(status, lambda row: row["status"] in ("completed", "rejected"), timeout=240)


async def members_of(platform, unit_id: str) -> tuple[int, int]:
    """(active or suspended, pending) members of the unit in the members service's own table."""
    connection = await asyncpg.connect(platform.database_dsn("members"))
    try:
        row = await connection.fetchrow(
            "select count(*) filter (where status in ('active', 'suspended')) as members,"
            " count(*) filter (where status = 'pending') as pending from members where unit_id = $1",
            uuid.UUID(unit_id),
        )
        return row["members"], row["pending"]
    finally:
        await connection.close()


async def unpublished(platform) -> int:
    connection = await asyncpg.connect(platform.database_dsn("members"))
    try:
        return await connection.fetchval("select count(*) from outbox_events where published_at is null")
    finally:
        await connection.close()


async def reported(admin, unit_id: str) -> tuple[int, int]:
    response = await admin.get("/api/v1/reporting/member-counts", params={"unit_id": unit_id})
    totals = response.json()[0] if response.status_code == 200 else {"members": -1, "pending": -1}
    return totals["members"], totals["pending"]


async def test_two_consumers_share_the_partitions_and_survivors_take_over_after_sigkill(platform, admin):
    assert {"members-consume-2", "reporting-consume-2", "members-relay-2"} <= {p.program for p in platform.processes}
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"SO{suffix}", "Liên đoàn Lao động tỉnh Mở rộng", "provincial_federation", NATIONAL_CENTRE_ID
    )
    unit = await create_unit(admin, f"SO{suffix}-CS", "Công đoàn cơ sở Công ty Mở rộng", "grassroots_union", province)
    # Six-digit ID serials no other test uses (the demo: below 500,000; the browser tests' world: 500,000 and up).
    serial = 600_000 + uuid.uuid4().int % 110 * 3_400

    # A first list: members keyed over all twelve partitions reach both consumers of each group.
    consumed_before = [await counter(platform, "reporting", "consume", n, "events_consumed_total") for n in (1, 2)]
    first = await wait_for_import(admin, await import_and_approve(admin, unit, 300, serial))
    assert first["inserted_rows"] == 300
    await eventually(lambda: reported(admin, unit), lambda totals: totals == (0, 300), timeout=120)
    consumed = [await counter(platform, "reporting", "consume", n, "events_consumed_total") for n in (1, 2)]
    assert all(after > before for before, after in zip(consumed_before, consumed, strict=True)), consumed
    # The relays take the advisory lock a transaction at a time: whichever holds it publishes the next batch in
    # outbox order, the other waits for it.
    survivor_before = await counter(platform, "members", "relay", 2, "outbox_events_published_total")

    # A second list and its approval; in the middle of it, SIGKILL a reporting consumer and the publishing relay.
    second = await import_and_approve(admin, unit, 3000, serial + 300)
    await eventually(
        lambda: admin.get(f"/api/v1/members/imports/{second}"),
        lambda r: r.json()["rows_done"] > 0 or r.json()["status"] == "completed",
        timeout=120,
    )
    platform.kill("reporting-consume-2")
    platform.kill("members-relay")
    assert (await wait_for_import(admin, second))["inserted_rows"] == 3000
    decided = await admin.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": unit})
    assert decided.status_code == 200, decided.text
    platform.kill("members-consume-2")

    # Exact afterwards: reporting equals the members table, and the outbox is empty.
    expected = await members_of(platform, unit)
    assert expected == (3300, 0)
    assert await eventually(lambda: reported(admin, unit), lambda totals: totals == expected, timeout=240) == expected
    assert await eventually(lambda: unpublished(platform), lambda count: count == 0, timeout=60) == 0
    # The other relay went on publishing after the first one was killed.
    assert await counter(platform, "members", "relay", 2, "outbox_events_published_total") > survivor_before
