"""Kafka clients built from settings only: the same code talks to Apache Kafka and the dev broker."""

from __future__ import annotations

import logging
import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.topics import TOPICS, TopicSpec
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from chassis.settings import KafkaSettings

log = logging.getLogger(__name__)

PRODUCER_REQUEST_TIMEOUT_MS = 10_000
TOPIC_ALREADY_EXISTS = 36


def client_options(settings: KafkaSettings) -> dict[str, Any]:
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


def faststream_security(settings: KafkaSettings) -> BaseSecurity | None:
    """The same security as `client_options`, in the form faststream's KafkaBroker takes it."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    use_ssl = protocol in ("SSL", "SASL_SSL")
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile) if use_ssl else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    mechanisms = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    mechanism = (settings.kafka_sasl_mechanism or "PLAIN").upper()
    if mechanism not in mechanisms:
        raise ValueError(f"SASL mechanism {mechanism} is not supported; use one of {sorted(mechanisms)}")
    return mechanisms[mechanism](
        settings.kafka_sasl_username or "", settings.kafka_sasl_password or "", ssl_context=context, use_ssl=use_ssl
    )


def producer_options(settings: KafkaSettings) -> dict[str, Any]:
    return {
        **client_options(settings),
        "acks": "all",
        "compression_type": settings.kafka_compression,
        "enable_idempotence": settings.kafka_enable_idempotence,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "max_request_size": 16 * 1024 * 1024,
        # aiokafka's 40 s default is how long a send waits for an unreachable broker; the relay
        # retries the whole batch anyway, so failing sooner only brings the retry forward.
        "request_timeout_ms": PRODUCER_REQUEST_TIMEOUT_MS,
    }


async def start_producer(settings: KafkaSettings) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(**producer_options(settings))
    try:
        await producer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer


async def provision_topics(settings: KafkaSettings) -> list[str]:
    """Create every registry topic that is missing, with its final partition count. Idempotent.

    Several processes provision at start-up, so a topic another one created meanwhile is fine;
    any other refusal (replication factor, policy) is raised instead of leaving the topic to
    be auto-created with the broker's default partition count.
    """
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [topic for topic in TOPICS if topic.name not in existing]
        await _report_wrong_partitions(admin, [topic for topic in TOPICS if topic.name in existing])
        if missing:
            response = await admin.create_topics(
                [NewTopic(topic.name, topic.partitions, settings.kafka_replication_factor) for topic in missing]
            )
            refused = [
                f"{error[0]}: error {error[1]} {error[2] if len(error) > 2 else ''}".strip()
                for error in response.topic_errors
                if error[1] not in (0, TOPIC_ALREADY_EXISTS)
            ]
            if refused:
                raise RuntimeError("broker refused to create topics: " + "; ".join(refused))
            log.info("provisioned topics", extra={"fields": {"topics": [t.name for t in missing]}})
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def _report_wrong_partitions(admin: AIOKafkaAdminClient, topics: list[TopicSpec]) -> None:
    """A topic someone else created (a producer's auto-creation) may have the wrong partition count.

    That cannot be repaired by adding partitions without moving keys, so it is reported loudly
    rather than fixed: the topic has to be recreated (on the development broker: restart it).
    """
    if not topics:
        return
    wanted = {topic.name: topic.partitions for topic in topics}
    for described in await admin.describe_topics(list(wanted)):
        found = len(described.get("partitions") or [])
        if found != wanted.get(described.get("topic"), found):
            log.error(
                "topic has the wrong partition count; recreate it",
                extra={
                    "fields": {
                        "topic": described["topic"],
                        "partitions": found,
                        "registry_partitions": wanted[described["topic"]],
                    }
                },
            )


async def topics_present(settings: KafkaSettings, names: set[str]) -> bool:
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5000)
    try:
        await admin.start()
        return names <= set(await admin.list_topics())
    finally:
        await admin.close()
