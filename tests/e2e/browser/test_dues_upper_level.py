"""Dues beyond one month in the web app: the arrears of a subtree (and its .xlsx), a grassroots union's remittance
of the upper share confirmed by the upper level in a dialog, the upper level's own remittance to its upper level,
the reconciliation per subunit (and its .xlsx), and a month computed from the payroll list, previewed, then
recorded in one save."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from localrun.demo_people import create_account
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import confirm, open_section, sign_in
from tests.e2e.browser.world import PASSWORD, _import_and_approve, _when_identity_knows, member_list_xlsx, people
from tests.support.polling import eventually

NAME = "Công đoàn cơ sở Công ty TNHH Thử Nghiệm Đoàn Phí"


def months_before(count: int) -> str:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().replace(day=1)
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1).strftime("%Y-%m")


def today() -> str:
    """Today in Vietnam, as the screens show it (the browser runs on Vietnam's clock; from 17:00 UTC it is already
    tomorrow there, and the dues service counts days in Vietnam too)."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


def shown(month: str) -> str:
    return f"{month[5:]}/{month[:4]}"


def vietnamese(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@pytest.fixture(scope="module")
async def treasury(world, admin, platform) -> dict:
    """A grassroots union of six members below TP-U, its dues officer and the upper level's; four months ago every
    member paid on a salary, three months ago two were left out (they owe that month on it)."""
    created = await admin.post(
        "/api/v1/orgtree/units",
        json={"code": world.code("G3"), "name": NAME, "type_code": "grassroots_union", "parent_id": world.units["U"]},
    )
    assert created.status_code == 201, created.text
    unit = created.json()["unit_id"]
    accounts = {"grassroots": f"{world.tag.lower()}.thu.g3", "upper": f"{world.tag.lower()}.thu.u"}
    await _when_identity_knows(
        create_account,
        admin,
        platform.gateway_url,
        accounts["grassroots"],
        "Thủ quỹ G3",
        "dues_officer",
        unit,
        PASSWORD,
    )
    await create_account(
        admin, platform.gateway_url, accounts["upper"], "Cán bộ tài chính U", "dues_officer", world.units["U"], PASSWORD
    )
    await _import_and_approve(admin, unit, member_list_xlsx(people(6, 520_000, family="Trần")))
    members = sorted(
        (await admin.get(f"/api/v1/members/units/{unit}/members", params={"limit": 50})).json()["items"],
        key=lambda m: m["full_name"],
    )
    for before, paying in ((4, members), (3, members[:4])):
        month = {
            "unit_id": unit,
            "month": months_before(before),
            "lines": [{"member_id": m["member_id"], "salary_vnd": 6_000_000} for m in paying],
        }
        await eventually(
            lambda month=month: admin.post("/api/v1/dues/months", json=month),  # members come by Kafka
            lambda answer: answer.status_code in (201, 409),
            timeout=60,
        )
    return {"unit": unit, "members": members, "accounts": accounts}


async def dues_section(page: Page, phone: bool, section: str) -> None:
    await open_section(page, phone, "Đoàn phí", section)


async def downloaded(page: Page, button: str) -> bytes:
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name=button).click()
    return (await (await downloading.value).path()).read_bytes()


async def test_the_upper_level_sees_the_arrears_of_its_subtree_and_downloads_them(page, world, admin, treasury, screen):
    owing = treasury["members"][4]
    summary = (await admin.get("/api/v1/dues/arrears/summary", params={"unit_id": world.units["U"]})).json()
    assert summary["members_owing"] >= 2
    await sign_in(page, treasury["accounts"]["upper"])
    await dues_section(page, screen.phone, "Nợ đoàn phí")
    await expect(page.get_by_role("heading", name="Nợ đoàn phí")).to_be_visible()
    owed = page.locator(".ant-statistic").filter(has_text="Đoàn viên đang nợ")
    await expect(owed).to_contain_text(vietnamese(summary["members_owing"]))
    row = page.locator("tr.ant-table-row").filter(has_text=owing["full_name"])
    await expect(row).to_contain_text(NAME)
    await expect(row).to_contain_text(shown(months_before(3)))
    workbook = await downloaded(page, "Tải danh sách nợ (.xlsx)")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()


async def test_a_grassroots_union_remits_the_upper_share_and_the_upper_level_confirms_it(
    page, world, admin, treasury, screen
):
    month = months_before(3 if screen.phone else 4)
    reference = f"UNC-{world.tag}-{screen.name}"
    await sign_in(page, treasury["accounts"]["grassroots"])
    await dues_section(page, screen.phone, "Nộp cấp trên")
    await expect(page.get_by_role("heading", name="Nộp kinh phí cấp trên")).to_be_visible()
    await page.get_by_placeholder("Từ tháng").first.fill(shown(month))
    await page.get_by_placeholder("Từ tháng").first.press("Enter")
    await page.get_by_placeholder("Đến tháng").first.fill(shown(month))
    await page.get_by_placeholder("Đến tháng").first.press("Enter")
    await page.get_by_label("Ngày chuyển tiền").fill(today())
    await page.get_by_label("Ngày chuyển tiền").press("Enter")
    await page.get_by_label("Số tiền (đồng)").fill("-1")
    await page.get_by_label("Số chứng từ / mã giao dịch").fill(reference)
    await page.get_by_role("button", name="Ghi nhận khoản nộp").click()
    # The API refuses a negative amount on the field; nothing is recorded.
    amount = page.locator(".ant-form-item").filter(has=page.get_by_label("Số tiền (đồng)"))
    await expect(amount.locator(".ant-form-item-explain-error")).to_be_visible()
    await expect(page.locator("tr.ant-table-row").filter(has_text=reference)).to_have_count(0)
    await page.get_by_label("Số tiền (đồng)").fill("72000")
    await page.get_by_role("button", name="Ghi nhận khoản nộp").click()
    row = page.locator("tr.ant-table-row").filter(has_text=reference)
    await expect(row).to_contain_text("Chờ xác nhận")
    await expect(row).to_contain_text("72.000")

    await page.context.clear_cookies()
    await sign_in(page, treasury["accounts"]["upper"])
    await dues_section(page, screen.phone, "Nộp cấp trên")
    row = page.locator("tr.ant-table-row").filter(has_text=reference)
    await row.get_by_role("button", name=f"Xác nhận đã nhận khoản {reference}").click()
    await expect(page.get_by_role("dialog")).to_contain_text("72.000 đồng")
    await confirm(page, "Xác nhận")
    await expect(row).to_contain_text(f"Đã nhận {today()}")
    await expect(row.get_by_role("button", name=re.compile("Xác nhận đã nhận"))).to_have_count(0)

    # The upper level remits in turn to its own upper level (the province), on the same screen; the province
    # confirms it, not the upper level itself.
    upward = f"NOP-{world.tag}-{screen.name}"
    form = page.locator(".ant-card").filter(has_text="Ghi nhận số đã nộp cấp trên")
    await expect(form).to_contain_text("Nộp cho: Liên đoàn Lao động tỉnh Thử Nghiệm")
    await form.get_by_placeholder("Từ tháng").fill(shown(month))
    await form.get_by_placeholder("Từ tháng").press("Enter")
    await form.get_by_placeholder("Đến tháng").fill(shown(month))
    await form.get_by_placeholder("Đến tháng").press("Enter")
    await form.get_by_label("Ngày chuyển tiền").fill(today())
    await form.get_by_label("Ngày chuyển tiền").press("Enter")
    await form.get_by_label("Số tiền (đồng)").fill("50400")
    await form.get_by_label("Số chứng từ / mã giao dịch").fill(upward)
    await form.get_by_role("button", name="Ghi nhận khoản nộp").click()
    sent = page.locator("tr.ant-table-row").filter(has_text=upward)
    await expect(sent).to_contain_text("Chờ xác nhận")
    await expect(sent).to_contain_text("Liên đoàn Lao động tỉnh Thử Nghiệm")
    await expect(sent.get_by_role("button")).to_have_count(0)

    reconciliation = page.locator(".ant-card").filter(has_text="Đối chiếu phải nộp")
    await reconciliation.get_by_placeholder("Từ tháng").fill(shown(months_before(6)))
    await reconciliation.get_by_placeholder("Từ tháng").press("Enter")
    await reconciliation.get_by_placeholder("Đến tháng").fill(shown(months_before(0)))
    await reconciliation.get_by_placeholder("Đến tháng").press("Enter")
    await reconciliation.get_by_role("button", name="Đối chiếu", exact=True).click()
    figures = (
        await admin.get(
            "/api/v1/dues/reconciliation",
            params={"unit_id": world.units["U"], "month_from": months_before(6), "month_to": months_before(0)},
        )
    ).json()
    [g3] = [line for line in figures["lines"] if line["unit_id"] == treasury["unit"]]
    assert g3["confirmed_vnd"] >= 72_000
    line = reconciliation.locator("tr.ant-table-row").filter(has_text=NAME)
    await expect(line).to_contain_text(vietnamese(g3["remitted_vnd"]))
    await expect(line).to_contain_text(vietnamese(g3["outstanding_vnd"]))
    workbook = await downloaded(page, "Tải đối chiếu (.xlsx)")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()


async def test_a_dues_officer_computes_a_month_from_the_payroll_list_and_records_it(page, admin, treasury, screen):
    month = months_before(1 if screen.phone else 2)
    members = treasury["members"]
    payroll = (
        "Mã đoàn viên;Tiền lương\n"
        + "".join(f"{m['member_code']};{7_000_000 + i * 1_000_000}\n" for i, m in enumerate(members[:3]))
        + "99999999999;5000000\n"
    )
    await sign_in(page, treasury["accounts"]["grassroots"])
    await dues_section(page, screen.phone, "Tính từ bảng lương")
    await expect(page.get_by_role("heading", name="Tính đoàn phí từ bảng lương")).to_be_visible()
    await page.get_by_label("Tháng", exact=True).fill(shown(month))
    await page.get_by_label("Tháng", exact=True).press("Enter")
    await page.locator("input[type=file]").set_input_files(
        {"name": "bang-luong.csv", "mimeType": "text/csv", "buffer": payroll.encode()}
    )
    preview = page.locator(".ant-card").filter(has_text=f"Kết quả tính tháng {shown(month)}")
    await expect(preview.locator(".ant-statistic").filter(has_text="Dòng hợp lệ")).to_contain_text("3")
    await expect(preview.locator(".ant-statistic").filter(has_text="Dòng có lỗi")).to_contain_text("1")
    await expect(preview.locator(".ant-statistic").filter(has_text="Không có trong bảng")).to_contain_text("3")
    first_row = preview.locator("tr.ant-table-row").filter(has_text=members[0]["member_code"])
    await expect(first_row).to_contain_text("35.000")  # 0.5 % of 7,000,000
    await page.get_by_role("button", name="Ghi nhận tháng theo bảng lương").click()
    await confirm(page, "Ghi nhận")
    await expect(page.get_by_role("heading", name=f"Đoàn phí tháng {shown(month)}")).to_be_visible()
    [recorded] = (await admin.get("/api/v1/dues/months", params={"unit_id": treasury["unit"], "month": month})).json()[
        "items"
    ]
    lines = {
        line["member_id"]: line
        for line in (await admin.get(f"/api/v1/dues/months/{recorded['collection_id']}")).json()["lines"]
    }
    assert lines[members[0]["member_id"]]["salary_vnd"] == 7_000_000
    assert lines[members[5]["member_id"]]["outcome"] == "unpaid"
