"""A broker outage delays events but loses none; a wiped broker is refilled from the outboxes by the runner."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client

from tests.e2e.test_token_revocation import FIRST_PASSWORD, PASSWORD, new_report_viewer, refused_soon
from tests.e2e.test_walking_skeleton import create_member, create_unit, pending_count
from tests.support.polling import eventually


async def inbox_state(platform, service: str) -> tuple[int, int]:
    """(rows in the inbox, distinct events in it) of a service's consumer."""
    connection = await asyncpg.connect(platform.database_dsn(service))
    try:
        row = await connection.fetchrow(
            "select count(*) as total, count(distinct event_id) as events from inbox_events"
        )
        return row["total"], row["events"]
    finally:
        await connection.close()


async def test_outage_then_wipe_and_replay(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    grassroots = await create_unit(
        admin,
        f"O{suffix}",
        "Công đoàn cơ sở Công ty Mất điện",
        "grassroots_union",
        await create_unit(
            admin, f"OP{suffix}", "Liên đoàn Lao động tỉnh Mất điện", "provincial_federation", NATIONAL_CENTRE_ID
        ),
    )
    await create_member(admin, grassroots, name="Trần Thị Một", gender="female", year=1992)
    await eventually(lambda: pending_count(admin, grassroots), lambda n: n == 1, timeout=30)
    started = datetime.now(UTC) - timedelta(hours=1)

    platform.stop_broker()
    # Writes still succeed: the member and its event commit together into the outbox.
    written = await create_member(admin, grassroots, name="Lê Văn Hai", year=1988)
    assert written["status"] == "pending"
    platform.start_broker()
    assert await eventually(lambda: pending_count(admin, grassroots), lambda n: n == 2, timeout=90) == 2

    before = {service: await inbox_state(platform, service) for service in ("members", "reporting")}
    platform.restart_broker()  # an in-memory broker comes back empty
    for service in ("orgtree", "members"):
        replay = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", service, "replay", "--since", started.isoformat()],
            env=platform.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert replay.returncode == 0, replay.stderr[-2000:]
        assert "republished" in replay.stdout

    # The restarted reporting consumer sees the replayed member events and recognises each as done.
    replayed_members = await replayed_events(platform, "members", started)
    await eventually(
        lambda: duplicates_seen(platform, "reporting", "members.member.created"),
        lambda seen: seen >= replayed_members,
        timeout=90,
    )
    after = {service: await inbox_state(platform, service) for service in ("members", "reporting")}
    assert after == before
    assert all(total == events for total, events in after.values())
    assert await pending_count(admin, grassroots) == 2


async def replayed_events(platform, service: str, since: datetime) -> int:
    connection = await asyncpg.connect(platform.database_dsn(service))
    try:
        return await connection.fetchval(
            "select count(*) from outbox_events where occurred_at >= $1 and event_type = 'members.member.created'",
            since,
        )
    finally:
        await connection.close()


async def duplicates_seen(platform, service: str, event_type: str) -> float:
    """The consumers' own count of redelivered events they skipped, from their Prometheus endpoints (the
    end-to-end platform runs several consumers of some services: the redeliveries are shared among them)."""
    wanted = f'events_consumed_total{{consumer="{service}",event_type="{event_type}",outcome="duplicate"}}'
    seen = 0.0
    for process in platform.processes:
        if process.service.name != service or process.command != "consume":
            continue
        async with httpx.AsyncClient(timeout=5) as http:
            try:
                response = await http.get(platform.metrics_url(service, "consume", process.instance))
            except httpx.HTTPError:
                return -1
        seen += next(
            (float(line.rsplit(" ", 1)[1]) for line in response.text.splitlines() if line.startswith(wanted)), 0.0
        )
    return seen


async def test_a_token_revoked_before_a_broker_restart_stays_refused_by_a_restarted_gateway(platform, admin):
    """The restarted broker is refilled from identity's outbox before the gateway reads its revocation feed again."""
    username = f"thuhoi.{uuid.uuid4().hex[:8]}"
    await new_report_viewer(admin, username)
    async with gateway_client(platform.gateway_url) as user:
        first = await user.post("/api/v1/identity/login", json={"username": username, "password": FIRST_PASSWORD})
        forced = {"authorization": f"Bearer {first.json()['access_token']}"}
        changed = await user.post(
            "/api/v1/identity/me/password",
            headers=forced,
            json={"current_password": FIRST_PASSWORD, "new_password": PASSWORD},
        )
        assert changed.status_code == 204, changed.text
        login = await user.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        token = {"authorization": f"Bearer {login.json()['access_token']}"}
        assert (await user.get("/api/v1/identity/me", headers=token)).status_code == 200
        ended = await user.post("/api/v1/identity/logout", headers=token, json={"everywhere": True})
        assert ended.status_code == 204, ended.text
        await refused_soon(user, token, "/api/v1/identity/me")

        platform.restart_broker()
        platform.restart("gateway")

        again = await user.get("/api/v1/identity/me", headers=token)
        assert again.status_code == 401 and again.json()["code"] == "token-revoked", again.text
        # Tokens issued since are accepted: the feed was read to its end, not refused wholesale.
        fresh = await user.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        current = {"authorization": f"Bearer {fresh.json()['access_token']}"}
        assert (await user.get("/api/v1/identity/me", headers=current)).status_code == 200
