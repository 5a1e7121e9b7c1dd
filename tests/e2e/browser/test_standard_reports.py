"""The standard reports in the web app: the period report of member development (a row per subunit, "of which
women", by enterprise type) downloaded as .xlsx and PDF, a reversed period refused on the field; the members by a
dimension as of a past day picked as dd/mm/yyyy, downloaded as .xlsx; the units of the subtree and the targets'
progress, each downloaded as .xlsx, a malformed term refused on the field."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta

from contracts.wellknown import VIETNAM_TIME
from localrun.demo_people import create_account
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import open_section, sign_in
from tests.e2e.browser.world import PASSWORD


def vietnamese_today() -> date:
    """Today in Hà Nội, as the server and the browser (Asia/Ho_Chi_Minh) count days: from 17:00 UTC on, the
    machine's own date is yesterday, before the platform's figures start."""
    return datetime.now(VIETNAM_TIME).date()


def vietnamese(number: int) -> str:
    return f"{number:,}".replace(",", ".")


async def downloaded(page: Page, button: str) -> bytes:
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name=button).click()
    return (await (await downloading.value).path()).read_bytes()


async def reports_section(page: Page, phone: bool, section: str) -> None:
    await open_section(page, phone, "Báo cáo", section)


async def viewer_of_u(world, admin, platform, screen) -> str:
    viewer = f"{world.tag.lower()}.mau.{screen.name}"
    await create_account(
        admin, platform.gateway_url, viewer, f"Xem biểu mẫu {screen.name}", "report_viewer", world.units["U"], PASSWORD
    )
    return viewer


async def test_a_report_viewer_downloads_the_period_report_of_member_development(page, world, admin, platform, screen):
    today = vietnamese_today()  # the platform's figures start today: earlier days are refused (the breakdown's test)
    report = (
        await admin.get(
            "/api/v1/reporting/members/development",
            params={"unit_id": world.units["U"], "from": today.isoformat(), "to": today.isoformat()},
        )
    ).json()
    g1 = next(row for row in report["rows"] if row["unit_id"] == world.units["G1"])
    await sign_in(page, await viewer_of_u(world, admin, platform, screen))
    await reports_section(page, screen.phone, "Báo cáo phát triển đoàn viên")
    await expect(page.get_by_role("heading", name="Báo cáo tình hình phát triển đoàn viên")).to_be_visible()
    # This year is refused before the figures' first day: the default period starts on that day instead.
    await expect(page.get_by_placeholder("Từ ngày")).to_have_value(today.strftime("%d/%m/%Y"))
    row = page.locator("tr.ant-table-row").filter(has_text=world.names["G1"])
    await expect(row).to_contain_text(f"{vietnamese(g1['members_at_end'])} ({vietnamese(g1['women_at_end'])})")
    await expect(page.locator(".ant-table-summary")).to_contain_text("Toàn đơn vị")
    workbook = await downloaded(page, "Tải Excel (.xlsx)")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()
    pdf = await downloaded(page, "Tải PDF")
    assert pdf.startswith(b"%PDF")

    await page.get_by_placeholder("Từ ngày").fill("01/12/2026")
    await page.get_by_placeholder("Đến ngày").fill("01/01/2026")
    await page.get_by_placeholder("Đến ngày").press("Enter")
    await page.get_by_role("heading", name="Báo cáo tình hình phát triển đoàn viên").click()  # the calendar closes
    await page.get_by_role("button", name="Xem", exact=True).click()
    await expect(page.locator(".ant-form-item-explain-error")).to_be_visible()


async def test_a_report_viewer_sees_members_by_gender_as_of_a_chosen_day(page, world, admin, platform, screen):
    day = vietnamese_today()
    expected = (
        await admin.get(
            "/api/v1/reporting/members/breakdown",
            params={"unit_id": world.units["U"], "by": "gender", "as_of": day.isoformat()},
        )
    ).json()
    await sign_in(page, await viewer_of_u(world, admin, platform, screen))
    await reports_section(page, screen.phone, "Theo tiêu chí, tại một ngày")
    await expect(page.get_by_role("heading", name="Số liệu đoàn viên theo tiêu chí")).to_be_visible()
    criterion = page.get_by_role("combobox", name="Tiêu chí")
    await criterion.click()
    await criterion.fill("Giới tính")
    await criterion.press("Enter")
    # Before the figures start (the platform started today): refused on the field, with the first day known.
    await page.get_by_label("Tại ngày").fill((day - timedelta(days=1)).strftime("%d/%m/%Y"))
    await page.get_by_label("Tại ngày").press("Enter")
    await page.get_by_role("button", name="Xem", exact=True).click()
    await expect(page.locator(".ant-form-item-explain-error")).to_contain_text("Số liệu chỉ có từ ngày")
    await page.get_by_label("Tại ngày").fill(day.strftime("%d/%m/%Y"))
    await page.get_by_label("Tại ngày").press("Enter")
    await page.get_by_role("button", name="Xem", exact=True).click()
    card = page.locator(".ant-card").filter(has_text=f"cuối ngày {day.strftime('%d/%m/%Y')}")
    await expect(card).to_contain_text("Giới tính")
    await expect(card.locator(".ant-table-summary")).to_contain_text(vietnamese(expected["total"]))
    if expected["total"]:
        await expect(card.get_by_role("img").locator("svg rect").first).to_be_visible()
    workbook = await downloaded(page, "Tải Excel (.xlsx)")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()


def workbook_strings(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml").decode()


async def test_a_report_viewer_downloads_the_units_report(page, world, admin, platform, screen):
    today = vietnamese_today()
    expected = (
        await admin.get(
            "/api/v1/reporting/unit-figures",
            params={"unit_id": world.units["U"], "from": today.isoformat(), "to": today.isoformat()},
        )
    ).json()
    grassroots = sum(band["units"] for band in expected["grassroots_by_members"])
    await sign_in(page, await viewer_of_u(world, admin, platform, screen))
    await reports_section(page, screen.phone, "Số liệu tổ chức công đoàn")
    await expect(page.get_by_role("heading", name="Số liệu tổ chức công đoàn")).to_be_visible()
    # This year is refused before the figures' first day: the default period starts on that day instead.
    await expect(page.get_by_placeholder("Từ ngày")).to_have_value(today.strftime("%d/%m/%Y"))
    # The innermost card of the bands (the page's card holds the four).
    bands = page.locator(".ant-card").filter(has_text=f"theo số đoàn viên, cuối ngày {today.strftime('%d/%m/%Y')}").last
    await expect(bands.locator(".ant-table-summary")).to_contain_text(vietnamese(grassroots))
    strings = workbook_strings(await downloaded(page, "Tải Excel (.xlsx)"))
    assert "SỐ LIỆU TỔ CHỨC CÔNG ĐOÀN" in strings and "Công đoàn cơ sở" in strings
    assert (await downloaded(page, "Tải PDF")).startswith(b"%PDF")


async def test_a_report_viewer_follows_the_targets_of_the_term(page, world, admin, platform, screen):
    target = {"starts_on": "2023-06-01", "ends_on": "2028-05-31", "members": 1000, "admissions": 400}
    saved = await admin.put(f"/api/v1/reporting/targets/{world.units['G1']}/2023-2028", json=target)
    assert saved.status_code == 200, saved.text
    await sign_in(page, await viewer_of_u(world, admin, platform, screen))
    await reports_section(page, screen.phone, "Chỉ tiêu phát triển đoàn viên")
    await expect(page.get_by_role("heading", name="Chỉ tiêu phát triển đoàn viên")).to_be_visible()
    await expect(page.get_by_label("Nhiệm kỳ")).to_have_value("2023-2028")
    row = page.locator("tr.ant-table-row").filter(has_text=world.names["G1"])
    await expect(row).to_contain_text("1.000")
    await expect(page.locator(".ant-table-summary")).to_contain_text("Toàn đơn vị")
    strings = workbook_strings(await downloaded(page, "Tải Excel (.xlsx)"))
    assert "Nhiệm kỳ 2023-2028" in strings and world.names["G1"] in strings
    assert (await downloaded(page, "Tải PDF")).startswith(b"%PDF")

    await page.get_by_label("Nhiệm kỳ").fill("2028")
    await page.get_by_role("button", name="Xem", exact=True).click()
    await expect(page.locator(".ant-form-item-explain-error")).to_be_visible()
