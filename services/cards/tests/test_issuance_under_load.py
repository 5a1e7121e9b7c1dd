"""The banks' feed under load: every step of every linked card, once, in commit order, while orders race.

The platform as it runs: the cards API in process, the real relay publishing the outbox to the real broker, and
cards' real consumer numbering the steps of `cards.card.v1` into the feed. Two provinces each request ~450
linked cards at once, order them, cancel the order, order them again and have them printed, while single cards
are requested one by one in both (a province's order sweeps up whichever of them have committed) and a bank's
client pages through the feed from the start. At the end the bank must have seen exactly the steps the
service recorded: none lost, none twice, each card's steps in its own order (versions 1, 2, 3, ...).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import date

import pytest
from cards.adapters.bank_identities import BankIdentityRepository
from cards.adapters.repository import CardHolderRepository
from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from cards.entrypoints.consumers import feed_card_step
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.kafka import provision_topics
from chassis.outbox import OutboxRelay
from chassis.principal import Grant, Principal
from chassis.tables import outbox_events
from contracts.events import cards_card_v1
from contracts.events.members_bank_identity_v1 import BankIdentityShared
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import select

from services.cards.tests.conftest import MIGRATIONS
from tests.support.polling import eventually
from tests.support.services import (
    TEST_SECRET,
    client,
    headers_for,
    migrated_database,
    principal,
    replicate_small_tree,
    replicate_unit,
)

ORDERED_PER_PROVINCE = 450
SINGLES_PER_PROVINCE = 50
BANK = "CTG"


class Platform:
    def __init__(self, http, database: Database, units: dict) -> None:
        self.http, self.db, self.units = http, database, units

    def as_(self, role: str, unit: str) -> dict[str, str]:
        return headers_for(principal(role, self.units[unit], f"{role}@{unit}"))

    async def post(self, path: str, body: dict, role: str, unit: str) -> dict:
        response = await self.http.post(f"/api/v1/cards/{path}", json=body, headers=self.as_(role, unit))
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    async def members(self, unit: str, count: int, prefix: int) -> list[str]:
        snapshots = [
            MemberSnapshot(
                member_id=uuid.uuid4(),
                unit_id=self.units[unit],
                status="active",
                full_name=f"Đoàn viên {prefix}-{i}",
                gender="female",
                date_of_birth=date(1990, 1, 1),
                member_code=f"{prefix:02d}{i:09d}",
                card_type="linked",
                version=2,
                has_photo=True,
            )
            for i in range(count)
        ]
        consents = [
            BankIdentityShared(
                member_id=s.member_id,
                version=3,
                id_kind="cccd",
                id_number=f"0010900{i:05d}",
                date_of_birth=date(1990, 1, 1),
                consent_given_on=date(2026, 11, 30),
            )
            for i, s in enumerate(snapshots)
        ]
        async with self.db.transaction() as session:
            await CardHolderRepository(session).apply(snapshots)
            await BankIdentityRepository(session).apply(consents)
        return [str(s.member_id) for s in snapshots]

    async def bank_steps(self) -> dict[uuid.UUID, dict]:
        """What the service recorded for the bank: every card event of its linked cards, by event id."""
        async with self.db.transaction() as session:
            rows = await session.execute(
                select(outbox_events.c.event_id, outbox_events.c.payload).where(
                    outbox_events.c.topic == cards_card_v1.TOPIC
                )
            )
        steps = {
            row.event_id: cards_card_v1.CardStatusChanged.model_validate_json(row.payload).card
            if '"old_status"' in row.payload
            else cards_card_v1.CardRequested.model_validate_json(row.payload).card
            for row in rows
        }
        return {event_id: card for event_id, card in steps.items() if card.partner == BANK}


class Follower:
    """The bank's client: pages through the feed from where it stopped, keeping every step it is given."""

    def __init__(self, platform: Platform) -> None:
        self.platform, self.cursor, self.items, self.pages = platform, None, [], 0
        self.headers = headers_for(
            Principal(
                user_id=None,
                username="client:mc_ctg",
                client_id="mc_ctg",
                partner=BANK,
                grants=(Grant("cards.issuance:read", NATIONAL_CENTRE_ID),),
            )
        )

    async def read(self) -> list[dict]:
        while True:
            params = {"limit": 500} | ({"after": self.cursor} if self.cursor else {})
            response = await self.platform.http.get("/api/v1/cards/issuance", params=params, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            self.pages += 1
            self.items += page["items"]
            self.cursor = page["next_cursor"]
            if page["caught_up"]:
                return self.items


@pytest.fixture(scope="module")
async def platform(pg_server_url, broker):
    url = await migrated_database(pg_server_url, "cards", MIGRATIONS)
    database = Database(url, 12)
    units = await replicate_small_tree(database, provinces_order_cards=True)
    units["HCM-D"] = await replicate_unit(database, "HCM-D", units["HCM"])
    settings = CardsSettings(
        database_url=url,
        internal_token_secret=TEST_SECRET,
        database_pool_size=12,
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
    )
    await provision_topics(settings)
    relay = OutboxRelay(settings, database)
    relaying = asyncio.create_task(relay.run())
    # cards' consumer of its own card events (its own group: the broker is shared by the test session).
    consumer = EventConsumer(
        f"cards-feed-{uuid.uuid4().hex[:8]}", settings, database, dict.fromkeys(cards_card_v1.EVENTS, feed_card_step)
    )
    app = consumer.app()
    await app.start()
    try:
        async with client(create_app, settings) as http:
            yield Platform(http, database, units)
    finally:
        await app.stop()
        relay.stop()
        await relaying
        await database.dispose()


async def order_cancel_reorder_print(platform: Platform, province: str, grassroots: str, members: list[str]) -> None:
    await platform.post("requests", {"member_ids": members}, "card_officer", grassroots)
    first = await platform.post(
        "print-orders", {"unit_id": str(platform.units[province]), "kind": "linked"}, "card_officer", province
    )
    await platform.post(
        f"print-orders/{first['order_id']}/cancel", {"reason": "Sai danh sách"}, "card_officer", province
    )
    second = await platform.post(
        "print-orders", {"unit_id": str(platform.units[province]), "kind": "linked"}, "card_officer", province
    )
    await platform.post(f"print-orders/{second['order_id']}/printed", {}, "card_officer", "TLD")


async def one_by_one(platform: Platform, unit: str, members: list[str]) -> None:
    for member in members:
        await platform.post("requests", {"member_ids": [member]}, "card_officer", unit)


async def test_a_bank_following_the_feed_gets_every_step_once_in_order_while_orders_race(platform):
    hni, hcm = (
        await platform.members("HNI-A", ORDERED_PER_PROVINCE, 1),
        await platform.members("HCM-C", ORDERED_PER_PROVINCE, 2),
    )
    hni_singles = await platform.members("HNI-B", SINGLES_PER_PROVINCE, 3)
    hcm_singles = await platform.members("HCM-D", SINGLES_PER_PROVINCE, 4)
    follower, writing = Follower(platform), True
    following = asyncio.create_task(eventually(follower.read, lambda _: not writing, timeout=600))

    await asyncio.gather(
        order_cancel_reorder_print(platform, "HNI", "HNI-A", hni),
        order_cancel_reorder_print(platform, "HCM", "HCM-C", hcm),
        one_by_one(platform, "HNI-B", hni_singles),
        one_by_one(platform, "HCM-D", hcm_singles),
    )
    writing = False
    read_while_writing = follower.pages
    await following
    recorded = await platform.bank_steps()
    assert read_while_writing > 1, "the bank read only after the writers had finished"
    assert len(recorded) >= 2 * ORDERED_PER_PROVINCE * 5 + 2 * SINGLES_PER_PROVINCE
    seen = await eventually(follower.read, lambda items: len(items) >= len(recorded), timeout=180)

    event_ids = [uuid.UUID(item["event_id"]) for item in seen]
    assert len(event_ids) == len(set(event_ids)), "a step was delivered twice"
    assert set(event_ids) == set(recorded), "the feed and the service's record differ"
    positions = [item["sequence"] for item in seen]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    versions: dict[str, list[int]] = defaultdict(list)
    for item in seen:
        versions[item["card_id"]].append(item["version"])
        card = recorded[uuid.UUID(item["event_id"])]
        assert (item["status"], item["version"], item["order_id"]) == (
            card.status,
            card.version,
            str(card.order_id) if card.order_id else None,
        )
    assert len(versions) == 2 * (ORDERED_PER_PROVINCE + SINGLES_PER_PROVINCE)
    assert all(steps == list(range(1, len(steps) + 1)) for steps in versions.values()), "a card's steps out of order"
    # The large orders' cards went through all five steps, in every interleaving.
    assert sum(len(steps) == 5 for steps in versions.values()) >= 2 * ORDERED_PER_PROVINCE
