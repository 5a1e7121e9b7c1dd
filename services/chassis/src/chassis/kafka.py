"""Kafka clients built from settings only: the same code talks to Apache Kafka and the dev broker."""

from __future__ import annotations

import logging
import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.topics import TOPICS

from chassis.settings import ServiceSettings

log = logging.getLogger(__name__)


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_sasl_mechanism:
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password,
        )
    return options


def producer_options(settings: ServiceSettings) -> dict[str, Any]:
    return {
        **client_options(settings),
        "acks": "all",
        "compression_type": settings.kafka_compression,
        "enable_idempotence": settings.kafka_enable_idempotence,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "max_request_size": 16 * 1024 * 1024,
    }


async def start_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(**producer_options(settings))
    try:
        await producer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer


async def provision_topics(settings: ServiceSettings) -> list[str]:
    """Create every registry topic that is missing, with its final partition count. Idempotent."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in TOPICS if topic.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(topic.name, topic.partitions, settings.kafka_replication_factor)
                    for topic in missing
                ]
            )
            log.info("provisioned topics", extra={"fields": {"topics": [t.name for t in missing]}})
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def topics_present(settings: ServiceSettings, names: set[str]) -> bool:
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5000)
    await admin.start()
    try:
        return names <= set(await admin.list_topics())
    finally:
        await admin.close()
