"""A bank through the gateway: its machine client (client credentials) follows its linked cards in the feed and
answers for them; the card's QR verifies once the bank issued it. A client for a bank the platform does not know
is refused."""

from __future__ import annotations

import uuid

from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from localrun.client import gateway_client

from tests.e2e.test_walking_skeleton import create_member, create_unit
from tests.support.polling import eventually

TOKEN = "/api/v1/identity/oauth/token"
SCOPES = ["cards.issuance:read", "cards.issuance:answer"]


async def test_a_bank_follows_its_linked_cards_and_answers_for_them(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"BP{suffix}", "Liên đoàn Lao động tỉnh Ngân hàng", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(
        admin, f"BG{suffix}", "Công đoàn cơ sở Công ty Liên kết", "grassroots_union", province
    )
    member = await create_member(admin, grassroots, name="Đỗ Thị Hạnh", gender="female", year=1991)
    approved = await admin.post(f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    consent = await admin.put(
        f"/api/v1/members/members/{member['member_id']}/bank-consent", json={"given_on": str(vietnamese_today())}
    )
    assert consent.status_code == 200, consent.text

    client = {
        "name": "VietinBank – thẻ liên kết",
        "kind": "bank",
        "unit_id": str(NATIONAL_CENTRE_ID),
        "scopes": SCOPES,
        "rate_limit_per_minute": 600,
    }
    unknown = await admin.post("/api/v1/identity/clients", json=client | {"partner_code": "ZZB"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-partner", unknown.text
    created = await admin.post("/api/v1/identity/clients", json=client | {"partner_code": "CTG"})
    assert created.status_code == 201, created.text

    async with gateway_client(platform.gateway_url) as bank:
        token = await bank.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            auth=(created.json()["client_id"], created.json()["client_secret"]),
        )
        assert token.status_code == 200, token.text
        bank.headers["authorization"] = f"Bearer {token.json()['access_token']}"

        async def request_card():
            return await admin.post(
                "/api/v1/cards/requests", json={"member_ids": [member["member_id"]], "kind": "linked"}
            )

        [card] = (await eventually(request_card, lambda r: r.status_code == 201, timeout=30)).json()["cards"]
        assert card["partner"] == "CTG"

        async def place_order():
            return await admin.post(
                "/api/v1/cards/print-orders",
                json={"unit_id": province, "kind": "linked", "include_without_photo": True},
            )

        order = (await eventually(place_order, lambda r: r.status_code == 201, timeout=30)).json()
        assert (order["supplier"], order["card_count"]) == ("CTG", 1)

        steps: list[dict] = []
        cursor: list[str | None] = [None]

        async def follow() -> list[dict]:
            while True:
                page = await bank.get(
                    "/api/v1/cards/issuance", params={"limit": 500} | ({"after": cursor[0]} if cursor[0] else {})
                )
                assert page.status_code == 200, page.text
                steps.extend(step for step in page.json()["items"] if step["card_id"] == card["card_id"])
                cursor[0] = page.json()["next_cursor"]
                if page.json()["caught_up"]:
                    return steps

        seen = await eventually(
            follow, lambda found: [s["status"] for s in found] == ["requested", "ordered"], timeout=60
        )
        assert [(s["version"], s["order_id"], s["verification_code"]) for s in seen] == [
            (1, None, card["verification_code"]),
            (2, order["order_id"], card["verification_code"]),
        ]
        assert seen[1]["delivery_unit_id"] == province and seen[0]["full_name"] == "Đỗ Thị Hạnh"
        # What opens the account travels with the member's consent: ID number, date of birth, phone.
        assert (seen[0]["id_number"], seen[0]["date_of_birth"][:4], seen[0]["bank_consent_on"]) == (
            member["id_number"],
            "1991",
            str(vietnamese_today()),
        )

        answer = f"/api/v1/cards/issuance/cards/{card['card_id']}/answer"
        issued = await bank.post(
            answer,
            json={"outcome": "issued", "bank_card_number": "9704150000001234", "issued_on": str(vietnamese_today())},
        )
        assert (issued.status_code, issued.json()["status"]) == (200, "printed"), issued.text
        again = await bank.post(answer, json={"outcome": "rejected", "reason": "Trùng"})
        assert again.status_code == 409 and again.json()["code"] == "already-answered", again.text
        # A bank's client writes nothing else: an officer's door stays shut to it.
        officer_door = await bank.post(
            "/api/v1/cards/print-orders", json={"unit_id": province, "kind": "linked", "include_without_photo": True}
        )
        assert officer_door.status_code in (403, 404), officer_door.text

        async with gateway_client(platform.gateway_url) as anonymous:
            verified = await anonymous.get(card["verification_url"])
        assert verified.status_code == 200 and verified.json()["valid"] is True, verified.text
        printed = await eventually(follow, lambda found: [s["status"] for s in found][-1:] == ["printed"], timeout=60)
        assert printed[-1]["version"] == 3
