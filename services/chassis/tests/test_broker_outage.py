"""A broker outage delays events but loses none; a broker that lost everything is refilled from the outbox.

This module stops and wipes the session's broker; everything that needs the broker
provisions its topics again, as the relay and `replay` do themselves.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from chassis.kafka import provision_topics
from chassis.outbox import OutboxRelay, record_event, replay
from chassis.settings import ServiceSettings
from chassis.tables import outbox_events
from sqlalchemy import select, update

from services.chassis.tests.helpers import chassis_settings, contains, event_ids, member_created, read_topic, stop
from tests.support.infra import start_broker
from tests.support.polling import eventually

TOPIC = "members.member.v1"


async def rows(database, ids: list[uuid.UUID]) -> list:
    async with database.transaction() as session:
        return (
            await session.execute(
                select(outbox_events).where(outbox_events.c.event_id.in_(ids)).order_by(outbox_events.c.id)
            )
        ).all()


async def record(database, member_id: uuid.UUID, version: int) -> uuid.UUID:
    async with database.transaction() as session:
        return await record_event(session, member_created(member_id, version))


async def test_outage_then_wipe_and_replay(database, broker):
    settings = chassis_settings(database, broker.bootstrap)
    since = datetime.now(UTC)
    member_id = uuid.uuid4()
    relay = OutboxRelay(settings, database)
    task = asyncio.create_task(relay.run())
    try:
        before = [await record(database, member_id, 1)]
        await eventually(lambda: rows(database, before), lambda found: found[0].published_at is not None, timeout=15)

        broker.stop()
        during = [await record(database, member_id, version) for version in (2, 3, 4)]
        # The relay tries, fails, notes why on the rows it tried and keeps every row for the next attempt.
        failed = await eventually(
            lambda: rows(database, during), lambda found: any(r.last_error for r in found), timeout=30
        )
        assert all(r.published_at is None for r in failed)

        broker.restart()  # comes back empty: the relay provisions the topics again before publishing
        await eventually(lambda: rows(database, during), lambda found: all(r.published_at for r in found), timeout=30)
        records = await read_topic(broker.bootstrap, TOPIC, contains(set(during)))
        assert [i for i in event_ids(records) if i in during] == during
    finally:
        relay.stop()
        await stop(task)

    # An old event, from before the replay window.
    old = await record(database, uuid.uuid4(), 1)
    async with database.transaction() as session:
        await session.execute(
            update(outbox_events)
            .where(outbox_events.c.event_id == old)
            .values(occurred_at=since - timedelta(days=1), published_at=since - timedelta(days=1))
        )

    broker.restart()  # wiped again: only the outbox still has the events
    assert await replay(settings, database, since, topic="orgtree.unit.v1") == 0
    assert await replay(settings, database, since) == 4

    records = await read_topic(broker.bootstrap, TOPIC, contains(set(before + during)))
    replayed = event_ids(records)
    assert replayed == before + during  # same ids, same order: consumers' inboxes recognise them
    assert old not in replayed


async def test_a_topic_auto_created_with_the_wrong_partition_count_is_reported(caplog):
    """What a producer does on a wiped development broker before anyone provisioned the topics."""
    broker = start_broker()  # a private broker: the session's one is provisioned already
    try:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(TOPIC, b"{}", key=b"any")
        finally:
            await producer.stop()
        settings = ServiceSettings(kafka_bootstrap_servers=broker.bootstrap)
        with caplog.at_level(logging.ERROR, logger="chassis.kafka"):
            created = await provision_topics(settings)
    finally:
        broker.stop()
    assert TOPIC not in created
    [report] = [r for r in caplog.records if "wrong partition count" in r.getMessage()]
    assert report.fields["topic"] == TOPIC and report.fields["registry_partitions"] == 12
    assert report.fields["partitions"] != 12
