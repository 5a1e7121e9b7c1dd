"""Signed webhooks: each partner's feed POSTed to its endpoint, in feed order, at least once, each partner on its own.

A sender runs beside every cards API process (`CARDS_WEBHOOKS_ENABLED`). Every `webhook_poll_s` it starts a task for
each active partner that has none in this process, so a partner whose endpoint is down (each step retried for half a
minute, then parked) delays no other partner. A task delivers to its partner only while it holds the partner's lease
(`partner_webhooks.lease_owner/lease_until`, claimed with `FOR UPDATE SKIP LOCKED` in a transaction of its own), so
several processes never send one partner's steps at once or out of order; the lease is renewed at every step and
before every retry, and nothing is locked while a sender waits on an endpoint: each step is read in one short
transaction, POSTed with none open, and settled in another. A step is POSTed alone (`IssuanceDelivery` with one
item), signed with HMAC-SHA256 over `<timestamp>.<body>` with the partner's secret; a 2xx acknowledges it and the
partner's position moves past it, only if the sender still holds the lease and the position is still where it read
it (a replay moved it: the sender reads again from there). Anything else (another status, a refused connection, a
timeout of the whole call) is retried with doubling pauses; after the last attempt the step is parked with the last
error (visible, retried on request) and the steps after it go on. A crash between the POST and the settling sends
the step again, after its lease ran out: the bank drops what it has by `event_id`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
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
from sqlalchemy.ext.asyncio import AsyncSession

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


# A lease outlives the longest a sender goes without renewing it (one whole attempt, then the longest pause before
# the next one) by this much, so a slow database round trip does not hand the partner to another sender.
LEASE_MARGIN_S = 30.0


# The sender's transactions at once, however many banks it follows. Each is a short claim, read or settle, and every
# bank's HTTP call waits outside them, so a bank that is down still delays no other; unbounded, a round over many
# banks took the API process's whole connection pool at once, and with it the database server's last connections.
SENDER_TRANSACTIONS = 2


class WebhookSender(Rounds):
    name = "webhooks"

    def __init__(
        self,
        database: Database,
        settings: CardsSettings,
        http: httpx.AsyncClient | None = None,
        owner: str | None = None,
    ) -> None:
        super().__init__(settings.webhook_poll_s)
        self.database, self.settings = database, settings
        self.http = http or httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease_s = settings.webhook_timeout_s + settings.webhook_max_backoff_s + LEASE_MARGIN_S
        self.following: dict[str, asyncio.Task] = {}
        self.transactions = asyncio.Semaphore(SENDER_TRANSACTIONS)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.transactions, self.database.transaction() as session:
            yield session

    async def round(self) -> bool:
        """Start a task for every active partner with something to send that has none running here; the tasks do the
        sending. A partner with nothing waiting is not claimed at all."""
        async with self._transaction() as session:
            partners = await WebhookRepository(session).partners_with_work()
        for partner in partners:
            task = self.following.get(partner)
            if task is None or task.done():
                self.following[partner] = asyncio.create_task(self.follow(partner), name=f"webhooks:{partner}")
        return False  # rest `webhook_poll_s`, then look again for partners with new steps

    async def close(self) -> None:
        tasks = list(self.following.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.http.aclose()

    async def follow(self, partner: str) -> int:
        """Deliver the partner's waiting steps while this sender holds its lease; returns how many were settled.
        Ends when nothing is left, another sender holds the partner, or the sender stops (the lease is given up)."""
        settled = 0
        try:
            while not self._stopping.is_set():
                async with self._transaction() as session:
                    hook = await WebhookRepository(session).claim(partner, self.owner, self.lease_s)
                    if hook is None:
                        return settled  # another sender is delivering to this partner, or it was switched off
                    retrying, steps = await self._waiting(session, hook)
                if not retrying and not steps:
                    return settled
                settled += await self._deliver(hook, retrying, steps)
        except Exception:
            log.exception("webhook delivery failed", extra={"fields": {"partner": partner}})
        finally:
            # A lease that cannot be given up (the database gone, the task cancelled) simply runs out: another
            # sender takes the partner over when it expires.
            with suppress(Exception):
                async with self._transaction() as session:
                    await WebhookRepository(session).release(partner, self.owner)
        return settled

    async def _waiting(self, session, hook: Row) -> tuple[list[tuple[Row, IssuanceStep | None]], list[IssuanceStep]]:
        """The parked steps someone asked to send again (first), and the next steps after the partner's position."""
        hooks, feed = WebhookRepository(session), IssuanceFeedRepository(session)
        principal = sender_principal(hook.partner)
        retrying = await hooks.retrying(hook.partner)
        found: dict[int, IssuanceStep] = {}
        if retrying:
            positions = [parked.position for parked in retrying]
            found = {s.sequence: s for s in await feed.page(principal, hook.partner, None, len(positions), positions)}
        steps = await feed.page(principal, hook.partner, hook.position, self.settings.webhook_batch)
        return [(parked, found.get(parked.position)) for parked in retrying], steps

    async def _deliver(
        self, hook: Row, retrying: list[tuple[Row, IssuanceStep | None]], steps: list[IssuanceStep]
    ) -> int:
        """POST each step with no transaction open, then settle it in a short one; stop at a lost lease or a
        moved position (the caller claims and reads again)."""
        partner, position, settled = hook.partner, hook.position, 0
        for parked, step in retrying:
            outcome = await self.post(hook, step, position) if step else Outcome(False, 0, "step no longer in the feed")
            if self._given_up(outcome):
                return settled
            async with self._transaction() as session:
                hooks = WebhookRepository(session)
                if await hooks.renew(partner, self.owner, self.lease_s, position) is None:
                    return settled
                if outcome.delivered:
                    await hooks.delivered(partner, parked.position, outcome.attempts)
                else:
                    await hooks.park(partner, parked.position, parked.event_id, outcome.attempts, outcome.error)
            settled += 1
        for step in steps:
            outcome = await self.post(hook, step, position)
            if self._given_up(outcome):
                return settled
            async with self._transaction() as session:
                hooks = WebhookRepository(session)
                moved = await hooks.advance(partner, self.owner, self.lease_s, position, step.sequence)
                if moved is None:
                    return settled
                if not outcome.delivered:
                    log.warning(
                        "webhook step parked",
                        extra={"fields": {"partner": partner, "position": step.sequence, "error": outcome.error}},
                    )
                    await hooks.park(partner, step.sequence, step.event_id, outcome.attempts, outcome.error)
            hook, position, settled = moved, step.sequence, settled + 1  # the endpoint as it is now
            if not hook.active:
                break
        return settled

    def _given_up(self, outcome: Outcome) -> bool:
        """A step that failed because the sender stops is not parked: whoever sends next sends it again."""
        return not outcome.delivered and self._stopping.is_set()

    async def _keep_lease(self, partner: str, position: int) -> bool:
        async with self._transaction() as session:
            return await WebhookRepository(session).renew(partner, self.owner, self.lease_s, position) is not None

    async def post(self, hook: Row, step: IssuanceStep, position: int | None = None) -> Outcome:
        """POST one step, retried with doubling pauses; before each retry the lease is renewed (at `position`),
        and a sender that lost it (or whose partner was replayed) gives the step up to whoever holds it now."""
        refusal = url_refusal(hook.url, self.settings.environment)
        if refusal is not None:
            return Outcome(False, 0, refusal)
        body = IssuanceDelivery(partner=hook.partner, items=[step]).model_dump_json().encode()
        error = "not sent"
        for attempt in range(1, self.settings.webhook_attempts + 1):
            if attempt > 1 and position is not None and not await self._keep_lease(hook.partner, position):
                return Outcome(False, attempt - 1, "another sender took the partner over")
            timestamp = str(int(time.time()))
            headers = {
                "content-type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(hook.secret, timestamp, body),
                EVENT_ID_HEADER: str(step.event_id),
            }
            try:
                # The whole call, not each of its phases: an endpoint that answers a byte at a time is a timeout.
                async with asyncio.timeout(self.settings.webhook_timeout_s):
                    response = await self.http.post(hook.url, content=body, headers=headers)
                if 200 <= response.status_code < 300:
                    return Outcome(True, attempt, None)
                error = f"HTTP {response.status_code}"
            except (httpx.TimeoutException, TimeoutError):
                error = f"timed out after {self.settings.webhook_timeout_s:g} s"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"[:500]
            if attempt < self.settings.webhook_attempts:
                pause = min(self.settings.webhook_backoff_s * 2 ** (attempt - 1), self.settings.webhook_max_backoff_s)
                # a pause between retries of one endpoint, not a wait for our own work
                if await self.rest(pause):
                    break
        return Outcome(False, self.settings.webhook_attempts, error)
