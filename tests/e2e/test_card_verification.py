"""A card from request to the QR on it: requested through the gateway, printed, verified without logging in,
and the member's own record shows the card and the code that opens their digital card (cards → Kafka → members)."""

from __future__ import annotations

import uuid

import httpx
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import RetryAfterTransport

from tests.e2e.test_walking_skeleton import create_member, create_unit
from tests.support.polling import eventually


async def test_a_printed_card_verifies_anonymously(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"CP{suffix}", "Liên đoàn Lao động tỉnh Thẻ", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(admin, f"CG{suffix}", "Công đoàn cơ sở Công ty Thẻ", "grassroots_union", province)
    member = await create_member(admin, grassroots, name="Lý Văn Khánh", gender="male", year=1988)
    approved = await admin.post(f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text

    async def request_card():
        # The cards service learns of the approval through members.member.v1.
        return await admin.post("/api/v1/cards/requests", json={"member_ids": [member["member_id"]]})

    requested = await eventually(request_card, lambda r: r.status_code == 201, timeout=30)
    [card] = requested.json()["cards"]
    assert card["verification_url"].startswith(platform.gateway_url + "/api/v1/public/cards/verify/")

    # The one way to a printed card: the province orders it, the national centre marks the order printed.
    async def place_order():
        return await admin.post(
            "/api/v1/cards/print-orders", json={"unit_id": province, "kind": "regular", "include_without_photo": True}
        )

    order = await eventually(place_order, lambda r: r.status_code == 201, timeout=30)
    assert order.json()["card_count"] == 1
    printed = await admin.post(f"/api/v1/cards/print-orders/{order.json()['order_id']}/printed")
    assert printed.status_code == 200, printed.text
    side_door = await admin.post(
        f"/api/v1/cards/cards/{card['card_id']}/status", json={"status": "delivered", "reason": "Giao tay"}
    )
    assert side_door.status_code == 422 and side_door.json()["field"] == "status", side_door.text

    async with httpx.AsyncClient(timeout=30, transport=RetryAfterTransport()) as anonymous:
        verified = await anonymous.get(card["verification_url"])
        assert verified.status_code == 200, verified.text
        assert verified.json()["full_name"] == "Lý Văn Khánh" and verified.json()["valid"] is True
        assert verified.json()["member_code"] == approved.json()["member_code"]
        unknown = await anonymous.get(f"{platform.gateway_url}/api/v1/public/cards/verify/{'0' * 16}")
        assert unknown.status_code == 404 and unknown.json()["code"] == "no-match"

        async def own_record():
            found = await anonymous.get(
                f"{platform.gateway_url}/api/v1/public/lookup",
                params={"member_code": approved.json()["member_code"], "id_number": member["id_number"]},
            )
            return found.json()

        found = await eventually(own_record, lambda record: record.get("card_status") == "printed", timeout=30)
        # The member's own lookup opens their digital card: the code of the card they hold (cards.card.v1 carries it).
        assert found["card_verification_code"] == card["verification_code"]
