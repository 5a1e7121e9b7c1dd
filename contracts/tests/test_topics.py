"""The topic registry: names, keys and event types every service relies on."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from contracts.base import IntegrationEvent
from contracts.topics import DEADLETTER_TOPIC, EVENT_TYPES, TOPICS, TOPICS_BY_NAME, TopicSpec

TOPIC_NAME = re.compile(r"^(?P<context>[a-z][a-z_]*)\.(?P<aggregate>[a-z][a-z_]*)\.v(?P<major>[1-9][0-9]*)$")


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.name)
def test_topic_names_follow_context_aggregate_major(topic: TopicSpec):
    assert TOPIC_NAME.match(topic.name), topic.name
    assert topic.partitions >= 1


def test_topic_names_are_unique():
    assert len(TOPICS_BY_NAME) == len(TOPICS)


def test_event_types_are_unique_across_topics():
    declared = [event.event_type for topic in TOPICS for event in topic.events]
    assert len(declared) == len(set(declared)) == len(EVENT_TYPES)


@pytest.mark.parametrize("topic", [t for t in TOPICS if t.events], ids=lambda t: t.name)
def test_events_belong_to_their_topic_and_carry_its_key(topic: TopicSpec):
    context, aggregate, _ = topic.name.split(".")
    for event in topic.events:
        assert issubclass(event, IntegrationEvent)
        assert event.topic_name == topic.name
        assert event.event_type.startswith(f"{context}.{aggregate}."), event.event_type
        assert event.aggregate_field == topic.key
        assert event.model_fields[topic.key].annotation is UUID
        assert topic.key in event.model_json_schema()["required"]


def test_the_dead_letter_topic_is_registered():
    assert DEADLETTER_TOPIC in TOPICS_BY_NAME
    assert TOPICS_BY_NAME[DEADLETTER_TOPIC].events == ()


@pytest.mark.parametrize("name", ["members.member", "members.member.1", "Members.member.v1", "members..v1", "a.b.c.v1"])
def test_a_badly_named_topic_is_refused(name: str):
    with pytest.raises(ValueError):
        TopicSpec(name=name, partitions=1, key="id", description="bad")
