"""Signed webhooks and per-partner topics, end to end with the real relay, broker and consumer: every step of the
bank's cards POSTed in feed order with an HMAC-SHA256 signature; an endpoint that answers 500 or times out is
retried, then the step is parked (visible, retried on request) while the next steps go on; nothing is lost. The same
steps, in the same order, on the bank's own topic."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import uuid
from datetime import date

import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer
from cards.adapters.bank_identities import BankIdentityRepository
from cards.adapters.repository import CardHolderRepository
from cards.adapters.tables import issuance_feed
from cards.application.partner_topics import PartnerTopicPublisher
from cards.application.webhooks import WebhookSender, url_refusal
from cards.config import CardsSettings
from cards.entrypoints.api import create_app
from cards.entrypoints.consumers import handlers
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.http import SERVER_OPTIONS
from chassis.kafka import provision_topics
from chassis.outbox import OutboxRelay
from chassis.principal import Grant, Principal
from contracts.events.cards_issuance_v1 import SIGNATURE_HEADER, TIMESTAMP_HEADER
from contracts.events.members_bank_identity_v1 import BankIdentityShared
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.cards.tests.conftest import MIGRATIONS, assert_problem
from tests.support.polling import eventually
from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal, replicate_small_tree

BANK = "CTG"


class BankEndpoint:
    """The bank's webhook receiver on loopback: answers 200, 500, or too late, as the test says."""

    def __init__(self) -> None:
        self.mode, self.received, self.calls = "ok", [], 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/congdoan"
        app = Starlette(routes=[Route("/hooks/congdoan", self.receive, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning", **SERVER_OPTIONS)
        )
        self.server.install_signal_handlers = lambda: None

    async def receive(self, request: Request) -> JSONResponse:
        self.calls += 1
        if self.mode == "fail":
            return JSONResponse({"error": "down"}, status_code=500)
        body = await request.body()
        if self.mode == "slow":
            await asyncio.sleep(2)  # longer than the sender's timeout: the sender gives up first, nothing is kept
            return JSONResponse({"ok": "too late"})
        self.received.append((dict(request.headers), body))
        return JSONResponse({"ok": True})

    def steps(self) -> list[dict]:
        return [item for _, body in self.received for item in json.loads(body)["items"]]


@pytest.fixture(scope="module")
async def platform(pg_server_url, broker):
    url = await migrated_database(pg_server_url, "cards", MIGRATIONS)
    database = Database(url, 8)
    units = await replicate_small_tree(database, provinces_order_cards=True)
    settings = CardsSettings(
        database_url=url,
        internal_token_secret=TEST_SECRET,
        database_pool_size=8,
        environment="local",
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        webhook_timeout_s=0.5,
        webhook_attempts=3,
        webhook_backoff_s=0.05,
        webhook_poll_s=0.1,
    )
    await provision_topics(settings)
    relay = OutboxRelay(settings, database)
    relaying = asyncio.create_task(relay.run())
    consumer = EventConsumer(f"cards-webhooks-{uuid.uuid4().hex[:8]}", settings, database, handlers(settings))
    app = consumer.app()
    await app.start()
    bank = BankEndpoint()
    serving = asyncio.create_task(bank.server.serve())
    sender, publisher = WebhookSender(database, settings), PartnerTopicPublisher(database, settings)
    sender.start()
    publisher.start()
    try:
        async with client(create_app, settings) as http:
            yield http, database, units, bank, settings
    finally:
        await sender.stop()
        await publisher.stop()
        bank.server.should_exit = True
        await serving
        await app.stop()
        relay.stop()
        await relaying
        await database.dispose()


def as_(units, role: str, unit: str) -> dict[str, str]:
    return headers_for(principal(role, units[unit], f"{role}@{unit}"))


def bank_client(partner: str = BANK) -> dict[str, str]:
    return headers_for(
        Principal(
            user_id=None,
            username=f"client:mc_{partner.lower()}",
            client_id=f"mc_{partner}",
            partner=partner,
            grants=(Grant("cards.issuance:read", NATIONAL_CENTRE_ID),),
        )
    )


async def consenting_members(database, unit_id, count: int, prefix: int) -> list[str]:
    snapshots = [
        MemberSnapshot(
            member_id=uuid.uuid4(),
            unit_id=unit_id,
            status="active",
            full_name=f"Đoàn viên {i}",
            gender="female",
            date_of_birth=date(1990, 1, 1),
            member_code=f"{prefix:02d}{i:09d}",
            card_type="linked",
            version=2,
            has_photo=True,
        )
        for i in range(count)
    ]
    async with database.transaction() as session:
        await CardHolderRepository(session).apply(snapshots)
        await BankIdentityRepository(session).apply(
            [
                BankIdentityShared(
                    member_id=s.member_id,
                    version=3,
                    id_kind="cccd",
                    id_number=f"00119{prefix:02d}{i:05d}",
                    date_of_birth=date(1990, 1, 1),
                    phone="0912345678",
                    consent_given_on=date(2026, 11, 30),
                )
                for i, s in enumerate(snapshots)
            ]
        )
    return [str(s.member_id) for s in snapshots]


async def request(http, units, members: list[str], unit: str = "HNI-A") -> list[dict]:
    response = await http.post(
        "/api/v1/cards/requests", json={"member_ids": members}, headers=as_(units, "card_officer", unit)
    )
    assert response.status_code == 201, response.text
    return response.json()["cards"]


async def feed_event_ids(database) -> set[str]:
    async with database.transaction() as session:
        return {
            str(e)
            for e in await session.scalars(select(issuance_feed.c.event_id).where(issuance_feed.c.partner == BANK))
        }


async def test_signed_deliveries_in_feed_order_then_parked_and_retried_and_nothing_lost(platform):
    http, database, units, bank, _ = platform
    admin = as_(units, "national_admin", "TLD")
    hook = "/api/v1/cards/partners/CTG/webhook"
    before = await http.get(hook, headers=admin)
    assert_problem(before, 404, "webhook-not-found", "partner")
    # Bad partner codes change nothing: malformed is 422 on the path, an unknown bank 404.
    assert_problem(
        await http.put("/api/v1/cards/partners/ctg!/webhook", json={"url": bank.url}, headers=admin),
        422,
        "invalid-input",
        "partner",
    )
    assert_problem(
        await http.put("/api/v1/cards/partners/ZZZ/webhook", json={"url": bank.url}, headers=admin),
        404,
        "unknown-partner",
        "partner",
    )
    # Outside production a webhook goes to this machine only (production: https only); nothing is saved.
    assert_problem(
        await http.put(hook, json={"url": "http://10.1.2.3/hook"}, headers=admin), 422, "webhook-url-not-allowed", "url"
    )
    officer = await http.put(hook, json={"url": bank.url}, headers=as_(units, "card_officer", "HNI"))
    assert officer.status_code == 403, officer.text
    registered = await http.put(hook, json={"url": bank.url}, headers=admin)
    assert registered.status_code == 200, registered.text
    secret = registered.json()["secret"]
    assert secret and (await http.get(hook, headers=admin)).json()["secret"] is None

    # 1. Every step reaches the bank once, signed, in feed order; what opens the account travels with consent.
    members = await consenting_members(database, units["HNI-A"], 5, 31)
    cards = await request(http, units, members)
    placed = await http.post(
        "/api/v1/cards/print-orders",
        json={"unit_id": str(units["HNI"]), "kind": "linked"},
        headers=as_(units, "card_officer", "HNI"),
    )
    assert placed.status_code == 201, placed.text
    ids = {card["card_id"] for card in cards}
    await eventually(
        lambda: asyncio.sleep(0, bank.steps()),
        lambda steps: len([s for s in steps if s["card_id"] in ids]) == 10,
        timeout=60,
    )
    for headers, body in bank.received:
        expected = hmac.new(
            secret.encode(), headers[TIMESTAMP_HEADER.lower()].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers[SIGNATURE_HEADER.lower()] == f"sha256={expected}"
    steps = bank.steps()
    assert [s["sequence"] for s in steps] == sorted(s["sequence"] for s in steps)
    assert {(s["card_id"], s["version"], s["status"]) for s in steps} == {
        *((c, 1, "requested") for c in ids),
        *((c, 2, "ordered") for c in ids),
    }
    assert all(s["id_number"].startswith("0011931") and s["phone"] == "0912345678" for s in steps)

    # 2. An endpoint answering 500, then one too slow to answer: each step retried, then parked with the reason;
    # the next steps go on.
    bank.mode = "fail"
    [failed] = await request(http, units, await consenting_members(database, units["HNI-B"], 1, 32), "HNI-B")
    parked = await eventually(
        lambda: http.get(f"{hook}/parked", headers=admin), lambda r: len(r.json()["items"]) == 1, timeout=60
    )
    [first] = parked.json()["items"]
    assert (first["state"], first["attempts"], first["last_error"]) == ("parked", 3, "HTTP 500")
    bank.mode = "slow"
    [slow] = await request(http, units, await consenting_members(database, units["HNI-B"], 1, 33), "HNI-B")
    parked = await eventually(
        lambda: http.get(f"{hook}/parked", headers=bank_client()), lambda r: len(r.json()["items"]) == 2, timeout=60
    )
    assert parked.json()["items"][1]["last_error"].startswith("timed out")
    bank.mode = "ok"
    [later] = await request(http, units, await consenting_members(database, units["HNI-B"], 1, 34), "HNI-B")
    await eventually(
        lambda: asyncio.sleep(0, bank.steps()),
        lambda steps: later["card_id"] in {s["card_id"] for s in steps},
        timeout=60,
    )
    assert {failed["card_id"], slow["card_id"]}.isdisjoint({s["card_id"] for s in bank.steps()})

    # Another bank sees nothing of it; bad retries are refused and change nothing.
    other = await http.get(f"{hook}/parked", headers=bank_client("VCB"))
    assert_problem(other, 404, "webhook-not-found", "partner")
    assert_problem(
        await http.post(f"{hook}/parked/999999/retry", headers=admin), 404, "parked-delivery-not-found", "position"
    )

    # 3. Retried on request: delivered, and the bank has every step of its feed, each once.
    for item in parked.json()["items"]:
        retried = await http.post(f"{hook}/parked/{item['position']}/retry", headers=admin)
        assert retried.status_code == 202 and retried.json()["state"] == "retrying", retried.text
    # A second retry of the same step while it is being retried (or once delivered) is refused.
    assert_problem(
        await http.post(f"{hook}/parked/{first['position']}/retry", headers=admin), 409, "not-parked", "position"
    )
    await eventually(lambda: http.get(f"{hook}/parked", headers=admin), lambda r: r.json()["items"] == [], timeout=60)
    delivered = (await http.get(f"{hook}/parked", params={"state": "delivered"}, headers=admin)).json()["items"]
    assert {d["position"] for d in delivered} == {item["position"] for item in parked.json()["items"]}
    assert_problem(
        await http.post(f"{hook}/parked/{first['position']}/retry", headers=admin), 409, "not-parked", "position"
    )
    received = [s["event_id"] for s in bank.steps()]
    assert len(received) == len(set(received)) and set(received) == await feed_event_ids(database)
    status = (await http.get(hook, headers=admin)).json()
    assert status["parked"] == 0 and status["position"] == max(s["sequence"] for s in bank.steps())


async def test_the_bank_s_own_topic_carries_its_feed_in_order(platform):
    http, database, units, _, settings = platform
    admin = as_(units, "national_admin", "TLD")
    topic = "/api/v1/cards/partners/CTG/topic"
    assert_problem(await http.get(topic, headers=admin), 404, "topic-not-found", "partner")
    assert_problem(
        await http.put("/api/v1/cards/partners/c-t-g/topic", json={}, headers=admin), 422, "invalid-input", "partner"
    )
    assert_problem(
        await http.put("/api/v1/cards/partners/ZZZ/topic", json={}, headers=admin), 404, "unknown-partner", "partner"
    )
    enabled = await http.put(topic, json={"active": True}, headers=admin)
    assert enabled.status_code == 200 and enabled.json()["topic"] == "cards.issuance.ctg.v1", enabled.text
    await request(http, units, await consenting_members(database, units["HNI-A"], 3, 35))
    expected = await feed_event_ids(database)
    # The bank subscribes once the topic is there (a broker that creates topics on demand would make it wrong).
    await eventually(lambda: http.get(topic, headers=bank_client()), lambda r: r.json()["topic_ready_at"], timeout=30)

    consumer = AIOKafkaConsumer(
        "cards.issuance.ctg.v1",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bank-ctg-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    messages: list = []
    try:

        async def read() -> list:
            batch = await consumer.getmany(timeout_ms=500)
            messages.extend(m for records in batch.values() for m in records)
            return messages

        await eventually(read, lambda got: {dict(m.headers)["ce_id"].decode() for m in got} >= expected, timeout=60)
    finally:
        await consumer.stop()
    sequences = [int(dict(m.headers)["x-sequence"]) for m in messages]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    steps = [json.loads(m.value) for m in messages]
    assert {s["partner"] for s in steps} == {"CTG"} and all(
        m.key.decode() == s["card_id"] for m, s in zip(messages, steps, strict=True)
    )
    assert [s["sequence"] for s in steps] == sequences and all(s["id_number"] for s in steps)
    assert dict(messages[0].headers)["ce_type"] == b"cards.issuance.step"


def test_where_webhooks_may_go():
    assert url_refusal("https://bank.example.vn/hooks", "production") is None
    assert url_refusal("http://bank.example.vn/hooks", "production") == "production webhooks use https"
    assert url_refusal("http://127.0.0.1:9400/hooks", "local") is None
    assert url_refusal("http://localhost:9400/hooks", "local") is None
    assert url_refusal("http://[::1]:9400/hooks", "local") is None
    assert url_refusal("https://bank.example.vn/hooks", "local") is not None
    assert url_refusal("http://10.1.2.3/hooks", "local") is not None
