"""The client-credentials grant (RFC 6749 §4.4): a machine client trades its id and secret for an access token.

Wrong secrets count towards a lockout with the same back-off as passwords, so the use case returns an
`Outcome`: what it recorded commits, and the endpoint raises the problem after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from chassis import tree
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.crypto import PasswordHasher
from identity.adapters.repository import MachineClientRepository
from identity.application.authentication import Outcome
from identity.application.keys import SigningKeys
from identity.application.tokens import mint_client_token
from identity.config import IdentitySettings
from identity.domain.clients import (
    ClientLocked,
    ClientStatus,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    MachineClient,
)
from identity.domain.model import LockoutPolicy, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str
    client: MachineClient
    token_type: str = "Bearer"


class ClientCredentialsGrant:
    def __init__(self, session: AsyncSession, settings: IdentitySettings, hasher: PasswordHasher) -> None:
        self.session = session
        self.settings = settings
        self.hasher = hasher
        self.clients = MachineClientRepository(session)
        self.lockout = LockoutPolicy(settings.lockout_threshold, settings.lockout_base_s, settings.lockout_max_s)

    async def token(self, client_id: str, secret: str, requested_scope: str | None) -> Outcome[ClientToken]:
        now = utcnow()
        client = await self.clients.get(client_id, for_update=True)
        if client is None:
            await self.hasher.verify(None, secret)  # same time as a wrong secret: no probing for client ids
            return Outcome(problem=InvalidClient())
        if client.locked_at(now):
            return Outcome(problem=ClientLocked(client.locked_until, now))
        if not await self.hasher.verify(client.secret_hash, secret):
            counted = client.failed_attempt(now, self.lockout)
            await self.clients.save_attempt(counted)
            log.info(
                "client authentication failed",
                extra={"fields": {"client_id": client.client_id, "failures": counted.failed_attempts}},
            )
            if counted.locked_at(now):
                return Outcome(problem=ClientLocked(counted.locked_until, now))
            return Outcome(problem=InvalidClient())
        # Only a caller who knows the secret learns that the client is disabled.
        if client.status != ClientStatus.ACTIVE:
            return Outcome(
                problem=InvalidGrant(
                    f"Ứng dụng {client.client_id} đã bị vô hiệu hoá",
                    f"Client {client.client_id} is disabled",
                    code="client-disabled",
                )
            )
        unit = await tree.get_unit(self.session, client.unit_id)
        if unit is None or unit.status != "active":
            return Outcome(
                problem=InvalidGrant(
                    "Đơn vị sở hữu ứng dụng không còn hoạt động",
                    "The client's owning unit is no longer active",
                    code="client-unit-not-active",
                )
            )
        scopes = _granted(client, requested_scope)
        if isinstance(scopes, InvalidScope):
            return Outcome(problem=scopes)
        await self.clients.save_attempt(replace(client, failed_attempts=0, locked_until=None), token_at=now)
        key = await SigningKeys(self.session, self.settings).current(now)
        ttl = self.settings.access_token_ttl_s  # the JWKS keeps a retired key published for this long
        access = mint_client_token(
            key,
            client,
            scopes,
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            ttl_s=ttl,
            now=now,
        )
        log.info("client token issued", extra={"fields": {"client_id": client.client_id, "scope": " ".join(scopes)}})
        return Outcome(ClientToken(access, ttl, " ".join(scopes), client))


def _granted(client: MachineClient, requested_scope: str | None) -> tuple[str, ...] | InvalidScope:
    """The scopes asked for (all granted ones when none are named); each must be granted to the client."""
    requested = (requested_scope or "").split()
    if not requested:
        return client.scopes
    refused = [scope for scope in dict.fromkeys(requested) if scope not in client.scopes]
    if refused:
        return InvalidScope(
            "Ứng dụng không được cấp phạm vi: " + ", ".join(refused),
            "Scope not granted to this client: " + ", ".join(refused) + f" (granted: {' '.join(client.scopes)})",
            code="scope-not-granted",
            field="scope",
        )
    return tuple(scope for scope in client.scopes if scope in requested)
