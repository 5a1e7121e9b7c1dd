"""The bank answers for its linked cards through its client: issued or rejected, once, its own cards only."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from chassis.principal import Grant, Principal
from contracts.wellknown import vietnamese_today

from services.cards.tests.conftest import assert_problem
from tests.support.services import headers_for

ANSWER = "/api/v1/cards/issuance/cards/{}/answer"
ISSUED = {"outcome": "issued", "bank_card_number": "9704151234567890", "issued_on": str(vietnamese_today())}


def bank(office, partner: str = "CTG", scopes=("cards.issuance:read", "cards.issuance:answer")) -> dict[str, str]:
    client_id = f"mc_{partner.lower()}"
    return headers_for(
        Principal(
            user_id=None,
            username=f"client:{client_id}",
            client_id=client_id,
            partner=partner,
            grants=tuple(Grant(scope, office.units["TLD"]) for scope in scopes),
        )
    )


async def ordered_cards(office, province: str, count: int) -> tuple[list[dict], dict]:
    await office.province(province)
    members = [await office.member(f"{province}-A", card_type="linked") for _ in range(count)]
    cards = (await office.request(members, unit=f"{province}-A"))["cards"]
    order = await office.http.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": str(office.units[province]), "kind": "linked"},
        headers=office.as_("card_officer", province),
    )
    assert order.status_code == 201, order.text
    return cards, order.json()


async def answer(office, card_id, body, headers=None):
    return await office.http.post(ANSWER.format(card_id), json=body, headers=headers or bank(office))


async def test_issued_and_rejected_move_the_cards_and_the_last_answer_closes_the_order(office):
    [first, second], order = await ordered_cards(office, "QNI", 2)
    issued = await answer(office, first["card_id"], ISSUED)
    assert issued.status_code == 200, issued.text
    assert (issued.json()["status"], issued.json()["outcome"], issued.json()["version"]) == ("printed", "issued", 3)
    placed = await office.http.get(
        f"/api/v1/cards/print-orders/{order['order_id']}", headers=office.as_("card_officer", "QNI")
    )
    assert placed.json()["status"] == "placed"  # one card still waits for the bank

    rejected = await answer(office, second["card_id"], {"outcome": "rejected", "reason": "Sai số CCCD"})
    assert (rejected.status_code, rejected.json()["status"]) == (200, "cancelled"), rejected.text
    done = await office.http.get(
        f"/api/v1/cards/print-orders/{order['order_id']}", headers=office.as_("card_officer", "QNI")
    )
    assert (done.json()["status"], done.json()["printed_by"]) == ("printed", "client:mc_ctg")

    # The bank sees its answers come back as steps of its feed; members hears of them on cards.card.v1.
    await office.feed_the_banks()
    feed = await office.http.get("/api/v1/cards/issuance", params={"limit": 500}, headers=bank(office))
    steps = {(s["card_id"], s["status"]): s for s in feed.json()["items"]}
    assert "issued by CTG" in steps[(first["card_id"], "printed")]["note"]
    assert steps[(second["card_id"], "cancelled")]["note"] == "rejected by CTG: Sai số CCCD"
    events = await office.events(uuid.UUID(first["member_id"]))
    assert events[-1][0] == "cards.card.status_changed" and '"status":"printed"' in events[-1][1]
    assert "9704151234567890" not in events[-1][1]  # the bank's card number stays with cards


async def test_a_second_unknown_or_other_banks_answer_is_refused_and_changes_nothing(office):
    [card, waiting], _ = await ordered_cards(office, "QBI", 2)
    assert (await answer(office, card["card_id"], ISSUED)).status_code == 200
    [requested] = (await office.request([await office.member("QBI-B", card_type="linked")], unit="QBI-B"))["cards"]
    regular = (await office.request([await office.member("QBI-B")], unit="QBI-B"))["cards"][0]
    tomorrow = str(vietnamese_today() + timedelta(days=2))
    before = await office.counts()
    cases = [
        (card["card_id"], ISSUED, bank(office), 409, "already-answered", "card_id"),
        (card["card_id"], {"outcome": "rejected", "reason": "Đổi ý"}, bank(office), 409, "already-answered", "card_id"),
        (str(uuid.uuid4()), ISSUED, bank(office), 404, "card-not-found", "card_id"),
        (waiting["card_id"], ISSUED, bank(office, "VCB"), 404, "card-not-found", "card_id"),  # another bank's card
        (regular["card_id"], ISSUED, bank(office), 404, "card-not-found", "card_id"),
        (waiting["card_id"], ISSUED, bank(office, scopes=("cards.issuance:read",)), 404, "card-not-found", "card_id"),
        (waiting["card_id"], ISSUED, office.as_("national_admin", "TLD"), 403, "partner-required", None),
        (requested["card_id"], ISSUED, bank(office), 409, "card-not-ordered", "card_id"),
        (waiting["card_id"], ISSUED | {"issued_on": tomorrow}, bank(office), 422, "issued-on-in-future", "issued_on"),
    ]
    for card_id, body, headers, status, code, field in cases:
        assert_problem(await answer(office, card_id, body, headers), status, code, field)
    for body in (
        {"outcome": "issued", "issued_on": str(vietnamese_today())},
        {"outcome": "rejected"},
        {"outcome": "lost"},
        ISSUED | {"bank_card_number": "12ab"},
    ):
        response = await answer(office, waiting["card_id"], body)
        assert response.status_code == 422 and response.json()["code"] == "invalid-input", response.text
    assert await office.counts() == before


async def test_two_answers_at_once_for_one_card_one_wins(office):
    [card], _ = await ordered_cards(office, "HPG", 1)
    answers = await asyncio.gather(
        answer(office, card["card_id"], ISSUED),
        answer(office, card["card_id"], {"outcome": "rejected", "reason": "Trùng thẻ"}),
    )
    assert sorted(response.status_code for response in answers) == [200, 409]
