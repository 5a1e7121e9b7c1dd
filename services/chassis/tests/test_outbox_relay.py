"""The outbox relay against real PostgreSQL and the real broker: what commits is published, in order, once."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from chassis.outbox import OutboxRelay, record_event, record_events
from chassis.tables import outbox_events
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import MemberApproved, MemberCreated
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select

from services.chassis.tests.helpers import (
    chassis_settings,
    contains,
    event_ids,
    headers_of,
    member_created,
    read_topic,
    snapshot,
    stop,
)
from tests.support.polling import eventually

TOPIC = "members.member.v1"


@pytest.fixture(scope="module")
async def relay(database, broker):
    settings = chassis_settings(database, broker.bootstrap)
    relay = OutboxRelay(settings, database)
    task = asyncio.create_task(relay.run())
    yield relay
    relay.stop()
    await stop(task)


async def published(database, ids: set[uuid.UUID]) -> int:
    async with database.transaction() as session:
        return await session.scalar(
            select(func.count())
            .select_from(outbox_events)
            .where(outbox_events.c.event_id.in_(ids), outbox_events.c.published_at.is_not(None))
        )


async def test_committed_events_are_published_with_cloudevents_headers_in_key_order(database, broker, relay):
    first, second = uuid.uuid4(), uuid.uuid4()
    sent: dict[uuid.UUID, list[tuple[uuid.UUID, MemberCreated | MemberApproved]]] = defaultdict(list)
    for version in range(1, 6):  # one transaction per change, the two members interleaved
        for member_id in (first, second):
            event = (MemberCreated if version == 1 else MemberApproved)(
                member_id=member_id, member=snapshot(member_id, version)
            )
            async with database.transaction() as session:
                sent[member_id].append((await record_event(session, event), event))
    expected = {event_id for events in sent.values() for event_id, _ in events}

    records = await read_topic(broker.bootstrap, TOPIC, contains(expected))

    ours = [r for r in records if headers_of(r).get("ce_id") in {str(i) for i in expected}]
    assert len(ours) == len(expected)  # each event exactly once
    for member_id, events in sent.items():
        of_member = sorted((r for r in ours if r.key == str(member_id).encode()), key=lambda r: r.offset)
        assert len({r.partition for r in of_member}) == 1
        assert [uuid.UUID(headers_of(r)["ce_id"]) for r in of_member] == [event_id for event_id, _ in events]
        for version, (record, (_, event)) in enumerate(zip(of_member, events, strict=True), start=1):
            headers = headers_of(record)
            assert headers["ce_specversion"] == "1.0"
            assert headers["ce_source"] == "chassis-test"  # the relay's service name
            assert headers["ce_type"] == event.event_type
            assert headers["ce_subject"] == str(member_id)
            assert headers["content-type"] == "application/json"
            received = Envelope.from_kafka(record.headers, record.value).decode()
            assert received == event
            assert received.member.version == version

    # Published rows stay: they are the service's event history.
    await eventually(lambda: published(database, expected), lambda n: n == len(expected), timeout=10)
    async with database.transaction() as session:
        rows = (await session.execute(select(outbox_events).where(outbox_events.c.event_id.in_(expected)))).all()
    assert len(rows) == len(expected)
    assert all(row.publish_attempts == 1 and row.last_error is None for row in rows)


async def test_a_rolled_back_transaction_publishes_nothing(database, broker, relay):
    member_id = uuid.uuid4()
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            abandoned = await record_event(session, member_created(member_id))
            raise RuntimeError("a business rule failed after the event was recorded")
    async with database.transaction() as session:
        kept = await record_event(session, member_created(member_id))

    # Same key, same partition, one relay in id order: once `kept` is there, `abandoned` would be before it.
    records = await read_topic(broker.bootstrap, TOPIC, contains({kept}))

    assert abandoned not in event_ids(records)
    async with database.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(outbox_events).where(outbox_events.c.event_id == abandoned)
            )
            == 0
        )


async def test_bulk_recorded_events_are_published_once_even_with_two_relays(database, broker, relay):
    standby = OutboxRelay(relay.settings, database)
    standby_task = asyncio.create_task(standby.run())
    try:
        events = [member_created() for _ in range(1500)]
        for start in range(0, len(events), 500):
            async with database.transaction() as session:
                await record_events(session, events[start : start + 500])
        async with database.transaction() as session:
            ids = set(
                await session.scalars(
                    select(outbox_events.c.event_id).where(
                        outbox_events.c.message_key.in_([str(e.member_id) for e in events])
                    )
                )
            )
        assert len(ids) == len(events)

        records = await read_topic(broker.bootstrap, TOPIC, contains(ids))
    finally:
        standby.stop()
        await stop(standby_task)

    seen = [event_id for event_id in event_ids(records) if event_id in ids]
    assert len(seen) == len(set(seen)) == len(events)


async def test_the_writers_trace_context_travels_with_the_event(database, broker, relay):
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("POST /members") as span:
        async with database.transaction() as session:
            event_id = await record_event(session, member_created())
    trace_id = format(span.get_span_context().trace_id, "032x")

    records = await read_topic(broker.bootstrap, TOPIC, contains({event_id}))

    record = next(r for r in records if headers_of(r).get("ce_id") == str(event_id))
    assert headers_of(record)["traceparent"].split("-")[1] == trace_id
