"""Topics the gateway keeps in memory: read from the beginning on every start, without a consumer group.

No offsets to commit and no group join (on the development broker a join costs seconds); every
record is applied idempotently, so reading the whole topic again after a broker restart is harmless.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka.structs import ConsumerRecord
from chassis.kafka import client_options
from contracts.topics import TOPICS_BY_NAME

from gateway.config import GatewaySettings

log = logging.getLogger(__name__)


class TopicFeed:
    """Applies every record of one topic, in a background task, until stopped. Subclasses say how."""

    def __init__(self, settings: GatewaySettings, topic: str, client_id: str) -> None:
        self.settings = settings
        self.topic = topic
        self.partitions = TOPICS_BY_NAME[topic].partitions
        self.client_id = client_id
        self.events = 0
        self._task: asyncio.Task | None = None

    def apply(self, record: ConsumerRecord) -> None:
        raise NotImplementedError

    def after_batch(self) -> None:
        """Called after each fetched batch (for gauges)."""

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.client_id)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # broker down or restarted: start over, what we hold is kept meanwhile
                log.warning("feed failed; retrying", extra={"fields": {
                    "topic": self.topic, "error": repr(error), "in_s": delay}})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _consume(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            **client_options(self.settings),  # type: ignore[arg-type]  # reads only the kafka_* fields
            group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
            fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms, client_id=self.client_id,
        )
        await consumer.start()
        try:
            await self._wait_for_topic(consumer)
            consumer.assign([TopicPartition(self.topic, p) for p in range(self.partitions)])
            await consumer.seek_to_beginning()
            log.info("feed reading", extra={"fields": {"topic": self.topic, "partitions": self.partitions}})
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                for records in batches.values():
                    for record in records:
                        self.apply(record)
                        self.events += 1
                self.after_batch()
        finally:
            await consumer.stop()

    async def _wait_for_topic(self, consumer) -> None:
        """The runner provisions topics from the registry; until then there is nothing to read."""
        while self.topic not in await consumer.topics():  # noqa: ASYNC110 (polling the broker, nothing to wait on)
            await asyncio.sleep(1.0)
