"""The banks' feed of linked-card steps: one bank's cards only, within the client's subtree, resumable."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import uuid4

from cards.adapters.bank_identities import BankIdentityRepository
from cards.adapters.repository import CardHolderRepository, PartnerRepository
from cards.adapters.tables import issuance_feed
from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from chassis import migrations
from chassis.database import Database
from chassis.principal import Grant, Principal
from chassis.tables import inbox_events
from contracts.events.identity_partner_v1 import PartnerSnapshot
from contracts.events.members_bank_identity_v1 import BankIdentityShared
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.wellknown import VIETINBANK_PARTNER_ID
from sqlalchemy import select

from services.cards.tests.conftest import MIGRATIONS, assert_problem
from tests.support.infra import fresh_database
from tests.support.services import TEST_SECRET, client, headers_for, principal, replicate_small_tree


def bank_client(office, partner: str, unit: str = "HNI") -> dict[str, str]:
    client_id = f"mc_{partner.lower()}_{unit.lower()}"
    return headers_for(
        Principal(
            user_id=None,
            username=f"client:{client_id}",
            client_id=client_id,
            partner=partner,
            grants=(Grant("cards.issuance:read", office.units[unit]),),
        )
    )


async def feed(office, headers, **params) -> dict:
    await office.feed_the_banks()
    response = await office.http.get("/api/v1/cards/issuance", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_bank_follows_its_own_linked_cards_from_where_it_stopped(office):
    linked, regular = await office.member("HNI-A", card_type="linked"), await office.member("HNI-A")
    far_away = await office.member("HCM-C", card_type="linked")
    [linked_card, regular_card] = (await office.request([linked, regular]))["cards"]
    await office.request([far_away], unit="HCM-C")
    assert (linked_card["partner"], regular_card["partner"]) == ("CTG", None)

    first = await feed(office, bank_client(office, "CTG"))
    mine = [step for step in first["items"] if step["card_id"] == linked_card["card_id"]]
    assert [(s["status"], s["partner"], s["member_code"], s["version"], s["verification_code"]) for s in mine] == [
        ("requested", "CTG", linked_card["member_code"], 1, linked_card["verification_code"])
    ]
    assert all(step["unit_id"] != str(office.units["HCM-C"]) for step in first["items"])  # outside its subtree
    assert all(step["card_id"] != regular_card["card_id"] for step in first["items"])  # regular cards: not a bank's
    assert first["caught_up"] is True

    placed = await office.http.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": str(office.units["HNI"]), "kind": "linked"},
        headers=office.as_("card_officer", "HNI"),
    )
    assert placed.status_code == 201, placed.text
    following = await feed(office, bank_client(office, "CTG"), after=first["next_cursor"])
    assert [(s["card_id"], s["status"], s["old_status"], s["version"]) for s in following["items"]] == [
        (linked_card["card_id"], "ordered", "requested", 2)
    ]
    quiet = await feed(office, bank_client(office, "CTG"), after=following["next_cursor"])
    assert quiet == {"items": [], "next_cursor": following["next_cursor"], "caught_up": True}


async def test_a_bank_sees_no_other_banks_cards(office):
    member = await office.member("HNI-B", card_type="linked")
    [card] = (await office.request([member], unit="HNI-B"))["cards"]

    other_bank = await feed(office, bank_client(office, "VCB"))
    assert all(step["card_id"] != card["card_id"] for step in other_bank["items"])
    asked = await office.http.get(
        "/api/v1/cards/issuance", params={"partner": "CTG"}, headers=bank_client(office, "VCB")
    )
    assert_problem(asked, 403, "other-partner", "partner")
    national = await feed(office, office.as_("national_admin", "TLD"), partner="CTG", limit=500)
    assert card["card_id"] in {step["card_id"] for step in national["items"]}
    officer = await feed(office, office.as_("card_officer", "HNI"))  # a card officer follows cards, not banks' feeds
    assert officer["items"] == []
    bad = await office.http.get(
        "/api/v1/cards/issuance", params={"after": "WyJ4Il0="}, headers=bank_client(office, "CTG")
    )
    assert_problem(bad, 422, "invalid-input", "after")


async def test_each_bank_gets_the_linked_cards_of_the_subtree_it_is_registered_for(office):
    vcb = uuid4()
    await office.province("DNG")
    await office.partner(vcb, "VCB", "DNG", version=1)  # Đà Nẵng's linked cards go to Vietcombank
    danang, hanoi = await office.member("DNG-A", card_type="linked"), await office.member("HNI-B", card_type="linked")
    [danang_card] = (await office.request([danang], unit="DNG-A"))["cards"]
    [hanoi_card] = (await office.request([hanoi], unit="HNI-B"))["cards"]
    assert (danang_card["partner"], hanoi_card["partner"]) == ("VCB", "CTG")

    def ids(feed_page):
        return {step["card_id"] for step in feed_page["items"]}

    vcb_feed = await feed(office, bank_client(office, "VCB", "TLD"), limit=500)
    ctg_feed = await feed(office, bank_client(office, "CTG", "TLD"), limit=500)
    assert danang_card["card_id"] in ids(vcb_feed) and hanoi_card["card_id"] not in ids(vcb_feed)
    assert hanoi_card["card_id"] in ids(ctg_feed) and danang_card["card_id"] not in ids(ctg_feed)
    assert {step["partner"] for step in vcb_feed["items"]} == {"VCB"}

    # Đà Nẵng's linked-card order goes to its bank; another bank may be named, an unknown one may not.
    order = await office.http.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": str(office.units["DNG"]), "kind": "linked"},
        headers=office.as_("card_officer", "DNG"),
    )
    assert order.status_code == 201, order.text
    assert (order.json()["supplier"], order.json()["card_count"]) == ("VCB", 1)
    [ordered] = [
        step
        for step in (await feed(office, bank_client(office, "VCB", "TLD"), limit=500))["items"]
        if step["card_id"] == danang_card["card_id"] and step["status"] == "ordered"
    ]
    assert (ordered["unit_code"], ordered["delivery_unit_id"], ordered["delivery_unit_name"]) == (
        "DNG-A",
        str(office.units["DNG"]),
        "Đơn vị DNG",
    )
    unknown = await office.http.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": str(office.units["DNG"]), "kind": "linked", "partner": "ZZZ"},
        headers=office.as_("card_officer", "DNG"),
    )
    assert_problem(unknown, 422, "unknown-partner", "partner")

    # When no bank covers a unit any more, its linked cards cannot be requested; nothing is written.
    await office.partner(vcb, "VCB", None, version=2, status="disabled")
    await office.partner(VIETINBANK_PARTNER_ID, "CTG", None, version=2)
    stranded = await office.member("DNG-B", card_type="linked")
    before = await office.counts()
    refused = await office.http.post(
        "/api/v1/cards/requests", json={"member_ids": [str(stranded)]}, headers=office.as_("card_officer", "DNG-B")
    )
    problem = assert_problem(refused, 422, "card-request-refused", "member_ids[0]")
    assert problem["errors"][0]["code"] == "no-linked-card-partner"
    assert await office.counts() == before
    await office.partner(VIETINBANK_PARTNER_ID, "CTG", "TLD", version=3)  # the module's other tests need it


async def test_the_feed_starts_with_the_card_steps_recorded_before_it_existed(pg_server_url):
    """Migration 0005 fills the feed from the outbox, in its order, and tells the consumer's inbox it did."""
    url = await fresh_database(pg_server_url, f"test_cards_feed_{uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0004")
    database = Database(url, 2)
    units = await replicate_small_tree(database, provinces_order_cards=True)
    members = [
        MemberSnapshot(
            member_id=uuid4(),
            unit_id=units["HNI-A"],
            status="active",
            full_name="Lê Văn An",
            gender="male",
            date_of_birth=date(1990, 1, 1),
            member_code=f"0100000000{i}",
            card_type=card_type,
            version=2,
            has_photo=True,
        )
        for i, card_type in enumerate(("linked", "regular"))
    ]
    async with database.transaction() as session:
        await session.execute(issuance_feed.delete())  # 0002 made today's tables; the old database had none
        await CardHolderRepository(session).apply(members)
        await PartnerRepository(session).apply(
            [
                PartnerSnapshot(
                    partner_id=VIETINBANK_PARTNER_ID,
                    partner_code="CTG",
                    name="VietinBank",
                    status="active",
                    version=1,
                    linked_cards_unit_id=units["TLD"],
                )
            ]
        )
        await BankIdentityRepository(session).apply(
            [
                BankIdentityShared(
                    member_id=members[0].member_id,
                    version=3,
                    id_kind="cccd",
                    id_number="001090000001",
                    date_of_birth=date(1990, 1, 1),
                    consent_given_on=date(2026, 11, 30),
                )
            ]
        )
    settings = CardsSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        response = await http.post(
            "/api/v1/cards/requests",
            json={"member_ids": [str(m.member_id) for m in members]},
            headers=headers_for(principal("card_officer", units["HNI-A"])),
        )
        assert response.status_code == 201, response.text
    [linked] = [card for card in response.json()["cards"] if card["kind"] == "linked"]

    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
    async with database.transaction() as session:
        feed = (await session.execute(select(issuance_feed))).all()
        inbox = (await session.execute(select(inbox_events.c.consumer, inbox_events.c.event_id))).all()
    await database.dispose()
    assert [(row.position, str(row.card_id), row.status, row.card_version, row.partner) for row in feed] == [
        (1, linked["card_id"], "requested", 1, "CTG")
    ]
    assert inbox == [("cards", feed[0].event_id)]
