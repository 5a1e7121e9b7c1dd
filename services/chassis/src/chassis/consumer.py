"""Idempotent, at-least-once event consumers on Kafka (faststream).

For each message: read the CloudEvents envelope, decode the typed event, then
in ONE transaction record it in the inbox and run the handler; the offset is
acknowledged only after that commit. A message that cannot be read, or whose
handler keeps failing, goes to the dead-letter topic instead of blocking its
partition. Database outages are not the message's fault: the message is
redelivered once the database is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from contracts.base import IntegrationEvent
from contracts.envelope import Envelope, MalformedMessage
from contracts.topics import DEADLETTER_TOPIC
from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from opentelemetry.trace import SpanKind
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import telemetry
from chassis.database import Database
from chassis.kafka import faststream_security, provision_topics, topics_present
from chassis.settings import ServiceSettings
from chassis.tables import inbox_events

log = logging.getLogger(__name__)
_tracer = telemetry.tracer(__name__)

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
INFRASTRUCTURE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, ConnectionError, OSError)


class EventConsumer:
    """One consumer group per process, subscribed to every topic its handlers need."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        database: Database,
        handlers: Mapping[type[IntegrationEvent], Handler],
    ) -> None:
        self.name = name
        self.settings = settings
        self.database = database
        self.handlers = dict(handlers)
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
        subscriber = self.broker.subscriber(
            *self.topics,
            group_id=name,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            decoder=_raw_body,
            title=f"{name} consumer",
            description="Consumes: " + ", ".join(sorted(e.event_type for e in self.handlers)),
        )
        subscriber(self._on_message)
        self._watchdog: asyncio.Task | None = None

    def app(self) -> FastStream:
        app = FastStream(self.broker)
        app.on_startup(self._before_start)
        app.after_startup(self._start_watchdog)
        app.on_shutdown(self._stop_watchdog)
        return app

    async def _before_start(self) -> None:
        await provision_topics(self.settings)

    async def _on_message(self, body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        await self.process(record.topic, record.partition, record.offset, record.headers, record.value, record.key)

    async def process(
        self, topic: str, partition: int, offset: int, headers: Any, value: bytes | None, key: bytes | None = None
    ) -> str:
        """Handle one Kafka record; returns the outcome (processed, duplicate, ignored, dead_lettered)."""
        try:
            envelope = Envelope.from_kafka(headers, value)
            event = envelope.decode()
        except MalformedMessage as bad:
            event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"kafka://{topic}/{partition}/{offset}")
            await self._dead_letter(
                topic, partition, offset, headers, value, key, bad.reason, bad.detail, event_id, "?"
            )
            return "dead_lettered"
        handler = self.handlers.get(type(event))
        if handler is None:
            telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "ignored").inc()
            return "ignored"
        parent = telemetry.context_from_headers(
            {k: v for k, v in (("traceparent", envelope.traceparent), ("tracestate", envelope.tracestate)) if v}
        )
        with _tracer.start_as_current_span(
            f"consume {envelope.type}", context=parent, kind=SpanKind.CONSUMER,
            attributes={"messaging.consumer.group.name": self.name, "messaging.message.id": str(envelope.id)},
        ):
            return await self._handle(handler, event, envelope, topic, partition, offset, headers, value, key)

    async def _handle(self, handler, event, envelope, topic, partition, offset, headers, value, key) -> str:
        for attempt in range(1, self.settings.consumer_max_attempts + 1):
            try:
                async with self.database.transaction() as session:
                    if not await self._claim(session, envelope, topic):
                        telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "duplicate").inc()
                        return "duplicate"
                    await handler(session, event, envelope)
                telemetry.EVENTS_CONSUMED.labels(self.name, envelope.type, "processed").inc()
                telemetry.LAST_EVENT_PROCESSED.labels(self.name).set(time.time())
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
                        topic, partition, offset, headers, value, key, "handler-failed", repr(error), envelope.id,
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
                    consumer=self.name, event_id=event_id, event_type=event_type, topic=topic,
                    outcome="dead_lettered", detail=f"{reason}: {detail}"[:4000],
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


async def _raw_body(message: Any) -> bytes:
    return message.body
