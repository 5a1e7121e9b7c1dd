"""Requesting cards, moving them along their life, and who may see them."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from cards.adapters.tables import cards as card_table
from cards.entrypoints.consumers import apply_member_changes
from chassis.principal import PUBLIC
from chassis.tables import audit_log
from contracts.events.members_member_v1 import MemberStatusChanged, MemberTransferred, MemberUpdated
from contracts.wellknown import vietnamese_today
from sqlalchemy import select

from services.cards.tests.conftest import assert_problem, snapshot
from tests.support.services import headers_for


async def test_a_request_creates_cards_with_history_and_events(office):
    first, second = await office.member("HNI-A", card_type="linked"), await office.member("HNI-A")
    before = await office.counts()

    answer = await office.request([first, second])

    assert answer["requested"] == 2
    linked, regular = answer["cards"]
    assert (linked["member_id"], linked["kind"], linked["status"], linked["reason"]) == (
        str(first),
        "linked",
        "requested",
        "new",
    )
    assert regular["kind"] == "regular"
    assert linked["verification_url"] == "https://congdoan.example/the/" + linked["verification_code"]
    assert len(linked["verification_code"]) == 16 and linked["verification_code"] != regular["verification_code"]
    assert await office.counts() == (before[0] + 2, before[1] + 2, before[2] + 2)
    [(event_type, payload)] = [e for e in await office.events(first) if e[0].startswith("cards.")]
    assert event_type == "cards.card.requested"
    assert json.loads(payload)["card"]["kind"] == "linked"
    # Members links the member's own lookup to their digital card with it.
    assert json.loads(payload)["card"]["verification_code"] == linked["verification_code"]


async def test_a_refused_request_names_each_member_and_changes_nothing(office):
    good, pending = await office.member("HNI-A"), await office.member("HNI-A", approved=False)
    elsewhere, already = await office.member("HCM-C"), await office.member("HNI-A")
    await office.request([already])
    before = await office.counts()

    response = await office.http.post(
        "/api/v1/cards/requests",
        json={"member_ids": [str(m) for m in (good, pending, elsewhere, already)]},
        headers=office.as_("card_officer", "HNI-A"),
    )

    problem = assert_problem(response, 422, "card-request-refused", "member_ids[1]")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("member_ids[1]", "member-not-active"),
        ("member_ids[2]", "member-not-found"),
        ("member_ids[3]", "card-already-requested"),
    ]
    assert await office.counts() == before


async def test_bad_request_bodies_are_refused(office):
    member = await office.member("HNI-A")
    for body, field in (
        ({"member_ids": []}, "member_ids"),
        ({"member_ids": [str(member)] * 2}, "member_ids"),
        ({"member_ids": [str(member)], "reason": "stolen"}, "reason"),
        ({"member_ids": [str(member)], "kind": "gold"}, "kind"),
    ):
        response = await office.http.post(
            "/api/v1/cards/requests", json=body, headers=office.as_("card_officer", "HNI-A")
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"].startswith(field), response.json()


async def test_a_card_is_printed_only_through_its_order_and_corrected_only_with_a_reason(office):
    await office.province("MV")
    member = await office.member("MV-A")
    [card] = (await office.request([member], unit="MV-A"))["cards"]
    before = await office.counts()

    # The side door is closed: no card becomes ordered, printed or delivered without its print order.
    for body, field in (
        ({"status": "printed", "reason": "In tay"}, "status"),
        ({"status": "ordered", "reason": "Đặt tay"}, "status"),
        ({"status": "delivered", "reason": "Giao tay"}, "status"),
        ({"status": "cancelled"}, "reason"),
        ({"status": "revoked", "reason": ""}, "reason"),
    ):
        response = await office.http.post(
            f"/api/v1/cards/cards/{card['card_id']}/status", json=body, headers=office.as_("card_officer", "MV")
        )
        assert_problem(response, 422, "invalid-input", field)
    not_yet = await office.http.post(
        f"/api/v1/cards/cards/{card['card_id']}/status",
        json={"status": "revoked", "reason": "Mất thẻ"},
        headers=office.as_("card_officer", "MV"),
    )
    assert_problem(not_yet, 422, "invalid-card-transition", "status")
    assert await office.counts() == before

    await office.through_order("MV", received_by="MV-A")
    revoked = await office.correct(card["card_id"], "revoked", "MV", reason="Đoàn viên chuyển công tác, thu hồi thẻ")
    assert revoked["status"] == "revoked"
    changes = [json.loads(p) for t, p in await office.events(member) if t == "cards.card.status_changed"]
    assert [(c["old_status"], c["card"]["status"], c["card"]["version"]) for c in changes] == [
        ("requested", "ordered", 2),
        ("ordered", "printed", 3),
        ("printed", "delivered", 4),
        ("delivered", "revoked", 5),
    ]
    assert changes[-1]["note"] == "Đoàn viên chuyển công tác, thu hồi thẻ"
    async with office.db.transaction() as session:
        audited = (
            await session.execute(
                select(audit_log.c.username, audit_log.c.outcome)
                .where(
                    audit_log.c.action == "POST /api/v1/cards/cards/{card_id}/status",
                    audit_log.c.target.contains(card["card_id"]),
                )
                .order_by(audit_log.c.id)
            )
        ).all()
    assert ("card_officer@MV", "success") in audited


async def test_a_lost_card_is_revoked_by_its_replacement(office):
    await office.province("LC")
    member = await office.member("LC-B")
    [card] = (await office.request([member], unit="LC-B"))["cards"]
    await office.through_order("LC", received_by="LC-B")
    again = await office.http.post(
        "/api/v1/cards/requests", json={"member_ids": [str(member)]}, headers=office.as_("card_officer", "LC-B")
    )
    assert_problem(again, 422, "card-request-refused", "member_ids[0]")
    assert again.json()["errors"][0]["code"] == "card-already-issued"

    [replacement] = (await office.request([member], unit="LC-B", reason="lost"))["cards"]

    assert (replacement["reason"], replacement["replaces_card_id"]) == ("lost", card["card_id"])
    old = await office.http.get(f"/api/v1/cards/cards/{card['card_id']}", headers=office.as_("card_officer", "LC"))
    assert old.status_code == 200 and old.json()["status"] == "revoked"
    kinds = [t for t, _ in await office.events(member) if t.startswith("cards.")]
    assert kinds[-2:] == ["cards.card.status_changed", "cards.card.requested"]


async def test_an_officer_sees_and_moves_only_cards_of_their_subtree(office):
    member = await office.member("HCM-C")
    [card] = (await office.request([member], unit="HCM-C"))["cards"]

    for path in (f"/api/v1/cards/cards/{card['card_id']}",):
        response = await office.http.get(path, headers=office.as_("card_officer", "HNI"))
        assert_problem(response, 404, "card-not-found", "card_id")
    moved = await office.http.post(
        f"/api/v1/cards/cards/{card['card_id']}/status",
        json={"status": "cancelled", "reason": "Rút đề nghị"},
        headers=office.as_("card_officer", "HNI"),
    )
    assert_problem(moved, 404, "card-not-found", "card_id")
    listed = await office.http.get(
        "/api/v1/cards/cards", params={"member_id": str(member)}, headers=office.as_("card_officer", "HNI")
    )
    assert listed.json()["items"] == []
    reporter = await office.http.post(
        f"/api/v1/cards/cards/{card['card_id']}/status",
        json={"status": "cancelled", "reason": "Rút đề nghị"},
        headers=office.as_("report_viewer", "TLD"),
    )
    assert_problem(reporter, 404, "card-not-found", "card_id")


async def test_cards_follow_their_member_to_a_new_unit(office):
    member = await office.member("HNI-A")
    [card] = (await office.request([member]))["cards"]

    await office.transfer(member, "HCM-C", version=3)

    moved = await office.http.get(f"/api/v1/cards/cards/{card['card_id']}", headers=office.as_("card_officer", "HCM"))
    assert moved.status_code == 200 and moved.json()["unit_id"] == str(office.units["HCM-C"])
    gone = await office.http.get(f"/api/v1/cards/cards/{card['card_id']}", headers=office.as_("card_officer", "HNI"))
    assert gone.status_code == 404
    await office.transfer(member, "HNI-B", version=2)  # a stale event changes nothing
    assert (await office.holder(member))["unit_id"] == office.units["HCM-C"]


async def test_a_poll_of_member_events_moves_only_the_cards_of_members_it_moved(office):
    moving, staying = await office.member("HNI-A"), await office.member("HNI-A")
    cards = {c["member_id"]: c["card_id"] for c in (await office.request([moving, staying]))["cards"]}

    def transferred(source: str, target: str, version: int) -> MemberTransferred:
        return MemberTransferred(
            member_id=moving,
            from_unit_id=office.units[source],
            to_unit_id=office.units[target],
            member=snapshot(moving, office.units[target], "active", version, None, "7900000901"),
        )

    events = [
        transferred("HNI-A", "HNI-B", 3),
        MemberUpdated(
            member_id=staying,
            member=snapshot(staying, office.units["HNI-A"], "active", version=3, member_code="7900000902"),
        ),
        transferred("HNI-B", "HCM-C", 4),
        transferred("HNI-A", "HNI-B", 3),  # redelivered within the poll: older than what came before it
    ]

    async with office.db.transaction() as session:  # as the consumer's batch mode applies one poll
        await apply_member_changes(session, events, [None] * len(events))

    assert ((await office.holder(moving))["unit_id"], (await office.holder(moving))["version"]) == (
        office.units["HCM-C"],
        4,
    )
    assert (await office.holder(staying))["member_code"] == "7900000902"
    async with office.db.transaction() as session:
        units = dict(
            (
                await session.execute(
                    select(card_table.c.member_id, card_table.c.unit_id).where(
                        card_table.c.card_id.in_(list(cards.values()))
                    )
                )
            ).all()
        )
    assert units == {moving: office.units["HCM-C"], staying: office.units["HNI-A"]}


async def test_the_list_pages_newest_first_with_filters(office):
    unit_members = [await office.member("HNI-B") for _ in range(5)]
    requested = (await office.request(unit_members, unit="HNI-B"))["cards"]
    await office.correct(requested[0]["card_id"], "cancelled")

    seen, after = [], None
    while True:
        params = {"unit_id": str(office.units["HNI-B"]), "status": "requested", "limit": 2}
        params |= {"after": after} if after else {}
        page = (
            await office.http.get("/api/v1/cards/cards", params=params, headers=office.as_("card_officer", "HNI"))
        ).json()
        seen += [card["card_id"] for card in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    expected = {card["card_id"] for card in requested[1:]}
    assert len(seen) == len(set(seen)) and expected <= set(seen)
    assert requested[0]["card_id"] not in seen
    bad = await office.http.get(
        "/api/v1/cards/cards", params={"after": "%%%"}, headers=office.as_("card_officer", "HNI")
    )
    assert_problem(bad, 422, "invalid-input", "after")


async def test_public_verification_answers_only_for_printed_cards(office):
    member = await office.member("HNI-A")
    [card] = (await office.request([member]))["cards"]
    code = card["verification_code"]

    async def verify(text: str):
        # The gateway forwards public requests with its PUBLIC principal; the route needs no grant at all.
        return await office.http.get(f"/api/v1/cards/public/verify/{text}", headers=headers_for(PUBLIC))

    assert_problem(await verify(code), 404, "no-match", "code")  # requested: not on a card yet
    await office.through_order("HNI")
    printed = await verify(code.lower()[:8] + "-" + code.lower()[8:])
    assert printed.status_code == 200, printed.text
    assert printed.json() == {
        "full_name": "Trần Thị Bình",
        "member_code": card["member_code"],
        "unit_name": "Đơn vị HNI-A",
        "member_status": "active",
        "card_status": "printed",
        "card_status_vi": "đã in thẻ",
        "kind": "regular",
        "valid": True,
    }
    await office.correct(card["card_id"], "revoked")
    revoked = (await verify(code)).json()
    assert (revoked["card_status"], revoked["valid"]) == ("revoked", False)
    for wrong in ("0" * 16, "short", "X" * 60, str(uuid.uuid4())):
        assert_problem(await verify(wrong), 404, "no-match", "code")


async def test_the_members_unit_hands_the_delivered_card_over_once_with_its_date(office):
    await office.province("HO")
    staying, leaving = await office.member("HO-A"), await office.member("HO-A")
    [card, other] = (await office.request([staying, leaving], unit="HO-A"))["cards"]
    waiting = (await office.request([await office.member("HO-B")], unit="HO-B"))["cards"][0]

    async def hand_over(card_id: str, on: date):
        return await office.http.post(
            f"/api/v1/cards/cards/{card_id}/handed-over",
            json={"handed_over_on": on.isoformat()},
            headers=office.as_("card_officer", "HO-A"),
        )

    refused_early = await office.http.post(
        f"/api/v1/cards/cards/{waiting['card_id']}/handed-over",
        json={"handed_over_on": vietnamese_today().isoformat()},
        headers=office.as_("card_officer", "HO-B"),
    )
    assert_problem(refused_early, 422, "card-not-delivered", "card_id")
    await office.through_order("HO", received_by="HO-A")
    handed = await hand_over(card["card_id"], vietnamese_today())
    assert handed.status_code == 200 and handed.json()["handed_over_on"] == vietnamese_today().isoformat(), handed.text
    holder = await office.holder(leaving)
    await office.deliver(
        MemberStatusChanged(
            member_id=leaving,
            old_status="active",
            reason="Nghỉ việc",
            member=snapshot(leaving, holder["unit_id"], "retired", version=3, member_code=holder["member_code"]),
        )
    )
    before = await office.counts()
    assert_problem(await hand_over(card["card_id"], vietnamese_today()), 409, "already-handed-over", "card_id")
    assert_problem(await hand_over(other["card_id"], vietnamese_today()), 422, "member-not-active", "card_id")
    assert_problem(
        await hand_over(card["card_id"], vietnamese_today() + timedelta(days=3)), 409, "already-handed-over", "card_id"
    )
    stranger = await office.http.post(
        f"/api/v1/cards/cards/{card['card_id']}/handed-over",
        json={"handed_over_on": vietnamese_today().isoformat()},
        headers=office.as_("card_officer", "HNI-A"),
    )
    assert_problem(stranger, 404, "card-not-found", "card_id")
    assert await office.counts() == before
    future = await office.request([await office.member("HO-A")], unit="HO-A")
    await office.through_order("HO", received_by="HO-A")
    assert_problem(
        await hand_over(future["cards"][0]["card_id"], vietnamese_today() + timedelta(days=3)),
        422,
        "handed-over-in-future",
        "handed_over_on",
    )
