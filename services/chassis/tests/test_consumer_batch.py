"""The consumer's batch mode (the tree replica's catch-up), as a real faststream app in a real consumer group.

One app for the module (joining a group is slow on the development broker). Its
unit handlers are the tree replica's, wrapped to record what they were given; unit
events go to `orgtree.unit.v1` (one partition, so their order is known), member
events are handled one by one, in the same transaction as the unit events around them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from chassis import tree
from chassis.consumer import EventConsumer
from chassis.kafka import provision_topics
from chassis.tables import inbox_events, tree_closure, tree_units
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import MemberCreated
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitState, UnitUpdated
from contracts.topics import DEADLETTER_TOPIC
from prometheus_client import REGISTRY
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text

from services.chassis.tests.helpers import chassis_settings, headers_of, member_created, probe, read_topic
from tests.support.polling import eventually

UNITS = "orgtree.unit.v1"
MEMBERS = "members.member.v1"
GROUP = "chassis-test-batch-consumer"
MAX_ATTEMPTS = 3
POISON = "poison"  # a unit name both handlers refuse
HICCUP = "hiccup"  # a unit name: the first batch holding it loses its database connection
GATED = "gated"  # a unit name: the handlers wait for the test to open its gate


@dataclass
class Handlers:
    calls: list[tuple[str, list[uuid.UUID]]] = field(default_factory=list)  # ("batch" | "one" | "member", ids)
    attempts: Counter = field(default_factory=Counter)  # per-message attempts per event id
    hiccups: set[uuid.UUID] = field(default_factory=set)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0

    async def _checks(self, events) -> None:
        if any(e.unit.name == POISON for e in events):
            raise ValueError("this unit cannot be applied")
        fresh = [e for e in events if e.unit.name == HICCUP and e.unit_id not in self.hiccups]
        if fresh:
            self.hiccups.update(e.unit_id for e in fresh)
            raise sa_exc.OperationalError("insert into tree_units", {}, ConnectionError("server closed the connection"))
        if any(e.unit.name == GATED for e in events):
            self.waiting += 1
            await self.gate.wait()

    async def one(self, session, event, envelope: Envelope) -> None:
        self.attempts[envelope.id] += 1
        self.calls.append(("one", [envelope.id]))
        await self._checks([event])
        await tree.apply_unit_state(session, event.unit)

    async def batch(self, session, events, envelopes: list[Envelope]) -> None:
        self.calls.append(("batch", [e.id for e in envelopes]))
        await self._checks(events)
        await tree.apply_unit_states(session, [e.unit for e in events])

    async def member(self, session, event, envelope: Envelope) -> None:
        self.calls.append(("member", [envelope.id]))
        await session.execute(
            text("insert into effects (event_id, member_id) values (:event_id, :member_id)"),
            {"event_id": envelope.id, "member_id": event.member_id},
        )

    def batched(self, event_id: uuid.UUID) -> int:
        """How many times a batch handler was given the event."""
        return sum(ids.count(event_id) for kind, ids in self.calls if kind == "batch")

    def committed_batches(self, ids: set[uuid.UUID]) -> list[list[uuid.UUID]]:
        return [[i for i in batch if i in ids] for kind, batch in self.calls if kind == "batch" and ids & set(batch)]


@dataclass
class Running:
    consumer: EventConsumer
    handlers: Handlers
    producer: AIOKafkaProducer
    database: object
    bootstrap: str

    async def send_units(self, events: list) -> list[tuple[Envelope, object]]:
        """Send the events together (one produce request, so the consumer tends to get them in one poll)."""
        envelopes = [Envelope.wrap(event, "orgtree") for event in events]
        futures = [await self.producer.send(UNITS, e.data, key=e.key, headers=e.kafka_headers()) for e in envelopes]
        return list(zip(envelopes, await asyncio.gather(*futures), strict=True))

    async def scalar(self, sql: str, **params):
        async with self.database.transaction() as session:
            return await session.scalar(text(sql), params)

    async def outcomes(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        async with self.database.transaction() as session:
            rows = await session.execute(
                select(inbox_events.c.event_id, inbox_events.c.outcome).where(
                    inbox_events.c.consumer == GROUP, inbox_events.c.event_id.in_(ids)
                )
            )
            return dict(rows.all())

    async def settled(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await eventually(lambda: self.outcomes(ids), lambda found: len(found) == len(ids), timeout=60)

    async def tree_rows(self, unit_ids: list[uuid.UUID]) -> tuple[list, list]:
        async with self.database.transaction() as session:
            units = (
                await session.execute(
                    select(tree_units.c.unit_id, tree_units.c.name, tree_units.c.parent_id, tree_units.c.version)
                    .where(tree_units.c.unit_id.in_(unit_ids))
                    .order_by(tree_units.c.unit_id)
                )
            ).all()
            closure = (
                await session.execute(
                    select(tree_closure)
                    .where(tree_closure.c.descendant_id.in_(unit_ids))
                    .order_by(tree_closure.c.ancestor_id, tree_closure.c.descendant_id)
                )
            ).all()
            return units, closure

    async def committed(self, partition: int) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(GROUP, partitions=[TopicPartition(UNITS, partition)])
        finally:
            await admin.close()
        found = offsets.get(TopicPartition(UNITS, partition))
        return found.offset if found else -1


@pytest.fixture(scope="module")
async def running(database, broker):
    async with database.transaction() as session:
        await session.execute(text("create table effects (event_id uuid not null, member_id uuid not null)"))
    settings = chassis_settings(database, broker.bootstrap, consumer_max_attempts=MAX_ATTEMPTS)
    await provision_topics(settings)
    handlers = Handlers()
    unit_types = (UnitCreated, UnitUpdated)
    consumer = EventConsumer(
        GROUP,
        settings,
        database,
        {**{t: handlers.one for t in unit_types}, MemberCreated: handlers.member},
        batch_handlers={t: handlers.batch for t in unit_types},
    )
    assert consumer.batch_mode
    app = consumer.app()
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=100)
    await producer.start()
    await app.start()
    try:
        yield Running(consumer, handlers, producer, database, broker.bootstrap)
    finally:
        handlers.gate.set()
        await app.stop()
        await producer.stop()


def unit(unit_id: uuid.UUID, parent_id: uuid.UUID | None, version: int = 1, name: str = "Công đoàn") -> UnitState:
    return UnitState(
        unit_id=unit_id,
        code=f"B{str(unit_id)[:8]}",
        name=name,
        type_code="grassroots_union",
        parent_id=parent_id,
        effective_from=date(2025, 7, 1),
        version=version,
    )


def created(unit_id: uuid.UUID, parent_id: uuid.UUID | None, name: str = "Công đoàn") -> UnitCreated:
    return UnitCreated(unit_id=unit_id, unit=unit(unit_id, parent_id, name=name))


def a_tree(size: int) -> tuple[list[uuid.UUID], list[UnitCreated]]:
    """A root and `size - 1` units, each below one created before it."""
    ids = [uuid.uuid4() for _ in range(size)]
    return ids, [created(u, ids[(i - 1) // 3] if i else None) for i, u in enumerate(ids)]


def consumed(outcome: str) -> float:
    labels = {"consumer": GROUP, "event_type": "orgtree.unit.created", "outcome": outcome}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


def as_record(envelope: Envelope, topic: str, offset: int, value: bytes | None = None) -> ConsumerRecord:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=envelope.key,
        value=envelope.data if value is None else value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=envelope.kafka_headers(),
    )


async def test_a_batch_of_unit_events_is_applied_once_with_an_inbox_row_each(running):
    unit_ids, events = a_tree(300)
    sent = await running.send_units(events)
    ids = [envelope.id for envelope, _ in sent]

    assert set((await running.settled(ids)).values()) == {"processed"}

    assert all(running.handlers.batched(i) == 1 for i in ids)
    assert not any(running.handlers.attempts[i] for i in ids)  # no per-message fallback
    assert max(len(batch) for batch in running.handlers.committed_batches(set(ids))) > 1
    units, closure = await running.tree_rows(unit_ids)
    assert len(units) == 300
    depth = {u: 0 for u in unit_ids[:1]}
    for i, unit_id in enumerate(unit_ids[1:], start=1):
        depth[unit_id] = depth[unit_ids[(i - 1) // 3]] + 1
    assert len(closure) == sum(d + 1 for d in depth.values())  # each unit linked to itself and every ancestor


def freshness(topic: str) -> tuple[float, float]:
    """How many events the consumer reported applied from the topic, and the newest one's time."""
    labels = {"consumer": GROUP, "topic": topic}
    return (
        REGISTRY.get_sample_value("consumer_event_delay_seconds_count", labels) or 0.0,
        REGISTRY.get_sample_value("consumer_newest_applied_event_timestamp_seconds", labels) or 0.0,
    )


async def test_a_batch_reports_its_freshness_per_topic(running):
    applied_before, _ = freshness(UNITS)
    members_before = freshness(MEMBERS)
    _, events = a_tree(30)
    sent = await running.send_units(events)

    await running.settled([envelope.id for envelope, _ in sent])

    applied, newest = freshness(UNITS)
    assert applied == applied_before + 30
    assert newest == max(envelope.time for envelope, _ in sent).timestamp()
    assert freshness(MEMBERS) == members_before  # nothing applied from members: its figures do not move
    delays = REGISTRY.get_sample_value("consumer_event_delay_seconds_sum", {"consumer": GROUP, "topic": UNITS})
    assert delays is not None and delays > 0


async def test_redelivery_of_the_same_batch_changes_nothing(running):
    unit_ids, events = a_tree(50)
    first = await running.send_units(events)
    ids = [envelope.id for envelope, _ in first]
    await running.settled(ids)
    before = await running.tree_rows(unit_ids)
    duplicates = consumed("duplicate")

    # The same records again (same ce_id), as after a rebalance, then a marker behind them.
    envelopes = [envelope for envelope, _ in first]
    futures = [await running.producer.send(UNITS, e.data, key=e.key, headers=e.kafka_headers()) for e in envelopes]
    await asyncio.gather(*futures)
    ((marker, _),) = await running.send_units([created(uuid.uuid4(), unit_ids[0])])
    await running.settled([marker.id])

    assert await running.tree_rows(unit_ids) == before
    assert all(running.handlers.batched(i) == 1 for i in ids)
    assert consumed("duplicate") == duplicates + len(ids)
    assert await running.scalar("select count(*) from inbox_events where event_id = any(:ids)", ids=ids) == len(ids)
    # The pure path says the same of every record.
    records = [as_record(e, UNITS, 10**9 + i) for i, e in enumerate(envelopes)]
    assert await running.consumer.process_batch(records) == ["duplicate"] * len(records)


async def test_a_poison_message_in_a_batch_is_dead_lettered_and_the_rest_applied(running):
    unit_ids, events = a_tree(40)
    poison = created(uuid.uuid4(), unit_ids[0], name=POISON)
    events.insert(20, poison)
    sent = await running.send_units(events)
    ids = [envelope.id for envelope, _ in sent]
    poison_envelope, poison_sent = sent[20]

    outcomes = await running.settled(ids)

    assert outcomes.pop(poison_envelope.id) == "dead_lettered"
    assert set(outcomes.values()) == {"processed"}
    assert running.handlers.attempts[poison_envelope.id] == MAX_ATTEMPTS
    units, _ = await running.tree_rows(unit_ids + [poison.unit_id])
    assert {u.unit_id for u in units} == set(unit_ids)
    records = await read_topic(
        running.bootstrap,
        DEADLETTER_TOPIC,
        lambda found: any(headers_of(r).get("ce_id") == str(poison_envelope.id) for r in found),
    )
    dead = headers_of(next(r for r in records if headers_of(r).get("ce_id") == str(poison_envelope.id)))
    assert dead["x-dlq-reason"] == "handler-failed"
    assert (dead["x-dlq-partition"], dead["x-dlq-offset"]) == (str(poison_sent.partition), str(poison_sent.offset))


async def test_a_database_failure_in_a_batch_is_not_acknowledged_and_the_batch_comes_again(running):
    unit_ids, events = a_tree(30)
    events[10] = created(unit_ids[10], events[10].unit.parent_id, name=HICCUP)
    sent = await running.send_units(events)
    ids = [envelope.id for envelope, _ in sent]

    assert set((await running.settled(ids)).values()) == {"processed"}

    assert unit_ids[10] in running.handlers.hiccups  # the first attempt failed as infrastructure
    units, _ = await running.tree_rows(unit_ids)
    assert len(units) == 30


async def test_the_offset_is_committed_only_after_the_batch_transaction(running):
    unit_ids, events = a_tree(20)
    events[-1] = created(unit_ids[-1], events[-1].unit.parent_id, name=GATED)
    sent = await running.send_units(events)
    last_offset = sent[-1][1].offset
    waiting = running.handlers.waiting

    await eventually(probe(lambda: running.handlers.waiting), lambda n: n > waiting, timeout=30)
    assert await running.outcomes([envelope.id for envelope, _ in sent]) == {}  # nothing committed yet
    assert await running.committed(0) <= last_offset

    running.handlers.gate.set()
    await running.settled([envelope.id for envelope, _ in sent])
    assert await eventually(lambda: running.committed(0), lambda offset: offset > last_offset, timeout=10)


async def test_a_mixed_batch_is_applied_in_order_in_one_transaction(running):
    """The pure path: unit and member events and a malformed record in one poll."""
    parent, child = uuid.uuid4(), uuid.uuid4()
    member_id = uuid.uuid4()
    envelopes = [
        Envelope.wrap(created(parent, None), "orgtree"),
        Envelope.wrap(member_created(member_id), "members"),
        Envelope.wrap(UnitUpdated(unit_id=parent, unit=unit(parent, None, version=2, name="Đổi tên")), "orgtree"),
        Envelope.wrap(created(child, parent), "orgtree"),
    ]
    records = [as_record(e, MEMBERS if i == 1 else UNITS, 2 * 10**9 + i) for i, e in enumerate(envelopes)]
    records.insert(2, as_record(envelopes[0], UNITS, 2 * 10**9 + 10, value=b"{not json"))
    records.append(as_record(envelopes[3], UNITS, 2 * 10**9 + 11))  # the same event twice in the poll
    calls = len(running.handlers.calls)

    outcomes = await running.consumer.process_batch(records)

    assert outcomes == ["processed", "processed", "dead_lettered", "processed", "processed", "duplicate"]
    ours = {e.id for e in envelopes}
    assert [(kind, [i for i in ids if i in ours]) for kind, ids in running.handlers.calls[calls:]] == [
        ("batch", [envelopes[0].id]),
        ("member", [envelopes[1].id]),
        ("batch", [envelopes[2].id, envelopes[3].id]),
    ]
    units, closure = await running.tree_rows([parent, child])
    assert {(u.unit_id, u.name, u.version) for u in units} == {(parent, "Đổi tên", 2), (child, "Công đoàn", 1)}
    assert len(closure) == 3
    assert await running.scalar("select count(*) from effects where event_id = :id", id=envelopes[1].id) == 1
    assert set((await running.outcomes([e.id for e in envelopes])).values()) == {"processed"}


async def test_the_tree_handlers_bring_batch_mode_and_an_override_keeps_its_own_path(database):
    from contracts.events.orgtree_unit_v1 import UnitMerged

    async def merged(session, event, envelope) -> None:  # a service's own handling of merges
        return None

    settings = chassis_settings(database, "127.0.0.1:1")
    consumer = EventConsumer("batch-wiring", settings, database, {**tree.tree_handlers(), UnitMerged: merged})
    assert consumer.batch_mode
    assert UnitMerged not in consumer.batch_handlers and UnitCreated in consumer.batch_handlers
    off = EventConsumer(
        "batch-off",
        chassis_settings(database, "127.0.0.1:1", consumer_batch_max_records=1),
        database,
        tree.tree_handlers(),
    )
    assert not off.batch_mode
