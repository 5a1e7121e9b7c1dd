"""Card fees in the web app: the schedule in force and upcoming, a national administrator's new schedule (a refused
amount shown on its field), the order's fee breakdown, and the fee statement of a province downloaded as .xlsx and
PDF that open as such."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
from contracts.wellknown import vietnamese_today
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import open_menu, sign_in
from tests.e2e.browser.test_admin import dropdown_of
from tests.e2e.browser.test_bank_screens import approved_member, request_card
from tests.e2e.browser.test_cards import downloaded, province_order


async def test_a_national_administrator_sees_and_extends_the_fees_and_downloads_the_statement(
    page: Page, world, admin, screen
):
    # One card of the province's subtree ordered today, of a member of this file's ID-number range (584,000...).
    member = await approved_member(admin, world.units["G1"], f"Hà Văn Phí Thẻ {screen.name}", 584_000 + screen.phone)
    await request_card(admin, [member["member_id"]], "regular")
    order = await province_order(admin, world)

    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['TP']}/the/don/{order['order_id']}")
    await expect(page.get_by_text("Phí thẻ của đơn")).to_be_visible()
    await expect(page.get_by_text(re.compile(r"phôi [\d.]+ đ \+ in [\d.]+ đ = [\d.]+ đ/thẻ"))).to_be_visible()

    await open_menu(page, screen.phone)
    await page.get_by_role("navigation", name="Menu và cây đơn vị").get_by_role("menuitem", name="Phí thẻ").click()
    await expect(page.get_by_role("heading", name="Phí thẻ", exact=True)).to_be_visible()
    schedules = page.locator(".ant-card").filter(has_text="Biểu phí đang áp dụng và sắp áp dụng")
    await expect(schedules.get_by_role("row", name=re.compile("đang áp dụng"))).to_have_count(1)

    # A new schedule from a later day (a day of its own per screen size); an absurd amount is refused on its field.
    day = vietnamese_today() + timedelta(days=400 if screen.phone else 401)
    await page.get_by_label("Áp dụng từ ngày").fill(f"{day:%d/%m/%Y}")
    await page.get_by_label("Áp dụng từ ngày").press("Enter")
    await page.get_by_label("Phôi thẻ (đồng/thẻ)").fill("4000")
    await page.get_by_label("In thẻ (đồng/thẻ)").fill("8000")
    await page.get_by_label("Thẻ liên kết (đồng/thẻ)").fill("5000000")
    await page.get_by_label("Văn bản quy định giá").fill("Quyết định thử nghiệm giá thẻ")
    await page.get_by_role("button", name="Thêm biểu phí").click()
    linked_field = page.locator(".ant-form-item").filter(has=page.get_by_label("Thẻ liên kết (đồng/thẻ)"))
    await expect(linked_field.locator(".ant-form-item-explain-error")).to_have_text("Giá trị quá lớn")
    await page.get_by_label("Thẻ liên kết (đồng/thẻ)").fill("60000")
    await page.get_by_role("button", name="Thêm biểu phí").click()
    await expect(page.get_by_text(f"Đã thêm biểu phí áp dụng từ {day:%d/%m/%Y}")).to_be_visible()
    upcoming = schedules.get_by_role("row", name=f"{day:%d/%m/%Y}")
    await expect(upcoming.get_by_text("sắp áp dụng")).to_be_visible()

    # The statement of this month holds today's order: the upper-level union's line has its card.
    statement = page.locator(".ant-card").filter(has_text="Bảng kê phí thẻ")
    await expect(statement.get_by_role("row", name=re.compile(re.escape(world.names["U"])))).to_be_visible()
    await expect(statement.get_by_role("row", name=re.compile(re.escape(order["order_number"])))).to_be_visible()
    # Wide tables scroll inside their cards: the page itself never scrolls sideways, at 360 px too.
    assert await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    workbook = openpyxl.load_workbook(io.BytesIO(await downloaded(page, "Tải .xlsx")))
    assert workbook.sheetnames == ["Theo đơn vị", "Theo đơn đặt in"]
    orders = [row[1] for row in workbook["Theo đơn đặt in"].iter_rows(values_only=True)]
    assert order["order_number"] in orders
    assert (await downloaded(page, "Tải PDF")).startswith(b"%PDF")

    # The province records that its upper-level union pays salaries through the bank (its linked cards free).
    salary = page.locator(".ant-card").filter(has_text="Đơn vị chi lương qua ngân hàng")
    box = salary.get_by_label("Đơn vị trực thuộc", exact=True)
    await box.fill(world.names["U"][:12])
    option = dropdown_of(page, await box.get_attribute("id")).locator(".ant-select-item-option")
    await option.filter(has_text=world.names["U"]).dispatch_event("click")
    commitment = f"Cam kết chi lương qua thẻ {screen.name}"
    await salary.get_by_label("Văn bản cam kết").fill(commitment)
    await salary.get_by_role("button", name="Ghi nhận").click()
    await expect(page.get_by_text("Đã ghi nhận")).to_be_visible()
    row = salary.get_by_role("row", name=re.compile(re.escape(world.names["U"])))
    await expect(row).to_contain_text(commitment)
    await expect(row.get_by_text("có", exact=True)).to_be_visible()
    recorded = await admin.get("/api/v1/cards/fees/salary-through-bank", params={"unit_id": world.units["TP"]})
    assert [(u["unit_id"], u["pays_through_bank"], u["commitment"]) for u in recorded.json()] == [
        (world.units["U"], True, commitment)
    ]
