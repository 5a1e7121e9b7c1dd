"""What a member sees without signing in: their own record by member code and ID number, and the page the QR code
on their card opens (programs asking for JSON at the same address get the API's answer)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from tests.support.polling import eventually


async def an_approved_member(admin: httpx.AsyncClient, unit_id: str, index: int) -> dict:
    found = await admin.get("/api/v1/members/search", params={"unit_id": unit_id, "status": "active", "limit": 100})
    member = found.json()["items"][index]
    full = await admin.get(f"/api/v1/members/members/{member['member_id']}")
    return full.json()


async def test_a_member_finds_their_record_without_signing_in(page, world, admin, screen):
    member = await an_approved_member(admin, world.units["G1"], 5 if screen.phone else 6)
    await page.goto("/tra-cuu")
    await page.get_by_label("Mã đoàn viên").fill(member["member_code"])
    await page.get_by_label("Số CCCD/CMND").fill("001090999999")
    await page.get_by_role("button", name="Tra cứu").click()
    # A miss says so, and tells nothing more.
    await expect(page.get_by_text("Không tìm thấy đoàn viên với mã số và số giấy tờ đã nhập")).to_be_visible()

    await page.get_by_label("Số CCCD/CMND").fill(member["id_number"])
    await page.get_by_role("button", name="Tra cứu").click()
    await expect(page.get_by_text(member["full_name"])).to_be_visible()
    await expect(page.get_by_text(world.names["G1"])).to_be_visible()


async def a_printed_card(admin: httpx.AsyncClient, world, member: dict) -> dict:
    """The member's card, requested and printed: the province orders the requested cards, the centre prints them."""
    requested = await eventually(  # the approval reaches the cards service through Kafka
        lambda: admin.post("/api/v1/cards/requests", json={"member_ids": [member["member_id"]]}),
        lambda answer: answer.status_code != 422,
        timeout=60,
    )
    assert requested.status_code == 201, requested.text
    order = await admin.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": world.units["TP"], "kind": "regular", "include_without_photo": True},
    )
    assert order.status_code == 201, order.text
    printed = await admin.post(f"/api/v1/cards/print-orders/{order.json()['order_id']}/printed")
    assert printed.status_code == 200, printed.text
    return requested.json()["cards"][0]


async def test_the_qr_address_of_a_card_opens_a_page_that_says_whether_it_is_valid(page, world, admin, screen):
    member = await an_approved_member(admin, world.units["G1"], 7 if screen.phone else 8)
    path = urlsplit((await a_printed_card(admin, world, member))["verification_url"]).path

    await page.goto(path)
    await expect(page.get_by_role("heading", name="Xác thực thẻ đoàn viên")).to_be_visible()
    await expect(page.get_by_text(member["full_name"])).to_be_visible()
    await expect(page.get_by_text("Thẻ hợp lệ")).to_be_visible()
    as_json = await page.request.get(path, headers={"accept": "application/json"})
    assert as_json.ok and (await as_json.json())["member_code"] == member["member_code"]


async def test_a_member_opens_their_digital_card_from_their_own_lookup(page, world, admin, screen):
    member = await an_approved_member(admin, world.units["G1"], 12 if screen.phone else 13)
    await page.goto("/tra-cuu")
    await page.get_by_label("Mã đoàn viên").fill(member["member_code"])
    await page.get_by_label("Số CCCD/CMND").fill(member["id_number"])
    await page.get_by_role("button", name="Tra cứu").click()
    await expect(page.get_by_text("chưa đề nghị in thẻ")).to_be_visible()
    # No card in hand, no digital card to open.
    await expect(page.get_by_role("link", name="Mở thẻ đoàn viên điện tử")).to_have_count(0)

    card = await a_printed_card(admin, world, member)
    await eventually(  # the printed card reaches the member's record through Kafka
        lambda: admin.get(
            "/api/v1/members/search",
            params={"unit_id": world.units["G1"], "card_status": "printed", "q": member["member_code"]},
        ),
        lambda answer: member["member_id"] in [m["member_id"] for m in answer.json()["items"]],
        timeout=60,
    )
    await page.get_by_role("button", name="Tra cứu").click()
    await expect(page.get_by_text("đã in thẻ", exact=True)).to_be_visible()
    await page.get_by_role("link", name="Mở thẻ đoàn viên điện tử").click()
    await expect(page).to_have_url(re.compile(f"/the-dien-tu/{card['verification_code']}$"))
    shown = page.get_by_role("region", name="Thẻ đoàn viên")
    await expect(shown).to_contain_text(member["full_name"])
    await expect(shown).to_contain_text(member["member_code"])
    await expect(shown).to_contain_text("Thẻ hợp lệ")
    await expect(shown.locator(".qr svg")).to_be_visible()
