"""Access tokens checked locally: EdDSA signatures against identity's JWKS, fetched and cached.

Identity is asked only for its public keys: every `jwks_refresh_s`, and when a token names a
key we do not know (a rotation), at most once per `jwks_min_refetch_s`.

A token that verified is remembered (bounded LRU, keyed by the whole token) until its `exp`, so a
client's next requests skip the signature check. A remembered token is trusted only while its key is
still the one the JWKS cache hands out for its `kid`: a key that rotated away or was withdrawn
sends the token back through full verification.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import jwt
from chassis.principal import Grant, Principal
from jwt.algorithms import OKPAlgorithm

from gateway.config import GatewaySettings
from gateway.problems import InvalidToken, ServiceUnavailable

log = logging.getLogger(__name__)
ALGORITHM = "EdDSA"


class JwksCache:
    def __init__(self, fetch: Callable[[], Awaitable[dict[str, Any]]], refresh_s: float, min_refetch_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self.refresh_s = refresh_s
        self.min_refetch_s = min_refetch_s
        self.clock = clock
        self.keys: dict[str, Any] = {}
        self.fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any | None:
        now = self.clock()
        stale = self.fetched_at is None or now - self.fetched_at >= self.refresh_s
        tried_lately = self._attempted_at is not None and now - self._attempted_at < self.min_refetch_s
        if (stale or kid not in self.keys) and not tried_lately:
            await self.refresh()
        return self.keys.get(kid)

    async def refresh(self) -> bool:
        """Fetch the key set; on failure keep the keys we had. True when the fetch worked."""
        requested = self.clock()
        async with self._lock:
            if self._attempted_at is not None and self._attempted_at >= requested:
                return self.fetched_at is not None  # a concurrent caller just fetched
            self._attempted_at = self.clock()
            try:
                document = await self._fetch()
                self.keys = _eddsa_keys(document)
                self.fetched_at = self._attempted_at
                return True
            except Exception as error:  # identity down or garbage: keep serving with the keys we have
                log.warning("JWKS fetch failed", extra={"fields": {"error": repr(error)}})
                return False


def _eddsa_keys(document: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    for entry in document.get("keys", []):
        if entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519" and entry.get("alg", ALGORITHM) == ALGORITHM:
            keys[entry["kid"]] = OKPAlgorithm.from_jwk(entry)
    return keys


@dataclasses.dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal  # without request id and client address: those are the request's
    kid: str
    key: Any  # the key it verified with; trusted only while the JWKS cache still hands out this key
    expires: float  # the token's `exp` (wall clock)


class TokenVerifier:
    def __init__(self, settings: GatewaySettings, jwks: JwksCache,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.jwks = jwks
        self.wall_clock = wall_clock
        self.cache_size = settings.token_cache_size
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    async def principal(self, token: str, request_id: str | None, client_ip: str | None) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            # `jwks.key` also keeps the key set fresh (periodic refresh), as on a full check.
            if self.wall_clock() < cached.expires and await self.jwks.key(cached.kid) is cached.key:
                self._verified.move_to_end(token)
                return dataclasses.replace(cached.principal, request_id=request_id, client_ip=client_ip)
            self._verified.pop(token, None)
        verified = await self._verify(token)
        if self.cache_size > 0:
            self._verified[token] = verified
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return dataclasses.replace(verified.principal, request_id=request_id, client_ip=client_ip)

    async def _verify(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken("malformed token") from error
        # Only EdDSA: "none", HS256 signed with the public key and every other algorithm are refused outright.
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("no key id")
        key = await self.jwks.key(kid)
        if key is None:
            if self.jwks.fetched_at is None:
                raise ServiceUnavailable("Không kiểm tra được mã truy cập lúc này; vui lòng thử lại",
                                         "Cannot verify access tokens right now (identity keys unavailable)")
            raise InvalidToken("signed with an unknown key")
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=self.settings.token_audience,
                issuer=self.settings.token_issuer, leeway=self.settings.clock_skew_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("token expired", code="token-expired") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        try:
            principal = Principal(
                user_id=UUID(claims["sub"]),
                username=str(claims.get("usr", "")),
                # Delegated grants keep their delegation and delegator: the services' audit trail needs both.
                grants=tuple(Grant.from_claim(g) for g in claims.get("grants", [])),
            )
            # Remembered until `exp` itself (the leeway only excuses clock skew on a full check).
            expires = float(claims["exp"])
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidToken("malformed claims") from error
        return _Verified(principal, kid, key, expires)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
