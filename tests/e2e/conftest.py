"""The whole platform, started once for the end-to-end tests exactly as `deploy/up.sh` starts it."""

from __future__ import annotations

import asyncio
import random
import socket
import uuid

import pytest
from localrun.client import gateway_client
from localrun.platform import Platform

from tests.support.infra import drop_databases


def free_port_block() -> int:
    """A base port whose whole block (base+0 … base+399) is free, below the kernel's ephemeral range
    (32768+) so that no outgoing connection can take one of them while the platform starts."""
    for _ in range(200):
        base = random.randrange(10_000, 32_000, 400)
        if all(_free(base + offset) for offset in range(400)):
            return base
    raise RuntimeError("no free block of 400 ports below 32000")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


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
    )
    running.start()
    yield running
    running.stop()
    asyncio.run(drop_databases(pg_server_url, prefix=running.database_prefix))


@pytest.fixture(scope="session")
async def admin(platform):
    """An HTTP client logged in through the gateway as the bootstrap national administrator."""
    async with gateway_client(platform.gateway_url) as http:
        login = await http.post("/api/v1/identity/login", json={"username": "admin", "password": "Admin@12345"})
        assert login.status_code == 200, login.text
        http.headers["authorization"] = f"Bearer {login.json()['access_token']}"
        yield http
