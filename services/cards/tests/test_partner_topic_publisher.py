"""The per-partner topic publisher on real PostgreSQL and a real broker: nothing is locked while the broker
acknowledges (the bank's settings can change and its feed be replayed meanwhile, and a replay wins over the
acknowledged send), one publisher at a time per partner (a lease), every step in feed order, idle partners untouched."""

from __future__ import annotations

import uuid

import pytest
from cards.application.partner_topics import PartnerTopicPublisher
from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from chassis.database import Database
from sqlalchemy import text

from services.cards.tests.conftest import MIGRATIONS, CardOffice
from services.cards.tests.test_webhook_senders import assert_unlocked, feed_of, new_steps
from services.chassis.tests.helpers import headers_of, read_topic
from tests.support.services import TEST_SECRET, client, migrated_database, replicate_small_tree


@pytest.fixture
async def bank(pg_server_url, broker):
    """A cards database where a bank of its own (a fresh code: the test broker is shared) issues Đà Nẵng's linked
    cards and takes them on its own topic; the test runs the publishers."""
    url = await migrated_database(pg_server_url, "cards", MIGRATIONS)
    database = Database(url, 8)
    units = await replicate_small_tree(database, provinces_order_cards=True)
    settings = CardsSettings(
        database_url=url,
        internal_token_secret=TEST_SECRET,
        environment="local",
        kafka_bootstrap_servers=broker.bootstrap,
        webhook_poll_s=0.1,
    )
    code = "T" + uuid.uuid4().hex[:5].upper().translate(str.maketrans("0123456789", "GHIJKLMNOP"))
    async with client(create_app, settings) as http:
        office = CardOffice(http, database, units)
        await office.province("DNG")
        await office.partner(uuid.uuid4(), code, "DNG", version=1)
        enabled = await http.put(
            f"/api/v1/cards/partners/{code}/topic", json={"active": True}, headers=office.as_("national_admin", "TLD")
        )
        assert enabled.status_code == 200, enabled.text
        yield office, settings, code, enabled.json()["topic"]
    await database.dispose()


async def topic_row(office: CardOffice, partner: str):
    async with office.db.transaction() as session:
        return (
            await session.execute(
                text("SELECT position, lease_owner, topic_ready_at FROM partner_topics WHERE partner = :p"),
                {"p": partner},
            )
        ).one()


class Observed(PartnerTopicPublisher):
    """The real publisher; while the broker acknowledges its first send, the test looks at the partner's row."""

    during_send = None

    async def _send(self, topic, steps):
        if steps and self.during_send is not None:
            during, self.during_send = self.during_send, None
            await during()
        await super()._send(topic, steps)


async def test_nothing_is_locked_while_the_broker_acknowledges_and_a_replay_wins(bank):
    office, settings, code, topic = bank
    await new_steps(office, "DNG-A", 3)
    feed = [position for position, _ in await feed_of(office, code)]
    publisher = Observed(office.db, settings)

    async def look_and_replay():
        await assert_unlocked(office, "partner_topics", code)
        replayed = await office.http.post(
            f"/api/v1/cards/partners/{code}/topic/replay",
            json={"after": 0},
            headers=office.as_("national_admin", "TLD"),
        )
        assert replayed.status_code == 200, replayed.text
        # Another publisher may not take the partner meanwhile: the lease is this one's.
        assert await PartnerTopicPublisher(office.db, settings, owner="other").publish_once() == 0

    try:
        # First send: the steps were read at position 0 and the replay set 0 again, so the send settles.
        publisher.during_send = look_and_replay
        assert await publisher.publish_once() == 3
        assert (await topic_row(office, code)).position == feed[-1]
        assert await publisher.publish_once() == 0  # caught up: not even claimed
        records = await read_topic(settings.kafka_bootstrap_servers, topic, lambda found: len(found) >= 3)
        assert [int(headers_of(r)["x-sequence"]) for r in records] == feed
    finally:
        await publisher.close()


async def test_a_settle_after_a_replay_leaves_the_position_to_the_replay(bank):
    office, settings, code, topic = bank
    await new_steps(office, "DNG-A", 2)
    first, second = [position for position, _ in await feed_of(office, code)]
    publisher = Observed(office.db, settings)

    async def first_published_then_replayed():
        async with office.db.transaction() as session:
            await session.execute(
                text("UPDATE partner_topics SET position = :at WHERE partner = :p"), {"at": first, "p": code}
            )

    try:
        publisher.during_send = first_published_then_replayed  # the card office moved it while the broker acknowledged
        assert await publisher.publish_once() == 0
        assert (await topic_row(office, code)).position == first  # the replay's position, not the send's
        assert (await topic_row(office, code)).lease_owner is None
        assert await publisher.publish_once() == 1
        records = await read_topic(settings.kafka_bootstrap_servers, topic, lambda found: len(found) >= 3)
        # Every step in feed order, the replayed one again (the bank drops it by ce_id).
        assert [int(headers_of(r)["x-sequence"]) for r in records] == [first, second, second]
    finally:
        await publisher.close()


async def test_a_partner_leased_to_another_publisher_waits_for_its_lease(bank):
    office, settings, code, topic = bank
    await new_steps(office, "DNG-A", 1)
    publisher = PartnerTopicPublisher(office.db, settings)
    try:
        async with office.db.transaction() as session:
            await session.execute(
                text("UPDATE partner_topics SET lease_owner = 'other', lease_until = now() + interval '1 minute'")
            )
        assert await publisher.publish_once() == 0
        assert (await topic_row(office, code)).position == 0
        async with office.db.transaction() as session:  # the other publisher died: its lease runs out
            await session.execute(text("UPDATE partner_topics SET lease_until = now() - interval '1 second'"))
        assert await publisher.publish_once() == 1
        assert (await topic_row(office, code)).lease_owner is None
    finally:
        await publisher.close()
