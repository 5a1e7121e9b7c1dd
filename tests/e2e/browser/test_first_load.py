"""What an officer on a slow phone waits for first: the sign-in page, without Ant Design, in under 100 KB of
JavaScript on the wire (slow 3G carries about 50 KB a second); the rest of the app loads once signed in. The
form itself comes with the page (prerendered by the build), so typing can start before any script arrives."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Response, Route, expect

from tests.e2e.browser.steps import sign_in
from tests.e2e.browser.world import PASSWORD

BUDGET = 100 * 1024


async def test_the_sign_in_page_loads_little_javascript_and_no_ant_design(page, world):
    scripts: list[Response] = []
    page.on(
        "response", lambda response: scripts.append(response) if response.request.resource_type == "script" else None
    )
    await page.goto("/dang-nhap", wait_until="networkidle")
    await expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    sizes = {response.url: (await response.request.sizes())["responseBodySize"] for response in scripts}
    assert sizes, "no script loaded at all"
    assert all(response.headers.get("content-encoding") == "br" for response in scripts)
    assert sum(sizes.values()) < BUDGET, sizes
    # Ant Design writes its styles into <style> tags as it renders: none on this page.
    assert await page.locator("style[data-css-hash], style[data-rc-order]").count() == 0

    # A required field is checked before anything is sent, in Vietnamese, on the field.
    await page.get_by_label("Mật khẩu").fill("x")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_text("Nhập tên đăng nhập")).to_be_visible()
    await expect(page.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")

    await sign_in(page, world.accounts["officer"])
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()
    assert await page.locator("style[data-css-hash], style[data-rc-order]").count() > 0
    assert re.search(r"/don-vi/", page.url)


async def test_the_sign_in_form_takes_typing_before_the_script_and_the_app_keeps_what_was_typed(page, world):
    script_may_come = asyncio.Event()

    async def hold_the_app(route: Route) -> None:
        await script_may_come.wait()
        await route.continue_()

    await page.route(re.compile(r"/assets/index-[^/]+\.js$"), hold_the_app)
    await page.goto("/dang-nhap?next=%2Ftai-khoan", wait_until="commit")
    # The page alone: the form is there and takes typing, but cannot be sent without the app.
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    await expect(page.locator("form[data-prerendered]")).to_have_count(1)
    await expect(page.get_by_role("button", name="Đăng nhập")).to_be_disabled()
    await page.get_by_label("Mật khẩu").click()
    await page.keyboard.type(PASSWORD[:4])

    script_may_come.set()
    await expect(page.locator("form[data-prerendered]")).to_have_count(0)  # the app has taken the page over
    await expect(page.get_by_label("Tên đăng nhập")).to_have_value(world.accounts["officer"])
    await expect(page.get_by_label("Mật khẩu")).to_be_focused()
    await page.keyboard.type(PASSWORD[4:])  # typing goes on where it was
    await expect(page.get_by_label("Mật khẩu")).to_have_value(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(re.compile("/tai-khoan$"))
