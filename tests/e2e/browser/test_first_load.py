"""What an officer on a slow phone waits for first: the sign-in page, without Ant Design, in under 100 KB of
JavaScript on the wire (slow 3G carries about 50 KB a second); the rest of the app loads once signed in."""

from __future__ import annotations

import re

from playwright.async_api import Response, expect

from tests.e2e.browser.steps import sign_in

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
