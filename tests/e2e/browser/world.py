"""The people and units of the browser stories, made through the gateway's API like an administrator would.

A province (TP), an upper-level union (TP-U) and two grassroots unions below it (TP-G1, TP-G2); a data-entry
officer in each grassroots union, an approver on the upper-level union, and enough members in TP-G1 that the list
has more than one page.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from dataclasses import dataclass, field

import httpx
import xlsxwriter
from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.demo_people import create_account

PASSWORD = "ThuNghiem@2026"


@dataclass
class World:
    tag: str
    units: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # role in the story -> username

    def code(self, short: str) -> str:
        return f"{self.tag}-{short}"


def member_list_xlsx(rows: list[list]) -> bytes:
    """An .xlsx list with the template's headings, as a unit office sends it."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD/CMND", "Số điện thoại"])
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


def people(count: int, first_serial: int, family: str = "Phạm") -> list[list]:
    """Valid members: CCCD agreeing with gender and birth year (male, born 1990, Hà Nội's code 001).

    ID numbers must not meet another list of the same suite run: the browser tests take serials 500,000–560,099
    (the world 500,000, dues 520,000, the officer story 530,000 and 540,000, the bank screens 560,000–560,099, one
    by one in test_bank_screens.py), the scale-out test 600,000–977,300, the chaos test 980,000 and above, the demo
    data below 500,000."""
    return [
        [f"{family} Văn Thử {index:03d}", "Nam", "01/05/1990", f"001090{first_serial + index:06d}", ""]
        for index in range(count)
    ]


async def build_world(gateway_url: str, admin: httpx.AsyncClient) -> World:
    world = World(tag=f"WB{uuid.uuid4().hex[:4].upper()}")
    plan = [
        ("TP", "Liên đoàn Lao động tỉnh Thử Nghiệm", "provincial_federation", None),
        ("U", "Công đoàn Khu công nghiệp Thử Nghiệm", "industrial_zone_union", "TP"),
        ("G1", "Công đoàn cơ sở Công ty TNHH Một Thành Viên Dệt May Thử Nghiệm Số Một", "grassroots_union", "U"),
        ("G2", "Công đoàn cơ sở Công ty Cổ phần Điện Tử Thử Nghiệm", "grassroots_union", "U"),
    ]
    for short, name, type_code, parent in plan:
        parent_id = world.units[parent] if parent else str(NATIONAL_CENTRE_ID)
        created = await admin.post(
            "/api/v1/orgtree/units",
            json={"code": world.code(short), "name": name, "type_code": type_code, "parent_id": parent_id},
        )
        assert created.status_code == 201, created.text
        world.units[short], world.names[short] = created.json()["unit_id"], name
    for story_role, role, unit in (
        ("officer", "data_entry", "G1"),
        ("receiver", "data_entry", "G2"),
        ("approver", "approver", "U"),
    ):
        username = f"{world.tag.lower()}.{story_role}"
        await _when_identity_knows(
            create_account, admin, gateway_url, username, f"Cán bộ {story_role}", role, world.units[unit], PASSWORD
        )
        world.accounts[story_role] = username
    # 60 approved members in G1: the list has more than one page at 50 a page.
    await _import_and_approve(admin, world.units["G1"], member_list_xlsx(people(60, 500_000)))
    return world


async def _when_identity_knows(create, *args) -> None:
    """A unit created a moment ago reaches identity through Kafka; until then a user cannot be placed in it (identity
    answers 404 or 422, or 403 while its replica does not yet place the unit in the administrator's subtree)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            await create(*args)
            return
        except httpx.HTTPStatusError as error:
            if error.response.status_code not in (403, 404, 422) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)


async def _import_and_approve(admin: httpx.AsyncClient, unit_id: str, content: bytes) -> None:
    deadline = time.monotonic() + 120
    while True:
        uploaded = await admin.post(
            "/api/v1/members/imports",
            data={"unit_id": unit_id, "mode": "valid_rows_only"},
            files={"file": ("ds.xlsx", content)},
        )
        if uploaded.status_code not in (403, 404) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert uploaded.status_code in (200, 202), uploaded.text
    import_id = uploaded.json()["import_id"]
    while (status := (await admin.get(f"/api/v1/members/imports/{import_id}")).json())["status"] != "completed":
        assert status["status"] not in ("rejected", "failed") and time.monotonic() < deadline, status
        await asyncio.sleep(0.2)
    decided = await admin.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": unit_id})
    assert decided.status_code == 200, decided.text
