"""Signed webhooks: each partner's feed POSTed to its endpoint, in feed order, at least once.

A sender runs beside every cards API process (`CARDS_WEBHOOKS_ENABLED`); each partner's endpoint row is locked
(`FOR UPDATE SKIP LOCKED`) by the one sender delivering to it, so several processes never send one partner's steps
twice at once or out of order. A step is POSTed alone (`IssuanceDelivery` with one item), signed with HMAC-SHA256
over `<timestamp>.<body>` with the partner's secret; a 2xx acknowledges it and the partner's position moves past
it in the same transaction. Anything else (another status, a refused connection, a timeout) is retried with
doubling pauses; after the last attempt the step is parked with the last error (visible, retried on request) and
the steps after it go on. A crash before the commit sends the batch again: the bank drops what it has by `event_id`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from chassis.database import Database
from chassis.principal import Grant, Principal
from chassis.rounds import Rounds
from contracts.events.cards_issuance_v1 import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    IssuanceDelivery,
    IssuanceStep,
)
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import Row

from cards.adapters.repository import IssuanceFeedRepository
from cards.adapters.webhooks import WebhookRepository
from cards.config import CardsSettings

log = logging.getLogger(__name__)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def url_refusal(url: str, environment: str) -> str | None:
    """Why a webhook may not be sent to `url`, or None. Production sends only over HTTPS; anywhere else (a developer's
    machine, CI) only to this machine, so no test or demo ever reaches out to another address."""
    parts = urlsplit(url)
    if environment == "production":
        return None if parts.scheme == "https" and parts.hostname else "production webhooks use https"
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return None if loopback else f"outside production webhooks go to this machine only (not {host!r})"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the partner recomputes to trust a delivery: hex HMAC-SHA256 of `<timestamp>.<body>`, as `sha256=<hex>`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sender_principal(partner: str) -> Principal:
    """The sender reads a partner's whole feed, as the partner's client registered at the national centre would."""
    return Principal(
        user_id=None,
        username=f"system:webhooks:{partner}",
        client_id=None,
        partner=partner,
        grants=(Grant("cards.issuance:read", NATIONAL_CENTRE_ID),),
    )


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    error: str | None


class WebhookSender(Rounds):
    name = "webhooks"

    def __init__(self, database: Database, settings: CardsSettings, http: httpx.AsyncClient | None = None) -> None:
        super().__init__(settings.webhook_poll_s)
        self.database, self.settings = database, settings
        self.http = http or httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)

    async def round(self) -> int:
        return await self.deliver_once()

    async def close(self) -> None:
        await self.http.aclose()

    async def deliver_once(self) -> int:
        """One round over every partner with an active endpoint; returns how many steps were settled."""
        async with self.database.transaction() as session:
            partners = await WebhookRepository(session).active_partners()
        settled = 0
        for partner in partners:
            async with self.database.transaction() as session:
                settled += await self._deliver(session, partner)
        return settled

    async def _deliver(self, session, partner: str) -> int:
        hooks, feed = WebhookRepository(session), IssuanceFeedRepository(session)
        hook = await hooks.claim(partner)
        if hook is None:
            return 0  # another sender is delivering to this partner
        principal, settled = sender_principal(partner), 0
        for parked in await hooks.retrying(partner):
            steps = await feed.page(principal, partner, None, 1, positions=[parked.position])
            outcome = await self.post(hook, steps[0]) if steps else Outcome(False, 0, "step no longer in the feed")
            if outcome.delivered:
                await hooks.delivered(partner, parked.position, outcome.attempts)
            else:
                await hooks.park(partner, parked.position, parked.event_id, outcome.attempts, outcome.error)
            settled += 1
        for step in await feed.page(principal, partner, hook.position, self.settings.webhook_batch):
            outcome = await self.post(hook, step)
            if not outcome.delivered:
                log.warning(
                    "webhook step parked", extra={"partner": partner, "position": step.sequence, "error": outcome.error}
                )
                await hooks.park(partner, step.sequence, step.event_id, outcome.attempts, outcome.error)
            await hooks.advance(partner, step.sequence)
            settled += 1
            if not outcome.delivered:
                break  # commit the parked step now; an endpoint that is down does not hold one long transaction
        return settled

    async def post(self, hook: Row, step: IssuanceStep) -> Outcome:
        refusal = url_refusal(hook.url, self.settings.environment)
        if refusal is not None:
            return Outcome(False, 0, refusal)
        body = IssuanceDelivery(partner=hook.partner, items=[step]).model_dump_json().encode()
        error = "not sent"
        for attempt in range(1, self.settings.webhook_attempts + 1):
            timestamp = str(int(time.time()))
            headers = {
                "content-type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(hook.secret, timestamp, body),
                EVENT_ID_HEADER: str(step.event_id),
            }
            try:
                response = await self.http.post(hook.url, content=body, headers=headers)
                if 200 <= response.status_code < 300:
                    return Outcome(True, attempt, None)
                error = f"HTTP {response.status_code}"
            except httpx.TimeoutException:
                error = f"timed out after {self.settings.webhook_timeout_s:g} s"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"[:500]
            if attempt < self.settings.webhook_attempts:
                pause = min(self.settings.webhook_backoff_s * 2 ** (attempt - 1), self.settings.webhook_max_backoff_s)
                # a pause between retries of one endpoint, not a wait for our own work
                if await self.rest(pause):
                    break
        return Outcome(False, self.settings.webhook_attempts, error)
