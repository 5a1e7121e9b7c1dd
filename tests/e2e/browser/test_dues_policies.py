"""Dues policies in the web app: the national administrator adds an effective-dated policy (rate, cap, split and its
exemption reasons, starting from the policy in force) after a confirmation, a malformed reason code refused on its
field; then edits the new policy's reasons in a dialog (one taken off, one renamed), while a policy in force lets
its reasons be renamed but not taken off. No member is created: no ID-number serials."""

from __future__ import annotations

import zlib

from contracts.wellknown import NATIONAL_CENTRE_ID
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import confirm, open_section, sign_in

ADMIN = ("admin", "Admin@12345")


async def test_the_national_administrator_adds_a_policy_and_edits_its_exemption_reasons(
    page: Page, world, admin, screen
):
    # Policies are never deleted: each run and screen size takes a month of its own, far ahead.
    year = 2100 + zlib.crc32(f"{world.tag}-{screen.name}".encode()) % 800
    decision = f"{world.tag}-{screen.name}/QĐ-TLĐ"
    await sign_in(page, *ADMIN)
    await page.goto(f"/don-vi/{NATIONAL_CENTRE_ID}")
    await open_section(page, screen.phone, "Đoàn phí", "Quy định mức đóng")
    await expect(page.get_by_role("heading", name="Quy định mức đóng đoàn phí")).to_be_visible()
    policies = page.locator(".ant-card").filter(has=page.get_by_text("Các quy định theo thời gian"))
    await expect(policies.get_by_role("row").filter(has_text="61/QĐ-TLĐ")).to_be_visible()

    # The form starts from the policy in force (0,5 %, 70 % kept by the grassroots union, its three reasons).
    await expect(page.get_by_label("Tỷ lệ trên tiền lương (%)")).to_have_value("0,5")
    await expect(page.get_by_label("Mã lý do")).to_have_count(3)
    await page.get_by_label("Áp dụng từ tháng").fill(f"01/{year}")
    await page.get_by_label("Áp dụng từ tháng").press("Enter")
    await page.get_by_label("Tỷ lệ trên tiền lương (%)").fill("0,6")
    await page.get_by_label("Văn bản quy định").fill(decision)
    await page.get_by_role("button", name="Thêm lý do miễn").click()
    await page.get_by_label("Mã lý do").last.fill("thai san")
    await page.get_by_label("Tên lý do (như in ra)").last.fill("Nghỉ thai sản")
    await page.get_by_role("button", name="Thêm quy định").last.click()
    await confirm(page, "Thêm quy định")
    code = page.locator(".ant-form-item").filter(has=page.get_by_label("Mã lý do")).last
    await expect(code).to_contain_text("Giá trị không đúng định dạng")
    await page.get_by_label("Mã lý do").last.fill("maternity")
    await page.get_by_role("button", name="Thêm quy định").last.click()
    await confirm(page, "Thêm quy định")
    await expect(page.get_by_text("Đã thêm quy định")).to_be_visible()
    added = policies.get_by_role("row").filter(has_text=decision)
    await expect(added).to_contain_text(f"01/01/{year}")
    await expect(added).to_contain_text("0,6 %")
    await expect(added).to_contain_text("Nghỉ thai sản")

    # Not in force yet: a reason may be taken off, another renamed.
    await page.get_by_role("button", name=f"Sửa lý do miễn của quy định từ 01/01/{year}").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_role("button", name="Bỏ lý do maternity").click()
    await dialog.get_by_label("Tên lý do (như in ra)").first.fill("Không có thu nhập trong tháng")
    await confirm(page, "Lưu")
    await expect(page.get_by_text("Đã lưu lý do miễn")).to_be_visible()
    await expect(added).not_to_contain_text("Nghỉ thai sản")
    await expect(added).to_contain_text("Không có thu nhập trong tháng")
    listed = (await admin.get("/api/v1/dues/policies")).json()
    mine = next(p for p in listed if p["effective_from"] == f"{year}-01-01")
    assert (mine["rate_permille"], mine["decision"]) == (6, decision)
    assert [r["code"] for r in mine["exemption_reasons"]] == ["no_income", "social_insurance_benefit", "suspended"]

    # In force: the reasons may be renamed, not taken off (recorded months may name them).
    await page.get_by_role("button", name="Sửa lý do miễn của quy định từ 01/07/2025").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("button", name="Bỏ lý do no_income")).to_be_disabled()
    await expect(dialog.get_by_role("button", name="Bỏ lý do suspended")).to_be_disabled()
    await dialog.get_by_role("button", name="Đóng").click()
    await expect(dialog).to_be_hidden()
