"""The demo's people: an account for each role an officer holds, and a few thousand members in a few units, so that
lists, paging, search and approvals mean something. Everything goes through the gateway like a real user's work,
and loading it twice changes nothing: accounts are found by username, and a member list uploaded again is
recognised by its content (the same file gives the same import)."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from localrun.client import gateway_client

DEMO_PASSWORD = "CongDoan@2026"
_FIRST_PASSWORD = "KhoiTao@2026"  # replaced by DEMO_PASSWORD at the first sign-in, as a new officer would


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit_code: str
    what: str


ACCOUNTS = (
    DemoAccount("nhaplieu", "Nguyễn Thị Hoa", "data_entry", "HNI-CS-0001", "cán bộ nhập liệu công đoàn cơ sở"),
    DemoAccount("pheduyet", "Trần Văn Minh", "approver", "HNI-KCN-TL", "cán bộ phê duyệt công đoàn cấp trên"),
    DemoAccount("tinh", "Lê Thị Thu", "unit_admin", "HNI", "quản trị LĐLĐ thành phố Hà Nội"),
)

# (unit code, how many members, approved by the demo?)
MEMBER_LISTS = (
    ("HNI-CS-0001", 1800, True),
    ("HNI-CS-0002", 900, True),
    ("HCM-CS-0001", 700, True),
    ("HNI-CS-0003", 240, False),  # left pending: the approver's work
)

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Bích", "Kim", "Mai", "Hồng"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Ly",
    "Mai",
    "Ngân",
    "Nhung",
    "Phương",
    "Thảo",
    "Trang",
    "Yến",
]
POSITIONS = ["Chủ tịch công đoàn", "Phó chủ tịch", "Ủy viên ban chấp hành", "Tổ trưởng công đoàn"]
HEADERS = [
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Số CCCD/CMND",
    "Số điện thoại",
    "Chức vụ công đoàn",
    "Ngày vào công đoàn",
    "Quê quán",
    "Nghề nghiệp",
]
PROVINCES = {"HNI": "001", "HCM": "079"}
HOMETOWNS = ["Hà Nội", "Nam Định", "Thái Bình", "Nghệ An", "Thanh Hóa", "Hải Phòng", "Bắc Ninh", "Hưng Yên"]
JOBS = ["Công nhân may", "Công nhân lắp ráp", "Kỹ thuật viên", "Nhân viên kho", "Kế toán", "Công nhân đóng gói"]


# The latest join date of the lists: fixed, so that a list is the same bytes on every start.
LAST_JOINED = date(2026, 11, 30)


def member_list(unit_code: str, count: int, serial_base: int) -> bytes:
    """A CSV list as a unit office would fill it in; the same arguments always give the same bytes."""
    rng = random.Random(f"{unit_code}-{count}")
    province = PROVINCES[unit_code.split("-")[0]]
    lines = [",".join(HEADERS)]
    for index in range(count):
        female = rng.random() < 0.55
        year = rng.randint(1968, 2004)
        name = " ".join(
            [
                rng.choice(FAMILY),
                rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
            ]
        )
        century = (0 if year < 2000 else 2) + (1 if female else 0)
        id_number = f"{province}{century}{year % 100:02d}{serial_base + index:06d}"
        phone = f"09{rng.randint(10_000_000, 99_999_999)}"
        position = rng.choice(POSITIONS) if index < 5 else ""
        first_day = date(max(year + 18, 2005), 1, 1)
        joined = f"{first_day + timedelta(days=rng.randint(0, (LAST_JOINED - first_day).days)):%d/%m/%Y}"
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
        lines.append(
            ",".join(
                [
                    name,
                    "Nữ" if female else "Nam",
                    born,
                    id_number,
                    phone,
                    position,
                    joined,
                    rng.choice(HOMETOWNS),
                    rng.choice(JOBS),
                ]
            )
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


async def seed_people(http: httpx.AsyncClient, gateway_url: str, unit_ids: dict[str, str]) -> dict[str, int]:
    """The role accounts, then the member lists (imported, and approved where the table says so)."""
    for account in ACCOUNTS:
        await create_account(
            http,
            gateway_url,
            account.username,
            account.full_name,
            account.role,
            unit_ids[account.unit_code],
            DEMO_PASSWORD,
        )
    imported = {}
    for serial, (unit_code, count, approve) in enumerate(MEMBER_LISTS):
        content = member_list(unit_code, count, serial_base=100_000 * (serial + 1))
        imported[unit_code] = await _import(http, unit_ids[unit_code], content)
        if approve:
            decided = await http.post(
                "/api/v1/members/decisions", json={"decision": "approve", "unit_id": unit_ids[unit_code]}
            )
            decided.raise_for_status()
    return imported


async def create_account(
    http: httpx.AsyncClient, gateway_url: str, username: str, full_name: str, role: str, unit_id: str, password: str
) -> None:
    """An officer with one role on a unit, signed in once to set `password` (a new account must change the one it
    was given). `http` is an administrator's client; nothing happens when the username exists."""
    found = await http.get("/api/v1/identity/users", params={"q": username})
    found.raise_for_status()
    if any(user["username"] == username for user in found.json()["items"]):
        return
    created = await http.post(
        "/api/v1/identity/users",
        json={
            "username": username,
            "full_name": full_name,
            "home_unit_id": unit_id,
            "password": _FIRST_PASSWORD,
            "roles": [{"role": role, "unit_id": unit_id}],
        },
    )
    created.raise_for_status()
    async with gateway_client(gateway_url) as own:
        login = await own.post("/api/v1/identity/login", json={"username": username, "password": _FIRST_PASSWORD})
        login.raise_for_status()
        changed = await own.post(
            "/api/v1/identity/me/password",
            json={"current_password": _FIRST_PASSWORD, "new_password": password},
            headers={"authorization": f"Bearer {login.json()['access_token']}"},
        )
        changed.raise_for_status()


async def _import(http: httpx.AsyncClient, unit_id: str, content: bytes) -> int:
    """Upload a list (valid rows go straight in) and wait until it is done; returns the members it created."""
    deadline = time.monotonic() + 180
    while True:
        response = await http.post(
            "/api/v1/members/imports",
            data={"unit_id": unit_id, "mode": "valid_rows_only"},
            files={"file": ("danh-sach-doan-vien.csv", content, "text/csv")},
        )
        if response.status_code not in (403, 404) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)  # a unit created a moment ago may not have reached the members service yet
    response.raise_for_status()
    import_id = response.json()["import_id"]
    while True:
        status = await http.get(f"/api/v1/members/imports/{import_id}")
        status.raise_for_status()
        row = status.json()
        if row["status"] in ("completed", "rejected") or time.monotonic() > deadline:
            return row["inserted_rows"]
        await asyncio.sleep(0.25)
