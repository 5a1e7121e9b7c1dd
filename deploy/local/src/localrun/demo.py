"""Demo data for a fresh one-machine platform, loaded through the gateway like a real user would.

It runs on every `up`, also against a data dir that already holds the demo data, so it
looks before creating: units are found by code and members by their ID number.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

import httpx
from contracts.wellknown import NATIONAL_CENTRE_ID

from localrun.client import gateway_client
from localrun.demo_people import seed_people

log = logging.getLogger(__name__)

ADMIN_USERNAME = os.environ.get("IDENTITY_BOOTSTRAP_ADMIN_USERNAME", "admin")
ADMIN_PASSWORD = os.environ.get("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", "Admin@12345")

# (code, name, type, parent code); the national centre's code is TLD.
UNITS = [
    ("HNI", "Liên đoàn Lao động thành phố Hà Nội", "provincial_federation", "TLD"),
    ("HCM", "Liên đoàn Lao động Thành phố Hồ Chí Minh", "provincial_federation", "TLD"),
    ("HNI-KCN-TL", "Công đoàn các Khu công nghiệp Thăng Long", "industrial_zone_union", "HNI"),
    ("HNI-CS-0001", "Công đoàn cơ sở Công ty TNHH May Thăng Long", "grassroots_union", "HNI-KCN-TL"),
    ("HNI-CS-0002", "Công đoàn cơ sở Công ty Cổ phần Bánh kẹo Hải Hà", "grassroots_union", "HNI"),
    ("HCM-CS-0001", "Công đoàn cơ sở Công ty TNHH Điện tử Sài Gòn", "grassroots_union", "HCM"),
    ("HNI-CS-0003", "Công đoàn cơ sở Công ty Cổ phần Dệt may Hà Đông", "grassroots_union", "HNI-KCN-TL"),
]

# The demo's units exist since the provinces' merger took effect, so a year of reports has them (the members
# imported with join dates back to 2005 count in the reports of those days too: reporting dates an entry at the
# member's join date).
UNITS_FROM = "2025-07-01"

# Its members are approved and carded by the demo; the others stay pending, for the approval screen.
CARDED_UNIT = "HNI-CS-0001"

# The province gathers the cards its units requested into a print order (the other cards stay requested once
# ordered: seeding again finds none to order). The carded unit records a month of dues.
ORDERING_UNIT = "HNI"
DUES_MONTH = "2025-10"
DEMO_SALARY_VND = 9_000_000

# (unit code, full name, gender, date of birth, CCCD)
MEMBERS = [
    ("HNI-CS-0001", "Nguyễn Văn An", "male", "1990-05-01", "001090000101"),
    ("HNI-CS-0001", "Trần Thị Bình", "female", "1995-08-12", "001195000102"),
    ("HNI-CS-0001", "Lê Thị Cúc", "female", "2001-02-03", "001301000103"),
    ("HNI-CS-0002", "Phạm Văn Dũng", "male", "1985-11-20", "036085000104"),
    ("HCM-CS-0001", "Võ Thị Én", "female", "1998-07-07", "079198000105"),
    ("HCM-CS-0001", "Đặng Văn Phúc", "male", "1979-03-15", "079079000106"),
]


async def seed(gateway_url: str) -> None:
    async with gateway_client(gateway_url) as http:
        login = await http.post("/api/v1/identity/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
        login.raise_for_status()
        http.headers["authorization"] = f"Bearer {login.json()['access_token']}"
        unit_ids = {"TLD": str(NATIONAL_CENTRE_ID)}
        for code, name, type_code, parent_code in UNITS:
            unit_ids[code] = await _unit(http, code, name, type_code, unit_ids[parent_code])
        created = 0
        for unit_code, full_name, gender, born, id_number in MEMBERS:
            body = {
                "unit_id": unit_ids[unit_code],
                "full_name": full_name,
                "gender": gender,
                "date_of_birth": born,
                "id_number": id_number,
            }
            response = await _when_members_knows_the_unit(http, body)
            if response.status_code == 409:
                continue  # already loaded by an earlier start
            response.raise_for_status()
            created += 1
        printed = await _approve_and_card(http, unit_ids[CARDED_UNIT], unit_ids[ORDERING_UNIT])
        placed = await _print_order(http, unit_ids[ORDERING_UNIT])
        order = placed["order_number"] if placed else None
        dues = await _dues_month(http, unit_ids[CARDED_UNIT])
        imported = await seed_people(http, gateway_url, unit_ids)
    log.info(
        "demo data: %d units present, %d members created, card QR: %s, print order: %s, dues of %s: %s, "
        "member lists imported: %s",
        len(unit_ids),
        created,
        printed,
        order,
        DUES_MONTH,
        dues,
        imported,
    )


async def _approve_and_card(http: httpx.AsyncClient, unit_id: str, ordering_unit_id: str) -> str | None:
    """Approve the unit's members, request their cards and print the first: every stage has something to show.

    The first card is printed the one way a card is: the province orders it and the national centre marks the
    order printed; the other members' cards are requested after that, for the order `seed` places next.
    Returns the printed card's verification URL (what its QR holds)."""
    decided = await http.post("/api/v1/members/decisions", json={"decision": "approve", "unit_id": unit_id})
    decided.raise_for_status()
    members = await _hand_entered_members(http, unit_id)
    carded = await http.get("/api/v1/cards/cards", params={"unit_id": unit_id, "limit": 500})
    carded.raise_for_status()
    with_card = {card["member_id"] for card in carded.json()["items"] if card["status"] not in ("cancelled", "revoked")}
    without_card = [member_id for member_id in members if member_id not in with_card]
    if without_card:
        (await _when_cards_knows_the_members(http, without_card[:1])).raise_for_status()
        order = await _print_order(http, ordering_unit_id)
        if order is not None:
            (await http.post(f"/api/v1/cards/print-orders/{order['order_id']}/printed")).raise_for_status()
        if without_card[1:]:
            (await _when_cards_knows_the_members(http, without_card[1:])).raise_for_status()
    cards = await http.get("/api/v1/cards/cards", params={"unit_id": unit_id, "status": "printed", "limit": 1})
    cards.raise_for_status()
    return next((card["verification_url"] for card in cards.json()["items"]), None)


async def _hand_entered_members(http: httpx.AsyncClient, unit_id: str) -> list[str]:
    """The ids of the unit's MEMBERS (not of its imported list): the cards and dues steps touch only these, so a
    later start, which finds the imported members active too, orders and records nothing new."""
    ids = []
    for _, _, _, _, id_number in (member for member in MEMBERS if member[0] == CARDED_UNIT):
        found = await http.get("/api/v1/members/search", params={"unit_id": unit_id, "q": id_number})
        found.raise_for_status()
        ids += [m["member_id"] for m in found.json()["items"]]
    return ids


async def _when_cards_knows_the_members(http: httpx.AsyncClient, member_ids: list[str]) -> httpx.Response:
    """New members and their approvals reach the cards service through Kafka; until both have, it refuses the
    request (member not found, or not yet active) and changes nothing."""
    deadline = time.monotonic() + 60
    while True:
        response = await http.post("/api/v1/cards/requests", json={"member_ids": member_ids})
        unknown = response.status_code == 422 and all(
            error["code"] in ("member-not-found", "member-not-active") for error in response.json().get("errors", [])
        )
        if not unknown or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def _print_order(http: httpx.AsyncClient, unit_id: str) -> dict | None:
    """The order placed, or None when an earlier start ordered every requested card already."""
    response = await http.post(
        "/api/v1/cards/print-orders", json={"unit_id": unit_id, "kind": "regular", "include_without_photo": True}
    )
    if response.status_code == 422 and response.json().get("code") == "no-cards-to-order":
        return None
    response.raise_for_status()
    return response.json()


async def _dues_month(http: httpx.AsyncClient, unit_id: str) -> str:
    """Record DUES_MONTH for the unit's active members ('recorded', or 'already recorded' on a later start).
    Members reach the dues service through Kafka; until they have, it refuses the lines and changes nothing."""
    lines = [
        {"member_id": member_id, "salary_vnd": DEMO_SALARY_VND}
        for member_id in await _hand_entered_members(http, unit_id)
    ]
    deadline = time.monotonic() + 60
    while True:
        response = await http.post(
            "/api/v1/dues/months", json={"unit_id": unit_id, "month": DUES_MONTH, "lines": lines}
        )
        if response.status_code == 409:
            return "already recorded"
        not_yet = response.status_code == 422 and all(
            error.get("code") in ("member-not-in-unit", "member-not-paying")
            for error in response.json().get("errors") or [{}]
        )
        if not not_yet or time.monotonic() > deadline:
            response.raise_for_status()
            return "recorded"
        await asyncio.sleep(0.2)


async def _when_members_knows_the_unit(http: httpx.AsyncClient, body: dict) -> httpx.Response:
    """A new unit reaches the members service through Kafka; until then it answers 404 or 403."""
    deadline = time.monotonic() + 60
    while True:
        response = await http.post("/api/v1/members/members", json=body)
        if response.status_code not in (403, 404) or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def _unit(http: httpx.AsyncClient, code: str, name: str, type_code: str, parent_id: str) -> str:
    found = await http.get("/api/v1/orgtree/units", params={"q": code})
    found.raise_for_status()
    for unit in found.json()["items"]:
        if unit["code"] == code:
            return unit["unit_id"]
    response = await http.post(
        "/api/v1/orgtree/units",
        json={"code": code, "name": name, "type_code": type_code, "parent_id": parent_id, "effective_from": UNITS_FROM},
    )
    response.raise_for_status()
    return response.json()["unit_id"]
