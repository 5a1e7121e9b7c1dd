"""Kafka clients come from settings only: the relay's and the consumer's clients get the same security."""

from __future__ import annotations

import ssl

import pytest
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.kafka import client_options, faststream_security, producer_options
from chassis.settings import ServiceSettings
from contracts.events.members_member_v1 import MemberCreated
from faststream.kafka.security import parse_security


async def _ignore(session, event, envelope) -> None:
    return None


def secured(protocol: str, mechanism: str | None = None) -> ServiceSettings:
    return ServiceSettings(
        kafka_bootstrap_servers="kafka-1:9093,kafka-2:9093",
        kafka_security_protocol=protocol,
        kafka_sasl_mechanism=mechanism,
        kafka_sasl_username="members",
        kafka_sasl_password="s3cret",
        kafka_enable_idempotence=True,
    )


def test_plaintext_needs_no_security():
    settings = ServiceSettings(kafka_bootstrap_servers="127.0.0.1:9092")
    assert faststream_security(settings) is None
    assert client_options(settings) == {"bootstrap_servers": "127.0.0.1:9092", "security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize(
    ("protocol", "mechanism"),
    [("SSL", None), ("SASL_SSL", "SCRAM-SHA-512"), ("SASL_SSL", "SCRAM-SHA-256"), ("SASL_PLAINTEXT", "PLAIN")],
)
def test_the_consumer_and_the_relay_use_the_same_security(protocol, mechanism):
    settings = secured(protocol, mechanism)
    relay_side = client_options(settings)
    consumer_side = parse_security(faststream_security(settings))

    for key in ("security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password"):
        assert consumer_side.get(key) == relay_side.get(key), key
    assert isinstance(consumer_side.get("ssl_context"), ssl.SSLContext) == protocol.endswith("SSL")
    assert producer_options(settings)["enable_idempotence"] is True  # on for Apache Kafka


def test_a_consumer_can_be_built_for_a_secured_production_cluster():
    settings = secured("SASL_SSL", "SCRAM-SHA-512")
    consumer = EventConsumer("members", settings, Database(settings.database_url), {MemberCreated: _ignore})
    assert consumer.topics == ["members.member.v1"]


def test_an_unsupported_sasl_mechanism_is_refused_at_start():
    with pytest.raises(ValueError, match="GSSAPI"):
        faststream_security(secured("SASL_SSL", "GSSAPI"))
