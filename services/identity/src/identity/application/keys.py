"""Signing keys: one signs at a time; retired keys stay published until their last token expired."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.crypto import (
    SecretBox,
    SigningKey,
    jwk,
    new_signing_key,
    private_bytes,
    public_bytes,
    signing_key_from,
)
from identity.adapters.repository import SigningKeyRepository
from identity.config import IdentitySettings

log = logging.getLogger(__name__)
ALGORITHM = "EdDSA"
# Time for every API replica to see the rotation plus clock skew, on top of the access-token lifetime.
PUBLISH_MARGIN = timedelta(minutes=5)


class SigningKeys:
    def __init__(self, session: AsyncSession, settings: IdentitySettings) -> None:
        self.keys = SigningKeyRepository(session)
        self.settings = settings
        self.box = SecretBox(settings.secret_encryption_key, "signing-key")

    async def current(self, now: datetime) -> SigningKey:
        """The key to sign with; the first call ever (or after max age) creates one."""
        row = await self.keys.active()
        if row is None or self._expired(row.created_at, now):
            await self.keys.lock()
            row = await self.keys.active()  # another replica may have created it while we waited
            if row is None or self._expired(row.created_at, now):
                return await self._add(now)
        return signing_key_from(row.kid, self.box.open(row.private_key))

    async def rotate(self, now: datetime) -> SigningKey:
        await self.keys.lock()
        return await self._add(now)

    async def jwks(self, now: datetime) -> dict[str, list[dict[str, str]]]:
        await self.current(now)
        return {"keys": [jwk(row.kid, row.public_key) for row in await self.keys.published(now)]}

    def _expired(self, created_at: datetime, now: datetime) -> bool:
        return created_at + timedelta(seconds=self.settings.signing_key_max_age_s) <= now

    async def _add(self, now: datetime) -> SigningKey:
        key = new_signing_key()
        await self.keys.add(key.kid, ALGORITHM, public_bytes(key.public_key), self.box.seal(private_bytes(key)), now)
        publish_until = now + timedelta(seconds=self.settings.access_token_ttl_s) + PUBLISH_MARGIN
        await self.keys.retire_all_but(key.kid, now, publish_until)
        log.info("new signing key", extra={"fields": {"kid": key.kid}})
        return key
