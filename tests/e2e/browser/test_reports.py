"""The reports dashboard: a report viewer of an upper-level union sees its subtree's figures, each chart (SVG drawn
by the app) with its table beside it, the period's movements and the members at each month's end from the
period report of member development (never the deprecated `units/{id}/movements`), and a reversed period refused by
the API on the field."""

from __future__ import annotations

from contracts.wellknown import vietnamese_today
from localrun.demo_people import create_account
from playwright.async_api import expect

from tests.e2e.browser.steps import open_menu, sign_in
from tests.e2e.browser.world import PASSWORD


def vietnamese(number: int) -> str:
    return f"{number:,}".replace(",", ".")


async def test_a_report_viewer_opens_the_dashboard_of_the_unit(page, world, admin, platform, screen):
    viewer = f"{world.tag.lower()}.baocao.{screen.name}"
    await create_account(
        admin, platform.gateway_url, viewer, f"Xem báo cáo {screen.name}", "report_viewer", world.units["U"], PASSWORD
    )
    summary = (await admin.get(f"/api/v1/reporting/units/{world.units['U']}/member-summary")).json()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    await sign_in(page, viewer)
    # The menu offers a report viewer the report screens, under their feature, and neither dues nor the audit trail.
    await open_menu(page, screen.phone)
    menu = page.get_by_role("navigation", name="Menu và cây đơn vị")
    await menu.get_by_role("menuitem", name="Báo cáo", exact=True).click()
    for report in ("Báo cáo phát triển đoàn viên", "Theo tiêu chí, tại một ngày"):
        await expect(menu.get_by_role("menuitem", name=report, exact=True)).to_be_visible()
    await expect(menu.get_by_role("menuitem", name="Đoàn phí", exact=True)).to_have_count(0)
    await expect(menu.get_by_role("menuitem", name="Nhật ký", exact=True)).to_have_count(0)
    await menu.get_by_role("menuitem", name="Tổng quan", exact=True).click()
    await expect(page.get_by_role("heading", name="Báo cáo thống kê")).to_be_visible()

    # The numbers and the sections are plain HTML (a phone renders them before any of Ant Design's table code).
    members = page.locator(".figure").filter(has_text="Đoàn viên hiện nay")
    await expect(members).to_contain_text(vietnamese(summary["members"]))
    chart = page.get_by_role("img", name="Biểu đồ tròn: đoàn viên theo trạng thái")
    # Each slice is drawn and names its status and count (its tooltip).
    await expect(chart.locator("svg path")).not_to_have_count(0)
    await expect(chart.locator("svg title").first).to_contain_text("Đang sinh hoạt")
    status_table = page.get_by_role("region", name="Đoàn viên theo trạng thái").get_by_role("table")
    await expect(status_table).to_contain_text("Đang sinh hoạt")
    subunits = page.get_by_role("region", name="Đoàn viên theo đơn vị trực thuộc")
    await expect(subunits.locator("table")).to_contain_text(world.names["G1"])
    over_time = page.get_by_role("region", name="Đoàn viên 12 tháng qua")
    await expect(over_time.get_by_role("img").locator("svg circle")).not_to_have_count(0)
    # This month's row: the members at its end (today) are the members now.
    this_month = over_time.locator("tr").filter(has_text=vietnamese_today().strftime("%m/%Y"))
    await expect(this_month).to_contain_text(vietnamese(summary["members"]))
    movements = page.locator(".report-section").filter(has_text="Biến động từ")
    await expect(movements.get_by_role("img").locator("svg rect").first).to_be_visible()
    await expect(movements.locator("tr").filter(has_text="Cuối kỳ")).to_contain_text(vietnamese(summary["members"]))
    await expect(movements.locator("tr").filter(has_text="Kết nạp")).to_be_visible()
    assert not [url for url in asked if "/movements" in url], "the dashboard asked the deprecated movements report"
    assert [url for url in asked if "/reporting/members/development" in url]

    await page.get_by_placeholder("Từ ngày").fill("01/12/2026")
    await page.get_by_placeholder("Đến ngày").fill("01/01/2026")
    await page.get_by_placeholder("Đến ngày").press("Enter")
    await page.get_by_role("button", name="Xem", exact=True).click()
    await expect(page.locator(".ant-form-item-explain-error")).to_be_visible()
