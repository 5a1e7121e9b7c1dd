"""What an officer on a slow phone waits for first: the sign-in page, without Ant Design, in under 100 KB of
JavaScript on the wire (slow 3G carries about 50 KB a second); the rest of the app loads once signed in. The
form itself comes with the page (prerendered by the build), so typing can start before any script arrives, and
its own small script sends it before the app has arrived."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Response, Route, expect

from tests.e2e.browser.steps import sign_in
from tests.e2e.browser.world import PASSWORD

BUDGET = 100 * 1024


async def hold_the_app(page) -> asyncio.Event:
    """Holds the app's script back until the event is set: a phone whose network has brought only the page."""
    script_may_come = asyncio.Event()

    async def hold(route: Route) -> None:
        await script_may_come.wait()
        await route.continue_()

    await page.route(re.compile(r"/assets/index-[^/]+\.js$"), hold)
    return script_may_come


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
    # No Ant Design on this page: neither its stylesheet nor styles written at run time.
    assert await page.locator('link[rel="stylesheet"], style[data-css-hash], style[data-rc-order]').count() == 0

    # A required field is checked before anything is sent, in Vietnamese, on the field.
    await page.get_by_label("Mật khẩu").fill("x")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_text("Nhập tên đăng nhập")).to_be_visible()
    await expect(page.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")

    await sign_in(page, world.accounts["officer"])
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()
    # The page it lands on is plain HTML first; Ant Design's table then takes its rows over, with Ant Design's
    # stylesheet, which styles it.
    table = page.locator(".ant-table-wrapper .ant-table").first
    await expect(table).to_be_visible()
    assert await page.locator('link[rel="stylesheet"][href*="/assets/"]').count() > 0
    assert await table.evaluate("table => getComputedStyle(table).backgroundColor") == "rgb(255, 255, 255)"
    assert re.search(r"/don-vi/", page.url)


async def test_the_sign_in_form_takes_typing_before_the_script_and_the_app_keeps_what_was_typed(page, world):
    script_may_come = await hold_the_app(page)
    await page.goto("/dang-nhap?next=%2Ftai-khoan", wait_until="commit")
    # The page alone: the form is there and takes typing.
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    await expect(page.locator("form[data-prerendered]")).to_have_count(1)
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


async def test_the_sign_in_form_is_sent_before_the_app_arrives_and_the_app_takes_the_answer_over(page, world):
    script_may_come = await hold_the_app(page)
    logins: list[str] = []
    page.on("request", lambda sent: logins.append(sent.method) if sent.url.endswith("/identity/login") else None)
    await page.goto("/dang-nhap?next=%2Ftai-khoan", wait_until="commit")
    button = page.get_by_role("button", name="Đăng nhập")
    await expect(button).to_be_enabled()  # by the page's early script, the app still held back
    await expect(page.locator("form[data-prerendered]")).to_have_count(1)

    # An empty field is named before anything is sent, as the app would.
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    await button.click()
    await expect(page.get_by_text("Nhập mật khẩu")).to_be_visible()
    await expect(page.get_by_label("Mật khẩu")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Mật khẩu")).to_be_focused()
    assert logins == []

    async with page.expect_response(re.compile(r"/api/v1/identity/login$")) as answer:
        await page.get_by_label("Mật khẩu").fill(PASSWORD)
        await button.click()
    assert (await answer.value).ok  # answered while the app is still on its way
    await expect(button).to_be_disabled()  # sent once
    await expect(page.locator("form[data-prerendered]")).to_have_count(1)

    script_may_come.set()
    await expect(page).to_have_url(re.compile("/tai-khoan$"))
    assert logins == ["POST"], logins  # the app took the answer over instead of signing in again


async def test_a_refused_early_sign_in_is_shown_by_the_app_and_the_officer_tries_again(page, world):
    script_may_come = await hold_the_app(page)
    await page.goto("/dang-nhap", wait_until="commit")
    await page.get_by_label("Tên đăng nhập").fill(world.accounts["officer"])
    async with page.expect_response(re.compile(r"/api/v1/identity/login$")) as answer:
        await page.get_by_label("Mật khẩu").fill("not-the-password")
        await page.get_by_role("button", name="Đăng nhập").click()
    assert (await answer.value).status == 401

    script_may_come.set()
    await expect(page.locator("form[data-prerendered]")).to_have_count(0)
    await expect(page.get_by_role("alert")).to_contain_text("mật khẩu")
    await expect(page.get_by_label("Mật khẩu")).to_have_value("not-the-password")  # what was typed is kept
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name=world.names["G1"])).to_be_visible()


@pytest.mark.parametrize(
    ("section", "unit", "ready", "requests"),
    [
        ("doan-vien", "G1", "tr.member-row", 4),
        ("nguoi-dung", "TP", "tr.plain-table-row", 4),
        ("the", "TP", "main table", 4),  # a new world has no order yet: the table, empty
        ("nhat-ky", "TP", "tr.plain-table-row", 4),
        ("doan-phi", "G1", "tr.plain-table-row", 3),  # the frame's data only: the app asks for the dues'
    ],
)
async def test_the_first_data_comes_with_the_page_and_the_app_takes_it(page, world, section, unit, ready, requests):
    """A screen's page asks for its first view's data as soon as the session is renewed (src/early-session.ts), with
    the app's code still on its way; the app then takes those answers instead of asking again."""
    unit_id = world.units[unit]
    await sign_in(page, "admin", "Admin@12345")
    html = await (await page.request.get(f"/don-vi/{unit_id}/{section}")).text()
    early = re.search(r'data-early="([^"]*)"', html)
    assert early, f"the page of {section} names no early data"
    first_view = {url.replace("&amp;", "&").replace("{unit}", unit_id) for url in early.group(1).split()}
    assert "/api/v1/identity/me" in first_view and len(first_view) == requests, first_view
    asked: list[str] = []
    all_asked = asyncio.Event()

    def note(request) -> None:
        asked.append(re.sub(r"^https?://[^/]+", "", request.url))
        if first_view <= set(asked):
            all_asked.set()

    page.on("request", note)
    script_may_come = await hold_the_app(page)
    await page.goto(f"/don-vi/{unit_id}/{section}", wait_until="commit")
    # Asked for while the app's script is held back: by the page's own early script.
    await asyncio.wait_for(all_asked.wait(), timeout=20)
    script_may_come.set()
    await expect(page.locator(ready).first).to_be_visible()
    await expect(page.locator(".breadcrumb")).to_contain_text(world.names[unit])
    for path in first_view:
        assert asked.count(path) == 1, (path, asked)  # the app took the answer: not asked again


# Notes each request the page's scripts send, and what had been sent when the renewal given to the app
# (`window.earlySession`, the last one set) came through.
WATCH_THE_RENEWAL = """
window.asked = [];
const fetch = window.fetch;
window.fetch = (input, init) => {
  window.asked.push(typeof input === 'string' ? input : input.url);
  return fetch(input, init);
};
let given;
Object.defineProperty(window, 'earlySession', {
  configurable: true,
  get: () => given,
  set: (renewal) => {
    given = renewal;
    renewal.then(() => { if (given === renewal) window.askedWhenGiven = [...window.asked]; }, () => undefined);
  },
});
"""


async def test_the_first_data_is_asked_for_before_the_app_is_given_the_renewed_session(page, world):
    """The page's early requests are on their way before the app is given the renewed session: given at the same
    moment, the app's first render (~150 ms on a slow phone's CPU) ran first and held them back."""
    unit_id = world.units["G1"]
    await sign_in(page, "admin", "Admin@12345")
    html = await (await page.request.get(f"/don-vi/{unit_id}/doan-vien")).text()
    early = re.search(r'data-early="([^"]*)"', html).group(1).split()
    first_view = {url.replace("&amp;", "&").replace("{unit}", unit_id) for url in early}
    await page.add_init_script(WATCH_THE_RENEWAL)
    await page.goto(f"/don-vi/{unit_id}/doan-vien", wait_until="commit")
    await expect(page.locator("tr.member-row").first).to_be_visible()
    asked_when_given = await page.evaluate("window.askedWhenGiven")
    assert first_view <= set(asked_when_given), asked_when_given
