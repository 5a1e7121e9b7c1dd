"""The whole platform, started once for the end-to-end tests exactly as `deploy/up.sh` starts it."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from localrun.client import PasswordSession, gateway_client
from localrun.platform import Platform

from tests.support.infra import drop_databases, free_port_block


@pytest.fixture(scope="session")
def platform(tmp_path_factory, pg_server_url):
    base_port = free_port_block()
    running = Platform(
        tmp_path_factory.mktemp("platform"),
        base_port=base_port,
        broker_port=base_port + 390,
        database_url=pg_server_url,
        demo_data=False,
        database_prefix=f"e2e{uuid.uuid4().hex[:6]}_",
        # Every test signs in and looks members up from 127.0.0.1: the per-address login and public buckets of
        # production (tested in gateway/tests) would make them wait, and a page that got 429 fail its test.
        settings={
            "GATEWAY_RATE_LIMIT_LOGIN_BURST": "100",
            "GATEWAY_RATE_LIMIT_LOGIN_PER_MINUTE": "600",
            "GATEWAY_RATE_LIMIT_PUBLIC_BURST": "100",
            "GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE": "600",
        },
        # Twenty processes importing their libraries at once on two shared cores took 100-300 s to be ready.
        ready_timeout=420,
        # Two consumers of the busiest groups and two relays, as production runs them (tests/e2e/test_scale_out.py).
        scale={"members.consume": 2, "reporting.consume": 2, "members.relay": 2},
    )
    running.start()
    yield running
    running.stop()
    asyncio.run(drop_databases(pg_server_url, prefix=running.database_prefix))


@pytest.fixture(scope="session")
async def admin(platform):
    """An HTTP client logged in through the gateway as the bootstrap national administrator."""
    async with gateway_client(platform.gateway_url, auth=PasswordSession("admin", "Admin@12345")) as http:
        me = await http.get("/api/v1/identity/me")
        assert me.status_code == 200, me.text
        yield http
