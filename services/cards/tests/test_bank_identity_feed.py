"""What a bank needs to issue a linked card: ID number, date of birth and phone, only with the member's consent."""

from __future__ import annotations

from cards.adapters.tables import issuance_feed
from sqlalchemy import func, select

from services.cards.tests.conftest import assert_problem
from services.cards.tests.test_issuance import bank_client, feed


async def test_the_bank_gets_the_data_of_consenting_members_only_while_the_consent_holds(office):
    member = await office.member("HNI-A", card_type="linked")
    [card] = (await office.request([member]))["cards"]
    steps = [
        s
        for s in (await feed(office, bank_client(office, "CTG"), limit=500))["items"]
        if s["card_id"] == card["card_id"]
    ]
    assert [
        (s["status"], s["id_kind"], s["id_number"], s["date_of_birth"], s["phone"], s["bank_consent_on"]) for s in steps
    ] == [("requested", "cccd", "001192000003", "1992-03-04", "0912345678", "2026-11-30")]

    # Withdrawn: what the bank already has stays its own; no page gives the data any more, and the card's next
    # steps are withheld from the bank with the reason the unit sees.
    await office.consent(member, version=4, withdrawn=True)
    again = [
        s
        for s in (await feed(office, bank_client(office, "CTG"), limit=500))["items"]
        if s["card_id"] == card["card_id"]
    ]
    assert [(s["id_number"], s["phone"], s["bank_consent_on"]) for s in again] == [(None, None, None)]
    await office.correct(card["card_id"], "cancelled", unit="HNI-A", reason="Đoàn viên rút đề nghị")
    await office.feed_the_banks()
    after = [
        s
        for s in (await feed(office, bank_client(office, "CTG"), limit=500))["items"]
        if s["card_id"] == card["card_id"]
    ]
    assert [s["status"] for s in after] == ["requested"]
    withheld = await office.http.get(
        "/api/v1/cards/issuance/withheld",
        params={"unit_id": str(office.units["HNI-A"])},
        headers=office.as_("card_officer", "HNI-A"),
    )
    assert withheld.status_code == 200, withheld.text
    assert [
        (w["card_id"], w["status"], w["reason"]) for w in withheld.json()["items"] if w["card_id"] == card["card_id"]
    ] == [(card["card_id"], "cancelled", "no-bank-consent")]
    assert "chưa đồng ý" in withheld.json()["items"][0]["reason_vi"]
    # An older consent event arriving late does not bring the data back.
    await office.consent(member, version=3)
    late = [
        s
        for s in (await feed(office, bank_client(office, "CTG"), limit=500))["items"]
        if s["card_id"] == card["card_id"]
    ]
    assert late[0]["id_number"] is None
    # The member consents again: the withheld step goes to the bank, after the others, with the data.
    await office.consent(member, version=5)
    async with office.db.transaction() as session:  # moved by the consent's own handler, not by a later card event
        statuses = list(
            await session.scalars(
                select(issuance_feed.c.status)
                .where(issuance_feed.c.card_id == card["card_id"])
                .order_by(issuance_feed.c.position)
            )
        )
    assert statuses == ["requested", "cancelled"]
    released = [
        s
        for s in (await feed(office, bank_client(office, "CTG"), limit=500))["items"]
        if s["card_id"] == card["card_id"]
    ]
    assert [(s["version"], s["status"], s["id_number"]) for s in released] == [
        (1, "requested", "001192000005"),
        (2, "cancelled", "001192000005"),
    ]
    still = await office.http.get(
        "/api/v1/cards/issuance/withheld",
        params={"unit_id": str(office.units["HNI-A"])},
        headers=office.as_("card_officer", "HNI-A"),
    )
    assert card["card_id"] not in {w["card_id"] for w in still.json()["items"]}


async def test_a_linked_card_of_a_member_without_consent_is_refused_and_nothing_is_written(office):
    member = await office.member("HNI-B", card_type="linked", consent=False)
    before = await office.counts()
    async with office.db.transaction() as session:
        fed_before = await session.scalar(select(func.count()).select_from(issuance_feed))
    response = await office.http.post(
        "/api/v1/cards/requests", json={"member_ids": [str(member)]}, headers=office.as_("card_officer", "HNI-B")
    )
    problem = assert_problem(response, 422, "card-request-refused", "member_ids[0]")
    assert problem["errors"][0]["code"] == "no-bank-consent" and "đồng ý" in problem["errors"][0]["message_vi"]
    await office.feed_the_banks()
    assert await office.counts() == before
    async with office.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(issuance_feed)) == fed_before
    # A regular card needs no consent; once the member consents, the linked card may be requested.
    assert (await office.request([member], unit="HNI-B", kind="regular"))["requested"] == 1
    other = await office.member("HNI-B", card_type="linked", consent=False)
    await office.consent(other, version=3)
    assert (await office.request([other], unit="HNI-B"))["cards"][0]["kind"] == "linked"
