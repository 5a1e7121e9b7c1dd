"""Idempotent, at-least-once event consumers on Kafka (faststream).

For each message: read the CloudEvents envelope, decode the typed event, then
in ONE transaction record it in the inbox and run the handler; the offset is
acknowledged only after that commit. A message that cannot be read, or whose
handler keeps failing, goes to the dead-letter topic instead of blocking its
partition. Database outages are not the message's fault: the message is
redelivered once the database is back.

Batch mode: when some event types have a batch handler (`batched`: the tree replica's, and every
service's view of members and cards), the subscriber takes up to `consumer_batch_max_records`
records per poll and handles them in ONE transaction: one multi-row inbox insert claims every
event id, only the newly claimed events are applied, in record order (runs of consecutive events
with the same batch handler go to it together, the rest to their per-message handlers), then the
offsets are committed. Malformed records are still dead-lettered one by one; when the batched
transaction fails, the poll is handled again one message at a time on the per-message path
(retries, dead letter), which isolates a poison message.

Every commit reports the freshness of what it applied (`telemetry.EVENT_APPLY_DELAY`,
`telemetry.NEWEST_APPLIED_EVENT`): event time to commit, per topic.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope, MalformedMessage
from contracts.topics import DEADLETTER_TOPIC
from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind
from pydantic import BaseModel, ConfigDict, create_model
from sqlalchemy import ARRAY, Text, Uuid, bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import telemetry
from chassis.boundary import check_json_body
from chassis.database import Database
from chassis.errors import InvalidInput
from chassis.kafka import faststream_security, provision_topics, topics_present
from chassis.settings import ServiceSettings
from chassis.tables import inbox_events

log = logging.getLogger(__name__)
_tracer = telemetry.tracer(__name__)

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
# Applies several events of its types at once, in the order given; must leave the same state as the
# per-message handler applied to each event in turn (it is the fallback when the batch fails): `batched`
# makes the per-message handler of a batch handler, so that the two are one function.
BatchHandler = Callable[[AsyncSession, list[Any], list[Envelope]], Awaitable[None]]
INFRASTRUCTURE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, ConnectionError, OSError)


class EventConsumer:
    """One consumer group per process, subscribed to every topic its handlers need."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        database: Database,
        handlers: Mapping[type[IntegrationEvent], Handler],
        batch_handlers: Mapping[type[IntegrationEvent], BatchHandler] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.database = database
        self.handlers = dict(handlers)
        # A per-message handler may carry its batched form (`batched`): service handler maps built
        # with `{**tree_handlers(), ...}` get batch mode without further wiring; an override drops it.
        self.batch_handlers: dict[type[IntegrationEvent], BatchHandler] = {
            event: handler.batch for event, handler in self.handlers.items() if getattr(handler, "batch", None)
        }
        self.batch_handlers.update(batch_handlers or {})
        if missing := set(self.batch_handlers) - set(self.handlers):
            raise ValueError(f"batch handlers need a per-message handler too (the fallback): {missing}")
        self.batch_mode = bool(self.batch_handlers) and settings.consumer_batch_max_records > 1
        # By the envelope's type: what an event is decoded into (the contract, or the part of it that its handler
        # reads, see `batched`), its handler and its batch handler.
        self._models: dict[str, type[BaseModel]] = {
            event.event_type: reading(event, reads) if (reads := getattr(handler, "reads", None)) else event
            for event, handler in self.handlers.items()
        }
        self._handler_of = {event.event_type: handler for event, handler in self.handlers.items()}
        self._batch_of = {event.event_type: batch for event, batch in self.batch_handlers.items()}
        self.topics = sorted({event.topic_name for event in self.handlers})
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=f"{name}-consumer",
            security=faststream_security(settings),
            compression_type=settings.kafka_compression,
            enable_idempotence=settings.kafka_enable_idempotence,
            acks="all",
            # faststream's own per-message lines ("Received", "Processed") go through our JSON logging,
            # at DEBUG: at national volume they would drown everything else.
            logger=logging.getLogger("chassis.consumer.messages"),
            log_level=logging.DEBUG,
        )
        batching = (
            {
                "batch": True,
                "max_records": settings.consumer_batch_max_records,
                "batch_timeout_ms": settings.consumer_batch_timeout_ms,
            }
            if self.batch_mode
            else {}
        )
        subscriber = self.broker.subscriber(
            *self.topics,
            **batching,
            group_id=name,
            auto_offset_reset="earliest",
            # A poll's writer task commits its offsets (see `_on_batch`); one record at a time, faststream does.
            ack_policy=AckPolicy.MANUAL if self.batch_mode else AckPolicy.NACK_ON_ERROR,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            decoder=_raw_body,
            parser=_records_of_poll if self.batch_mode else None,
            title=f"{name} consumer",
            description="Consumes: " + ", ".join(sorted(e.event_type for e in self.handlers)),
        )
        subscriber(self._on_batch if self.batch_mode else self._on_message)
        self._watchdog: asyncio.Task | None = None
        self._freshness: dict[str, tuple[Any, Any]] = {}
        self._newest: dict[str, float] = {}
        self._writer: asyncio.Task | None = None
        self._writer_records: Sequence[Any] = ()

    def app(self) -> FastStream:
        app = FastStream(self.broker)
        app.on_startup(self._before_start)
        app.after_startup(self._start_watchdog)
        app.on_shutdown(self._stop_watchdog)
        app.on_shutdown(self._finish_writing)
        return app

    async def _before_start(self) -> None:
        await provision_topics(self.settings)

    async def _on_message(self, body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        await self.process(record.topic, record.partition, record.offset, record.headers, record.value, record.key)

    async def _on_batch(self, bodies: list[bytes], message: KafkaMessage) -> None:
        """Decode this poll while the previous one is still being written, then hand it to the writer.

        Decoding is Python's work and writing is mostly PostgreSQL's, so on two cores they overlap: the
        handler returns as soon as the poll is decoded, faststream fetches the next one, and the poll's
        offsets are committed by its writer task once its transaction has (AckPolicy.MANUAL). Polls are
        written one after the other, so offsets are committed in order. When a write fails, its poll and
        every poll after it are rewound to their first records and come again.
        """
        records = message.raw_message
        try:
            outcomes, pending = await self._decode_batch(records)
            failed = await self._settle_writer()
            if failed is not None:
                _rewind(message.consumer, records)
                _rewind(message.consumer, failed)  # last: it is the earlier on every partition both hold
                return
            self._writer = asyncio.get_running_loop().create_task(
                self._write_and_commit(records, outcomes, pending, message.consumer)
            )
            self._writer_records = records
        except BaseException:
            _rewind(message.consumer, records)
            raise

    async def _write_and_commit(
        self,
        records: Sequence[Any],
        outcomes: list[str],
        pending: list[tuple[int, Any, Envelope, IntegrationEvent]],
        consumer: Any,
    ) -> None:
        try:
            await self._apply_decoded(outcomes, pending)
        except BaseException:
            _rewind(consumer, records)  # redelivered even if no further poll arrives to notice
            raise
        try:
            await consumer.commit(_next_offsets(records))
        except Exception as error:  # a rebalance took the partitions: their new owner gets the records again
            log.warning(
                "could not commit the offsets of a written poll; it will be redelivered",
                extra={"fields": {"error": repr(error)}},
            )

    async def _settle_writer(self) -> Sequence[Any] | None:
        """Wait for the previous poll's writer; the poll's records when it failed, else None."""
        writer, records = self._writer, self._writer_records
        self._writer, self._writer_records = None, ()
        if writer is None:
            return None
        try:
            await writer
            return None
        except Exception:
            log.exception("writing a poll failed; it and the polls after it will be redelivered")
            return records

    async def _finish_writing(self) -> None:
        await self._settle_writer()

    async def process(
        self, topic: str, partition: int, offset: int, headers: Any, value: bytes | None, key: bytes | None = None
    ) -> str:
        """Handle one Kafka record; returns the outcome (processed, duplicate, ignored, dead_lettered)."""
        record = _Record(topic, partition, offset, headers, value, key)
        decoded = await self._decode(record)
        if isinstance(decoded, str):
            return decoded
        return await self._process_one(record, *decoded)

    async def _decode(self, record: _Record | Any) -> tuple[Envelope, IntegrationEvent] | str:
        """The envelope and event of a record, or "dead_lettered" (malformed) / "ignored" (not ours)."""
        read = self._read(record)
        if not isinstance(read, MalformedMessage):
            return read
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kafka://{record.topic}/{record.partition}/{record.offset}")
        if await self._in_inbox(event_id):  # redelivered after a rebalance: dead-lettered already
            telemetry.EVENTS_CONSUMED.labels(self.name, "?", "duplicate").inc()
            return "duplicate"
        await self._dead_letter(*_fields(record), read.reason, read.detail, event_id, "?")
        return "dead_lettered"

    def _read(self, record: _Record | Any) -> tuple[Envelope, IntegrationEvent] | str | MalformedMessage:
        """`_decode` without the dead letter: plain Python, no await, so a poll's records are read in one go."""
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
            event = envelope.decode(self._models.get(envelope.type))
            _storable(record.value)
        except MalformedMessage as bad:
            return bad
        if envelope.type not in self._handler_of:
            telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "ignored").inc()
            return "ignored"
        return envelope, event

    async def _process_one(self, record: _Record | Any, envelope: Envelope, event: BaseModel) -> str:
        with _tracer.start_as_current_span(
            f"consume {envelope.type}",
            context=_trace_parent(envelope),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.consumer.group.name": self.name, "messaging.message.id": str(envelope.id)},
        ):
            return await self._handle(self._handler_of[envelope.type], event, envelope, *_fields(record))

    async def process_batch(self, records: Sequence[Any]) -> list[str]:
        """Handle the records of one poll (per partition in offset order); returns each record's outcome.

        Records need `topic`, `partition`, `offset`, `headers`, `value` and `key` (aiokafka's ConsumerRecord).
        """
        return await self._apply_decoded(*await self._decode_batch(records))

    async def _decode_batch(
        self, records: Sequence[Any]
    ) -> tuple[list[str], list[tuple[int, Any, Envelope, IntegrationEvent]]]:
        """Each record's outcome so far (malformed, ignored, duplicate in the poll) and the events to apply."""
        outcomes: list[str] = [""] * len(records)
        pending: list[tuple[int, Any, Envelope, IntegrationEvent]] = []
        seen: set[uuid.UUID] = set()
        for index, record in enumerate(records):
            if index % _DECODE_SLICE == _DECODE_SLICE - 1:
                await asyncio.sleep(0)  # let the previous poll's writer send its next statement to PostgreSQL
            decoded = self._read(record)
            if isinstance(decoded, MalformedMessage):
                decoded = await self._decode(record)  # dead-lettered (or found so already) on its own
            if isinstance(decoded, str):
                outcomes[index] = decoded
            elif decoded[0].id in seen:  # the same event twice in one poll: the first one counts
                telemetry.EVENTS_CONSUMED.labels(self.name, decoded[0].type, "duplicate").inc()
                outcomes[index] = "duplicate"
            else:
                seen.add(decoded[0].id)
                pending.append((index, record, *decoded))
        return outcomes, pending

    async def _apply_decoded(
        self, outcomes: list[str], pending: list[tuple[int, Any, Envelope, IntegrationEvent]]
    ) -> list[str]:
        if len(pending) == 1:
            index, record, envelope, event = pending[0]
            outcomes[index] = await self._process_one(record, envelope, event)
            return outcomes
        if not pending:
            return outcomes
        try:
            claimed = await self._apply_batch(pending)
        except INFRASTRUCTURE_ERRORS:
            log.exception("infrastructure failure; the batch will be redelivered")
            await asyncio.sleep(1.0)
            raise
        except Exception as error:  # some event of the batch: find it on the per-message path
            log.warning(
                "batched handling failed; handling the batch one message at a time",
                extra={"fields": {"records": len(pending), "error": repr(error)}},
            )
            for index, record, envelope, event in pending:
                outcomes[index] = await self._process_one(record, envelope, event)
            return outcomes
        counted: Counter[tuple[str, str]] = Counter()
        for index, _record, envelope, _event in pending:
            outcome = "processed" if envelope.id in claimed else "duplicate"
            counted[envelope.type, outcome] += 1
            outcomes[index] = outcome
        for (event_type, outcome), count in counted.items():
            telemetry.EVENTS_CONSUMED.labels(self.name, event_type, outcome).inc(count)
        self._applied([(record.topic, envelope) for _, record, envelope, _ in pending if envelope.id in claimed])
        return outcomes

    def _applied(self, applied: Sequence[tuple[str, Envelope]]) -> None:
        """Freshness of what a transaction that has just committed applied, per topic."""
        if not applied:
            return
        now = time.time()
        times: dict[str, list[float]] = {}
        for topic, envelope in applied:
            times.setdefault(topic, []).append(envelope.time.timestamp())
        for topic, at in times.items():
            delay, newest = self._freshness_of(topic)
            telemetry.observe_many(delay, [max(0.0, now - t) for t in at])
            latest = max(at)
            if latest > self._newest.get(topic, 0.0):  # partitions of a topic progress unevenly: keep the newest
                self._newest[topic] = latest
                newest.set(latest)
        telemetry.LAST_EVENT_PROCESSED.labels(self.name).set(now)

    def _freshness_of(self, topic: str) -> tuple[Any, Any]:
        found = self._freshness.get(topic)
        if found is None:
            found = self._freshness[topic] = (
                telemetry.EVENT_APPLY_DELAY.labels(self.name, topic),
                telemetry.NEWEST_APPLIED_EVENT.labels(self.name, topic),
            )
        return found

    async def _apply_batch(self, pending: list[tuple[int, Any, Envelope, IntegrationEvent]]) -> set[uuid.UUID]:
        """Claim every event in the inbox and apply the new ones, in order, in one transaction."""
        links = [
            Link(context)
            for _, _, envelope, _ in pending[:_MAX_LINKS]
            if (context := trace.get_current_span(_trace_parent(envelope)).get_span_context()).is_valid
        ]
        with _tracer.start_as_current_span(
            "consume batch",
            kind=SpanKind.CONSUMER,
            links=links,
            attributes={"messaging.consumer.group.name": self.name, "messaging.batch.message_count": len(pending)},
        ):
            async with self.database.transaction() as session:
                claimed = set(
                    (
                        await session.execute(
                            _CLAIM_MANY,
                            {
                                "consumer": self.name,
                                "event_ids": [envelope.id for _, _, envelope, _ in pending],
                                "event_types": [envelope.type for _, _, envelope, _ in pending],
                                "topics": [record.topic for _, record, _, _ in pending],
                            },
                        )
                    ).scalars()
                )
                # Consecutive new events with the same batch handler form one run; the others go alone.
                runs: list[tuple[BatchHandler | None, list[tuple[Envelope, IntegrationEvent]]]] = []
                for _, _, envelope, event in pending:
                    if envelope.id not in claimed:
                        continue
                    batch = self._batch_of.get(envelope.type)
                    if batch is not None and runs and runs[-1][0] == batch:
                        runs[-1][1].append((envelope, event))
                    else:
                        runs.append((batch, [(envelope, event)]))
                for batch, items in runs:
                    if batch is None:
                        for envelope, event in items:
                            await self._handler_of[envelope.type](session, event, envelope)
                    else:
                        await batch(session, [event for _, event in items], [envelope for envelope, _ in items])
            return claimed

    async def _handle(self, handler, event, envelope, topic, partition, offset, headers, value, key) -> str:
        for attempt in range(1, self.settings.consumer_max_attempts + 1):
            try:
                async with self.database.transaction() as session:
                    if not await self._claim(session, envelope, topic):
                        telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "duplicate").inc()
                        return "duplicate"
                    await handler(session, event, envelope)
                telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "processed").inc()
                self._applied([(topic, envelope)])
                return "processed"
            except INFRASTRUCTURE_ERRORS:
                log.exception("infrastructure failure; the message will be redelivered")
                await asyncio.sleep(1.0)
                raise
            except Exception as error:  # the handler's own failure: retry a few times, then dead-letter
                log.warning(
                    "handler failed",
                    extra={"fields": {"event_id": str(envelope.id), "attempt": attempt, "error": repr(error)}},
                )
                if attempt == self.settings.consumer_max_attempts:
                    await self._dead_letter(
                        topic,
                        partition,
                        offset,
                        headers,
                        value,
                        key,
                        "handler-failed",
                        repr(error),
                        envelope.id,
                        envelope.type,
                    )
                    return "dead_lettered"
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
        return "dead_lettered"

    async def _claim(self, session: AsyncSession, envelope: Envelope, topic: str) -> bool:
        """Record the event in the inbox; False when this consumer already has it (a redelivery)."""
        claimed = await session.scalar(
            pg_insert(inbox_events)
            .values(consumer=self.name, event_id=envelope.id, event_type=envelope.type, topic=topic)
            .on_conflict_do_nothing()
            .returning(inbox_events.c.event_id)
        )
        return claimed is not None

    async def _in_inbox(self, event_id: uuid.UUID) -> bool:
        async with self.database.transaction() as session:
            found = await session.scalar(
                select(inbox_events.c.event_id).where(
                    inbox_events.c.consumer == self.name, inbox_events.c.event_id == event_id
                )
            )
        return found is not None

    async def _dead_letter(self, topic, partition, offset, headers, value, key, reason, detail, event_id, event_type):
        dlq_headers = {name: (raw or b"").decode("utf-8", "replace") for name, raw in headers or ()}
        dlq_headers.update(
            {
                "x-dlq-consumer": self.name,
                "x-dlq-reason": reason,
                "x-dlq-detail": detail[:2000],
                "x-dlq-topic": topic,
                "x-dlq-partition": str(partition),
                "x-dlq-offset": str(offset),
            }
        )
        await self.broker.publish(value or b"", topic=DEADLETTER_TOPIC, key=key, headers=dlq_headers)
        async with self.database.transaction() as session:
            await session.execute(
                pg_insert(inbox_events)
                .values(
                    consumer=self.name,
                    event_id=event_id,
                    event_type=event_type,
                    topic=topic,
                    outcome="dead_lettered",
                    detail=f"{reason}: {detail}"[:4000],
                )
                .on_conflict_do_nothing()
            )
        telemetry.EVENTS_CONSUMED.labels(self.name, event_type, "dead_lettered").inc()
        log.error("message dead-lettered", extra={"fields": {"reason": reason, "topic": topic, "offset": offset}})

    async def _start_watchdog(self) -> None:
        self._watchdog = asyncio.get_running_loop().create_task(self._watch_broker())

    async def _stop_watchdog(self) -> None:
        # Left running after the app stops, it would signal whichever process hosts it (a test run, too).
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    async def _watch_broker(self) -> None:
        """Exit when the broker lost our topics (a restarted in-memory broker): the supervisor restarts us.

        Consumers do not recover from a broker restart on their own; a fresh process
        re-provisions topics and rejoins its group. Against Apache Kafka this never fires.
        """
        failures = 0
        while True:
            await asyncio.sleep(2.0)
            try:
                healthy = await topics_present(self.settings, set(self.topics))
            except Exception:  # unreachable broker counts as a failed check
                healthy = False
            failures = 0 if healthy else failures + 1
            if failures >= 3:
                log.error("broker lost its topics or is unreachable; restarting consumer process")
                os.kill(os.getpid(), signal.SIGTERM)
                return


def _rewind(consumer: Any, records: Sequence[Any]) -> None:
    """Seek every partition of the poll back to its first record, so that nothing after it is skipped."""
    earliest: dict[TopicPartition, int] = {}
    for record in records:
        partition = TopicPartition(record.topic, record.partition)
        earliest[partition] = min(record.offset, earliest.get(partition, record.offset))
    for partition, offset in earliest.items():
        try:
            consumer.seek(partition, offset)
        except IllegalStateError:
            continue  # a rebalance took the partition: its new owner starts from the last committed offset


def _next_offsets(records: Sequence[Any]) -> dict[TopicPartition, int]:
    """What to commit once a poll is written: per partition, the offset after its last record."""
    following: dict[TopicPartition, int] = {}
    for record in records:
        partition = TopicPartition(record.topic, record.partition)
        following[partition] = max(record.offset + 1, following.get(partition, 0))
    return following


def _fields(record: Any) -> tuple[str, int, int, Any, bytes | None, bytes | None]:
    """What `_handle` and `_dead_letter` take of a record: topic, partition, offset, headers, value, key."""
    return record.topic, record.partition, record.offset, record.headers, record.value, record.key


@dataclass(frozen=True, slots=True)
class _Record:
    """A Kafka record as `process` gets it; batches pass aiokafka's ConsumerRecord, which has the same fields."""

    topic: str
    partition: int
    offset: int
    headers: Any
    value: bytes | None
    key: bytes | None


# One statement and four parameters whatever the batch size: a multi-row VALUES list of thousands of rows
# cost more to compile and bind than to run.
_CLAIM_MANY = (
    pg_insert(inbox_events)
    .from_select(
        ["consumer", "event_id", "event_type", "topic"],
        select(
            bindparam("consumer", type_=Text),
            func.unnest(bindparam("event_ids", type_=ARRAY(Uuid))),
            func.unnest(bindparam("event_types", type_=ARRAY(Text))),
            func.unnest(bindparam("topics", type_=ARRAY(Text))),
        ),
    )
    .on_conflict_do_nothing()
    .returning(inbox_events.c.event_id)
)
_MAX_LINKS = 64
_DECODE_SLICE = 200


def _trace_parent(envelope: Envelope):
    return telemetry.context_from_headers(
        {k: v for k, v in (("traceparent", envelope.traceparent), ("tracestate", envelope.tracestate)) if v}
    )


# The fields of an event a handler reads: a field name maps to None (the whole field, as the contract types it) or
# to the fields read of the model it holds (a member event's `member` snapshot), and so on down.
Reads = Mapping[str, "Reads | Sequence[str] | None"]


def batched(apply: BatchHandler, reads: Reads | None = None) -> Handler:
    """The handler of a read model that `apply` writes in batches: `apply` given one event.

    A consumer given it runs in batch mode, `apply` taking the new events of a poll in one transaction,
    and falls back to this per-message form (one event, one transaction) to isolate a poison message.
    One function serves both paths, so they cannot disagree.

    `reads`, when given, names the fields of the event that `apply` reads (see `reading`): the consumer then
    validates those alone and gives `apply` that part of the event. A follower that keeps four of a member
    snapshot's twenty fields spent half of each event's validation on the sixteen it never reads
    (docs/BENCHMARKS.md, issue 12).
    """

    async def handle(session: AsyncSession, event: Any, envelope: Envelope) -> None:
        await apply(session, [event], [envelope])

    handle.batch = apply  # type: ignore[attr-defined]
    handle.reads = reads  # type: ignore[attr-defined]
    handle.__name__ = getattr(apply, "__name__", "handle")
    return handle


def reading(model: type[BaseModel], reads: Reads | Sequence[str]) -> type[BaseModel]:
    """The part of `model` (a contract's event, or a model one of its fields holds) made of the fields `reads`
    names, each with the contract's own type, constraints and default.

    Validated with it, an event is the published versioned contract checked on what the consumer reads; the other
    fields are ignored as every contract ignores fields it does not know (`extra="ignore"`). A body that is not
    JSON, misses a field read or holds a value of the wrong type is refused as before; one with a bad value in a
    field this consumer never reads is applied (another consumer that reads it dead-letters it). The boundary rule
    (`_storable`) still reads the whole body.
    """
    fields = reads if isinstance(reads, Mapping) else dict.fromkeys(reads)
    definitions: dict[str, Any] = {}
    for name, inner in fields.items():
        field = model.model_fields[name]
        if inner is None:
            definitions[name] = (field.annotation, field)
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) and field.is_required():
            definitions[name] = (reading(field.annotation, inner), ...)
        else:
            raise ValueError(f"{model.__name__}.{name} holds no model whose fields could be read apart")
    return create_model(  # type: ignore[call-overload]
        f"{model.__name__}Read", __config__=ConfigDict(frozen=True, extra="ignore"), **definitions
    )


def _storable(value: bytes | None) -> None:
    """The boundary rule (`chassis.boundary`) at the Kafka door: an event holding a value PostgreSQL cannot
    take (a NUL character, an integer past 64 bits) is dead-lettered here, not retried against the database."""
    try:
        check_json_body(value or b"")
    except InvalidInput as refused:
        raise MalformedMessage("unstorable-value", refused.message_en) from refused


async def _raw_body(message: Any) -> Any:
    return message.body


async def _records_of_poll(records: tuple[Any, ...], parse_batch: Callable[[Any], Awaitable[Any]]) -> Any:
    """faststream's message of a poll, its headers read from the first record only.

    faststream's own batch parser decodes every record's headers into a dict (3 % of a follower's CPU in a bulk
    import) that nothing here reads: the consumer reads the records themselves (`message.raw_message`), their
    envelopes from their own headers. The message is still faststream's, made by its parser, so acknowledging
    and rewinding work on every record of the poll."""
    message = await parse_batch(records[:1])
    message.raw_message = records
    message.body = [record.value or b"" for record in records]
    return message
