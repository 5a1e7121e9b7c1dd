"""Fixtures of the chassis tests: real PostgreSQL (a fresh database per module) and the real broker."""

from __future__ import annotations

import pytest
from chassis.database import Database

from services.chassis.tests.helpers import chassis_database, drop_database


@pytest.fixture(scope="module")
async def database(pg_server_url, request) -> Database:
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    database = await chassis_database(pg_server_url, label)
    yield database
    await drop_database(pg_server_url, database)
