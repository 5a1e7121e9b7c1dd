"""Cards in the web app: a province gathers the requested cards into a print order (including, by choice, those of
members without a photo, which are otherwise left out), downloads the list, the
payment voucher and the card faces (and they open as .xlsx and PDF), the national centre marks it printed, and the
province confirms it received them."""

from __future__ import annotations

import io
import re
import zipfile

import httpx
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import ANTD_PROVIDER, HeldBack, confirm, sign_in
from tests.support.polling import eventually


async def request_cards(admin: httpx.AsyncClient, unit_id: str, first: int, count: int) -> None:
    found = await admin.get("/api/v1/members/search", params={"unit_id": unit_id, "status": "active", "limit": 100})
    members = [m["member_id"] for m in found.json()["items"]][first : first + count]
    # Approvals reach the cards service through Kafka: refused (422) until they have.
    requested = await eventually(
        lambda: admin.post("/api/v1/cards/requests", json={"member_ids": members, "kind": "regular"}),
        lambda answer: answer.status_code != 422,
        timeout=60,
    )
    assert requested.status_code == 201, requested.text


async def province_order(admin: httpx.AsyncClient, world) -> dict:
    """The province's print order of every requested regular card of its subtree, photo or not, placed by the API."""
    placed = await admin.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": world.units["TP"], "kind": "regular", "include_without_photo": True},
    )
    assert placed.status_code == 201, placed.text
    return placed.json()


async def downloaded(page: Page, button: str) -> bytes:
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name=button).click()
    return (await (await downloading.value).path()).read_bytes()


async def test_a_province_orders_prints_and_receives_cards(page, world, admin, screen):
    await request_cards(admin, world.units["G1"], 20 if screen.phone else 30, 3)
    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['TP']}/the")
    await page.get_by_role("button", name="Lập đơn đặt in").click()
    # The members of the test world have no 3×4 photo: the dialog says their cards would be left out, an order of
    # them alone is refused on the option, and the unit chooses to include them.
    dialog = page.get_by_role("dialog")
    without_photo = re.compile("thẻ không được đặt in vì đoàn viên chưa có ảnh 3×4")
    await expect(dialog.locator(".ant-alert").get_by_text(without_photo)).to_be_visible()
    await confirm(page, "Lập đơn")
    await expect(dialog.get_by_text(re.compile("Không tạo đơn: .*chưa có ảnh"))).to_be_visible()
    await dialog.get_by_label("Đặt in cả thẻ của đoàn viên chưa có ảnh").check()
    await expect(dialog.locator(".ant-alert").get_by_text(without_photo)).to_have_count(0)
    await confirm(page, "Lập đơn")
    await expect(page.get_by_role("heading", name=re.compile("Đơn đặt in DI-"))).to_be_visible()
    await expect(page.get_by_text("đặt in cả thẻ chưa có ảnh")).to_be_visible()
    await expect(page.locator(".ant-table-tbody tr.ant-table-row").first).to_be_visible()

    workbook = await downloaded(page, "Danh sách thẻ (.xlsx)")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()
    assert (await downloaded(page, "Chứng từ thanh toán (PDF)")).startswith(b"%PDF")
    assert (await downloaded(page, "Mặt thẻ để in (PDF)")).startswith(b"%PDF")
    # The same faces made in the background: the order lists the job with its state, progress and download.
    await page.get_by_role("button", name="Tạo mặt thẻ (chạy nền)").click()
    job = page.get_by_role("row", name=re.compile("Đã xong"))
    await expect(job.get_by_role("button", name="Tải (.zip)", exact=True)).to_be_visible(timeout=30_000)

    await page.get_by_role("button", name="Xác nhận đã in").click()
    await confirm(page, "Đã in xong")
    await expect(page.get_by_text("Đã xác nhận in xong")).to_be_visible()
    await page.get_by_role("button", name="Xác nhận đã nhận thẻ").click()
    await confirm(page, "Đã nhận")
    await expect(page.get_by_text("Đã xác nhận nhận thẻ")).to_be_visible()

    # The province holds the cards now; it hands the industrial-zone union its part, which is then on its way there.
    zone = page.get_by_role("row", name=re.compile(re.escape(world.names["U"])))
    await zone.get_by_role("button", name="Bàn giao").click()
    await confirm(page, "Bàn giao")
    await expect(page.get_by_text("Đã bàn giao xuống cấp dưới")).to_be_visible()
    await expect(zone.get_by_role("button", name="Bàn giao")).to_be_disabled()


async def test_a_grassroots_union_hands_a_delivered_card_to_its_member(page, world, admin, screen):
    found = await admin.get(
        "/api/v1/members/search", params={"unit_id": world.units["G1"], "status": "active", "limit": 100}
    )
    member = found.json()["items"][50 if screen.phone else 55]
    await request_cards(admin, world.units["G1"], 50 if screen.phone else 55, 1)
    # The card comes down the tree level by level (through the API here; the order screen does the same).
    order = await province_order(admin, world)
    steps = f"/api/v1/cards/print-orders/{order['order_id']}"
    assert (await admin.post(f"{steps}/printed")).status_code == 200
    for unit, below in (("TP", "U"), ("U", "G1")):
        received = await admin.post(f"{steps}/received", json={"unit_id": world.units[unit]})
        assert received.status_code == 200, received.text
        handed = await admin.post(
            f"{steps}/handed-down", json={"unit_id": world.units[unit], "to_unit_id": world.units[below]}
        )
        assert handed.status_code == 200, handed.text
    delivered = await admin.post(f"{steps}/received", json={"unit_id": world.units["G1"]})
    assert delivered.status_code == 200, delivered.text

    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['G1']}/the")
    await page.get_by_role("tab", name="Thẻ của đơn vị").click()
    row = page.get_by_role("row", name=re.compile(re.escape(member["full_name"])))
    await row.get_by_role("button", name="Trao thẻ").click()
    await confirm(page, "Đã trao")
    await expect(page.get_by_text("Đã ghi nhận trao thẻ")).to_be_visible()
    await expect(row.get_by_role("button", name="Trao thẻ")).to_have_count(0)


async def test_the_print_orders_first_view_works_before_any_ant_design_and_its_tabs_by_keyboard(
    page, world, admin, screen
):
    """A plain screen (app/router.tsx): the tabs and the print orders' rows are plain HTML, usable while Ant Design's
    provider and stylesheet are held back; the other tabs and Ant Design's table come once they have."""
    await request_cards(admin, world.units["G1"], 36 if screen.phone else 37, 1)
    order = await province_order(admin, world)
    await sign_in(page, "admin", "Admin@12345")
    held = await HeldBack.on(page, ANTD_PROVIDER)
    await page.goto(f"/don-vi/{world.units['TP']}/the")
    row = page.locator("tr.plain-table-row").filter(has_text=order["order_number"])
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Thẻ thường")
    await expect(row).to_contain_text(order["status_vi"])
    await expect(page.get_by_role("button", name="Lập đơn đặt in")).to_be_visible()
    # The tabs by keyboard (WAI-ARIA tabs): the arrows move and select, Home goes back to the first.
    orders_tab = page.get_by_role("tab", name="Đơn đặt in")
    await expect(orders_tab).to_have_attribute("aria-selected", "true")
    await orders_tab.focus()
    await page.keyboard.press("ArrowRight")
    cards_tab = page.get_by_role("tab", name="Thẻ của đơn vị")
    await expect(cards_tab).to_be_focused()
    await expect(cards_tab).to_have_attribute("aria-selected", "true")
    held.release()
    await expect(page.get_by_label("Lọc theo trạng thái thẻ")).to_be_visible()
    await page.keyboard.press("Home")
    await expect(orders_tab).to_be_focused()
    orders = page.get_by_role("tabpanel", name="Đơn đặt in")
    await expect(orders.get_by_role("link", name=order["order_number"])).to_be_visible()
    await page.get_by_role("link", name=order["order_number"]).click()
    await expect(page.get_by_role("heading", name=re.compile(re.escape(order["order_number"])))).to_be_visible()
