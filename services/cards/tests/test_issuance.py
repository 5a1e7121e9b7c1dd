"""The banks' feed of linked-card steps: one bank's cards only, within the client's subtree, resumable."""

from __future__ import annotations

from chassis.principal import Grant, Principal

from services.cards.tests.conftest import assert_problem
from tests.support.services import headers_for


def bank_client(office, partner: str, unit: str = "HNI") -> dict[str, str]:
    client_id = f"mc_{partner.lower()}_{unit.lower()}"
    return headers_for(Principal(user_id=None, username=f"client:{client_id}", client_id=client_id, partner=partner,
                                 grants=(Grant("cards.issuance:read", office.units[unit]),)))


async def feed(office, headers, **params) -> dict:
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
    assert [(s["status"], s["partner"], s["member_code"]) for s in mine] == [
        ("requested", "CTG", linked_card["member_code"])]
    assert all(step["unit_id"] != str(office.units["HCM-C"]) for step in first["items"])  # outside its subtree
    assert all(step["card_id"] != regular_card["card_id"] for step in first["items"])  # regular cards: not a bank's
    assert first["caught_up"] is True

    await office.move(linked_card["card_id"], "ordered")
    following = await feed(office, bank_client(office, "CTG"), after=first["next_cursor"])
    assert [(s["card_id"], s["status"]) for s in following["items"]] == [(linked_card["card_id"], "ordered")]
    quiet = await feed(office, bank_client(office, "CTG"), after=following["next_cursor"])
    assert quiet == {"items": [], "next_cursor": following["next_cursor"], "caught_up": True}


async def test_a_bank_sees_no_other_banks_cards(office):
    member = await office.member("HNI-B", card_type="linked")
    [card] = (await office.request([member], unit="HNI-B"))["cards"]

    other_bank = await feed(office, bank_client(office, "VCB"))
    assert all(step["card_id"] != card["card_id"] for step in other_bank["items"])
    asked = await office.http.get("/api/v1/cards/issuance", params={"partner": "CTG"},
                                  headers=bank_client(office, "VCB"))
    assert_problem(asked, 403, "other-partner", "partner")
    national = await feed(office, office.as_("national_admin", "TLD"), partner="CTG", limit=500)
    assert card["card_id"] in {step["card_id"] for step in national["items"]}
    officer = await feed(office, office.as_("card_officer", "HNI"))  # a card officer follows cards, not banks' feeds
    assert officer["items"] == []
    bad = await office.http.get("/api/v1/cards/issuance", params={"after": "WyJ4Il0="},
                                headers=bank_client(office, "CTG"))
    assert_problem(bad, 422, "invalid-input", "after")
