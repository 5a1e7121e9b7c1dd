"""Per-partner topics: each partner's feed published on `cards.issuance.<partner>.v1`, for a bank with Kafka.

Driven by the same feed positions as the webhooks, beside each cards API process (`CARDS_PARTNER_TOPICS_ENABLED`).
A round looks only at active partners with work (a step after their position, or a topic not made yet). For each,
one publisher at a time holds a lease on the partner (owner and expiry, claimed in a short `FOR UPDATE SKIP LOCKED`
transaction that also reads the next steps), sends the steps in feed order to the topic's one partition and waits for
every acknowledgement (acks=all) with no transaction open, then moves the position in another short transaction,
only if the lease is still its own and the position where it read it (a replay wins). A broker that fails leaves
the position where it was and the steps are sent again: at least once, the bank drops a step it has by `ce_id` (the
step's event id). A lease outlives a send; a publisher that dies leaves it to run out. The topic is created, one
partition, when first used; in production its KafkaTopic and the
bank's KafkaUser (read only, its own group) are rendered with the manifests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from contextlib import suppress

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from chassis.database import Database
from chassis.kafka import client_options, start_producer
from chassis.rounds import Rounds
from contracts.envelope import Envelope
from contracts.events.cards_issuance_v1 import IssuanceStep

from cards.adapters.repository import IssuanceFeedRepository
from cards.adapters.webhooks import PartnerTopicRepository
from cards.application.webhooks import sender_principal
from cards.config import CardsSettings

log = logging.getLogger(__name__)
SOURCE = "/services/cards"
TOPIC_ALREADY_EXISTS = 36
# A send gives up within the producer's request timeout (`chassis.kafka`, 10 s a try): the lease outlasts a slow one
# many times over, and a publisher that dies holds the partner no longer than this.
LEASE_S = 180.0


class PartnerTopicPublisher(Rounds):
    name = "partner-topics"

    def __init__(self, database: Database, settings: CardsSettings, owner: str | None = None) -> None:
        super().__init__(settings.webhook_poll_s)
        self.database, self.settings = database, settings
        self.producer: AIOKafkaProducer | None = None
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._created: set[str] = set()

    async def round(self) -> int:
        return await self.publish_once()

    async def close(self) -> None:
        if self.producer is not None:
            await self.producer.stop()

    async def publish_once(self) -> int:
        async with self.database.transaction() as session:
            partners = await PartnerTopicRepository(session).partners_with_work()
        sent = 0
        for partner in partners:
            sent += await self._publish(partner)
        return sent

    async def _publish(self, partner: str) -> int:
        """Claim, read, send and settle the partner's next steps; how many moved its position."""
        async with self.database.transaction() as session:
            claimed = await PartnerTopicRepository(session).claim(partner, self.owner, LEASE_S)
            if claimed is None:
                return 0  # another publisher holds the partner, or it was switched off
            steps = await IssuanceFeedRepository(session).page(
                sender_principal(partner), partner, claimed.position, self.settings.partner_topic_batch
            )
        try:
            await self._ensure_topic(claimed.topic)
            await self._send(claimed.topic, steps)
            async with self.database.transaction() as session:
                topics = PartnerTopicRepository(session)
                if claimed.topic_ready_at is None:
                    await topics.mark_ready(partner)
                if not steps or not await topics.advance(partner, self.owner, claimed.position, steps[-1].sequence):
                    return 0  # nothing to send, or the lease was lost or the feed replayed: the next round reads again
            return len(steps)
        finally:
            # A lease that cannot be given up (the database gone, the task cancelled) simply runs out.
            with suppress(Exception):
                async with self.database.transaction() as session:
                    await PartnerTopicRepository(session).release(partner, self.owner)

    async def _send(self, topic: str, steps: list[IssuanceStep]) -> None:
        """Every step to the topic in feed order, returning once the broker acknowledged them all (no transaction)."""
        if not steps:
            return
        if self.producer is None:
            self.producer = await start_producer(self.settings)
        deliveries = []
        for step in steps:
            envelope = Envelope(
                id=step.event_id,
                source=SOURCE,
                type=IssuanceStep.event_type,
                time=step.changed_at,
                subject=str(step.card_id),
                data=step.model_dump_json().encode(),
            )
            headers = [*envelope.kafka_headers(), ("x-sequence", str(step.sequence).encode())]
            deliveries.append(await self.producer.send(topic, envelope.data, key=envelope.key, headers=headers))
        await asyncio.gather(*deliveries)

    async def _ensure_topic(self, topic: str) -> None:
        if topic in self._created:
            return
        admin = AIOKafkaAdminClient(**client_options(self.settings))
        try:
            await admin.start()
            if topic not in set(await admin.list_topics()):
                response = await admin.create_topics([NewTopic(topic, 1, self.settings.kafka_replication_factor)])
                refused = [error for error in response.topic_errors if error[1] not in (0, TOPIC_ALREADY_EXISTS)]
                if refused:
                    raise RuntimeError(f"broker refused to create {topic}: {refused}")
            for described in await admin.describe_topics([topic]):
                if len(described.get("partitions") or []) != 1:  # made by someone else (a broker's auto-creation)
                    log.error(
                        "a partner topic has more than one partition: its order holds per card only; recreate it",
                        extra={"fields": {"topic": topic}},
                    )
        finally:
            await admin.close()
        self._created.add(topic)
