"""Per-partner topics: each partner's feed published on `cards.issuance.<partner>.v1`, for a bank with Kafka.

Driven by the same feed positions as the webhooks, beside each cards API process (`CARDS_PARTNER_TOPICS_ENABLED`):
for each partner whose topic is active, one publisher at a time (the partner's row is locked) sends the steps after
its position in feed order to the topic's one partition, waits for every acknowledgement (acks=all), then moves the
position in the same transaction. A broker that fails rolls the round back and it is sent again: at least once, the
bank drops a step it has by `ce_id` (the step's event id). The topic is created, one partition, when first used;
in production its KafkaTopic and the bank's KafkaUser (read only, its own group) are rendered with the manifests.
"""

from __future__ import annotations

import asyncio
import logging

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


class PartnerTopicPublisher(Rounds):
    name = "partner-topics"

    def __init__(self, database: Database, settings: CardsSettings) -> None:
        super().__init__(settings.webhook_poll_s)
        self.database, self.settings = database, settings
        self.producer: AIOKafkaProducer | None = None
        self._created: set[str] = set()

    async def round(self) -> int:
        return await self.publish_once()

    async def close(self) -> None:
        if self.producer is not None:
            await self.producer.stop()

    async def publish_once(self) -> int:
        async with self.database.transaction() as session:
            partners = await PartnerTopicRepository(session).active_partners()
        sent = 0
        for partner in partners:
            async with self.database.transaction() as session:
                sent += await self._publish(session, partner)
        return sent

    async def _publish(self, session, partner: str) -> int:
        topics = PartnerTopicRepository(session)
        claimed = await topics.claim(partner)
        if claimed is None:
            return 0
        if claimed.topic_ready_at is None:
            await self._ensure_topic(claimed.topic)
            await topics.mark_ready(partner)
        steps = await IssuanceFeedRepository(session).page(
            sender_principal(partner), partner, claimed.position, self.settings.partner_topic_batch
        )
        if not steps:
            return 0
        await self._ensure_topic(claimed.topic)
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
            deliveries.append(await self.producer.send(claimed.topic, envelope.data, key=envelope.key, headers=headers))
        await asyncio.gather(*deliveries)
        await topics.set_position(partner, steps[-1].sequence)
        return len(steps)

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
