"""The story of issue 10: a grassroots officer imports a list with bad rows, downloads the report and imports the
valid rows; the approver approves them in bulk; the officer finds a member without typing diacritics and transfers
them to another unit, which accepts. At a phone's size and an office screen's."""

from __future__ import annotations

import io
import re

import openpyxl
from playwright.async_api import expect

from tests.e2e.browser.steps import choose_action, confirm, sign_in
from tests.e2e.browser.world import member_list_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_import_approve_find_and_transfer_a_member(browser, page, world, screen, platform):
    given = "Điện Thoại" if screen.phone else "Máy Tính"
    serial = 530_000 if screen.phone else 540_000  # apart from every other list of the suite (see world.py)
    good = [
        [f"Nguyễn Văn {given} {index}", "Nam", "01/05/1990", f"001090{serial + index:06d}", "0912345678"]
        for index in range(1, 6)
    ]
    bad = [
        ["Trần Thị Sai Giới", "Nam", "02/03/1995", f"001195{serial + 50:06d}", ""],  # CCCD says a woman
        ["", "Nữ", "02/03/1995", f"001195{serial + 51:06d}", ""],  # no name
        ["Lê Văn Trẻ", "Nam", "01/01/2020", f"001120{serial + 52:06d}", ""],
    ]  # too young
    g1, g2 = world.units["G1"], world.units["G2"]

    # The grassroots officer imports the list.
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{g1}/nhap-excel")
    await page.locator("input[type=file]").set_input_files(
        files=[{"name": "danh-sach.xlsx", "mimeType": XLSX, "buffer": member_list_xlsx(good + bad)}]
    )
    await expect(page.get_by_text("Chờ xác nhận nhập")).to_be_visible(timeout=60_000)
    await expect(page.get_by_role("tab", name="Dòng lỗi (3)")).to_be_visible()
    await expect(page.get_by_role("cell", name="Trần Thị Sai Giới")).to_be_visible()

    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải báo cáo kiểm tra (.xlsx)").click()
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    report = openpyxl.load_workbook(io.BytesIO((await download.path()).read_bytes()))
    rows = list(report.active.iter_rows(values_only=True))
    header = list(rows[0])
    errors = {row[header.index("Họ và tên")]: row[header.index("Lỗi")] for row in rows[1:]}
    assert errors[good[0][0]] in (None, "")
    assert errors["Trần Thị Sai Giới"] and errors["Lê Văn Trẻ"]

    await page.get_by_role("button", name="Nhập 5 dòng hợp lệ").click()
    await confirm(page, "Nhập")
    await expect(page.get_by_text("Đã nhập 5 đoàn viên")).to_be_visible(timeout=60_000)

    # The approver of the upper-level union approves everything pending in the grassroots union.
    approver = await browser.new_context(base_url=platform.gateway_url, viewport=page.viewport_size, locale="vi-VN")
    try:
        approving = await approver.new_page()
        await sign_in(approving, world.accounts["approver"])
        await approving.goto(f"/don-vi/{g1}/phe-duyet")
        await expect(approving.get_by_role("cell", name=good[0][0])).to_be_visible()
        await approving.get_by_role("button", name="Phê duyệt tất cả khớp bộ lọc").click()
        await confirm(approving, "Phê duyệt")
        await expect(approving.get_by_text("Đã phê duyệt 5 đoàn viên")).to_be_visible()
        await expect(approving.get_by_text("Mã đoàn viên vừa cấp")).to_be_visible()
    finally:
        await approver.close()

    # The officer finds a member by typing the name without diacritics, and transfers them to G2.
    await page.goto(f"/don-vi/{g1}/doan-vien")
    plain = f"nguyen van {'dien thoai' if screen.phone else 'may tinh'} 3"
    await page.get_by_label("Tìm đoàn viên").fill(plain)
    await page.get_by_label("Tìm đoàn viên").press("Enter")
    found = page.get_by_role("link", name=f"Nguyễn Văn {given} 3")
    await expect(found).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text="Đang sinh hoạt")).to_have_count(1)
    await found.click()
    await expect(page.get_by_role("heading", name=re.compile(f"Nguyễn Văn {given} 3"))).to_be_visible()
    await choose_action(page, "Thao tác", "Chuyển sinh hoạt")
    await page.get_by_role("dialog").get_by_label("Chuyển đến công đoàn cơ sở").click()
    # The picker's own search box, not the sider's tree search (same label) that is on screen first.
    picker = page.get_by_role("dialog", name="Chọn đơn vị")
    await picker.get_by_label("Tìm đơn vị theo tên hoặc mã").fill(world.code("G2"))
    await picker.get_by_role("button", name=world.names["G2"]).click()
    await page.get_by_role("button", name="Giới thiệu chuyển").click()
    await expect(page.get_by_text(re.compile("Giấy giới thiệu số"))).to_be_visible()
    async with page.expect_download() as letter:
        await page.get_by_role("button", name="Tải giấy giới thiệu (PDF)").click()
    assert (await (await letter.value).path()).read_bytes().startswith(b"%PDF")

    # The receiving unit accepts.
    receiving_context = await browser.new_context(
        base_url=platform.gateway_url, viewport=page.viewport_size, locale="vi-VN"
    )
    try:
        receiving = await receiving_context.new_page()
        await sign_in(receiving, world.accounts["receiver"])
        await receiving.goto(f"/don-vi/{g2}/chuyen-sinh-hoat")
        row = receiving.get_by_role("row").filter(has_text=f"Nguyễn Văn {given} 3")
        await row.get_by_role("button", name="Tiếp nhận").click()
        await confirm(receiving, "Tiếp nhận")
        await expect(receiving.get_by_text("Đã tiếp nhận đoàn viên")).to_be_visible()
        await receiving.goto(f"/don-vi/{g2}/doan-vien")
        await expect(receiving.get_by_role("link", name=f"Nguyễn Văn {given} 3")).to_be_visible()
    finally:
        await receiving_context.close()
