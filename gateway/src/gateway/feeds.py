"""Topics the gateway keeps in memory: read from the beginning on every start, without a consumer group.

No offsets to commit and no group join (on the development broker a join costs seconds); every
record is applied idempotently, so reading the whole topic again after a broker restart is harmless.

A feed is *current* once it has read to the end of its topic (a poll that found nothing new) and the broker
has answered it within `GATEWAY_FEED_MAX_SILENCE_S`. The gateway refuses tokens while a feed it relies on is
not current (fails closed): a revocation it cannot read must not let an ended session through. The grace
period keeps a broker blip from signing everyone out; what was read before it is kept.
"""

from __future__ import annotations

import asyncio
import logging
import time

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
        self._caught_up = False  # read to the end of the topic once (what it holds since then stays valid)
        self._answered_at: float | None = None  # monotonic time the broker last answered this feed
        self.clock = time.monotonic

    def current(self) -> bool:
        """Read to the end, and the broker answered lately: what the feed holds can be relied on."""
        return (
            self._caught_up
            and self._answered_at is not None
            and self.clock() - self._answered_at < self.settings.feed_max_silence_s
        )

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
                log.warning(
                    "feed failed; retrying",
                    extra={"fields": {"topic": self.topic, "error": repr(error), "in_s": delay}},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.feed_max_silence_s / 3)

    async def _consume(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            **client_options(self.settings),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms,
            client_id=self.client_id,
        )
        await consumer.start()
        try:
            await self._wait_for_topic(consumer)
            consumer.assign([TopicPartition(self.topic, p) for p in range(self.partitions)])
            await consumer.seek_to_beginning()
            log.info("feed reading", extra={"fields": {"topic": self.topic, "partitions": self.partitions}})
            confirmed = 0.0
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                for records in batches.values():
                    for record in records:
                        self.apply(record)
                        self.events += 1
                self.after_batch()
                if not batches:
                    self._caught_up = True
                # An empty poll does not prove the broker is there (the client retries quietly): ask it.
                if self.clock() - confirmed >= self.settings.feed_max_silence_s / 3:
                    await asyncio.wait_for(consumer.topics(), timeout=self.settings.feed_max_silence_s / 3)
                    confirmed = self._answered_at = self.clock()
        finally:
            # What was read stays valid (revocations only add up; the tree is re-read idempotently), so a lost
            # connection does not clear `_caught_up`: the broker's silence counts, after the grace period.
            await consumer.stop()

    async def _wait_for_topic(self, consumer) -> None:
        """The runner provisions topics from the registry; until then there is nothing to read."""
        while self.topic not in await consumer.topics():  # noqa: ASYNC110 (polling the broker, nothing to wait on)
            self._answered_at = self.clock()
            await asyncio.sleep(1.0)
