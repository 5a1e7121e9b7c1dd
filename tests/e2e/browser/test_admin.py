"""Administration in the web app: users of the subtree (a temporary password shown once, reset, two-factor
required, disabled), a role delegated for a week and revoked, a unit's administration handed over in guided steps,
and a machine client whose secret is shown once; the menu offers each only to whom it is for."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from contracts.wellknown import vietnamese_today
from localrun.demo_people import create_account
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import ANTD_PROVIDER, HeldBack, choose_action, confirm, open_menu, sign_in
from tests.e2e.browser.world import PASSWORD


async def login_status(platform, username: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=platform.gateway_url) as http:
        return await http.post("/api/v1/identity/login", json={"username": username, "password": password})


async def shown_secret(page: Page) -> str:
    """The secret of the "shown once" dialog (its last code element; a client's id comes before it)."""
    dialog = page.get_by_role("dialog").filter(has_text="Chỉ hiển thị một lần")
    await expect(dialog).to_be_visible(timeout=30_000)  # a password is hashed (argon2id) before the answer
    return (await dialog.locator("code").last.inner_text()).strip()


def dropdown_of(page: Page, input_id: str):
    """The drop-down of one select (its accessible list is named after the select's input), not another's."""
    return page.locator(".ant-select-dropdown").filter(has=page.locator(f"[id='{input_id}_list']"))


async def pick_user(page: Page, field: str, username: str) -> None:
    """Search a user by username (the API answers) and choose that user."""
    box = page.get_by_label(field, exact=True)  # not an option whose name contains the label's words
    await box.fill(username)
    # Other tests' users may match the search too (their usernames share the words): the one with this username.
    option = (
        dropdown_of(page, await box.get_attribute("id"))
        .locator(".ant-select-item-option")
        .filter(has_text=f"({username})")
    )
    await expect(option).to_have_count(1)
    # A click, not Enter: Enter in a field of a form also submits the form. Dispatched to the option itself: on a
    # phone-sized modal the list, still settling after the search's answer, lay under the next field's tag and a
    # pointer click at its coordinates hit the tag (seen once in the full suite; the tester's gap, not the app's).
    await option.dispatch_event("click")  # what follows shows the choice: the user's roles, or the user's row


async def choose_by_typing(page: Page, scope, field: str, typed: str, chosen: str) -> None:
    """A multiple select, by keyboard: type part of the option's name, Enter, and the tag is there."""
    box = scope.get_by_label(field, exact=True)
    await box.fill(typed)
    await expect(dropdown_of(page, await box.get_attribute("id")).locator(".ant-select-item-option")).to_have_count(1)
    await box.press("Enter")
    await expect(scope.locator(".ant-select-selection-item").filter(has_text=chosen)).to_be_visible()


async def test_an_administrator_creates_a_user_resets_the_password_requires_2fa_and_disables_it(
    page, world, platform, screen
):
    username = f"{world.tag.lower()}.moi.{screen.name}"
    full_name = f"Trần Thị Quản Trị {'Điện Thoại' if screen.phone else 'Máy Tính'}"
    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['G2']}/nguoi-dung")
    await page.get_by_role("button", name="Thêm người dùng").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Họ và tên").fill(full_name)
    await dialog.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])  # taken: the API says so on the field
    await choose_by_typing(page, dialog, "Vai trò tại đơn vị này", "nhập liệu", "Cán bộ nhập liệu")
    await dialog.get_by_label("Họ và tên").click()  # closes the list of roles
    await dialog.get_by_role("button", name="Tạo tài khoản").click()
    await expect(dialog.locator(".ant-form-item-explain-error")).to_contain_text("đã tồn tại")
    await expect(dialog.get_by_label("Họ và tên")).to_have_value(full_name)  # nothing typed is lost

    await dialog.get_by_label("Tên đăng nhập").fill(username)
    await dialog.get_by_role("button", name="Tạo tài khoản").click()
    temporary = await shown_secret(page)
    first = await login_status(platform, username, temporary)
    assert first.status_code == 200 and first.json()["must_change_password"], first.text
    await page.get_by_role("button", name="Tôi đã lưu lại").click()

    await page.get_by_label("Tìm người dùng").fill(username)
    await page.get_by_role("link", name=full_name).click()
    await expect(page.get_by_role("heading", name=re.compile(full_name))).to_be_visible()
    await expect(page.get_by_role("cell", name="Cán bộ nhập liệu")).to_be_visible()

    await choose_action(page, "Thao tác", "Đặt lại mật khẩu")
    await confirm(page, "Đặt lại")
    reset = await shown_secret(page)
    assert reset != temporary
    assert (await login_status(platform, username, temporary)).status_code == 401
    assert (await login_status(platform, username, reset)).status_code == 200
    await page.get_by_role("button", name="Tôi đã lưu lại").click()

    await choose_action(page, "Thao tác", "Bắt buộc xác thực hai lớp")
    await confirm(page, "Bắt buộc")
    await expect(page.get_by_text("Bắt buộc ở lần đăng nhập tới")).to_be_visible()
    refused = await login_status(platform, username, reset)
    assert refused.status_code == 403 and refused.json()["code"] == "totp-enrolment-required"

    await choose_action(page, "Thao tác", "Vô hiệu hóa tài khoản")
    disabling = page.get_by_role("dialog").filter(has_text="Vô hiệu hóa tài khoản")
    await confirm(page, "Vô hiệu hóa")  # no reason: the API refuses on the field
    await expect(disabling.locator(".ant-form-item-explain-error")).to_be_visible()
    await disabling.get_by_label("Lý do").fill("Nghỉ việc")
    await disabling.get_by_role("button", name="Vô hiệu hóa").click()
    await expect(page.get_by_role("heading", name=re.compile(full_name)).get_by_text("Đã vô hiệu hóa")).to_be_visible()
    assert (await login_status(platform, username, reset)).json()["code"] == "account-disabled"


async def test_the_users_lists_first_view_works_before_any_ant_design_then_its_table_takes_over(page, world, screen):
    """A plain screen (app/router.tsx): its rows, search box and status filter are plain HTML, usable while Ant
    Design's provider and stylesheet are held back; Ant Design's table takes over once they have come."""
    await sign_in(page, "admin", "Admin@12345")
    held = await HeldBack.on(page, ANTD_PROVIDER)
    await page.goto(f"/don-vi/{world.units['TP']}/nguoi-dung")
    rows = page.locator("tr.plain-table-row")
    await expect(rows.first).to_be_visible()
    await expect(page.get_by_role("table", name="Người dùng")).to_be_visible()
    officer = world.accounts["officer"]
    await page.get_by_label("Tìm người dùng").fill(officer)
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(officer)
    await expect(rows.first).to_contain_text("Đang hoạt động")
    await page.get_by_label("Lọc theo trạng thái").select_option(label="Đã vô hiệu hóa")
    await expect(page.get_by_text("Không có người dùng nào")).to_be_visible()
    await page.get_by_label("Lọc theo trạng thái").select_option(label="Mọi trạng thái")
    await expect(rows).to_have_count(1)
    held.release()
    antd_rows = page.locator(".ant-table-tbody tr.ant-table-row")
    await expect(antd_rows).to_have_count(1)
    await expect(page.locator("tr.plain-table-row")).to_have_count(0)
    await antd_rows.first.get_by_role("link", name="Cán bộ officer").click()
    await expect(page.get_by_role("heading", name=re.compile("Cán bộ officer"))).to_be_visible()
    await page.go_back()
    await page.get_by_role("button", name="Thêm người dùng").click()
    await expect(page.get_by_role("dialog").get_by_label("Họ và tên")).to_be_visible()
    await page.get_by_role("dialog").get_by_role("button", name="Đóng").last.click()  # the close icon is "Đóng" too
    await expect(page.get_by_role("dialog")).to_have_count(0)


async def test_a_unit_administrator_delegates_a_role_for_a_week_and_revokes_it(page, world, admin, platform, screen):
    username = f"{world.tag.lower()}.qt.{screen.name}"
    lender = f"Quản trị {screen.name}"
    await create_account(admin, platform.gateway_url, username, lender, "unit_admin", world.units["U"], PASSWORD)
    await sign_in(page, username)
    await open_menu(page, screen.phone)
    navigation = page.get_by_role("navigation", name="Menu và cây đơn vị")
    await expect(navigation.get_by_role("menuitem", name="Người dùng")).to_be_visible()
    await expect(navigation.get_by_role("menuitem", name="Ứng dụng kết nối")).to_have_count(0)  # national only
    await navigation.get_by_role("menuitem", name="Ủy quyền").click()
    await expect(page.get_by_role("heading", name="Ủy quyền")).to_be_visible()

    await page.get_by_role("button", name="Ủy quyền mới").click()
    dialog = page.get_by_role("dialog")
    await pick_user(page, "Người được ủy quyền", world.accounts["approver"])
    submit = page.locator(".ant-modal-footer").get_by_role("button", name="Ủy quyền", exact=True)
    await submit.click()  # no reason: the API refuses on the field and nothing is lent
    await expect(dialog.locator(".ant-form-item-explain-error")).to_be_visible()
    await dialog.get_by_label("Lý do").fill("Nghỉ phép năm")
    # The refused request has finished (a button that is loading is named "loading Ủy quyền").
    await expect(page.locator(".ant-modal-footer .ant-btn-loading")).to_have_count(0, timeout=30_000)
    await submit.click()  # the dates are prefilled: from today for a week

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    week = today + timedelta(days=7)
    await expect(page.get_by_text("Đã ủy quyền")).to_be_visible()
    row = page.locator("tr.ant-table-row").filter(has_text=lender)
    await expect(row).to_contain_text(f"{today:%d/%m/%Y} – {week:%d/%m/%Y}")
    await expect(row).to_contain_text("Quản trị đơn vị")
    await expect(row).to_contain_text("Cán bộ approver")  # the delegate chosen
    await expect(row).to_contain_text("Đang hiệu lực")

    await row.get_by_role("button", name="Thu hồi").click()
    await confirm(page, "Thu hồi")
    await expect(row).to_contain_text("Đã thu hồi")


async def test_a_delegation_longer_than_allowed_is_refused_on_its_end_date_and_lends_nothing(
    page, world, admin, platform, screen
):
    username = f"{world.tag.lower()}.qtdai.{screen.name}"
    lender = f"Quản trị dài {screen.name}"
    await create_account(admin, platform.gateway_url, username, lender, "unit_admin", world.units["U"], PASSWORD)
    found = await admin.get("/api/v1/identity/users", params={"q": username})
    [lender_id] = [user["user_id"] for user in found.json()["items"] if user["username"] == username]

    async def delegations_of_lender() -> list[dict]:
        listed = await admin.get("/api/v1/identity/delegations", params={"user_id": lender_id})
        assert listed.status_code == 200, listed.text
        return listed.json()["items"]

    await sign_in(page, username)
    await page.goto(f"/don-vi/{world.units['U']}/uy-quyen")
    await expect(page.get_by_role("heading", name="Ủy quyền")).to_be_visible()
    await page.get_by_role("button", name="Ủy quyền mới").click()
    dialog = page.get_by_role("dialog")
    await pick_user(page, "Người được ủy quyền", world.accounts["approver"])
    # The one role the lender holds is chosen for them (once their grants have loaded).
    await expect(dialog.locator(".ant-select-selection-item").filter(has_text="Quản trị đơn vị")).to_be_visible()
    await dialog.get_by_label("Lý do").fill("Đi học dài hạn")
    # From today for 184 days, both ends counted: one day more than the identity service allows (183 by default).
    today = vietnamese_today()
    last_allowed = today + timedelta(days=182)
    ends = dialog.get_by_label("Đến hết ngày", exact=True)
    await ends.fill(f"{last_allowed + timedelta(days=1):%d/%m/%Y}")
    await ends.press("Enter")  # the typed date is taken (the form has no submit button: Enter does not send it)
    await expect(ends).to_have_value(f"{last_allowed + timedelta(days=1):%d/%m/%Y}")
    await confirm(page, "Ủy quyền")

    # The API's message, under the end date itself, and the dialog stays open with what was typed.
    end_field = dialog.locator(".ant-form-item").filter(has=page.get_by_label("Đến hết ngày", exact=True))
    await expect(end_field.locator(".ant-form-item-explain-error")).to_have_text(
        f"Uỷ quyền dài nhất 183 ngày: với ngày bắt đầu đã chọn, ngày kết thúc muộn nhất là {last_allowed:%d/%m/%Y}"
    )
    await expect(dialog.get_by_label("Lý do")).to_have_value("Đi học dài hạn")
    await expect(page.locator(".ant-modal-footer .ant-btn-loading")).to_have_count(0, timeout=30_000)
    assert await delegations_of_lender() == []  # nothing lent
    await page.locator(".ant-modal-footer").get_by_role("button", name="Đóng").click()
    await expect(dialog).to_have_count(0)
    await expect(page.locator("tr.ant-table-row").filter(has_text=lender)).to_have_count(0)


async def test_a_units_administration_is_handed_over_in_guided_steps(page, world, admin, screen):
    unit = world.units["G2"]
    people = {}
    for who, full_name, roles in (
        ("giao", "Người Bàn Giao", [{"role": "data_entry", "unit_id": unit}]),
        ("nhan", "Người Nhận", []),
    ):
        created = await admin.post(
            "/api/v1/identity/users",
            json={
                "username": f"{world.tag.lower()}.{who}.{screen.name}",
                "full_name": f"{full_name} {screen.name}",
                "home_unit_id": unit,
                "roles": roles,
            },
        )
        assert created.status_code == 201, created.text
        people[who] = created.json()
    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{unit}/ban-giao")
    await pick_user(page, "Người bàn giao", people["giao"]["username"])
    await expect(page.get_by_label("Cán bộ nhập liệu")).to_be_checked()
    await page.get_by_role("button", name="Tiếp tục").click()
    await pick_user(page, "Người nhận bàn giao", people["nhan"]["username"])
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.locator(".ant-descriptions")).to_contain_text(f"Người Nhận {screen.name}")
    await page.get_by_label("Lý do bàn giao").fill("Chuyển công tác")
    await page.get_by_role("button", name="Bàn giao", exact=True).click()
    await expect(page.get_by_text("Đã bàn giao quản trị đơn vị")).to_be_visible()

    receiver = (await admin.get(f"/api/v1/identity/users/{people['nhan']['user_id']}")).json()
    assert [(g["role"], g["unit_id"]) for g in receiver["grants"]] == [("data_entry", unit)]
    giver = (await admin.get(f"/api/v1/identity/users/{people['giao']['user_id']}")).json()
    assert giver["grants"] == []


async def test_a_national_administrator_connects_a_provincial_system_whose_secret_is_shown_once(
    page, world, platform, screen
):
    await sign_in(page, "admin", "Admin@12345")
    await page.goto(f"/don-vi/{world.units['TP']}/ung-dung")
    await page.get_by_role("button", name="Thêm ứng dụng").click()
    dialog = page.get_by_role("dialog")
    name = f"Cổng dữ liệu tỉnh {world.tag} {screen.name}"
    await dialog.get_by_label("Tên ứng dụng").fill(name)
    await confirm(page, "Tạo ứng dụng")  # no scope: the API refuses on the field
    await expect(dialog.locator(".ant-form-item-explain-error")).to_be_visible()
    await choose_by_typing(page, dialog, "Phạm vi truy cập", "reports:read", "reports:read")
    await dialog.get_by_label("Tên ứng dụng").click()  # closes the list of scopes
    await dialog.get_by_role("button", name="Tạo ứng dụng").click()
    secret = await shown_secret(page)
    shown = page.get_by_role("dialog").filter(has_text="Chỉ hiển thị một lần")
    client_id = (await shown.locator("code").first.inner_text()).strip()
    assert client_id.startswith("mc_") and secret.startswith("mcs_")
    async with httpx.AsyncClient(base_url=platform.gateway_url) as http:
        token = await http.post(
            "/api/v1/identity/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        assert token.status_code == 200, token.text
    await page.get_by_role("button", name="Tôi đã lưu lại").click()

    row = page.locator("tr.ant-table-row").filter(has_text=name)
    await row.get_by_role("button", name="Cấp khóa mới").click()
    await confirm(page, "Cấp khóa mới")
    rotated = await shown_secret(page)
    async with httpx.AsyncClient(base_url=platform.gateway_url) as http:
        old = await http.post(
            "/api/v1/identity/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        new = await http.post(
            "/api/v1/identity/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, rotated)
        )
    assert (old.status_code, new.status_code) == (401, 200)
