"""Two views of personal data in the web app: an administrator reads who saw a member's unmasked record (the
personal-data access log); and a member opens their digital card from the card's QR page, with the card's own
verification QR, and opens it again without a network (the service worker keeps the shell and the last answer)."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from localrun.client import gateway_client
from localrun.demo_people import create_account
from playwright.async_api import expect

from tests.e2e.browser.steps import sign_in
from tests.e2e.browser.world import PASSWORD
from tests.support.polling import eventually


async def active_members(admin, unit_id: str) -> list[dict]:
    found = await admin.get("/api/v1/members/search", params={"unit_id": unit_id, "status": "active", "limit": 100})
    return found.json()["items"]


async def test_an_administrator_sees_who_read_a_members_unmasked_data(page, world, admin, platform, screen):
    reader = f"{world.tag.lower()}.doc.{screen.name}"
    await create_account(
        admin, platform.gateway_url, reader, f"Người duyệt {screen.name}", "approver", world.units["U"], PASSWORD
    )
    member = (await active_members(admin, world.units["G1"]))[50 if screen.phone else 51]
    async with gateway_client(platform.gateway_url) as own:
        login = await own.post("/api/v1/identity/login", json={"username": reader, "password": PASSWORD})
        assert login.status_code == 200, login.text
        shown = await own.get(
            f"/api/v1/members/members/{member['member_id']}",
            headers={"authorization": f"Bearer {login.json()['access_token']}"},
        )
        assert shown.status_code == 200 and not shown.json()["sensitive_masked"]
    await eventually(
        lambda: admin.get("/api/v1/audit", params={"kind": "read", "actor": reader}),
        lambda answer: answer.status_code == 200 and answer.json()["items"],
        timeout=30,
    )

    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['TP']}/nhat-ky")
    await page.get_by_role("link", name="Nhật ký truy cập dữ liệu cá nhân").click()
    await expect(page.get_by_role("heading", name="Nhật ký truy cập dữ liệu cá nhân")).to_be_visible()
    await page.get_by_label("Người xem").fill(reader)
    await page.get_by_role("button", name="Lọc", exact=True).click()
    rows = page.locator("tr.ant-table-row")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(reader)
    await expect(rows.first).to_contain_text(world.names["G1"])
    await rows.first.get_by_role("link", name="Hồ sơ đoàn viên (thông tin không che)").click()
    await expect(page.get_by_text(member["full_name"]).first).to_be_visible()

    await page.goto(f"/don-vi/{world.units['TP']}/nhat-ky/du-lieu-ca-nhan")
    await page.get_by_label("Người xem").fill(f"{world.tag.lower()}.khong.ai")
    await page.get_by_role("button", name="Lọc", exact=True).click()
    await expect(page.get_by_text("Chưa có lượt truy cập dữ liệu cá nhân nào khớp bộ lọc")).to_be_visible()


async def test_a_member_opens_their_digital_card_and_it_opens_offline(page, context, world, admin, screen):
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    member = (await active_members(admin, world.units["G1"]))[44 if screen.phone else 45]
    deadline = time.monotonic() + 60
    while True:  # the approval reaches the cards service through Kafka
        requested = await admin.post("/api/v1/cards/requests", json={"member_ids": [member["member_id"]]})
        if requested.status_code != 422 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert requested.status_code == 201, requested.text
    path = urlsplit(requested.json()["cards"][0]["verification_url"]).path
    order = await admin.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": world.units["TP"], "kind": "regular", "include_without_photo": True},
    )
    assert order.status_code == 201, order.text
    printed = await admin.post(f"/api/v1/cards/print-orders/{order.json()['order_id']}/printed")
    assert printed.status_code == 200, printed.text

    await page.goto(path)
    await expect(page.get_by_text("Thẻ hợp lệ")).to_be_visible()
    await page.get_by_role("link", name="Mở thẻ điện tử trên điện thoại này").click()
    card = page.get_by_role("region", name="Thẻ đoàn viên")
    await expect(card).to_contain_text(member["full_name"])
    await expect(card).to_contain_text(member["member_code"])
    await expect(card).to_contain_text(world.names["G1"])
    await expect(card).to_contain_text("Thẻ hợp lệ")
    await expect(card.locator(".qr svg")).to_be_visible()
    manifest = page.locator('link[rel="manifest"]')
    await expect(manifest).to_have_attribute("href", "/the-dien-tu.webmanifest")
    answer = await page.request.get("/the-dien-tu.webmanifest")
    assert answer.ok and (await answer.json())["start_url"] == "/the-dien-tu"
    await expect(page.locator("html[data-offline-ready=true]")).to_have_count(1)

    await context.set_offline(True)
    try:
        answer = await page.reload()
        assert answer is not None and answer.from_service_worker, console
        try:
            await expect(page.get_by_text("Đang không có mạng")).to_be_visible(timeout=20_000)
        except AssertionError as error:  # what the page said offline, for whoever reads the failure
            raise AssertionError(f"{error}\nconsole: {console}") from error
        await expect(card).to_contain_text(member["full_name"])
        await expect(card.locator(".qr svg")).to_be_visible()
        # The installed app starts at /the-dien-tu: it reopens the card last shown on this device.
        await page.goto("/the-dien-tu")
        await expect(card).to_contain_text(member["member_code"])
    finally:
        await context.set_offline(False)
