"""The whole platform, started once for the end-to-end tests exactly as `deploy/up.sh` starts it."""

from __future__ import annotations

import uuid

import httpx
import pytest
from localrun.platform import Platform

from tests.support.infra import free_port


@pytest.fixture(scope="session")
def platform(tmp_path_factory, pg_server_url):
    base_port = free_port() // 100 * 100 % 50000 + 10000
    running = Platform(
        tmp_path_factory.mktemp("platform"),
        base_port=base_port,
        broker_port=free_port(),
        database_url=pg_server_url,
        demo_data=False,
        database_prefix=f"e2e{uuid.uuid4().hex[:6]}_",
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
async def admin(platform):
    """An HTTP client logged in through the gateway as the bootstrap national administrator."""
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as http:
        login = await http.post("/api/v1/identity/login", json={"username": "admin", "password": "Admin@12345"})
        assert login.status_code == 200, login.text
        http.headers["authorization"] = f"Bearer {login.json()['access_token']}"
        yield http
