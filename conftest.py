"""Session-wide test infrastructure: the real PostgreSQL server and a real Kafka-protocol broker.

The broker (Tansu, the development broker) is started once per test session on a
free port; joining consumer groups is slow on it, so tests share it.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

# `contracts/tests/` would otherwise be imported as `contracts.tests.*` (importlib mode) with the
# `contracts/` folder as a namespace package that shadows the real `contracts` package.
import contracts  # noqa: F401
from tests.support.infra import CREATED_DATABASES, BrokerProcess, drop_databases, postgres_url, start_broker

# Tests run the local demo, as the one-machine runner does: identity's first migration (run in-process by the
# service tests) creates the bootstrap administrator with its documented password, usable at once, and the
# processes tests start themselves (`python -m <service> replay`, ...) accept the repository's secrets.
for _prefix in ("ORGTREE", "MEMBERS", "IDENTITY", "REPORTING", "DUES", "CARDS", "GATEWAY"):
    os.environ.setdefault(f"{_prefix}_ENVIRONMENT", "local")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = postgres_url()
    yield url
    asyncio.run(drop_databases(url, CREATED_DATABASES))


@pytest.fixture(scope="module", autouse=True)
def databases_of_the_module_dropped_after_it():
    """Each test module's databases are its own: dropped when it ends, their connections with them. The pools the
    service tests open are left to the garbage collector, and over a whole run they held half of the server's 100
    connections by the time the end-to-end platform needed its own (which then met "too many clients")."""
    made_before = len(CREATED_DATABASES)
    yield
    made = CREATED_DATABASES[made_before:]
    if made:
        asyncio.run(drop_databases(postgres_url(), made))


@pytest.fixture(scope="session")
def broker() -> BrokerProcess:
    process = start_broker()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def run_id() -> str:
    return os.environ.get("TEST_RUN_ID", uuid.uuid4().hex[:8])
