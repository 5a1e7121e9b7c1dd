"""Transactional outbox: events commit with the change that caused them; a relay publishes them.

Rows are never deleted: published rows are the service's event history, and
`replay` republishes them after a broker lost its data. Consumers' inboxes make
that harmless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import struct
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaProducer
from contracts.base import IntegrationEvent
from contracts.envelope import CONTENT_TYPE, SPEC_VERSION
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chassis import telemetry
from chassis.database import Database, raw_connection
from chassis.ids import uuid7, uuid7_texts
from chassis.kafka import provision_topics, start_producer
from chassis.settings import ServiceSettings
from chassis.tables import outbox_events
from chassis.wakeup import Wakeup

log = logging.getLogger(__name__)
_tracer = telemetry.tracer(__name__)

NOTIFY_CHANNEL = "outbox_events"
# One relay publishes at a time (per-key order); others wait as hot standbys.
RELAY_LOCK_KEY = 0x0B0C5_0001
_TRY_RELAY_LOCK = text("select pg_try_advisory_xact_lock(:key)")
# Counting a large backlog on every batch costs more than the batch; the gauge can lag a little.
BACKLOG_COUNT_INTERVAL_S = 5.0


# Below this many events one INSERT is cheaper than a COPY (which first needs the session's raw connection).
COPY_FROM_EVENTS = 200
_COPIED_COLUMNS = ("event_id", "topic", "message_key", "event_type", "payload", "occurred_at", "trace_headers")
_PREBUILT_COLUMNS = ["event_id", "topic", "message_key", "event_type", "payload", "trace_headers"]

# An event whose JSON the caller built itself: (topic, message key, event type, payload as JSON text).
PrebuiltEvent = tuple[str, str, str, str]

# Every writer below is one way of adding rows to `outbox_events`; no service writes the table otherwise. None
# takes a source: the relay publishes `ce_source` from the publishing service's settings.


async def record_event(session: AsyncSession, event: IntegrationEvent) -> UUID:
    """Add an event to the outbox inside the caller's transaction; returns its (time-ordered) id."""
    row = _row(event, uuid7(), telemetry.current_trace_headers())
    await session.execute(insert(outbox_events).values(**row))
    return row["event_id"]


async def record_events(session: AsyncSession, events: list[IntegrationEvent]) -> None:
    """Bulk form of `record_event` for set-based operations (imports, bulk approval, print orders).

    From `COPY_FROM_EVENTS` events on the rows go by COPY in the session's transaction: 100,000 card events of a
    print order took 4.2 s as a multi-row INSERT, 2.5 s by COPY (most of that is building the events)."""
    if not events:
        return
    trace_headers = telemetry.current_trace_headers()
    rows = [_row(event, uuid7(), trace_headers) for event in events]
    if len(rows) < COPY_FROM_EVENTS:
        await session.execute(insert(outbox_events), rows)
        return
    headers = json.dumps(trace_headers)
    await (await raw_connection(session)).copy_records_to_table(
        "outbox_events",
        columns=list(_COPIED_COLUMNS),
        records=[(*(row[name] for name in _COPIED_COLUMNS[:-1]), headers) for row in rows],
    )


async def record_prebuilt_events(
    target: AsyncSession | asyncpg.Connection, events: Iterable[PrebuiltEvent], count: int | None = None
) -> None:
    """Bulk form for events whose JSON the caller built as text (members' imports and bulk changes of 100,000
    members, orgtree's bulk tree load), written with COPY in the transaction of `target` (a session, or the raw
    connection of an operator's tool). `events` may be a generator: rows are built while COPY sends them (give
    `count`, how many it yields; their ids are made at once). Each event's time is its transaction's."""
    if count is None:
        events = list(events)
        count = len(events)
    if not count:
        return
    connection = target if isinstance(target, asyncpg.Connection) else await raw_connection(target)
    headers = json.dumps(telemetry.current_trace_headers())

    def records() -> Iterator[tuple[str, ...]]:
        for event_id, (topic, key, event_type, payload) in zip(uuid7_texts(count), events, strict=True):
            yield event_id, topic, key, event_type, payload, headers

    await connection.copy_records_to_table("outbox_events", records=records(), columns=_PREBUILT_COLUMNS)


def prebuilt(event: IntegrationEvent) -> PrebuiltEvent:
    """An event model as the row `record_prebuilt_events` writes."""
    return event.topic_name, str(event.aggregate_id()), event.event_type, event.model_dump_json()


def record_event_sync(connection: Connection, event: IntegrationEvent) -> UUID:
    """`record_event` on a synchronous connection: for migrations and the bootstraps they run (the national
    centre, the first administrator, seeded partners)."""
    row = _row(event, uuid7(), {})
    connection.execute(insert(outbox_events).values(**row))
    return row["event_id"]


def _row(event: IntegrationEvent, event_id: UUID, trace_headers: dict[str, str]) -> dict[str, Any]:
    """Event ids are time-ordered: every consumer's inbox is keyed by them."""
    return {
        "event_id": event_id,
        "topic": event.topic_name,
        "message_key": str(event.aggregate_id()),
        "event_type": event.event_type,
        "payload": event.model_dump_json(),
        "trace_headers": trace_headers,
        "occurred_at": datetime.now(UTC),
    }


class OutboxRelay:
    def __init__(self, settings: ServiceSettings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.source = settings.service_name
        self._wakeup = Wakeup(database.url, NOTIFY_CHANNEL, settings.outbox_poll_interval_s)
        self._stopping = asyncio.Event()
        self._backlog_counted_at = float("-inf")

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        producer: AIOKafkaProducer | None = None
        backoff = 0.5
        try:
            async with self._wakeup:
                while not self._stopping.is_set():
                    try:
                        if producer is None:
                            await provision_topics(self.settings)
                            producer = await start_producer(self.settings)
                        published = await self.publish_batch(producer)
                        backoff = 0.5
                        if published < self.settings.outbox_batch_size:
                            await self._wakeup.wait()
                    except Exception as error:  # broker or database down: keep every row, retry later
                        log.warning("outbox relay failed; retrying", extra={"fields": {"error": repr(error)}})
                        if producer is not None:
                            await _stop_quietly(producer)
                            producer = None
                        await self._sleep(backoff)
                        backoff = min(backoff * 2, 10.0)
        finally:
            if producer is not None:
                await _stop_quietly(producer)

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Publish the oldest unpublished events; returns how many.

        The rows are claimed and marked published by one UPDATE in a transaction that
        commits only after the broker acknowledged every message: if publishing fails,
        the rollback leaves them unpublished for the next attempt.
        """
        batch: list[int] = []
        try:
            async with self.database.engine.begin() as connection:
                if not await connection.scalar(_TRY_RELAY_LOCK, {"key": RELAY_LOCK_KEY}):
                    return 0
                # The driver's own connection: the rows come back as the messages need them (text), with
                # none of SQLAlchemy's per-row processing (docs/BENCHMARKS.md, read models, the relay).
                raw = (await connection.get_raw_connection()).driver_connection
                rows = await raw.fetch(_CLAIM, self.settings.outbox_batch_size)
                if not rows:
                    telemetry.OUTBOX_BACKLOG.labels(self.source).set(0)
                    return 0
                batch = [row[0] for row in rows]
                await _publish(producer, rows, self.source)
                backlog = await self._backlog(connection, full=len(rows) == self.settings.outbox_batch_size)
        except Exception as error:
            if batch:
                await self._note_failure(batch, error)
            raise
        telemetry.EVENTS_PUBLISHED.labels(self.source).inc(len(batch))
        if backlog is not None:
            telemetry.OUTBOX_BACKLOG.labels(self.source).set(backlog)
        return len(batch)

    async def _backlog(self, connection: AsyncConnection, full: bool) -> int | None:
        """Unpublished rows left after this batch; counted at most every few seconds while draining a backlog."""
        now = time.monotonic()
        if full and now - self._backlog_counted_at < BACKLOG_COUNT_INTERVAL_S:
            return None
        self._backlog_counted_at = now
        return await connection.scalar(
            select(func.count()).select_from(outbox_events).where(outbox_events.c.published_at.is_(None))
        )

    async def _note_failure(self, batch: list[int], error: Exception) -> None:
        """Leave a trace of the failed attempt on the rows (they stay unpublished); best effort."""
        try:
            async with self.database.transaction() as session:
                await session.execute(
                    update(outbox_events)
                    .where(outbox_events.c.id.in_(batch), outbox_events.c.published_at.is_(None))
                    .values(publish_attempts=outbox_events.c.publish_attempts + 1, last_error=repr(error)[:2000])
                )
        except Exception as database_error:  # the database may be what failed; the rows are safe either way
            log.warning("could not record the outbox failure", extra={"fields": {"error": repr(database_error)}})

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    try:
        await producer.stop()
    except Exception as error:  # a producer of a dead broker may fail to close; it is dropped either way
        log.warning("could not stop the Kafka producer cleanly", extra={"fields": {"error": repr(error)}})


# What a message needs of an outbox row, in this order, as text: the event id, time and trace context are
# formatted by PostgreSQL (the time as `datetime.isoformat` writes it, always with microseconds).
_MESSAGE_COLUMNS = """id, event_id::text, topic, message_key, event_type, payload,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
    trace_headers->>'traceparent', trace_headers->>'tracestate'"""
# RETURNING does not keep the subquery's order: the claimed rows are sorted in the same statement.
_CLAIM = f"""
WITH claimed AS (
    UPDATE outbox_events SET published_at = now(), publish_attempts = publish_attempts + 1
    WHERE id IN (SELECT id FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING {_MESSAGE_COLUMNS}
)
SELECT * FROM claimed ORDER BY id
"""
_SPEC_VERSION = SPEC_VERSION.encode()
_CONTENT_TYPE = CONTENT_TYPE.encode()
_MASK = 0xFFFFFFFF
_M = 0x5BD1E995


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 of a key (aiokafka's `DefaultPartitioner`, the Java client's), its 4-byte words
    unpacked at once: the same partitions as `AIOKafkaProducer.send` chooses, in half its time."""
    length = len(data)
    h = 0x9747B28C ^ length
    for k in struct.unpack_from(f"<{length >> 2}I", data):
        k = (k * _M) & _MASK
        k = ((k ^ (k >> 24)) * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = length & 3
    if tail:
        end = length & ~3
        if tail >= 3:
            h ^= data[end + 2] << 16
        if tail >= 2:
            h ^= data[end + 1] << 8
        h = ((h ^ data[end]) * _M) & _MASK
    h = ((h ^ (h >> 13)) * _M) & _MASK
    return h ^ (h >> 15)


async def _publish(producer: AIOKafkaProducer, rows: list[Any], source: str) -> None:
    """Send a batch of outbox rows (`_MESSAGE_COLUMNS`, in id order) and wait for every acknowledgement.

    The messages are `Envelope.kafka_headers` and the event's JSON as the writer stored it: no event is
    decoded or encoded again. They go into one record batch per partition (`send_batch`), each partition's
    in id order, to the partition `AIOKafkaProducer.send` would choose for the key, so per-key order holds.
    One publish span per writer's trace context continues that trace (an import's thousands of events: one
    span); the messages carry the span's context, or the writer's without tracing.
    """
    source_bytes = source.encode()
    partitions: dict[str, list[int]] = {}
    builders: dict[tuple[str, int], Any] = {}
    deliveries = []
    writers = Counter((row[7], row[8]) for row in rows)
    contexts: dict[tuple[str | None, str | None], list[tuple[str, bytes]]] = {}
    spans = []
    try:
        for _id, event_id, topic, key, event_type, payload, time_text, traceparent, tracestate in rows:
            carried = contexts.get((traceparent, tracestate))
            if carried is None:
                span, carried = _publish_span(
                    traceparent, tracestate, event_type, topic, writers[traceparent, tracestate]
                )
                spans.append(span)
                contexts[traceparent, tracestate] = carried
            key_bytes = key.encode()
            headers = [
                ("ce_specversion", _SPEC_VERSION),
                ("ce_id", event_id.encode()),
                ("ce_source", source_bytes),
                ("ce_type", event_type.encode()),
                ("ce_time", time_text.encode()),
                ("ce_subject", key_bytes),
                ("content-type", _CONTENT_TYPE),
                *carried,
            ]
            of_topic = partitions.get(topic)
            if of_topic is None:
                of_topic = partitions[topic] = sorted(await producer.partitions_for(topic))
            partition = of_topic[(murmur2(key_bytes) & 0x7FFFFFFF) % len(of_topic)]
            builder = builders.get((topic, partition))
            if builder is None:
                builder = builders[topic, partition] = producer.create_batch()
            value = payload.encode()
            if builder.append(key=key_bytes, value=value, timestamp=None, headers=headers) is None:  # full
                deliveries.append(await producer.send_batch(builder, topic, partition=partition))
                builder = builders[topic, partition] = producer.create_batch()
                if builder.append(key=key_bytes, value=value, timestamp=None, headers=headers) is None:
                    raise ValueError(f"outbox row {_id}: the message is larger than a record batch")
        for (topic, partition), builder in builders.items():
            deliveries.append(await producer.send_batch(builder, topic, partition=partition))
        await asyncio.gather(*deliveries)
    finally:
        for span in spans:
            span.end()


def _publish_span(
    traceparent: str | None, tracestate: str | None, event_type: str, topic: str, count: int
) -> tuple[Any, list[tuple[str, bytes]]]:
    """The publish span of the batch's events of one writer's trace context, and the trace headers they carry."""
    stored = {name: value for name, value in (("traceparent", traceparent), ("tracestate", tracestate)) if value}
    span = _tracer.start_span(
        f"publish {event_type}",
        context=telemetry.context_from_headers(stored),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.destination.name": topic, "messaging.batch.message_count": count},
    )
    carried = telemetry.current_trace_headers(trace.set_span_in_context(span)) or stored
    return span, [(name, value.encode()) for name, value in carried.items() if name in ("traceparent", "tracestate")]


async def replay(settings: ServiceSettings, database: Database, since: datetime, topic: str | None = None) -> int:
    """Republish the outbox history from `since`, oldest first, for a broker that lost its data."""
    await provision_topics(settings)
    producer = await start_producer(settings)
    query = f"""SELECT {_MESSAGE_COLUMNS} FROM outbox_events
        WHERE occurred_at >= $1 AND id > $2 AND ($3::text IS NULL OR topic = $3) ORDER BY id LIMIT $4"""
    last_id, total = 0, 0
    try:
        while True:
            async with database.engine.connect() as connection:
                raw = (await connection.get_raw_connection()).driver_connection
                rows = await raw.fetch(query, since, last_id, topic, settings.outbox_batch_size)
            if not rows:
                return total
            with trace.use_span(trace.INVALID_SPAN):
                await _publish(producer, rows, settings.service_name)
            last_id, total = rows[-1][0], total + len(rows)
    finally:
        await producer.stop()
