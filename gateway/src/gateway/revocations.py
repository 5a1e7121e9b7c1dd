"""Access tokens that stop working before they expire, without asking identity on every request.

When a user's roles change (a handover takes them away), the account is disabled, a delegation to
them ends, or their sessions end (password changed or reset, logout everywhere), identity announces it on
`identity.user.v1`. The gateway reads that topic into memory and
refuses every token of that user issued before the event: the client refreshes, and gets a token
with the grants of now, or no token at all. Tokens are short-lived, so only events younger than
the token lifetime matter; the topic's retention only has to cover that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from contracts.events.identity_user_v1 import (
    TOPIC,
    DelegationEnded,
    UserDisabled,
    UserRolesChanged,
    UserSessionsEnded,
)
from prometheus_client import Counter

from gateway.config import GatewaySettings
from gateway.feeds import TopicFeed

log = logging.getLogger(__name__)

REVOKING_EVENTS = frozenset(
    e.event_type.encode() for e in (UserRolesChanged, UserDisabled, DelegationEnded, UserSessionsEnded)
)
REVOCATION_EVENTS = Counter(
    "gateway_revocation_events_total", "identity.user.v1 events read by the gateway", ["outcome"]
)
REVOKED_TOKENS = Counter("gateway_revoked_tokens_total", "Requests refused because their token was revoked")


class Revocations:
    """user → the moment before which their tokens no longer count. Keys are `UUID.int`."""

    def __init__(self) -> None:
        self._not_before: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._not_before)

    def revoke(self, user_id: UUID, at: float) -> None:
        key = user_id.int
        if at > self._not_before.get(key, 0.0):
            self._not_before[key] = at

    def allows(self, user_id: UUID | None, issued_at: float) -> bool:
        if user_id is None:
            return True
        return issued_at >= self._not_before.get(user_id.int, 0.0)


def apply_record(revocations: Revocations, headers: Iterable[tuple[str, bytes | None]] | None) -> str:
    """Apply one `identity.user.v1` record from its CloudEvents headers alone (type, subject = user, time)."""
    found = {name: raw for name, raw in headers or () if raw is not None}
    if found.get("ce_type") not in REVOKING_EVENTS:
        return "ignored"
    try:
        user_id = UUID(found["ce_subject"].decode())
        at = datetime.fromisoformat(found["ce_time"].decode()).timestamp()
    except (KeyError, ValueError) as error:
        log.warning("unreadable user event skipped", extra={"fields": {"error": repr(error)}})
        return "malformed"
    revocations.revoke(user_id, at)
    return "revoked"


class RevocationFeed(TopicFeed):
    def __init__(self, settings: GatewaySettings, revocations: Revocations) -> None:
        super().__init__(settings, TOPIC, client_id="gateway-revocations")
        self.revocations = revocations

    def apply(self, record) -> None:
        REVOCATION_EVENTS.labels(apply_record(self.revocations, record.headers)).inc()
