"""Identity (real, own database) and a fake downstream service on sockets; gateways built per test."""

from __future__ import annotations

import sys

# pytest's importlib mode names this file `gateway.tests.conftest` and registers the project folder
# (/work/main/gateway, no __init__.py) as the module `gateway`, hiding the real package in gateway/src.
# Put the real package back before anything imports from it.
if getattr(sys.modules.get("gateway"), "__file__", None) is None:
    sys.modules.pop("gateway", None)

import contextlib  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402
from chassis.database import Database  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.config import GatewaySettings  # noqa: E402
from identity.config import IdentitySettings  # noqa: E402
from identity.entrypoints.api import create_app as create_identity_app  # noqa: E402

from tests.support.services import TEST_SECRET, migrated_database  # noqa: E402

from .support import FakeService, dead_url, drop_database, serving  # noqa: E402

IDENTITY_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "identity" / "src" / "identity" / "migrations"
ADMIN = {"username": "admin", "password": "Admin@12345"}


class Backends:
    def __init__(
        self,
        identity_url: str,
        members_url: str,
        identity_settings: IdentitySettings,
        identity_db: Database,
        fake: FakeService,
    ) -> None:
        self.identity_url = identity_url
        self.members_url = members_url
        self.orgtree_url = dead_url()
        self.identity_settings = identity_settings
        self.identity_db = identity_db
        self.fake = fake

    def settings(self, **overrides) -> GatewaySettings:
        values = {
            "identity_url": self.identity_url,
            "members_url": self.members_url,
            "orgtree_url": self.orgtree_url,
            "internal_token_secret": TEST_SECRET,
            "log_json": False,
            # The bootstrap admin's login hashes at production cost: on a busy shared machine it took over 1 s.
            "upstream_read_timeout_s": 10.0,
            # The unit tree needs a broker: only the scope tests turn it on (with the session's broker).
            "unit_scope_check": False,
            "token_revocation": False,
            # Every test signs in from 127.0.0.1, new accounts twice (the first sign-in changes the password):
            # the production login bucket would make them wait. The limit's own tests set it.
            "rate_limit_login_burst": 50,
            "rate_limit_login_per_minute": 600,
        }
        return GatewaySettings(**{**values, **overrides})

    @contextlib.asynccontextmanager
    async def gateway(self, tracer_provider=None, **overrides) -> AsyncIterator[httpx.AsyncClient]:
        """A gateway driven in-process (ASGI); its calls to the services go over real sockets."""
        app = create_app(self.settings(**overrides), tracer_provider=tracer_provider)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
                yield http
        finally:
            await app.state.gateway.upstreams.aclose()

    @contextlib.asynccontextmanager
    async def served_gateway(self, **overrides) -> AsyncIterator[httpx.AsyncClient]:
        """A gateway on a real socket, for what in-process transports cannot show (streaming)."""
        async with serving(create_app(self.settings(**overrides))) as url:
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                yield http


@pytest.fixture(scope="module")
async def backends(pg_server_url):
    url = await migrated_database(pg_server_url, "identity_gateway", IDENTITY_MIGRATIONS)
    identity_settings = IdentitySettings(
        database_url=url,
        internal_token_secret=TEST_SECRET,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        require_totp_for_admins=False,
    )
    identity_db = Database(url, 2)
    fake = FakeService()
    identity_app = create_identity_app(identity_settings, Database(url, 4))
    async with serving(identity_app) as identity_url, serving(fake.app) as members_url:
        yield Backends(identity_url, members_url, identity_settings, identity_db, fake)
    await identity_db.dispose()
    await drop_database(pg_server_url, url)


@pytest.fixture(scope="module")
async def admin_token(backends) -> str:
    async with backends.gateway() as http:
        response = await http.post("/api/v1/identity/login", json=ADMIN)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]
