"""A bank end to end: the reference bank client (deploy/examples/bank/) receives its linked cards from the running
platform by signed webhook, or from its own Kafka topic, drops what it has seen, and answers through the API; the
cards are printed. A replay from an earlier position delivers again and the client changes nothing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import uuid
from pathlib import Path

from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today

from tests.e2e.test_walking_skeleton import create_member, create_unit
from tests.support.infra import free_port
from tests.support.polling import eventually

BANK_CLIENT = Path(__file__).resolve().parents[2] / "deploy" / "examples" / "bank" / "bank_client.py"
WEBHOOK = "/api/v1/cards/partners/CTG/webhook"


async def feed_end(admin) -> int:
    """The last position of CTG's feed now (as the national administrator reads it)."""
    cursor, last = None, 0
    while True:
        page = await admin.get(
            "/api/v1/cards/issuance", params={"partner": "CTG", "limit": 500} | ({"after": cursor} if cursor else {})
        )
        assert page.status_code == 200, page.text
        last = max([last, *(step["sequence"] for step in page.json()["items"])])
        cursor = page.json()["next_cursor"]
        if page.json()["caught_up"]:
            return last


async def test_the_reference_bank_client_receives_deduplicates_and_answers(platform, admin, tmp_path):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"WP{suffix}", "Liên đoàn Lao động tỉnh Webhook", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(
        admin, f"WG{suffix}", "Công đoàn cơ sở Công ty Webhook", "grassroots_union", province
    )
    members = [
        await create_member(admin, grassroots, name=name, gender="female", year=1993)
        for name in ("Lê Thị Mai", "Phạm Thị Lan")
    ]
    for member in members:
        approved = await admin.post(
            f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"}
        )
        assert approved.status_code == 200, approved.text
        consent = await admin.put(
            f"/api/v1/members/members/{member['member_id']}/bank-consent", json={"given_on": str(vietnamese_today())}
        )
        assert consent.status_code == 200, consent.text

    client = await admin.post(
        "/api/v1/identity/clients",
        json={
            "name": "VietinBank – webhook",
            "kind": "bank",
            "unit_id": str(NATIONAL_CENTRE_ID),
            "partner_code": "CTG",
            "scopes": ["cards.issuance:read", "cards.issuance:answer"],
            "rate_limit_per_minute": 600,
        },
    )
    assert client.status_code == 201, client.text
    port = free_port()
    url = f"http://127.0.0.1:{port}/hooks/congdoan"
    # Registered paused, moved to the feed's end (other tests' cards are not this bank client's business), resumed.
    registered = await admin.put(WEBHOOK, json={"url": url, "active": False})
    assert registered.status_code == 200, registered.text
    secret = (
        registered.json()["secret"]
        or (await admin.put(WEBHOOK, json={"url": url, "active": False, "rotate_secret": True})).json()["secret"]
    )
    start = await feed_end(admin)
    assert (await admin.post(f"{WEBHOOK}/replay", json={"after": start})).json()["position"] == start
    resumed = await admin.put(WEBHOOK, json={"url": url, "active": True})
    assert resumed.status_code == 200 and resumed.json()["secret"] is None, resumed.text

    state = tmp_path / "bank.sqlite3"
    env = os.environ | {
        "BANK_CLIENT_ID": client.json()["client_id"],
        "BANK_CLIENT_SECRET": client.json()["client_secret"],
        "BANK_WEBHOOK_SECRET": secret,
    }
    bank = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BANK_CLIENT),
        "--platform",
        platform.gateway_url,
        "--listen",
        f"127.0.0.1:{port}",
        "--state",
        str(state),
        env=env,
    )
    try:

        async def request_cards():
            return await admin.post(
                "/api/v1/cards/requests", json={"member_ids": [m["member_id"] for m in members], "kind": "linked"}
            )

        # cards learns the members, their approval and their consent from Kafka.
        cards = (await eventually(request_cards, lambda r: r.status_code == 201, timeout=60)).json()["cards"]

        async def place_order():
            return await admin.post(
                "/api/v1/cards/print-orders",
                json={"unit_id": province, "kind": "linked", "include_without_photo": True},
            )

        order = (await eventually(place_order, lambda r: r.status_code == 201, timeout=60)).json()
        assert order["card_count"] == 2

        async def statuses() -> list[str]:
            return [(await admin.get(f"/api/v1/cards/cards/{card['card_id']}")).json()["status"] for card in cards]

        await eventually(statuses, lambda found: found == ["printed", "printed"], timeout=120)
        ours = {card["card_id"] for card in cards}

        def received() -> list[tuple]:
            with sqlite3.connect(state) as db:
                return db.execute(
                    "SELECT event_id, card_id, version, status, has_identity, times_seen FROM steps ORDER BY sequence"
                ).fetchall()

        def answers() -> list[tuple]:
            with sqlite3.connect(state) as db:
                return db.execute("SELECT card_id, outcome, http_status FROM answers ORDER BY card_id").fetchall()

        steps = await eventually(
            lambda: _now(received), lambda rows: len([r for r in rows if r[1] in ours]) == 6, timeout=60
        )
        assert sorted((r[1], r[2], r[3]) for r in steps if r[1] in ours) == sorted(
            (card_id, version, status)
            for card_id in ours
            for version, status in ((1, "requested"), (2, "ordered"), (3, "printed"))
        )
        assert all(r[4] == 1 and r[5] == 1 for r in steps if r[1] in ours)  # with the ID number (consent), once
        assert answers() == sorted((card_id, "issued", 200) for card_id in ours)
        order_now = await admin.get(f"/api/v1/cards/print-orders/{order['order_id']}")
        assert order_now.json()["status"] == "printed", order_now.text

        # A replay from before our cards delivers them again: the client drops them, answers nothing twice.
        end = await feed_end(admin)
        assert (await admin.post(f"{WEBHOOK}/replay", json={"after": start})).status_code == 200
        await eventually(lambda: admin.get(WEBHOOK), lambda r: r.json()["position"] >= end, timeout=60)
        again = received()
        assert [r[:5] for r in again] == [r[:5] for r in steps], "a step delivered twice was stored twice"
        assert all(r[5] == 2 for r in again if r[1] in ours), "the replay did not reach the bank client"
        assert answers() == sorted((card_id, "issued", 200) for card_id in ours)
        status = (await admin.get(WEBHOOK)).json()
        assert status["parked"] == 0, status
    finally:
        bank.terminate()
        await asyncio.wait_for(bank.wait(), timeout=10)
        await admin.put(WEBHOOK, json={"url": url, "active": False})


async def _now(probe):
    return probe()


async def consenting_members(admin, grassroots: str, names: tuple[str, ...]) -> list[dict]:
    members = [await create_member(admin, grassroots, name=name, gender="female", year=1994) for name in names]
    for member in members:
        approved = await admin.post(
            f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"}
        )
        assert approved.status_code == 200, approved.text
        consent = await admin.put(
            f"/api/v1/members/members/{member['member_id']}/bank-consent", json={"given_on": str(vietnamese_today())}
        )
        assert consent.status_code == 200, consent.text
    return members


async def test_the_reference_bank_client_follows_its_own_topic(platform, admin, tmp_path):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"KP{suffix}", "Liên đoàn Lao động tỉnh Kafka", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(admin, f"KG{suffix}", "Công đoàn cơ sở Công ty Kafka", "grassroots_union", province)
    members = await consenting_members(admin, grassroots, ("Võ Thị Hoa", "Đặng Thị Thu"))
    client = await admin.post(
        "/api/v1/identity/clients",
        json={
            "name": "VietinBank – Kafka",
            "kind": "bank",
            "unit_id": str(NATIONAL_CENTRE_ID),
            "partner_code": "CTG",
            "scopes": ["cards.issuance:answer"],
            "rate_limit_per_minute": 600,
        },
    )
    assert client.status_code == 201, client.text
    # Paused, moved to the feed's end (other tests' cards are not this client's business), resumed.
    topic = "/api/v1/cards/partners/CTG/topic"
    assert (await admin.put(topic, json={"active": False})).status_code == 200
    start = await feed_end(admin)
    assert (await admin.post(f"{topic}/replay", json={"after": start})).json()["position"] == start
    resumed = await admin.put(topic, json={"active": True})
    assert resumed.status_code == 200 and resumed.json()["topic"] == "cards.issuance.ctg.v1", resumed.text
    await eventually(lambda: admin.get(topic), lambda r: r.json()["topic_ready_at"] is not None, timeout=60)

    state = tmp_path / "bank-kafka.sqlite3"
    env = os.environ | {
        "BANK_CLIENT_ID": client.json()["client_id"],
        "BANK_CLIENT_SECRET": client.json()["client_secret"],
    }
    bank = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BANK_CLIENT),
        "--platform",
        platform.gateway_url,
        "--kafka-bootstrap",
        platform.bootstrap_servers,
        "--topic",
        "cards.issuance.ctg.v1",
        "--group",
        f"bank-ctg-{suffix.lower()}",
        "--state",
        str(state),
        env=env,
    )
    try:

        async def request_cards():
            return await admin.post(
                "/api/v1/cards/requests", json={"member_ids": [m["member_id"] for m in members], "kind": "linked"}
            )

        cards = (await eventually(request_cards, lambda r: r.status_code == 201, timeout=60)).json()["cards"]

        async def place_order():
            return await admin.post(
                "/api/v1/cards/print-orders",
                json={"unit_id": province, "kind": "linked", "include_without_photo": True},
            )

        assert (await eventually(place_order, lambda r: r.status_code == 201, timeout=60)).json()["card_count"] == 2

        async def statuses() -> list[str]:
            return [(await admin.get(f"/api/v1/cards/cards/{card['card_id']}")).json()["status"] for card in cards]

        await eventually(statuses, lambda found: found == ["printed", "printed"], timeout=120)
        ours = {card["card_id"] for card in cards}

        def received() -> list[tuple]:
            with sqlite3.connect(state) as db:
                return db.execute("SELECT card_id, version, status, has_identity, times_seen FROM steps").fetchall()

        steps = await eventually(
            lambda: _now(received), lambda rows: len([r for r in rows if r[0] in ours]) == 6, timeout=60
        )
        assert sorted(r[:4] for r in steps if r[0] in ours) == sorted(
            (card_id, version, status, 1)
            for card_id in ours
            for version, status in ((1, "requested"), (2, "ordered"), (3, "printed"))
        )
        with sqlite3.connect(state) as db:
            assert sorted(db.execute("SELECT card_id, outcome, http_status FROM answers").fetchall()) == sorted(
                (card_id, "issued", 200) for card_id in ours
            )
    finally:
        bank.terminate()
        await asyncio.wait_for(bank.wait(), timeout=10)
        await admin.put(topic, json={"active": False})
