"""Helpers of the chassis tests: a database with the chassis tables, settings, events, reading topics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from chassis.database import Database
from chassis.migrations import create_chassis_tables
from chassis.settings import ServiceSettings
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot

from tests.support.infra import fresh_database


async def chassis_database(server_url: str, label: str) -> Database:
    """A new database with only the chassis tables (outbox, inbox, tree replica, audit)."""
    url = await fresh_database(server_url, f"test_chassis_{label}_{uuid.uuid4().hex[:8]}")
    database = Database(url, 5)
    async with database.engine.begin() as connection:
        await connection.run_sync(create_chassis_tables)
    return database


async def drop_database(server_url: str, database: Database) -> None:
    await database.dispose()
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database.engine.url.database}" WITH (FORCE)')
    finally:
        await connection.close()


def chassis_settings(database: Database, bootstrap: str, **overrides) -> ServiceSettings:
    return ServiceSettings(
        service_name="chassis-test",
        database_url=database.url,
        kafka_bootstrap_servers=bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        **overrides,
    )


def snapshot(member_id: UUID, version: int = 1, unit_id: UUID | None = None) -> MemberSnapshot:
    return MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id or uuid.uuid4(),
        status="pending",
        full_name="Phạm Văn Đức",
        gender="male",
        date_of_birth=date(1988, 9, 2),
        version=version,
    )


def member_created(member_id: UUID | None = None, version: int = 1) -> MemberCreated:
    member_id = member_id or uuid.uuid4()
    return MemberCreated(member_id=member_id, member=snapshot(member_id, version))


async def read_topic(
    bootstrap: str,
    topic: str,
    done: Callable[[list[ConsumerRecord]], bool],
    within: float = 30.0,
) -> list[ConsumerRecord]:
    """Every record of `topic` from the beginning, read until `done(records)` holds (or fail at the deadline).

    No consumer group: joining one costs seconds on the development broker.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20)
    await consumer.start()
    try:
        deadline = time.monotonic() + within
        partitions: set[int] | None = None
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await consumer._client.force_metadata_update()
                if time.monotonic() > deadline:
                    raise AssertionError(f"topic {topic} not found within {within}s")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        records: list[ConsumerRecord] = []
        while not done(records):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: condition not met within {within}s after {len(records)} records")
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def headers_of(record: ConsumerRecord) -> dict[str, str]:
    return {name: (value or b"").decode() for name, value in record.headers}


def event_ids(records: list[ConsumerRecord]) -> list[UUID]:
    """The CloudEvents ids on the records, in order; records without a readable one are left out."""
    found = []
    for record in records:
        try:
            found.append(UUID(headers_of(record)["ce_id"]))
        except (KeyError, ValueError):
            continue  # other tests put malformed records on the same topics
    return found


def contains(expected: set[UUID]) -> Callable[[list[ConsumerRecord]], bool]:
    return lambda records: expected <= set(event_ids(records))


def probe(read: Callable[[], object]) -> Callable[[], Awaitable[object]]:
    """An in-memory value as a probe for `tests.support.polling.eventually`."""

    async def current() -> object:
        return read()

    return current


async def stop(task: asyncio.Task) -> None:
    """Wait for a task told to stop; cancel it when it does not within a few seconds."""
    try:
        await asyncio.wait_for(task, timeout=15)
    except TimeoutError:
        task.cancel()
