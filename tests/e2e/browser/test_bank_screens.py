"""Banks and bank-linked cards in the web app: a member's consent to share their data with the bank, recorded and
withdrawn on the member's page, and the linked card's step then kept from the bank, listed at the unit; the bank
partners' deliveries for the national administrator (the webhook and topic settings, the parked deliveries, one
sent again, the feed replayed from a position after a confirmation); and the card faces of a print order made in
the background with their progress, then downloaded as a zip of PDFs."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_date, vietnamese_today
from PIL import Image
from playwright.async_api import Page, expect

from tests.e2e.browser.steps import confirm, open_menu, sign_in
from tests.e2e.browser.world import World
from tests.e2e.test_walking_skeleton import create_unit
from tests.support.polling import eventually

ADMIN = ("admin", "Admin@12345")


def portrait() -> bytes:
    """A 3×4 JPEG photo, as a unit uploads it."""
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 180, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


async def approved_member(
    admin: httpx.AsyncClient, unit_id: str, name: str, serial: int, photo: bytes | None = None
) -> dict:
    """A member approved in `unit_id` (with a photo before the approval, when given: cards learns both in order);
    the ID number's serial is from this file's range (see world.py)."""

    async def create():
        return await admin.post(
            "/api/v1/members/members",
            json={
                "unit_id": unit_id,
                "full_name": name,
                "gender": "male",
                "date_of_birth": "1990-05-01",
                "id_number": f"001090{serial:06d}",
            },
        )

    created = await eventually(create, lambda r: r.status_code not in (403, 404), timeout=60)
    assert created.status_code == 201, created.text
    member = created.json()
    if photo is not None:
        uploaded = await admin.put(
            f"/api/v1/members/members/{member['member_id']}/photo", files={"file": ("anh.jpg", photo, "image/jpeg")}
        )
        assert uploaded.status_code == 204, uploaded.text
    decided = await admin.post(f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    return decided.json()


async def request_card(admin: httpx.AsyncClient, member_ids: list[str], kind: str) -> list[dict]:
    """cards learns of the approval (and the consent) from Kafka: until then the request is refused."""

    async def attempt():
        return await admin.post("/api/v1/cards/requests", json={"member_ids": member_ids, "kind": kind})

    requested = await eventually(attempt, lambda r: r.status_code != 422, timeout=60)
    assert requested.status_code == 201, requested.text
    return requested.json()["cards"]


async def feed_cursor(admin: httpx.AsyncClient) -> str | None:
    """Where CTG's feed ends now, as the cursor a follower would pass on."""
    cursor = None
    while True:
        page = await admin.get(
            "/api/v1/cards/issuance", params={"partner": "CTG", "limit": 500} | ({"after": cursor} if cursor else {})
        )
        assert page.status_code == 200, page.text
        cursor = page.json()["next_cursor"]
        if page.json()["caught_up"]:
            return cursor


class BankEndpoint:
    """The bank's webhook endpoint: answers every POST with `status` (500 while it is "down"), and counts them."""

    def __init__(self) -> None:
        self.status, self.received = 500, 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/hooks/congdoan"

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        await reader.readexactly(int(length.group(1)) if length else 0)
        self.received += 1
        writer.write(f"HTTP/1.1 {self.status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@dataclass
class BankPartner:
    code: str
    name: str
    url: str
    endpoint: BankEndpoint


@pytest.fixture(scope="module", autouse=True)
async def bank_partner(admin) -> AsyncIterator[BankPartner]:
    """A bank of its own for a province of its own, whose webhook endpoint answers 500: the two linked cards' first
    steps are retried (six times over about half a minute each), then parked. Made before the first test of the
    module, so the retries run while it does."""
    code = f"WB{uuid.uuid4().hex[:6].upper()}"
    province = await create_unit(
        admin, f"{code}-P", "Liên đoàn Lao động tỉnh Ngân Hàng", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(admin, f"{code}-G", "Công đoàn cơ sở Ngân Hàng", "grassroots_union", province)
    name = f"Ngân hàng Thử Nghiệm {code}"

    async def register():  # identity learns of the province a moment later, from Kafka
        return await admin.put(
            f"/api/v1/identity/partners/{code}", json={"name": name, "linked_cards_unit_id": province}
        )

    registered = await eventually(register, lambda r: r.status_code != 404, timeout=60)
    assert registered.status_code in (200, 201), registered.text
    endpoint = BankEndpoint()
    url = await endpoint.start()

    async def register_webhook():  # cards learns of the bank from Kafka
        return await admin.put(f"/api/v1/cards/partners/{code}/webhook", json={"url": url, "active": True})

    hook = await eventually(register_webhook, lambda r: r.status_code != 404, timeout=60)
    assert hook.status_code == 200, hook.text
    members = [await approved_member(admin, grassroots, f"Lý Văn Ngân {index}", 560_010 + index) for index in range(2)]
    for member in members:
        consent = await admin.put(
            f"/api/v1/members/members/{member['member_id']}/bank-consent", json={"given_on": str(vietnamese_today())}
        )
        assert consent.status_code == 200, consent.text
    await request_card(admin, [m["member_id"] for m in members], "linked")
    yield BankPartner(code, name, url, endpoint)
    await admin.put(f"/api/v1/cards/partners/{code}/webhook", json={"url": url, "active": False})
    await endpoint.stop()


async def test_a_member_consents_then_withdraws_and_the_unit_sees_the_step_kept_from_the_bank(
    page: Page, world: World, admin, screen
):
    member = await approved_member(
        admin, world.units["G2"], f"Đỗ Văn Đồng Ý {screen.name}", 560_000 + (0 if screen.phone else 1)
    )
    await sign_in(page, *ADMIN)
    await page.goto(f"/don-vi/{world.units['G2']}/doan-vien/{member['member_id']}")
    consent = page.get_by_test_id("bank-consent-state")
    await expect(consent).to_have_text("Chưa đồng ý")
    await page.get_by_role("button", name="Ghi nhận đồng ý").click()
    await confirm(page, "Ghi nhận")
    await expect(page.get_by_text("Đã ghi nhận sự đồng ý")).to_be_visible()
    await expect(consent).to_have_text(f"Đã đồng ý từ ngày {vietnamese_date(datetime.now(UTC)):%d/%m/%Y}")

    start = await feed_cursor(admin)
    card = (await request_card(admin, [member["member_id"]], "linked"))[0]

    await page.get_by_role("button", name="Rút lại đồng ý").click()
    await confirm(page, "Rút lại")
    await expect(page.get_by_text("Đã ghi nhận rút lại sự đồng ý")).to_be_visible()
    await expect(consent).to_have_text("Chưa đồng ý")

    async def requested_step():
        page_ = await admin.get(
            "/api/v1/cards/issuance", params={"partner": "CTG", "limit": 500} | ({"after": start} if start else {})
        )
        return [step for step in page_.json()["items"] if step["card_id"] == card["card_id"]]

    # cards has the withdrawal once the bank's feed no longer gives the member's ID number with the card's request.
    await eventually(requested_step, lambda steps: steps and steps[0]["id_number"] is None, timeout=60)
    cancelled = await admin.post(
        f"/api/v1/cards/cards/{card['card_id']}/status", json={"status": "cancelled", "reason": "Đoàn viên rút lại"}
    )
    assert cancelled.status_code == 200, cancelled.text

    await page.goto(f"/don-vi/{world.units['G2']}/the")
    await page.get_by_role("tab", name="Chưa gửi ngân hàng").click()
    row = page.get_by_role("row", name=re.compile(re.escape(member["full_name"])))
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Đã hủy")
    await expect(row).to_contain_text("chưa đồng ý chia sẻ")


async def test_the_national_administrator_retries_a_parked_delivery_and_replays_the_feed(
    page: Page, admin, screen, bank_partner: BankPartner
):
    webhook = f"/api/v1/cards/partners/{bank_partner.code}/webhook"

    async def parked_now():
        return (await admin.get(f"{webhook}/parked", params={"state": "parked"})).json()["items"]

    # Both steps parked (the sender then has nothing left to try); the phone retries the first, the desktop the other.
    parked = await eventually(parked_now, lambda items: len(items) >= (2 if screen.phone else 1), timeout=150)
    position = parked[0]["position"]
    bank_partner.endpoint.status = 200  # the bank is back

    await sign_in(page, *ADMIN)
    await page.goto(f"/don-vi/{NATIONAL_CENTRE_ID}")
    await open_menu(page, screen.phone)
    menu = page.get_by_role("navigation", name="Menu và cây đơn vị")
    await menu.get_by_role("menuitem", name="Ngân hàng đối tác").click()
    await expect(page.get_by_role("heading", name="Ngân hàng đối tác")).to_be_visible()
    box = page.get_by_label("Chọn ngân hàng")
    await box.fill(bank_partner.code)
    dropdown = page.locator(".ant-select-dropdown").filter(
        has=page.locator(f"[id='{await box.get_attribute('id')}_list']")
    )
    option = dropdown.locator(".ant-select-item-option").filter(has_text=bank_partner.code)
    await expect(option).to_have_count(1)
    await option.dispatch_event("click")
    await expect(page).to_have_url(re.compile(f"ngan-hang={bank_partner.code}"))

    await expect(page.get_by_text(bank_partner.url)).to_be_visible()
    await expect(page.get_by_text("Ngân hàng chưa có kênh Kafka riêng")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(position), exact=True))
    await expect(row).to_contain_text("Tạm giữ")
    await expect(row).to_contain_text("HTTP 500")
    await row.get_by_role("button", name="Gửi lại", exact=True).click()
    await confirm(page, "Gửi lại")
    await expect(page.get_by_text(f"Đã yêu cầu gửi lại vị trí {position}")).to_be_visible()

    async def delivered():
        return (await admin.get(f"{webhook}/parked", params={"state": "delivered"})).json()["items"]

    await eventually(delivered, lambda items: position in [item["position"] for item in items], timeout=60)

    before = bank_partner.endpoint.received
    await page.get_by_role("button", name="Gửi lại từ vị trí…").click()
    dialog = page.get_by_role("dialog").filter(has_text="từ một vị trí")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Gửi lại các bước sau vị trí").fill("0")
    await confirm(page, "Gửi lại")
    await expect(page.get_by_text("Đã đặt gửi lại webhook từ sau vị trí 0")).to_be_visible()
    # The feed from its beginning is delivered again: at least the two steps of this bank.
    await eventually(lambda: _received(bank_partner), lambda count: count >= before + 2, timeout=60)


async def _received(partner: BankPartner) -> int:
    return partner.endpoint.received


async def test_a_print_order_makes_its_card_faces_in_the_background_then_they_are_downloaded(
    page: Page, world: World, admin, screen
):
    first = 560_020 + (0 if screen.phone else 2)
    # One member with a photo, one without: the card without is flagged on the order.
    members = [
        await approved_member(
            admin, world.units["G2"], f"Vũ Văn Mặt Thẻ {screen.name} {i}", first + i, portrait() if i == 0 else None
        )
        for i in range(2)
    ]
    await request_card(admin, [m["member_id"] for m in members], "regular")
    order = await admin.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": world.units["TP"], "kind": "regular", "include_without_photo": True},
    )
    assert order.status_code == 201, order.text
    total = order.json()["card_count"]

    await sign_in(page, *ADMIN)
    await page.goto(f"/don-vi/{world.units['TP']}/the/don/{order.json()['order_id']}")
    with_photo, without_photo = (
        page.get_by_role("row").filter(has=page.get_by_role("cell", name=member["full_name"], exact=True))
        for member in members
    )
    await expect(with_photo).to_contain_text("Có ảnh")
    await expect(without_photo).to_contain_text("Chưa có ảnh")
    await page.get_by_role("button", name="Tạo mặt thẻ (chạy nền)").click()
    await expect(page).to_have_url(re.compile(r"mat-the="))
    await expect(page.get_by_role("progressbar", name="Tiến độ tạo mặt thẻ")).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="Đã tạo xong mặt thẻ")).to_contain_text(f"{total} thẻ")
    await expect(page.get_by_role("progressbar", name="Tiến độ tạo mặt thẻ")).to_have_attribute("aria-valuenow", "100")

    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải mặt thẻ (.zip)").click()
    archive = zipfile.ZipFile(io.BytesIO((await (await downloading.value).path()).read_bytes()))
    assert archive.namelist() and all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
