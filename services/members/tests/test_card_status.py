"""A member's card status follows the cards service's events: search filter and public lookup see it."""

from __future__ import annotations

from uuid import UUID

from chassis.principal import PUBLIC
from contracts.events.cards_card_v1 import CardRequested, CardSnapshot, CardStatusChanged
from members.entrypoints.consumers import on_card_changed

from tests.support.services import headers_for


def card_event(member: dict, status: str, version: int, old_status: str | None = None):
    card = CardSnapshot(
        card_id=UUID(int=version),
        member_id=member["member_id"],
        unit_id=member["unit_id"],
        member_code=member["member_code"],
        kind="regular",
        status=status,
        reason="new",
        version=version,
        verification_code="ABCD2345EFGH6789",
    )
    if old_status is None:
        return CardRequested(member_id=member["member_id"], card=card)
    return CardStatusChanged(member_id=member["member_id"], card=card, old_status=old_status)


async def test_card_status_follows_card_events(registry):
    member = await registry.approved("HNI-2")
    row = await registry.row(member["member_id"])
    history_before = await registry.counts()

    async def deliver(event) -> str:
        async with registry.db.transaction() as session:
            await on_card_changed(session, event, None)
        return (await registry.row(member["member_id"]))["card_status"]

    assert row["card_status"] == "none"
    assert await deliver(card_event(member, "requested", 1)) == "requested"
    assert (await registry.row(member["member_id"]))["card_verification_code"] is None  # no card in hand yet
    assert await deliver(card_event(member, "ordered", 2, "requested")) == "requested"
    assert await deliver(card_event(member, "printed", 3, "ordered")) == "printed"

    lookup = await registry.http.get(
        "/api/v1/members/public/lookup",
        headers=headers_for(PUBLIC),
        params={"member_code": member["member_code"], "id_number": row["id_number"]},
    )
    assert (lookup.json()["card_status"], lookup.json()["card_status_vi"]) == ("printed", "đã in thẻ")
    assert lookup.json()["card_verification_code"] == "ABCD2345EFGH6789"
    found = await registry.http.get(
        "/api/v1/members/search",
        headers=registry.as_("unit_admin", "HNI"),
        params={"card_status": "printed", "unit_id": str(registry.units["HNI-2"])},
    )
    assert [m["member_id"] for m in found.json()["items"]] == [member["member_id"]]

    assert await deliver(card_event(member, "delivered", 4, "printed")) == "delivered"
    assert await deliver(card_event(member, "revoked", 5, "delivered")) == "none"
    assert (await registry.row(member["member_id"]))["card_verification_code"] is None
    # The card status is the cards service's fact, not a change of the member: no history, no member events.
    assert await registry.counts() == history_before


async def test_lookup_links_the_digital_card_only_of_a_card_in_hand(registry):
    """Events written before the code was added carry none; a miss answers the same whatever the card."""
    member = await registry.approved("HNI-2")
    row = await registry.row(member["member_id"])
    ask = {"member_code": member["member_code"], "id_number": row["id_number"]}

    async def deliver(event) -> dict:
        async with registry.db.transaction() as session:
            await on_card_changed(session, event, None)
        return (
            await registry.http.get("/api/v1/members/public/lookup", headers=headers_for(PUBLIC), params=ask)
        ).json()

    assert (await deliver(card_event(member, "requested", 1)))["card_verification_code"] is None
    older = card_event(member, "printed", 2, "requested")
    older = older.model_copy(update={"card": older.card.model_copy(update={"verification_code": None})})
    assert (await deliver(older))["card_verification_code"] is None
    assert (await deliver(card_event(member, "delivered", 3, "printed")))[
        "card_verification_code"
    ] == "ABCD2345EFGH6789"

    wrong = await registry.http.get(
        "/api/v1/members/public/lookup", headers=headers_for(PUBLIC), params={**ask, "id_number": "001090999999"}
    )
    unknown = await registry.http.get(
        "/api/v1/members/public/lookup", headers=headers_for(PUBLIC), params={**ask, "member_code": "00000000197"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
