"""A poll of member or card events with bad input in it, through each service's production consumer and a real broker.

Every service that follows `members.member.v1` (orgtree, reporting, cards, dues) and the one that follows
`cards.card.v1` (members) runs the consumer its `python -m <service> consume` runs: its ServiceDefinition's
handlers, batch mode. The records are on the broker before the consumer joins, so it meets them in few polls.
Among the good events of 40 members: a malformed record, an event of a type no contract knows, and the events
of one member the service's database refuses (a CHECK constraint the test adds: the handler fails for that
member only). The rest is applied exactly once, each bad record is dead-lettered with its reason, and the
group's offsets are committed past every record.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.kafka import provision_topics
from chassis.tables import inbox_events
from contracts.envelope import Envelope
from contracts.events.cards_card_v1 import CardRequested, CardSnapshot, CardStatusChanged
from contracts.events.members_member_v1 import MemberApproved, MemberCreated, MemberSnapshot
from contracts.topics import DEADLETTER_TOPIC, TOPICS
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from services.chassis.tests.helpers import headers_of, read_topic
from tests.support.infra import committed_offsets
from tests.support.polling import eventually
from tests.support.services import migrated_database

MEMBERS_TOPIC, CARDS_TOPIC = "members.member.v1", "cards.card.v1"
GOOD_MEMBERS = 40
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class Follower:
    service: str
    topic: str
    table: str  # the view the events write; the test makes it refuse one member
    state: str  # the view's column that tells whether a member's events were applied
    applied: object  # its value once they are

    def events(self, member_id: uuid.UUID, unit_id: uuid.UUID) -> list:
        """A member's events, in order: created and approved, or a card requested and printed."""
        if self.topic == MEMBERS_TOPIC:
            return [
                MemberCreated(member_id=member_id, member=snapshot(member_id, unit_id, "pending", 1)),
                MemberApproved(member_id=member_id, member=snapshot(member_id, unit_id, "active", 2)),
            ]
        card = CardSnapshot(
            card_id=uuid.uuid5(member_id, "card"),
            member_id=member_id,
            unit_id=unit_id,
            member_code="01000000001",
            kind="regular",
            status="requested",
            reason="new",
            version=1,
        )
        return [
            CardRequested(member_id=member_id, card=card),
            CardStatusChanged(
                member_id=member_id,
                card=card.model_copy(update={"status": "printed", "version": 2}),
                old_status="requested",
            ),
        ]


FOLLOWERS = [
    Follower("orgtree", MEMBERS_TOPIC, "member_units", "version", 2),
    Follower("reporting", MEMBERS_TOPIC, "member_facts", "version", 2),
    Follower("cards", MEMBERS_TOPIC, "card_holders", "version", 2),
    Follower("dues", MEMBERS_TOPIC, "dues_payers", "version", 2),
    Follower("members", CARDS_TOPIC, "members", "card_status", "printed"),
]


def snapshot(member_id: uuid.UUID, unit_id: uuid.UUID, status: str, version: int) -> MemberSnapshot:
    return MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id,
        status=status,
        full_name="Lê Thị Hồng",
        gender="female",
        date_of_birth=date(1991, 3, 8),
        member_code="01000000001",
        card_type="regular",
        version=version,
    )


def processed_count(group: str, event_types: set[str]) -> float:
    return sum(
        REGISTRY.get_sample_value(
            "events_consumed_total", {"consumer": group, "event_type": event_type, "outcome": "processed"}
        )
        or 0.0
        for event_type in event_types
    )


async def add_members(database: Database, members: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Members in the members service's own table, for card events to land on."""
    async with database.transaction() as session:
        for number, (member_id, unit_id) in enumerate(members):
            await session.execute(
                text(
                    "INSERT INTO members (member_id, unit_id, status, full_name, name_search, gender, date_of_birth, "
                    "id_kind, id_number, version) VALUES (:member_id, :unit_id, 'active', 'Lê Thị Hồng', "
                    "'le thi hong', "
                    "'female', DATE '1991-03-08', 'cccd', :id_number, 2)"
                ),
                {"member_id": member_id, "unit_id": unit_id, "id_number": f"0011910{number:05d}"},
            )


@pytest.mark.parametrize("follower", FOLLOWERS, ids=[f.service for f in FOLLOWERS])
async def test_a_poll_with_bad_input_applies_the_rest_once_and_dead_letters_the_bad(follower, pg_server_url, broker):
    definition = importlib.import_module(f"{follower.service}.__main__").DEFINITION
    url = await migrated_database(pg_server_url, follower.service, definition.migrations_dir)
    database = Database(url, 4)
    unit_id = uuid.uuid4()
    good = [uuid.uuid4() for _ in range(GOOD_MEMBERS)]
    refused = uuid.uuid4()
    if follower.service == "members":
        await add_members(database, [(member_id, unit_id) for member_id in [*good, refused]])
    async with database.transaction() as session:
        # NOT VALID: rows already there stay; a write of the refused member's row fails.
        await session.execute(
            text(
                f"ALTER TABLE {follower.table} ADD CONSTRAINT test_refused_member "
                f"CHECK (member_id <> '{refused}') NOT VALID"
            )
        )
    settings = definition.settings(
        database_url=url,
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        consumer_max_attempts=MAX_ATTEMPTS,
    )
    await provision_topics(settings)
    group = f"{follower.service}-bad-input-{uuid.uuid4().hex[:8]}"
    consumer = EventConsumer(group, settings, database, definition.handlers(settings))
    assert consumer.batch_mode

    # The poll: every member's events in order, the bad records among them.
    envelopes: list[Envelope] = []
    records: list[tuple[bytes, list, bytes]] = []
    for member_id in [*good[:20], refused, *good[20:]]:
        for event in follower.events(member_id, unit_id):
            envelope = Envelope.wrap(event, "/services/test")
            envelopes.append(envelope)
            records.append((envelope.key, envelope.kafka_headers(), envelope.data))
    malformed = Envelope.wrap(follower.events(uuid.uuid4(), unit_id)[0], "/services/test")
    unknown = Envelope.wrap(follower.events(uuid.uuid4(), unit_id)[0], "/services/test")
    unknown_type = f"{follower.topic.rsplit('.', 2)[0]}.teleported".encode()
    records.insert(10, (malformed.key, malformed.kafka_headers(), b"{this is not json"))
    records.insert(
        30,
        (unknown.key, [(k, unknown_type if k == "ce_type" else v) for k, v in unknown.kafka_headers()], unknown.data),
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=50)
    await producer.start()
    try:
        sent = [
            await (await producer.send(follower.topic, value, key=key, headers=headers))
            for key, headers, value in records
        ]
    finally:
        await producer.stop()
    last = {}
    for record in sent:
        partition = TopicPartition(follower.topic, record.partition)
        last[partition] = max(record.offset, last.get(partition, -1))

    app = consumer.app()
    await app.start()
    try:
        offsets = await eventually(
            lambda: committed_offsets(broker.bootstrap, group, list(last)),
            lambda found: all(found.get(p, -1) > offset for p, offset in last.items()),
            timeout=90,
        )
    finally:
        await app.stop()
    assert all(offsets[p] == offset + 1 for p, offset in last.items())  # past every record, the bad ones too

    # The rest applied, the refused member not at all.
    async with database.transaction() as session:
        state = dict(
            (
                await session.execute(
                    text(f"SELECT member_id, {follower.state} FROM {follower.table} WHERE member_id = ANY(:ids)"),
                    {"ids": [*good, refused]},
                )
            ).all()
        )
        inbox = dict(
            (
                await session.execute(
                    select(inbox_events.c.event_id, inbox_events.c.outcome).where(
                        inbox_events.c.consumer == group, inbox_events.c.topic == follower.topic
                    )
                )
            ).all()
        )
    assert {member_id: state.get(member_id) for member_id in good} == dict.fromkeys(good, follower.applied)
    assert state.get(refused) in (None, "none")

    # Each bad record dead-lettered with its reason: the malformed one, the unknown type, both of the refused
    # member's events (after their attempts), and nothing else.
    refused_ids = {str(e.id) for e in envelopes if e.subject == str(refused)}
    expected = {
        str(malformed.id): "not-json",
        str(unknown.id): "unknown-type",
        **dict.fromkeys(refused_ids, "handler-failed"),
    }
    # (The topics are the session's: this group also reads what other tests sent, so only our records count.)
    sent_ids = {str(e.id) for e in [*envelopes, malformed, unknown]}

    def ours(records) -> list[dict[str, str]]:
        return [
            headers_of(r)
            for r in records
            if headers_of(r).get("x-dlq-consumer") == group and headers_of(r).get("ce_id") in sent_ids
        ]

    dead_letters = ours(
        await read_topic(
            broker.bootstrap, DEADLETTER_TOPIC, lambda found: expected.keys() <= {h["ce_id"] for h in ours(found)}
        )
    )
    assert sorted((h["ce_id"], h["x-dlq-reason"]) for h in dead_letters) == sorted(expected.items())
    assert all(
        "test_refused_member" in h["x-dlq-detail"] for h in dead_letters if h["x-dlq-reason"] == "handler-failed"
    )

    # Nothing applied twice: each good event processed, and the consumer counted as many events processed as
    # its inbox holds (a poll applied in a batch and again one by one would count some twice).
    good_ids = {e.id for e in envelopes if e.subject != str(refused)}
    assert {event_id for event_id in good_ids if inbox.get(event_id) == "processed"} == good_ids
    assert {inbox.get(e.id) for e in envelopes if e.subject == str(refused)} == {"dead_lettered"}
    topic_types = {event.event_type for spec in TOPICS if spec.name == follower.topic for event in spec.events}
    assert processed_count(group, topic_types) == list(inbox.values()).count("processed")
    if follower.service == "reporting":
        await _reporting_counted_each_member_once(database, unit_id)
    await database.dispose()


async def _reporting_counted_each_member_once(database: Database, unit_id: uuid.UUID) -> None:
    """Counts and ledger add deltas: an event applied twice would show twice."""
    async with database.transaction() as session:
        counts = dict(
            (
                await session.execute(
                    text("SELECT status, sum(members) FROM unit_member_counts WHERE unit_id = :unit GROUP BY status"),
                    {"unit": unit_id},
                )
            ).all()
        )
        admitted = await session.scalar(
            text("SELECT count(*) FROM membership_movements WHERE unit_id = :unit AND kind = 'admitted'"),
            {"unit": unit_id},
        )
    assert {status: n for status, n in counts.items() if n} == {"active": GOOD_MEMBERS}
    assert admitted == GOOD_MEMBERS
