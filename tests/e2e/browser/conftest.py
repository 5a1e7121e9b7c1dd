"""Browser tests: Debian's Chromium driven by Playwright against the platform the end-to-end fixture starts.

Test tools cannot download browsers here, so Chromium is launched from its path (`chromium` on PATH, or
CHROMIUM_PATH). A failing test leaves a screenshot of each of its pages in `test-artifacts/browser/<test>/`, which
CI keeps. Every test runs at a phone's size (360 px) and an office screen's (1366 px).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.e2e.browser.world import World, build_world

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int

    @property
    def phone(self) -> bool:
        return self.width < 600


# An assertion waits for its condition this long: on a loaded 2-core CI machine a screen was seen to need more
# than Playwright's 5 s default, though nothing was wrong.
expect.set_options(timeout=10_000)

SCREENS = {"phone": Screen("phone", 360, 740), "desktop": Screen("desktop", 1366, 768)}


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is not installed: `apt-get install chromium` (tests/run.sh does it)")
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
async def world(platform, admin) -> World:
    """Units, officers and members of the browser stories, made through the API once per session."""
    return await build_world(platform.gateway_url, admin)


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def screen(request) -> Screen:
    return SCREENS[request.param]


@pytest.fixture
async def context(browser: Browser, platform, screen: Screen, request) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(
        base_url=platform.gateway_url,
        viewport={"width": screen.width, "height": screen.height},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
        is_mobile=screen.phone,
        has_touch=screen.phone,
        # Users may ask for no animations and the app honours it (Ant Design's motion off). The tests ask too: a
        # dialog's zoom-in swallowed a click, and a button's spinner, leaving after a fast answer, waited forever for
        # the end of a transition that never ran, so the button kept the name "loading ..." (seen on a loaded machine).
        reduced_motion="reduce",
    )
    context.set_default_timeout(20_000)
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::")[-1])
        folder.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(context.pages):
            await page.screenshot(path=str(folder / f"page-{index}.png"), full_page=True)
        await _describe_failure(request, context)
    await context.close()


async def _describe_failure(request, context: BrowserContext) -> None:
    """What the pages showed when the test failed, printed where CI keeps it (its artifacts may be gone)."""
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is None:
        return
    terminal.write_line(f"\n--- what the browser showed when {request.node.nodeid} failed ---")
    for page in context.pages:
        terminal.write_line(f"page {page.url}")
        try:
            terminal.write_line((await page.locator("body").aria_snapshot(timeout=5_000))[:6_000])
        except Exception as error:  # the page may be closed or hung: the rest of the report still matters
            terminal.write_line(f"(no accessibility snapshot: {error})")
    for line in getattr(request.node, "browser_log", [])[-40:]:
        terminal.write_line(line)


@pytest.fixture
async def page(context: BrowserContext, request) -> Page:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The answers that were refusals or errors and the console's errors, for the report of a failed test.
    log: list[str] = []
    request.node.browser_log = log
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and log.append(f"{response.status} {response.request.method} {response.url}")
        ),
    )
    page.on("console", lambda message: message.type == "error" and log.append(f"console: {message.text}"))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
