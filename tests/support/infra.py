"""Starting the real infrastructure for tests: PostgreSQL and the development Kafka broker."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from chassis.database import database_on_server
from localrun.infra import ensure_postgres, tansu_binary

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port_block() -> int:
    """A base port whose whole block (base+0 … base+399) is free, below the kernel's ephemeral range
    (32768+) so that no outgoing connection can take one of them while a platform starts."""
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_url() -> str:
    """The server at DATABASE_URL when reachable, else an embedded one (same rule as the runner)."""
    data_dir = Path(os.environ.get("TEST_DATA_DIR", Path(__file__).resolve().parents[2] / ".data" / "test"))
    return ensure_postgres(os.environ.get("DATABASE_URL", DEFAULT_PG), data_dir / "pg")


@dataclass
class BrokerProcess:
    port: int
    process: subprocess.Popen

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same port: an in-memory broker comes back empty."""
        self.stop()
        self.process = _spawn(self.port)
        _wait_for_port(self.port)


def _spawn(port: int) -> subprocess.Popen:
    url = f"tcp://127.0.0.1:{port}"
    return subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"broker did not listen on {port}")


def start_broker() -> BrokerProcess:
    port = free_port()
    process = _spawn(port)
    _wait_for_port(port)
    return BrokerProcess(port, process)


# Databases this test session made; dropped when it ends, so the shared server does not fill up.
CREATED_DATABASES: list[str] = []


async def fresh_database(server_url: str, name: str) -> str:
    """Drop and create a database for one test module; returns its SQLAlchemy asyncpg URL."""
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    CREATED_DATABASES.append(name)
    return database_on_server(server_url, name)


async def drop_databases(server_url: str, names: list[str] | None = None, prefix: str | None = None) -> None:
    """Drop the named databases and those starting with `prefix` (open connections are ended)."""
    connection = await asyncpg.connect(server_url)
    try:
        wanted = set(names or ())
        if prefix:
            wanted |= set(
                await connection.fetchval(
                    "select coalesce(array_agg(datname), '{}') from pg_database where starts_with(datname, $1)", prefix
                )
            )
        for name in sorted(wanted):
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def committed_offsets(bootstrap: str, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    """A consumer group's committed offsets on the partitions (those it committed)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
    finally:
        await admin.close()
    return {partition: found.offset for partition, found in offsets.items() if found is not None}
