"""One main path per screen of the web app, at a phone's size and an office screen's: what an officer sees and
does, in Vietnamese, through the real platform."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile

from PIL import Image
from playwright.async_api import Route, expect

from tests.e2e.browser.steps import ANTD_PROVIDER, HeldBack, choose_action, confirm, open_menu, sign_in
from tests.e2e.browser.world import PASSWORD


async def test_sign_in_refuses_a_wrong_password_keeps_the_session_over_a_reload_and_signs_out(page, world):
    await page.goto("/")
    await expect(page).to_have_url(re.compile("/dang-nhap"))
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    await page.get_by_label("Mật khẩu").fill("sai-mat-khau-1")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    await expect(page.get_by_label("Tên đăng nhập")).to_have_value(world.accounts["officer"])  # nothing lost

    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(re.compile(f"/don-vi/{world.units['G1']}"))
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()
    # The access token lives in memory only: a reload restores the session from the HttpOnly cookie.
    storage = await page.evaluate("() => JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage)")
    assert "eyJ" not in storage
    assert "congdoan_refresh" not in await page.evaluate("() => document.cookie")
    await page.reload()
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()

    await page.get_by_role("button", name=re.compile("Tài khoản")).click()
    await page.get_by_role("menuitem", name="Đăng xuất", exact=True).click()
    await expect(page).to_have_url(re.compile("/dang-nhap$"))
    await page.goto(f"/don-vi/{world.units['G1']}")
    await expect(page).to_have_url(re.compile("/dang-nhap"))


async def test_sign_in_of_a_new_account_changes_the_password_before_anything_else(page, world, admin, screen):
    """A new account's token may only change the password (the gateway refuses the rest): the web app's forced
    change does it, signs in again with the new password, and the officer reaches their unit."""
    username = f"{world.tag.lower()}.moi.{'dt' if screen.phone else 'mt'}"
    created = await admin.post(
        "/api/v1/identity/users",
        json={
            "username": username,
            "full_name": "Cán bộ mới",
            "home_unit_id": world.units["G1"],
            "password": "Lan-dau-2026x",
            "roles": [{"role": "data_entry", "unit_id": world.units["G1"]}],
        },
    )
    assert created.status_code == 201, created.text
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill("Lan-dau-2026x")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    await page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    await page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    await page.get_by_role("button", name="Đổi mật khẩu và tiếp tục").click()
    await expect(page).to_have_url(re.compile(f"/don-vi/{world.units['G1']}"))
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()


async def test_an_expired_session_brings_the_officer_back_to_the_same_page(page, world, context):
    await sign_in(page, world.accounts["officer"])
    target = f"/don-vi/{world.units['G1']}/doan-vien?status=active"
    await page.goto(target)
    await expect(page.get_by_role("heading", name="Đoàn viên")).to_be_visible()
    await context.clear_cookies()  # the session ends on the server side too: the next renewal fails
    await page.reload()
    await expect(page).to_have_url(re.compile("/dang-nhap"))
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(re.compile(re.escape(target.split("?")[0])))


async def test_the_menu_offers_only_what_the_roles_allow_and_the_tree_finds_units_without_diacritics(
    page, world, screen
):
    await sign_in(page, world.accounts["approver"])
    await open_menu(page, screen.phone)
    navigation = page.get_by_role("navigation", name="Menu và cây đơn vị")
    await expect(navigation.get_by_role("menuitem", name="Phê duyệt đoàn viên")).to_be_visible()
    await expect(navigation.get_by_role("menuitem", name="Nhập từ Excel")).to_have_count(0)
    await navigation.get_by_label("Tìm đơn vị theo tên hoặc mã").fill("dien tu thu nghiem")
    await navigation.get_by_role("button", name=world.names["G2"]).click()
    await expect(page).to_have_url(re.compile(f"/don-vi/{world.units['G2']}"))
    await expect(page.get_by_role("heading", name=world.names["G2"])).to_be_visible()


async def test_a_new_member_form_shows_the_apis_refusal_on_the_field_and_keeps_what_was_typed(page, world, screen):
    serial = "123456" if screen.phone else "123457"
    name = f"Hoàng Thị Kiểm Tra {'Điện Thoại' if screen.phone else 'Máy Tính'}"
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien/moi")
    await page.get_by_label("Họ và tên").fill(name)
    await page.get_by_label("Giới tính").click()
    await page.get_by_title("Nữ").click()
    await page.get_by_label("Ngày sinh").fill("12/03/1994")
    await page.get_by_label("Ngày sinh").press("Enter")
    await page.get_by_label("Số giấy tờ").fill(f"001094{serial}")  # the 4th digit says a man: refused
    await page.get_by_role("button", name="Lưu đoàn viên").click()
    field_error = page.locator("#id_number_help, [id$='id_number_help']")
    await expect(field_error).to_contain_text("CCCD")
    await expect(page.get_by_label("Họ và tên")).to_have_value(name)

    await page.get_by_label("Số giấy tờ").fill(f"001194{serial}")
    await page.get_by_role("button", name="Lưu đoàn viên").click()
    await expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    await expect(page.get_by_text("Chờ duyệt").first).to_be_visible()


async def test_the_members_list_pages_filters_and_exports(page, world, screen):
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien")
    rows = page.locator("tr.member-row")
    page_size = 20  # every screen starts with the smallest page (member-filters.ts)
    await expect(rows).to_have_count(page_size)
    first_page = await rows.first.inner_text()
    await page.get_by_role("button", name="Trang sau").click()
    await expect(page.get_by_text("Trang 2")).to_be_visible()
    await expect(rows.first).not_to_have_text(first_page)

    await page.get_by_role("button", name="Bộ lọc").click()
    await page.get_by_label("Lọc theo trạng thái").click()
    await page.get_by_title("Đang sinh hoạt").click()
    await page.keyboard.press("Escape")
    await expect(page).to_have_url(re.compile("status=active"))
    await expect(page.get_by_text("Trang 1")).to_be_visible()
    await expect(rows.filter(has_not_text="Đang sinh hoạt")).to_have_count(0)
    await expect(rows).to_have_count(page_size)
    # The unit filter and the bulk actions load when they are shown (not on the list's first load).
    await expect(page.get_by_text("Đơn vị trực thuộc", exact=True)).to_be_visible()
    await rows.nth(0).get_by_role("checkbox").check()
    await rows.nth(1).get_by_role("checkbox").check()
    await expect(page.get_by_text("Đã chọn 2 đoàn viên")).to_be_visible()
    await page.get_by_role("button", name="Bỏ chọn").click()
    await expect(page.get_by_text("Đã chọn 2 đoàn viên")).to_have_count(0)

    await page.get_by_role("button", name="Xuất danh sách").click()
    async with page.expect_download() as downloading:
        await page.get_by_role("menuitem", name="Tải về Excel (.xlsx)").click()
    content = (await (await downloading.value).path()).read_bytes()
    assert zipfile.ZipFile(io.BytesIO(content)).namelist()  # a real .xlsx


async def test_the_members_lists_first_rows_come_before_ant_designs_table_which_takes_over_keeping_the_selection(
    page, world, screen
):
    table_code: list[str] = []
    table_asked_for = asyncio.Event()
    table_may_come = asyncio.Event()

    async def hold(route: Route) -> None:
        table_code.append(route.request.url)
        table_asked_for.set()
        await table_may_come.wait()
        await route.continue_()

    await page.route(re.compile(r"/assets/member-table-[^/]+\.js$"), hold)
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien")
    rows = page.locator("tr.member-row")
    await expect(rows).to_have_count(20)
    first = rows.first
    name = await first.get_by_role("link").inner_text()
    # Usable before Ant Design's table has come (on a phone it never comes: the cards are the list).
    await first.get_by_role("checkbox").check()
    await expect(page.get_by_text("Đã chọn 1 đoàn viên")).to_be_visible()
    if screen.phone:
        await expect(page.locator(".member-cards")).to_be_visible()
        assert table_code == []
        return
    await expect(page.get_by_role("table", name="Danh sách đoàn viên")).to_be_visible()
    await expect(page.locator("tr.ant-table-row")).to_have_count(0)
    await asyncio.wait_for(table_asked_for.wait(), timeout=10)  # asked for once the rows were shown
    table_may_come.set()
    # Not while the officer is in the plain table (the box just ticked has the focus): once they leave it.
    await page.get_by_role("heading", name="Đoàn viên", exact=True).click()
    antd_rows = page.locator(".ant-table-tbody tr.ant-table-row.member-row")
    await expect(antd_rows).to_have_count(20)
    await expect(antd_rows.filter(has_text=name).get_by_role("checkbox")).to_be_checked()
    await expect(page.get_by_text("Đã chọn 1 đoàn viên")).to_be_visible()


async def test_the_members_lists_first_view_works_before_any_ant_design_has_come(page, world, screen):
    """A plain screen (the shell's `plain` routes): its rows, search box, pager and menus are plain HTML, usable while
    Ant Design's provider and stylesheet are held back; a phone does not even ask for them until it needs them."""
    asked: list[str] = []
    may_come = asyncio.Event()

    async def hold(route: Route) -> None:
        asked.append(route.request.url)
        await may_come.wait()
        await route.continue_()

    await sign_in(page, world.accounts["officer"])
    await page.route(re.compile(r"/assets/antd-provider-[^/]+\.(js|css)$"), hold)
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien")
    rows = page.locator("tr.member-row")
    await expect(rows).to_have_count(20)
    await page.get_by_role("button", name="Trang sau").click()
    await expect(page.get_by_text("Trang 2")).to_be_visible()
    name = await rows.first.get_by_role("link").inner_text()
    await page.get_by_label("Tìm đoàn viên").fill(name)
    await page.get_by_label("Tìm đoàn viên").press("Enter")
    await expect(page.get_by_text("Trang 1")).to_be_visible()
    await expect(rows.filter(has_text=name).first).to_be_visible()
    await expect(rows.filter(has_not_text=name)).to_have_count(0)
    # The export menu by keyboard (the WAI-ARIA menu button): down opens it on its first item, Escape closes it.
    export = page.get_by_role("button", name="Xuất danh sách")
    await export.focus()
    await page.keyboard.press("ArrowDown")
    await expect(page.get_by_role("menuitem", name="Tải về Excel (.xlsx)")).to_be_focused()
    await page.keyboard.press("ArrowDown")
    await expect(page.get_by_role("menuitem", name="Tải về CSV (.csv)")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("menu")).to_have_count(0)
    await expect(export).to_be_focused()
    await page.get_by_role("button", name=re.compile("Tài khoản")).click()
    await expect(page.get_by_role("menuitem", name="Đăng xuất", exact=True)).to_be_visible()
    await page.keyboard.press("Escape")
    if screen.phone:
        assert asked == []
    may_come.set()
    # What needs Ant Design still comes when asked for: the filters.
    await page.get_by_role("button", name="Bộ lọc").click()
    await expect(page.get_by_label("Lọc theo trạng thái")).to_be_visible()


async def test_a_member_page_shows_the_record_and_a_change_lands_in_the_history(page, world, screen):
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien?status=active")
    await page.locator("tr.member-row").nth(1 if screen.phone else 2).get_by_role("link").click()
    await expect(page.get_by_text("Hồ sơ đoàn viên")).to_be_visible()
    await choose_action(page, "Thao tác", "Thay đổi chức vụ")
    dialog = page.get_by_role("dialog")
    reason = f"Bầu tổ trưởng mới ({screen.name})"
    await dialog.get_by_label("Chức vụ công đoàn").fill("Tổ trưởng công đoàn")
    await dialog.get_by_label("Lý do").fill(reason)
    await dialog.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_text(f"Lý do: {reason}")).to_be_visible()
    await expect(page.get_by_text("Tổ trưởng công đoàn").first).to_be_visible()


async def test_an_administrator_adds_a_unit_with_a_confirmation_of_what_happens(page, world, screen):
    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['U']}")
    await page.get_by_role("button", name="Thêm đơn vị trực thuộc").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Loại đơn vị").click()
    await (
        page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
        .get_by_title("Công đoàn cơ sở", exact=True)
        .click()
    )
    await expect(dialog).to_contain_text("Công đoàn cơ sở")  # the type chosen shows in the field
    code = world.code(f"N{screen.name[0].upper()}")
    await dialog.get_by_label("Mã đơn vị").fill(code)
    await dialog.get_by_label("Tên đơn vị").fill(f"Công đoàn cơ sở <b>Mới</b> {screen.name}")
    await dialog.get_by_role("button", name="Tạo đơn vị").click()
    # The name is text, never HTML: the tags show as typed.
    await expect(page.get_by_role("heading", name=f"Công đoàn cơ sở <b>Mới</b> {screen.name}")).to_be_visible(
        timeout=15_000
    )
    await page.get_by_role("button", name="Thao tác khác").click()
    await page.get_by_role("menuitem", name="Giải thể").click()
    await expect(page.get_by_role("dialog").get_by_text("sẽ giải thể từ hôm nay")).to_be_visible()
    await confirm(page, "Giải thể")
    await expect(page.get_by_text("Đã giải thể", exact=True)).to_be_visible()


async def test_a_units_page_shows_its_details_and_children_before_any_ant_design_then_its_actions(page, world, screen):
    """The page signing in lands on is a plain screen: its details, its children's rows with their members and the
    tabs work while Ant Design's provider and stylesheet are held back; the actions and Ant Design's table come
    after them."""
    await sign_in(page, "admin", "Admin@12345")
    held = await HeldBack.on(page, ANTD_PROVIDER)
    await page.goto(f"/don-vi/{world.units['U']}")
    await expect(page.get_by_role("heading", name=world.names["U"], exact=True)).to_be_visible()
    details = page.get_by_role("region", name="Thông tin đơn vị")
    await expect(details).to_contain_text("Mã đơn vị")
    await expect(details).to_contain_text("Đang hoạt động")
    children = page.get_by_role("table", name="Đơn vị trực thuộc").locator("tr.plain-table-row")
    first_child = children.filter(has_text=world.names["G1"])
    await expect(first_child).to_have_count(1)
    await expect(first_child.get_by_role("link", name=world.names["G1"])).to_be_visible()
    # The tabs by keyboard: the tree as of a day loads on Ant Design, which is still held back.
    await page.get_by_role("tab", name="Đơn vị trực thuộc").focus()
    await page.keyboard.press("ArrowRight")
    await expect(page.get_by_role("tab", name="Cơ cấu tại một ngày")).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("ArrowLeft")
    await expect(first_child).to_be_visible()
    assert await page.get_by_role("button", name="Thêm đơn vị trực thuộc").count() == 0
    assert held.asked, "Ant Design was not asked for after the page's first view"
    held.release()
    await expect(page.get_by_role("button", name="Thêm đơn vị trực thuộc")).to_be_visible()
    await expect(page.locator(".ant-table-tbody tr.ant-table-row").filter(has_text=world.names["G1"])).to_have_count(1)
    await expect(page.locator("tr.plain-table-row")).to_have_count(0)


async def test_photos_in_a_zip_are_stored_and_each_refusal_is_listed(page, world, screen):
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien?status=active")
    row = page.locator("tr.member-row").nth(3 if screen.phone else 4)
    code = (await row.locator("td").nth(2).inner_text()).strip()
    buffer = io.BytesIO()
    portrait = io.BytesIO()
    Image.new("RGB", (600, 800), (180, 120, 90)).save(portrait, "JPEG")
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{code}.jpg", portrait.getvalue())
        archive.writestr("ghi-chu.txt", b"not a photo")
    await page.goto(f"/don-vi/{world.units['G1']}/anh")
    await page.locator("input[type=file]").set_input_files(
        files=[{"name": "anh.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}]
    )
    await expect(page.get_by_text(re.compile("Đã lưu 1 ảnh; 1 tệp không dùng được"))).to_be_visible()
    await expect(page.get_by_role("cell", name="ghi-chu.txt")).to_be_visible()


async def test_an_upload_that_is_not_a_spreadsheet_gets_the_apis_message(page, world):
    await sign_in(page, world.accounts["officer"])
    await page.goto(f"/don-vi/{world.units['G1']}/nhap-excel")
    await page.locator("input[type=file]").set_input_files(
        files=[{"name": "danh-sach.xlsx", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 not a workbook"}]
    )
    await expect(page.get_by_role("alert")).to_contain_text("Tệp không phải là tệp xlsx thật")


async def test_a_network_failure_shows_a_retry_not_a_blank_page(page, world, context):
    await sign_in(page, world.accounts["officer"])
    await page.route("**/api/v1/members/search**", lambda route: route.abort("internetdisconnected"))
    await page.goto(f"/don-vi/{world.units['G1']}/doan-vien")
    await expect(page.get_by_text("Không kết nối được máy chủ", exact=False)).to_be_visible(timeout=30_000)
    await page.unroute("**/api/v1/members/search**")
    await page.get_by_role("button", name="Thử lại").click()
    await expect(page.locator("tr.member-row").first).to_be_visible()
