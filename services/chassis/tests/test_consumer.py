"""The idempotent consumer, running as a real faststream app in a real consumer group.

The app starts once for the module (joining a group takes about half the session
timeout on the development broker). Each test uses its own member ids as keys, so
its messages share one partition and their order is known.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from chassis.consumer import EventConsumer
from chassis.kafka import provision_topics
from chassis.tables import inbox_events
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import (
    MemberApproved,
    MemberCreated,
    MemberRemoved,
    MemberStatusChanged,
    MemberUpdated,
)
from contracts.topics import DEADLETTER_TOPIC
from prometheus_client import REGISTRY
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text

from services.chassis.tests.helpers import chassis_settings, headers_of, member_created, probe, read_topic, snapshot
from tests.support.polling import eventually

TOPIC = "members.member.v1"
GROUP = "chassis-test-consumer"
MAX_ATTEMPTS = 3


@dataclass
class Handlers:
    """What the test consumer does per event type; attempts are counted per event id."""

    attempts: Counter = field(default_factory=Counter)
    gates: dict[uuid.UUID, asyncio.Event] = field(default_factory=dict)

    async def record(self, session, event, envelope: Envelope) -> None:
        self.attempts[envelope.id] += 1
        await session.execute(
            text("insert into effects (event_id, member_id, event_type) values (:event_id, :member_id, :type)"),
            {"event_id": envelope.id, "member_id": event.member_id, "type": envelope.type},
        )

    async def always_fail(self, session, event, envelope: Envelope) -> None:
        self.attempts[envelope.id] += 1
        raise ValueError("this handler cannot cope with the event")

    async def database_hiccup_once(self, session, event, envelope: Envelope) -> None:
        if self.attempts[envelope.id] == 0:
            self.attempts[envelope.id] += 1
            raise sa_exc.OperationalError("insert into effects", {}, ConnectionError("server closed the connection"))
        await self.record(session, event, envelope)

    async def wait_for_gate(self, session, event, envelope: Envelope) -> None:
        await self.record(session, event, envelope)
        await self.gates.setdefault(envelope.id, asyncio.Event()).wait()


@dataclass
class Running:
    consumer: EventConsumer
    handlers: Handlers
    producer: AIOKafkaProducer
    database: object
    bootstrap: str

    async def send(self, member_id: uuid.UUID, headers, value: bytes | None):
        """Put a record on the topic as any producer could; returns its partition and offset."""
        return await self.producer.send_and_wait(TOPIC, value, key=str(member_id).encode(), headers=headers)

    async def send_event(self, event, envelope: Envelope | None = None) -> tuple[Envelope, object]:
        envelope = envelope or Envelope.wrap(event, "members")
        return envelope, await self.send(event.member_id, envelope.kafka_headers(), envelope.data)

    async def effects(self, event_id: uuid.UUID) -> int:
        async with self.database.transaction() as session:
            return await session.scalar(text("select count(*) from effects where event_id = :id"), {"id": event_id})

    async def inbox(self, event_id: uuid.UUID) -> list:
        async with self.database.transaction() as session:
            return (
                await session.execute(
                    select(inbox_events).where(inbox_events.c.consumer == GROUP, inbox_events.c.event_id == event_id)
                )
            ).all()

    async def processed(self, envelope: Envelope) -> None:
        await eventually(lambda: self.effects(envelope.id), lambda n: n >= 1, timeout=30)

    async def committed(self, partition: int) -> int:
        """The group's committed offset of a partition of the topic (-1 when none)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(GROUP, partitions=[TopicPartition(TOPIC, partition)])
        finally:
            await admin.close()
        found = offsets.get(TopicPartition(TOPIC, partition))
        return found.offset if found else -1


@pytest.fixture(scope="module")
async def running(database, broker):
    async with database.transaction() as session:
        await session.execute(
            text(
                "create table effects (id bigserial primary key, event_id uuid not null, member_id uuid not null,"
                " event_type text not null)"
            )
        )
    settings = chassis_settings(database, broker.bootstrap, consumer_max_attempts=MAX_ATTEMPTS)
    await provision_topics(settings)
    handlers = Handlers()
    consumer = EventConsumer(
        GROUP,
        settings,
        database,
        {
            MemberCreated: handlers.record,
            MemberRemoved: handlers.always_fail,
            MemberApproved: handlers.database_hiccup_once,
            MemberUpdated: handlers.wait_for_gate,
        },
    )
    app = consumer.app()
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    await app.start()
    try:
        yield Running(consumer, handlers, producer, database, broker.bootstrap)
    finally:
        for gate in handlers.gates.values():
            gate.set()
        await app.stop()
        await producer.stop()


def consumed(outcome: str, event_type: str) -> float:
    labels = {"consumer": GROUP, "event_type": event_type, "outcome": outcome}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


async def test_an_event_delivered_twice_takes_effect_once(running):
    member_id = uuid.uuid4()
    duplicates_before = consumed("duplicate", "members.member.created")
    envelope, _ = await running.send_event(member_created(member_id))
    await running.send_event(member_created(member_id), envelope)  # the same message again (same ce_id)
    marker, _ = await running.send_event(member_created(member_id, version=2))

    await running.processed(marker)  # after the duplicate in the same partition

    assert await running.effects(envelope.id) == 1
    assert running.handlers.attempts[envelope.id] == 1
    assert [row.outcome for row in await running.inbox(envelope.id)] == ["processed"]
    assert consumed("duplicate", "members.member.created") == duplicates_before + 1


async def test_each_applied_event_reports_its_freshness(running):
    labels = {"consumer": GROUP, "topic": TOPIC}
    applied_before = REGISTRY.get_sample_value("consumer_event_delay_seconds_count", labels) or 0.0
    first, _ = await running.send_event(member_created())
    second, _ = await running.send_event(member_created())

    await running.processed(second)
    await running.processed(first)

    assert REGISTRY.get_sample_value("consumer_event_delay_seconds_count", labels) == applied_before + 2
    newest = REGISTRY.get_sample_value("consumer_newest_applied_event_timestamp_seconds", labels)
    assert newest >= second.time.timestamp() > first.time.timestamp()


@pytest.mark.parametrize(
    ("label", "headers", "value", "reason"),
    [
        ("not JSON", "valid", b"{this is not json", "not-json"),
        ("unknown type", "unknown-type", "valid", "unknown-type"),
        ("missing headers", [], b'{"member_id": "x"}', "missing-attributes"),
        ("wrong schema", "valid", b'{"member_id": "not-a-uuid"}', "schema-mismatch"),
        # The boundary rule: values PostgreSQL cannot hold are refused at the door, not retried against it.
        ("a NUL character", "valid", ("full_name", "Nguyễn\u0000An"), "unstorable-value"),
        ("an integer past 64 bits", "valid", ("version", 2**70), "unstorable-value"),
    ],
)
async def test_a_malformed_message_is_dead_lettered_and_does_not_block_the_next(running, label, headers, value, reason):
    member_id = uuid.uuid4()
    template = Envelope.wrap(member_created(member_id), "members")
    if headers == "valid":
        headers = template.kafka_headers()
    elif headers == "unknown-type":
        headers = [(k, b"members.member.teleported" if k == "ce_type" else v) for k, v in template.kafka_headers()]
    if isinstance(value, tuple):
        document = json.loads(template.data)
        document["member"][value[0]] = value[1]
        value = json.dumps(document).encode()
    value = template.data if value == "valid" else value

    bad = await running.send(member_id, headers, value)
    good, _ = await running.send_event(member_created(member_id, version=2))

    await running.processed(good)
    where = {"x-dlq-topic": TOPIC, "x-dlq-partition": str(bad.partition), "x-dlq-offset": str(bad.offset)}
    records = await read_topic(
        running.bootstrap,
        DEADLETTER_TOPIC,
        lambda found: any(where.items() <= headers_of(r).items() for r in found),
    )
    dead = next(r for r in records if where.items() <= headers_of(r).items())
    assert headers_of(dead)["x-dlq-reason"] == reason, label
    assert headers_of(dead)["x-dlq-consumer"] == GROUP
    assert dead.value == value
    assert dead.key == str(member_id).encode()  # the original key, so the dead letters keep their order
    location = uuid.uuid5(uuid.NAMESPACE_URL, f"kafka://{TOPIC}/{bad.partition}/{bad.offset}")
    assert [(row.outcome, row.detail.split(":")[0]) for row in await running.inbox(location)] == [
        ("dead_lettered", reason)
    ]


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_the_last_attempt(running):
    member_id = uuid.uuid4()
    removed = MemberRemoved(member_id=member_id, member=snapshot(member_id, 2), reason="left the union")
    failing, sent = await running.send_event(removed)
    good, _ = await running.send_event(member_created(member_id, version=3))

    await running.processed(good)

    assert running.handlers.attempts[failing.id] == MAX_ATTEMPTS
    assert [row.outcome for row in await running.inbox(failing.id)] == ["dead_lettered"]
    records = await read_topic(
        running.bootstrap,
        DEADLETTER_TOPIC,
        lambda found: any(headers_of(r).get("ce_id") == str(failing.id) for r in found),
    )
    dead = next(r for r in records if headers_of(r).get("ce_id") == str(failing.id))
    headers = headers_of(dead)
    assert headers["x-dlq-reason"] == "handler-failed"
    assert "cannot cope" in headers["x-dlq-detail"]
    assert (headers["x-dlq-partition"], headers["x-dlq-offset"]) == (str(sent.partition), str(sent.offset))
    assert headers["ce_type"] == "members.member.removed"  # the original headers travel along


async def test_a_database_failure_is_not_acknowledged_and_the_message_comes_again(running):
    member_id = uuid.uuid4()
    approved, _ = await running.send_event(MemberApproved(member_id=member_id, member=snapshot(member_id, 2)))

    await running.processed(approved)

    # The first delivery failed as infrastructure (not the message's fault): no dead letter, a redelivery.
    assert running.handlers.attempts[approved.id] == 2
    assert await running.effects(approved.id) == 1
    assert [row.outcome for row in await running.inbox(approved.id)] == ["processed"]


async def test_the_offset_is_committed_only_after_the_handlers_transaction(running):
    member_id = uuid.uuid4()
    earlier, _ = await running.send_event(member_created(member_id))
    await running.processed(earlier)
    blocked, sent = await running.send_event(MemberUpdated(member_id=member_id, member=snapshot(member_id, 2)))
    gate = running.handlers.gates.setdefault(blocked.id, asyncio.Event())

    # The handler is running: its row is written but not committed, and neither is the offset.
    await eventually(probe(lambda: running.handlers.attempts[blocked.id]), lambda n: n == 1, timeout=30)
    assert await running.effects(blocked.id) == 0
    assert await running.committed(sent.partition) <= sent.offset

    gate.set()
    await running.processed(blocked)
    assert (
        await eventually(lambda: running.committed(sent.partition), lambda offset: offset > sent.offset, timeout=10)
        == sent.offset + 1
    )


async def test_process_reports_each_outcome(running):
    """The pure path, without Kafka delivery: the same record twice, then an event nobody handles."""
    member_id = uuid.uuid4()
    envelope = Envelope.wrap(member_created(member_id), "members")
    record = (TOPIC, 0, 10**9, envelope.kafka_headers(), envelope.data, str(member_id).encode())

    assert await running.consumer.process(*record) == "processed"
    assert await running.consumer.process(*record) == "duplicate"
    assert await running.effects(envelope.id) == 1

    malformed = (TOPIC, 0, 10**9 + 2, envelope.kafka_headers(), b"{not json", str(member_id).encode())
    assert await running.consumer.process(*malformed) == "dead_lettered"
    assert await running.consumer.process(*malformed) == "duplicate"  # redelivered: not dead-lettered twice

    unhandled = Envelope.wrap(
        MemberStatusChanged(member_id=member_id, member=snapshot(member_id, 2), old_status="pending"), "members"
    )
    assert await running.consumer.process(TOPIC, 0, 10**9 + 1, unhandled.kafka_headers(), unhandled.data) == "ignored"
    assert await running.inbox(unhandled.id) == []
    async with running.database.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(inbox_events).where(inbox_events.c.event_id == envelope.id)
            )
            == 1
        )
