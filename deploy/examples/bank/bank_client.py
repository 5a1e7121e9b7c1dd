"""A reference bank client for the trade-union platform's linked cards.

It receives the steps of the bank's linked cards (`cards.issuance.v1`, see /asyncapi/banks.json) by the platform's
signed webhooks (standard library only), checking each call's HMAC-SHA256 signature and timestamp, and/or from the
bank's own Kafka topic `cards.issuance.<partner>.v1` (confluent-kafka, `pip install confluent-kafka`). It drops a
step it has seen (by `event_id`, kept in SQLite, so a redelivery, a replay, the other channel or a restart changes
nothing), and answers each card waiting in an order through the platform's API with an OAuth2 client-credentials
token: issued (with its own card number and the date) or rejected (with a reason: here, a card whose member did not
consent to share an ID number). Answers already given (409 `already-answered`) count as answered. A webhook call is
acknowledged (200), and a topic's offset committed, only once the steps are stored, so nothing is lost.

    python bank_client.py --platform http://127.0.0.1:8000 --listen 127.0.0.1:9400 --state bank.sqlite3
    python bank_client.py --platform http://127.0.0.1:8000 --kafka-bootstrap 127.0.0.1:9092 \
        --topic cards.issuance.ctg.v1 --group bank-ctg --state bank.sqlite3
    (with BANK_CLIENT_ID, BANK_CLIENT_SECRET, and BANK_WEBHOOK_SECRET for webhooks, in the environment; for a
    production broker also BANK_KAFKA_USERNAME, BANK_KAFKA_PASSWORD, BANK_KAFKA_CA_FILE: SASL_SSL, SCRAM-SHA-512)

This is an example to copy, not a bank: a real one opens the account and prints the card before it answers.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import logging
import os
import queue
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIGNATURE_HEADER = "X-Congdoan-Signature"
TIMESTAMP_HEADER = "X-Congdoan-Timestamp"
MAX_SKEW_S = 300
TOKEN_PATH = "/api/v1/identity/oauth/token"
log = logging.getLogger("bank")

SCHEMA = """
CREATE TABLE IF NOT EXISTS steps (event_id TEXT PRIMARY KEY, sequence INTEGER, card_id TEXT, version INTEGER,
                                  status TEXT, has_identity INTEGER, received_at REAL,
                                  times_seen INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS answers (card_id TEXT PRIMARY KEY, outcome TEXT, http_status INTEGER, answered_at REAL);
"""


class Store:
    """What the bank has received and answered; one connection, guarded by a lock (the server is threaded)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    def add_steps(self, items: list[dict]) -> list[dict]:
        """Store the steps not seen before, in one transaction; returns those new ones."""
        new = []
        with self.lock:
            self.db.execute("BEGIN")
            for item in items:
                seen = self.db.execute(
                    "UPDATE steps SET times_seen = times_seen + 1 WHERE event_id = ?", (item["event_id"],)
                ).rowcount
                if not seen:
                    self.db.execute(
                        "INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                        (
                            item["event_id"],
                            item["sequence"],
                            item["card_id"],
                            item["version"],
                            item["status"],
                            int(bool(item.get("id_number"))),
                            time.time(),
                        ),
                    )
                    new.append(item)
            self.db.execute("COMMIT")
        return new

    def answered(self, card_id: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM answers WHERE card_id = ?", (card_id,)).fetchone() is not None

    def record_answer(self, card_id: str, outcome: str, status: int) -> None:
        with self.lock:
            self.db.execute(
                "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)", (card_id, outcome, status, time.time())
            )


def valid_signature(secret: str, headers, body: bytes, now: float) -> bool:
    timestamp, given = headers.get(TIMESTAMP_HEADER, ""), headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_S:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


class Platform:
    """The platform's API as the bank's machine client: a token by client credentials, renewed before it expires."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url, self.client_id, self.client_secret = base_url.rstrip("/"), client_id, client_secret
        self.token, self.expires = "", 0.0

    def _bearer(self) -> str:
        if time.time() > self.expires - 30:
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            request = urllib.request.Request(
                self.base_url + TOKEN_PATH,
                data=b"grant_type=client_credentials",
                method="POST",
                headers={"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                issued = json.load(response)
            self.token, self.expires = issued["access_token"], time.time() + issued["expires_in"]
        return self.token

    def answer(self, card_id: str, body: dict) -> int:
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/cards/issuance/cards/{card_id}/answer",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"authorization": f"Bearer {self._bearer()}", "content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            problem = json.loads(refused.read() or b"{}")
            log.warning("answer refused: %s %s", refused.code, problem.get("code"))
            return 409 if problem.get("code") == "already-answered" else refused.code


def decision(step: dict) -> dict:
    """Issue when the member's identity came with the step (consent), reject otherwise."""
    if not step.get("id_number"):
        return {"outcome": "rejected", "reason": "Thiếu số định danh của đoàn viên (chưa đồng ý chia sẻ)"}
    digits = "".join(c for c in step["card_id"].replace("-", "") if c.isdigit())
    return {
        "outcome": "issued",
        "bank_card_number": ("970415" + digits + "0" * 10)[:16],
        "issued_on": date.today().isoformat(),
    }


class Answerer(threading.Thread):
    """Answers cards waiting in an order, one at a time, off the webhook's request; retried on the next step."""

    def __init__(self, store: Store, platform: Platform) -> None:
        super().__init__(daemon=True)
        self.store, self.platform = store, platform
        self.waiting: queue.Queue[dict | None] = queue.Queue()

    def run(self) -> None:
        while (step := self.waiting.get()) is not None:
            if self.store.answered(step["card_id"]):
                continue
            body = decision(step)
            try:
                status = self.platform.answer(step["card_id"], body)
            except OSError as failure:  # the platform is unreachable: leave it unanswered, log without data
                log.warning("answer not sent: %s", type(failure).__name__)
                continue
            if status in (200, 409):
                self.store.record_answer(step["card_id"], body["outcome"], status)


def handler_for(store: Store, secret: str, answerer: Answerer):
    class WebhookHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if not valid_signature(secret, self.headers, body, time.time()):
                self._reply(401, {"error": "bad signature"})
                return
            try:
                items = json.loads(body)["items"]
            except (ValueError, KeyError):
                self._reply(400, {"error": "unreadable"})
                return
            for step in store.add_steps(items):
                if step["status"] == "ordered":
                    answerer.waiting.put(step)
            self._reply(200, {"received": len(items)})

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args) -> None:  # no personal data in logs
            pass

    return WebhookHandler


def follow_topic(
    store: Store, answerer: Answerer, bootstrap: str, topic: str, group: str, stopping: threading.Event
) -> None:
    """Read the bank's own topic in its order; commit an offset only after its steps are stored."""
    from confluent_kafka import Consumer, KafkaError  # only this channel needs it

    config = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    }
    if os.environ.get("BANK_KAFKA_USERNAME"):
        config |= {
            "security.protocol": "SASL_SSL",
            "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": os.environ["BANK_KAFKA_USERNAME"],
            "sasl.password": os.environ["BANK_KAFKA_PASSWORD"],
            "ssl.ca.location": os.environ.get("BANK_KAFKA_CA_FILE", ""),
        }
    consumer = Consumer(config)
    consumer.subscribe([topic])
    try:
        while not stopping.is_set():
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    log.warning("topic error: %s", message.error())
                continue
            for step in store.add_steps([json.loads(message.value())]):
                if step["status"] == "ordered":
                    answerer.waiting.put(step)
            consumer.commit(message=message, asynchronous=False)
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platform", required=True, help="the gateway's address, e.g. https://doanvien.example.vn")
    parser.add_argument("--listen", help="host:port of the webhook receiver (webhooks)")
    parser.add_argument("--kafka-bootstrap", help="host:port of the platform's Kafka (the bank's own topic)")
    parser.add_argument("--topic", default="cards.issuance.ctg.v1")
    parser.add_argument("--group", default="bank-ctg", help="the bank's consumer group")
    parser.add_argument("--state", default="bank.sqlite3", help="SQLite file of steps seen and answers given")
    args = parser.parse_args()
    if not (args.listen or args.kafka_bootstrap):
        parser.error("give --listen (webhooks), --kafka-bootstrap (the topic), or both")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    store = Store(args.state)
    platform = Platform(args.platform, os.environ["BANK_CLIENT_ID"], os.environ["BANK_CLIENT_SECRET"])
    answerer = Answerer(store, platform)
    answerer.start()
    stopping = threading.Event()
    try:
        if args.listen:
            if args.kafka_bootstrap:
                threading.Thread(
                    target=follow_topic,
                    daemon=True,
                    args=(store, answerer, args.kafka_bootstrap, args.topic, args.group, stopping),
                ).start()
            host, port = args.listen.rsplit(":", 1)
            secret = os.environ["BANK_WEBHOOK_SECRET"]
            server = ThreadingHTTPServer((host, int(port)), handler_for(store, secret, answerer))
            log.info("receiving webhooks on http://%s:%s/", host, port)
            server.serve_forever()
        else:
            log.info("following %s", args.topic)
            follow_topic(store, answerer, args.kafka_bootstrap, args.topic, args.group, stopping)
    finally:
        stopping.set()
        answerer.waiting.put(None)


if __name__ == "__main__":
    main()
