"""The audit trail and dues in the web app: an administrator finds a change by its request id in the merged trail;
a grassroots dues officer records a month as a grid of the unit's members (the norm prefilled from last month's
salaries), sees the API refuse a negative amount on the field with nothing saved, records it in one save and
downloads it as .xlsx."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from localrun.demo_people import create_account
from playwright.async_api import expect

from tests.e2e.browser.steps import ANTD_PROVIDER, HeldBack, open_menu, open_section, sign_in
from tests.e2e.browser.world import PASSWORD
from tests.support.polling import eventually

# A list's rows: the plain table's first, then Ant Design's once its code has loaded
# (web/src/components/progressive-table.tsx).
TABLE_ROWS = "tr.ant-table-row, tr.plain-table-row"


def months_before(count: int) -> str:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().replace(day=1)
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1).strftime("%Y-%m")


async def audited_new_unit(admin, world, code: str, name: str) -> str:
    """A grassroots union added under U with a request id of its own, once the merged trail has its entry: the id."""
    request_id = f"web-audit-{uuid.uuid4().hex}"
    created = await admin.post(
        "/api/v1/orgtree/units",
        headers={"x-request-id": request_id},
        json={
            "code": world.code(code),
            "name": f"Công đoàn cơ sở {name}",
            "type_code": "grassroots_union",
            "parent_id": world.units["U"],
        },
    )
    assert created.status_code == 201, created.text
    await eventually(
        lambda: admin.get("/api/v1/audit", params={"request_id": request_id}),
        lambda answer: answer.status_code == 200 and answer.json()["items"],
        timeout=30,
    )
    return request_id


async def test_an_administrator_finds_a_change_in_the_merged_audit_trail_by_its_request_id(page, world, admin, screen):
    request_id = await audited_new_unit(admin, world, f"NK{screen.name[:1].upper()}", f"Nhật Ký {screen.name}")

    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['TP']}")
    await open_section(page, screen.phone, "Nhật ký", "Nhật ký kiểm tra")
    await expect(page.get_by_role("heading", name="Nhật ký kiểm tra")).to_be_visible()
    await page.get_by_label("Mã yêu cầu").fill(request_id)
    await page.get_by_label("Kết quả").click()
    await page.get_by_title("Thành công").click()
    await page.get_by_role("button", name="Lọc", exact=True).click()
    rows = page.locator(TABLE_ROWS)
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("POST /api/v1/orgtree/units")
    await expect(rows.first).to_contain_text("Cây tổ chức")
    await expect(rows.first).to_contain_text("Thành công")
    await expect(rows.first).to_contain_text("admin")

    await page.get_by_label("Kết quả").click()
    await page.get_by_title("Bị từ chối").click()
    await page.get_by_role("button", name="Lọc", exact=True).click()
    await expect(page.get_by_text("Không có mục nào khớp bộ lọc")).to_be_visible()


async def test_the_audit_trails_rows_come_before_any_ant_design_and_a_request_id_filters_by_itself(
    page, world, admin, screen
):
    """A plain screen (app/router.tsx): its rows are plain HTML while Ant Design's provider is held back; a click on
    a request id filters by it then, and the filters, once they come, have it in their field."""
    request_id = await audited_new_unit(admin, world, f"NP{screen.name[:1].upper()}", f"Nhật Ký Trơn {screen.name}")
    await sign_in(page, "admin", "Admin@12345")
    held = await HeldBack.on(page, ANTD_PROVIDER)
    await page.goto(f"/don-vi/{world.units['TP']}/nhat-ky")
    rows = page.locator("tr.plain-table-row")
    await expect(rows.first).to_be_visible()
    await page.get_by_role("button", name=request_id).first.click()
    await expect(rows.filter(has_not_text=request_id)).to_have_count(0)
    await expect(rows.filter(has_text="POST /api/v1/orgtree/units").first).to_be_visible()
    held.release()
    await expect(page.get_by_label("Mã yêu cầu")).to_have_value(request_id)
    # Ant Design's table takes over once the focus (on the request id clicked) has left the plain table.
    await page.get_by_role("heading", name="Nhật ký kiểm tra").click()
    await expect(page.locator("tr.ant-table-row").first).to_contain_text(request_id)


async def test_a_dues_officer_records_a_month_as_a_grid_of_the_units_members(page, world, admin, platform, screen):
    unit = world.units["G1"]
    members = (await admin.get(f"/api/v1/members/units/{unit}/members", params={"limit": 500})).json()["items"]
    paying = [m for m in members if m["status"] == "active"]
    # Last recorded month: every member's salary basis, which the new month starts from.
    base = {
        "unit_id": unit,
        "month": months_before(4),
        "lines": [{"member_id": m["member_id"], "salary_vnd": 6_000_000} for m in paying],
    }
    await eventually(
        lambda: admin.post("/api/v1/dues/months", json=base),  # members reach dues through Kafka
        lambda answer: answer.status_code in (201, 409),
        timeout=60,
    )
    month = months_before(1 if screen.phone else 2)
    officer = f"{world.tag.lower()}.doanphi.{screen.name}"
    await create_account(
        admin, platform.gateway_url, officer, f"Cán bộ đoàn phí {screen.name}", "dues_officer", unit, PASSWORD
    )

    await sign_in(page, officer)
    # A dues officer's menu has the dues screens under "Đoàn phí", the payroll among them; not the audit trail.
    await open_menu(page, screen.phone)
    menu = page.get_by_role("navigation", name="Menu và cây đơn vị")
    await menu.get_by_role("menuitem", name="Đoàn phí", exact=True).click()
    for dues_screen in ("Nợ đoàn phí", "Nộp cấp trên", "Tính từ bảng lương"):
        await expect(menu.get_by_role("menuitem", name=dues_screen, exact=True)).to_be_visible()
    await expect(menu.get_by_role("menuitem", name="Nhật ký", exact=True)).to_have_count(0)
    await menu.get_by_role("menuitem", name="Các tháng", exact=True).click()
    await expect(page.get_by_role("heading", name=re.compile("Đoàn phí năm"))).to_be_visible()
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    label = f"tháng {month[5:]}/{month[:4]}"
    if int(month[:4]) == year:
        await page.get_by_role("button", name=f"Ghi nhận {label}").click()
    else:
        await page.goto(f"/don-vi/{unit}/doan-phi/{month}")
    await expect(page.get_by_role("heading", name=f"Đoàn phí {label}")).to_be_visible()

    first, second, third = sorted(
        (m for m in paying if m["full_name"].startswith("Phạm Văn Thử 0")), key=lambda m: m["full_name"]
    )[:3]
    await expect(page.get_by_label(f"Tiền lương của {first['full_name']}")).to_have_value("6.000.000")
    await expect(page.get_by_label(f"Số đã đóng của {first['full_name']}")).to_have_value("30.000")  # 0.5 %, prefilled
    await page.get_by_label(f"Tiền lương của {first['full_name']}").fill("8000000")
    await page.get_by_label(f"Tiền lương của {first['full_name']}").press("Tab")
    await expect(page.get_by_label(f"Số đã đóng của {first['full_name']}")).to_have_value("40.000")
    await page.get_by_label(f"Số đã đóng của {second['full_name']}").fill("-5000")
    await page.get_by_role("button", name="Ghi nhận tháng").click()
    await expect(page.locator(".ant-form-item-explain-error").first).to_contain_text("Giá trị quá nhỏ")
    nothing = await admin.get("/api/v1/dues/months", params={"unit_id": unit, "month": month})
    assert nothing.json()["items"] == []  # all or nothing: no line was recorded

    # Less than the norm: recorded as paid in part (above it would need the unit's decision on file).
    await page.get_by_label(f"Số đã đóng của {second['full_name']}").fill("20000")
    # The exemption reasons offered are the list of the month's policy.
    reason = page.get_by_label(f"Miễn đóng của {third['full_name']}", exact=True)
    await reason.click()
    dropdown = page.locator(".ant-select-dropdown").filter(
        has=page.locator(f"[id='{await reason.get_attribute('id')}_list']")
    )
    options = dropdown.locator(".ant-select-item-option")
    await expect(options).to_have_text(["Không có thu nhập", "Hưởng trợ cấp BHXH", "Tạm dừng sinh hoạt"])
    await options.filter(has_text="Không có thu nhập").dispatch_event("click")
    await expect(page.get_by_label(f"Số đã đóng của {third['full_name']}")).to_be_disabled()
    await page.get_by_role("button", name="Ghi nhận tháng").click()
    await expect(page.get_by_text(re.compile("Đã ghi nhận .* đoàn viên đóng"))).to_be_visible()
    await expect(page.get_by_role("button", name="Lưu bản sửa")).to_be_visible()
    [recorded] = (await admin.get("/api/v1/dues/months", params={"unit_id": unit, "month": month})).json()["items"]
    detail = (await admin.get(f"/api/v1/dues/months/{recorded['collection_id']}")).json()
    lines = {line["member_id"]: line for line in detail["lines"]}
    assert len(lines) == len(paying)
    assert (lines[first["member_id"]]["salary_vnd"], lines[first["member_id"]]["paid_vnd"]) == (8_000_000, 40_000)
    assert (lines[second["member_id"]]["paid_vnd"], lines[second["member_id"]]["outcome"]) == (20_000, "part_paid")
    assert (lines[third["member_id"]]["exemption"], lines[third["member_id"]]["outcome"]) == ("no_income", "exempt")
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải bảng đoàn phí tháng (.xlsx)").click()
    workbook = (await (await downloading.value).path()).read_bytes()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()

    await page.get_by_role("link", name="Về các tháng trong năm").click()
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải Excel").click()
    summary = (await (await downloading.value).path()).read_bytes()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(summary)).namelist()
    if int(month[:4]) == year:
        await expect(page.locator(TABLE_ROWS).filter(has_text=label.capitalize()).first).to_contain_text("Đã ghi nhận")


async def test_the_months_of_dues_come_before_any_ant_design_and_its_sections_by_keyboard(page, world, screen):
    """A plain screen (app/router.tsx): the year's months, the subtree's summary, their buttons, the year and the
    sections are plain HTML, usable while Ant Design's provider and stylesheet are held back; the sections are a
    radio group, as Ant Design's segmented control was (an arrow key goes to the next); Ant Design's tables take over
    once it has come."""
    unit = world.units["G1"]
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    await sign_in(page, "admin", "Admin@12345")
    held = await HeldBack.on(page, ANTD_PROVIDER)
    await page.goto(f"/don-vi/{unit}/doan-phi")
    await expect(page.get_by_role("heading", name=f"Đoàn phí năm {year}")).to_be_visible()
    months = page.get_by_role("table", name=f"Các tháng năm {year} của công đoàn cơ sở").locator("tr.plain-table-row")
    await expect(months).to_have_count(12)
    await expect(months.first).to_contain_text(f"Tháng 01/{year}")
    # A pattern reaches the browser as a JavaScript regular expression: its slashes escaped.
    await expect(months.first.get_by_role("button", name=re.compile(rf"tháng 01\/{year}$"))).to_be_visible()
    await expect(page.get_by_role("table", name=f"Tổng hợp đoàn phí năm {year} theo tháng")).to_be_visible()
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải Excel").click()
    summary = (await (await downloading.value).path()).read_bytes()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(summary)).namelist()
    await page.get_by_label("Chọn năm").select_option(label=f"Năm {year - 1}")
    await expect(page.get_by_role("heading", name=f"Đoàn phí năm {year - 1}")).to_be_visible()
    before = page.get_by_role("table", name=f"Các tháng năm {year - 1} của công đoàn cơ sở")
    await expect(before.locator("tr.plain-table-row")).to_have_count(12)
    await expect(before.get_by_role("button", name=re.compile(rf"tháng 12\/{year - 1}$"))).to_be_visible()

    sections = page.get_by_role("radiogroup", name="Các mục đoàn phí")
    months_section = sections.get_by_role("radio", name="Các tháng")
    await expect(months_section).to_be_checked()
    await months_section.focus()
    await page.keyboard.press("ArrowRight")  # the arrears' screen, on Ant Design: it comes once that has
    held.release()
    await expect(page.get_by_role("heading", name="Nợ đoàn phí")).to_be_visible()
    await expect(sections.get_by_role("radio", name="Nợ đoàn phí")).to_be_checked()
    await sections.get_by_text("Các tháng", exact=True).click()
    await expect(page.get_by_role("heading", name=f"Đoàn phí năm {year}")).to_be_visible()
    # Ant Design's tables take over (the provider has come), with the same buttons.
    await expect(page.locator("tr.ant-table-row").first).to_be_visible()
    await expect(page.locator("tr.plain-table-row")).to_have_count(0)
    await page.get_by_role("button", name=re.compile(rf"tháng 01\/{year}$")).click()
    await expect(page.get_by_role("heading", name=f"Đoàn phí tháng 01/{year}")).to_be_visible()
