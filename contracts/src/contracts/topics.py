"""The topic registry: every topic of the platform, its partitions and its key.

Topics are created from this list (`chassis.kafka.provision_topics`, run by every
relay and consumer before it starts), never auto-created, because a broker
auto-creates them with the wrong partition count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from contracts.base import IntegrationEvent
from contracts.events import (
    cards_card_v1,
    cards_print_order_v1,
    dues_collection_v1,
    identity_partner_v1,
    identity_user_v1,
    members_bank_identity_v1,
    members_member_v1,
    members_photo_v1,
    orgtree_unit_v1,
)

TOPIC_NAME = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*\.v[1-9][0-9]*")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    key: str
    description: str
    events: tuple[type[IntegrationEvent], ...] = field(default=())

    def __post_init__(self) -> None:
        if not TOPIC_NAME.fullmatch(self.name):
            raise ValueError(f"topic {self.name!r} is not named <context>.<aggregate>.v<major>")


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        name=orgtree_unit_v1.TOPIC,
        # One partition on purpose: a child's creation must never overtake its parent's,
        # and the whole national tree changes a few thousand times a year.
        partitions=1,
        key="unit_id",
        description="Union units: created, updated, moved, merged, dissolved",
        events=orgtree_unit_v1.EVENTS,
    ),
    TopicSpec(
        name=members_member_v1.TOPIC,
        partitions=12,
        key="member_id",
        description="Members: created, approved, rejected, transferred, status/position changes, removed",
        events=members_member_v1.EVENTS,
    ),
    TopicSpec(
        name=members_bank_identity_v1.TOPIC,
        partitions=12,
        key="member_id",
        description="Consented members' ID number, date of birth and phone for the bank issuing their linked card "
        "(cards only)",
        events=members_bank_identity_v1.EVENTS,
    ),
    TopicSpec(
        name=members_photo_v1.TOPIC,
        partitions=12,
        key="member_id",
        description="Members' 3×4 photos at card resolution, for the card faces (cards only)",
        events=members_photo_v1.EVENTS,
    ),
    TopicSpec(
        name=identity_user_v1.TOPIC,
        partitions=3,
        key="user_id",
        description="User accounts, role grants and delegations",
        events=identity_user_v1.EVENTS,
    ),
    TopicSpec(
        name=identity_partner_v1.TOPIC,
        # A handful of banks, changed a few times a year: one partition keeps them in order.
        partitions=1,
        key="partner_id",
        description="Partners (banks): registered, renamed, the subtree whose linked cards they issue, disabled",
        events=identity_partner_v1.EVENTS,
    ),
    TopicSpec(
        name=cards_card_v1.TOPIC,
        partitions=12,
        key="member_id",
        description="Membership cards: requested, ordered, printed, delivered, cancelled, revoked",
        events=cards_card_v1.EVENTS,
    ),
    TopicSpec(
        name=cards_print_order_v1.TOPIC,
        partitions=3,
        key="order_id",
        description="Card print orders for the national print shop or a bank: placed, printed, cancelled",
        events=cards_print_order_v1.EVENTS,
    ),
    TopicSpec(
        name=dues_collection_v1.TOPIC,
        partitions=3,
        key="unit_id",
        description="Dues of a unit and month: recorded or corrected, with the share remitted upward",
        events=dues_collection_v1.EVENTS,
    ),
    TopicSpec(
        name="platform.deadletter.v1",
        partitions=3,
        key="original key",
        description="Messages a consumer could not process, with the reason in x-dlq-* headers",
    ),
)

DEADLETTER_TOPIC = "platform.deadletter.v1"

TOPICS_BY_NAME: dict[str, TopicSpec] = {topic.name: topic for topic in TOPICS}

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {event.event_type: event for topic in TOPICS for event in topic.events}
