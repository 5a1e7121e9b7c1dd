"""What a user does in the app, step by step, shared by the browser tests."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, Route, expect

from tests.e2e.browser.world import PASSWORD


async def sign_in(page: Page, username: str, password: str = PASSWORD, then: str | None = None) -> None:
    await page.goto(f"/dang-nhap?next={then}" if then else "/dang-nhap")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page).to_have_url(re.compile(r"/don-vi/"))


async def open_menu(page: Page, phone: bool) -> None:
    """On a phone the menu and the unit tree live in a drawer."""
    if phone:
        await page.get_by_role("button", name="Mở menu và cây đơn vị").click()


async def confirm(page: Page, button: str) -> None:
    """The OK button of the confirmation dialog on top, once it has finished opening (a click during Ant Design's
    zoom-in was seen to be lost on a loaded machine)."""
    await expect(page.locator(".ant-zoom-appear, .ant-zoom-enter")).to_have_count(0)
    await page.get_by_role("dialog").last.get_by_role("button", name=button).click()


async def choose_action(page: Page, button: str, item: str) -> None:
    """An item of the drop-down menu a button opens (not the shell's menu item of the same name)."""
    await page.get_by_role("button", name=button).click()
    await page.locator(".ant-dropdown:not(.ant-dropdown-hidden)").get_by_role("menuitem", name=item).click()


async def open_section(page: Page, phone: bool, menu_item: str, section: str) -> None:
    """One screen of a feature: its entry in the shell's menu opens, then the screen's own entry below it."""
    await open_menu(page, phone)
    menu = page.get_by_role("navigation", name="Menu và cây đơn vị")
    feature = menu.get_by_role("menuitem", name=menu_item, exact=True)
    await expect(feature).to_be_visible()
    if await feature.get_attribute("aria-expanded") != "true":  # the feature of the screen shown is open already
        await feature.click()
    await menu.get_by_role("menuitem", name=section, exact=True).click()


class HeldBack:
    """Files matching a pattern held back until `release()`: what a screen shows before they have come (a plain
    screen's first view before Ant Design's provider and stylesheet); `asked` lists the addresses asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self._may_come = asyncio.Event()

    @classmethod
    async def on(cls, page: Page, pattern: str) -> HeldBack:
        held = cls()

        async def hold(route: Route) -> None:
            held.asked.append(route.request.url)
            await held._may_come.wait()
            await route.continue_()

        await page.route(re.compile(pattern), hold)
        return held

    def release(self) -> None:
        self._may_come.set()


# Ant Design's provider and its stylesheet (components/antd-provider.tsx): a plain screen's rows come without them.
ANTD_PROVIDER = r"/assets/antd-provider-[^/]+\.(js|css)$"
