"""Transactional outbox: events commit with the change that caused them; a relay publishes them.

Rows are never deleted: published rows are the service's event history, and
`replay` republishes them after a broker lost its data. Consumers' inboxes make
that harmless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chassis import telemetry
from chassis.database import Database, asyncpg_dsn, raw_connection
from chassis.ids import uuid7
from chassis.kafka import provision_topics, start_producer
from chassis.settings import ServiceSettings
from chassis.tables import outbox_events

log = logging.getLogger(__name__)
_tracer = telemetry.tracer(__name__)

NOTIFY_CHANNEL = "outbox_events"
# One relay publishes at a time (per-key order); others wait as hot standbys.
RELAY_LOCK_KEY = 0x0B0C5_0001
_TRY_RELAY_LOCK = text("select pg_try_advisory_xact_lock(:key)")
# Counting a large backlog on every batch costs more than the batch; the gauge can lag a little.
BACKLOG_COUNT_INTERVAL_S = 5.0
_RELAYED_COLUMNS = (
    outbox_events.c.id, outbox_events.c.event_id, outbox_events.c.topic, outbox_events.c.message_key,
    outbox_events.c.event_type, outbox_events.c.payload, outbox_events.c.trace_headers, outbox_events.c.occurred_at,
)


# Below this many events one INSERT is cheaper than a COPY (which first needs the session's raw connection).
COPY_FROM_EVENTS = 200
_COPIED_COLUMNS = ("event_id", "topic", "message_key", "event_type", "payload", "occurred_at", "trace_headers")


async def record_event(session: AsyncSession, event: IntegrationEvent, source: str) -> Envelope:
    """Add an event to the outbox inside the caller's transaction."""
    trace_headers = telemetry.current_trace_headers()
    envelope = _wrap(event, source, trace_headers)
    await session.execute(insert(outbox_events).values(**_row(event, envelope, trace_headers)))
    return envelope


async def record_events(session: AsyncSession, events: list[IntegrationEvent], source: str) -> None:
    """Bulk form of `record_event` for set-based operations (imports, bulk approval, print orders).

    From `COPY_FROM_EVENTS` events on the rows go by COPY in the session's transaction: 100,000 card events of a
    print order took 4.2 s as a multi-row INSERT, 2.5 s by COPY (most of that is building the events)."""
    if not events:
        return
    trace_headers = telemetry.current_trace_headers()
    rows = [_row(event, _wrap(event, source, trace_headers), trace_headers) for event in events]
    if len(rows) < COPY_FROM_EVENTS:
        await session.execute(insert(outbox_events), rows)
        return
    headers = json.dumps(trace_headers)
    await (await raw_connection(session)).copy_records_to_table(
        "outbox_events", columns=list(_COPIED_COLUMNS),
        records=[(*(row[name] for name in _COPIED_COLUMNS[:-1]), headers) for row in rows])


def _wrap(event: IntegrationEvent, source: str, trace_headers: dict[str, str]) -> Envelope:
    """Event ids are time-ordered: every consumer's inbox is keyed by them."""
    return Envelope.wrap(event, source, trace_headers.get("traceparent"), trace_headers.get("tracestate"), uuid7())


def _row(event: IntegrationEvent, envelope: Envelope, trace_headers: dict[str, str]) -> dict[str, Any]:
    return {
        "event_id": envelope.id,
        "topic": event.topic_name,
        "message_key": envelope.subject,
        "event_type": envelope.type,
        "payload": envelope.data.decode(),
        "trace_headers": trace_headers,
        "occurred_at": envelope.time,
    }


def _envelope_of(row: Any, source: str, trace_headers: dict[str, str]) -> Envelope:
    return Envelope(
        id=row.event_id,
        source=source,
        type=row.event_type,
        time=row.occurred_at,
        subject=row.message_key,
        data=row.payload.encode(),
        traceparent=trace_headers.get("traceparent"),
        tracestate=trace_headers.get("tracestate"),
    )


class OutboxRelay:
    def __init__(self, settings: ServiceSettings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.source = settings.service_name
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._backlog_counted_at = float("-inf")

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        listener = await self._listen()
        producer: AIOKafkaProducer | None = None
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                try:
                    if producer is None:
                        await provision_topics(self.settings)
                        producer = await start_producer(self.settings)
                    published = await self.publish_batch(producer)
                    backoff = 0.5
                    if published < self.settings.outbox_batch_size:
                        await self._wait_for_work()
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
            if listener is not None and not listener.is_closed():
                await listener.close(timeout=2)

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
                claimed = outbox_events.c.id.in_(
                    select(outbox_events.c.id)
                    .where(outbox_events.c.published_at.is_(None))
                    .order_by(outbox_events.c.id)
                    .limit(self.settings.outbox_batch_size)
                    .with_for_update(skip_locked=True)
                )
                rows = (
                    await connection.execute(
                        update(outbox_events)
                        .where(claimed)
                        .values(published_at=func.now(), publish_attempts=outbox_events.c.publish_attempts + 1)
                        .returning(*_RELAYED_COLUMNS)
                    )
                ).all()
                if not rows:
                    telemetry.OUTBOX_BACKLOG.labels(self.source).set(0)
                    return 0
                rows.sort(key=lambda row: row.id)  # RETURNING does not keep the subquery's order
                batch = [row.id for row in rows]
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

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(asyncpg_dsn(self.database.url))
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            return connection
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("outbox LISTEN unavailable; polling only", extra={"fields": {"error": repr(error)}})
            return None

    async def _wait_for_work(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self.settings.outbox_poll_interval_s)
        except TimeoutError:
            pass
        self._wake.clear()

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


async def _publish(producer: AIOKafkaProducer, rows: list[Any], source: str) -> None:
    """Send a batch and wait for every acknowledgement; per-key order holds inside a partition."""
    deliveries = []
    for row in rows:
        trace_headers = dict(row.trace_headers or {})
        parent = telemetry.context_from_headers(trace_headers)
        with _tracer.start_as_current_span(
            f"publish {row.event_type}", context=parent, kind=SpanKind.PRODUCER,
            attributes={"messaging.destination.name": row.topic, "messaging.message.id": str(row.event_id)},
        ):
            # The publish span continues the writer's trace; without tracing set up, the stored context travels.
            envelope = _envelope_of(row, source, telemetry.current_trace_headers() or trace_headers)
            deliveries.append(
                await producer.send(row.topic, envelope.data, key=envelope.key, headers=envelope.kafka_headers())
            )
    await asyncio.gather(*deliveries)


async def replay(settings: ServiceSettings, database: Database, since: datetime, topic: str | None = None) -> int:
    """Republish the outbox history from `since`, oldest first, for a broker that lost its data."""
    await provision_topics(settings)
    producer = await start_producer(settings)
    last_id, total = 0, 0
    try:
        while True:
            query = (
                select(outbox_events)
                .where(outbox_events.c.occurred_at >= since, outbox_events.c.id > last_id)
                .order_by(outbox_events.c.id)
                .limit(settings.outbox_batch_size)
            )
            if topic:
                query = query.where(outbox_events.c.topic == topic)
            async with database.transaction() as session:
                rows = (await session.execute(query)).all()
            if not rows:
                return total
            with trace.use_span(trace.INVALID_SPAN):
                await _publish(producer, rows, settings.service_name)
            last_id, total = rows[-1].id, total + len(rows)
    finally:
        await producer.stop()
