"""Access tokens checked locally: EdDSA signatures against identity's JWKS, fetched and cached.

Identity is asked only for its public keys: every `jwks_refresh_s`, and when a token names a
key we do not know (a rotation), at most once per `jwks_min_refetch_s`.

A token that verified is remembered (bounded LRU, keyed by the whole token) until its `exp`, so a
client's next requests skip the signature check. A remembered token is trusted only while its key is
still the one the JWKS cache hands out for its `kid`: a key that rotated away or was withdrawn
sends the token back through full verification.

A machine client's token (`client_id` claim, OAuth2 client credentials) becomes a principal whose
grants name its scopes on its owning unit (`contracts.scopes`); it may call only the services its
scopes open, with their methods, and is rate-limited by the limit its token carries.
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
from contracts.scopes import SCOPES, scopes_opening
from jwt.algorithms import OKPAlgorithm

from gateway.config import GatewaySettings
from gateway.problems import InsufficientScope, InvalidToken, PasswordChangeRequired, ServiceUnavailable
from gateway.revocations import REVOKED_TOKENS, Revocations

log = logging.getLogger(__name__)
ALGORITHM = "EdDSA"


class JwksCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[dict[str, Any]]],
        refresh_s: float,
        min_refetch_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
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
class Verified:
    principal: Principal
    # A machine client's own limit (requests per minute) from its token; None for a person.
    rate_limit: int | None = None
    # The account must change its password before anything else (`PASSWORD_CHANGE_ROUTES` only).
    must_change_password: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal  # without request id and client address: those are the request's
    kid: str
    key: Any  # the key it verified with; trusted only while the JWKS cache still hands out this key
    expires: float  # the token's `exp` (wall clock)
    rate_limit: int | None = None
    issued_at: float = 0.0  # the token's `iat`: a user's tokens issued before their roles changed are refused
    must_change_password: bool = False


class TokenVerifier:
    def __init__(
        self,
        settings: GatewaySettings,
        jwks: JwksCache,
        wall_clock: Callable[[], float] = time.time,
        revocations: Revocations | None = None,
    ) -> None:
        self.settings = settings
        self.jwks = jwks
        self.revocations = revocations if revocations is not None else Revocations()
        self.wall_clock = wall_clock
        self.cache_size = settings.token_cache_size
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    async def principal(self, token: str, request_id: str | None, client_ip: str | None) -> Principal:
        return (await self.verify(token, request_id, client_ip)).principal

    async def verify(self, token: str, request_id: str | None, client_ip: str | None) -> Verified:
        cached = self._verified.get(token)
        if cached is not None:
            # `jwks.key` also keeps the key set fresh (periodic refresh), as on a full check.
            if self.wall_clock() < cached.expires and await self.jwks.key(cached.kid) is cached.key:
                self._verified.move_to_end(token)
                self._ensure_not_revoked(cached)
                return Verified(
                    dataclasses.replace(cached.principal, request_id=request_id, client_ip=client_ip),
                    cached.rate_limit,
                    cached.must_change_password,
                )
            self._verified.pop(token, None)
        verified = await self._verify(token)
        self._ensure_not_revoked(verified)
        if self.cache_size > 0:
            self._verified[token] = verified
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return Verified(
            dataclasses.replace(verified.principal, request_id=request_id, client_ip=client_ip),
            verified.rate_limit,
            verified.must_change_password,
        )

    def _ensure_not_revoked(self, verified: _Verified) -> None:
        if not self.revocations.allows(verified.principal.user_id, verified.issued_at):
            REVOKED_TOKENS.inc()
            raise InvalidToken("issued before the user's roles changed; refresh it", code="token-revoked")

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
                raise ServiceUnavailable(
                    "Không kiểm tra được mã truy cập lúc này; vui lòng thử lại",
                    "Cannot verify access tokens right now (identity keys unavailable)",
                )
            raise InvalidToken("signed with an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.settings.token_audience,
                issuer=self.settings.token_issuer,
                leeway=self.settings.clock_skew_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("token expired", code="token-expired") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        rate_limit = None
        try:
            if "client_id" in claims:
                principal, rate_limit = _client_principal(claims)
            else:
                principal = Principal(
                    user_id=UUID(claims["sub"]),
                    username=str(claims.get("usr", "")),
                    # Delegated grants keep their delegation and delegator: the services' audit trail needs both.
                    grants=tuple(Grant.from_claim(g) for g in claims.get("grants", [])),
                )
            # Remembered until `exp` itself (the leeway only excuses clock skew on a full check).
            expires = float(claims["exp"])
            issued_at = float(claims["iat"])
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidToken("malformed claims") from error
        must_change = claims.get("must_change_password") is True
        return _Verified(principal, kid, key, expires, rate_limit, issued_at, must_change)


def _client_principal(claims: dict[str, Any]) -> tuple[Principal, int]:
    """A machine client: its scopes granted on its owning unit, its partner code, its own rate limit."""
    client_id, scope, rate_limit = claims["client_id"], claims["scope"], claims["rate_limit"]
    partner = claims.get("partner")
    if not isinstance(client_id, str) or not client_id or claims["sub"] != client_id or not isinstance(scope, str):
        raise ValueError("client claims")
    if not isinstance(rate_limit, int) or isinstance(rate_limit, bool) or rate_limit < 1:
        raise ValueError("rate_limit")
    if partner is not None and not isinstance(partner, str):
        raise ValueError("partner")
    unit_id = UUID(claims["unit_id"])
    principal = Principal(
        user_id=None,
        username=f"client:{client_id}",
        grants=tuple(Grant(name, unit_id) for name in scope.split()),
        client_id=client_id,
        partner=partner,
    )
    return principal, rate_limit


# All a token of an account that must change its password may do: change it (the web app's forced change), read
# who it is, enrol the second factor, log out. Everything else is 403 `password-change-required`.
PASSWORD_CHANGE_ROUTES = frozenset(
    {
        ("POST", "/api/v1/identity/me/password"),
        ("GET", "/api/v1/identity/me"),
        ("POST", "/api/v1/identity/me/totp"),
        ("POST", "/api/v1/identity/me/totp/confirm"),
        ("POST", "/api/v1/identity/logout"),
    }
)


def ensure_may_act(verified: Verified, method: str, path: str) -> None:
    if verified.must_change_password and (method.upper(), path) not in PASSWORD_CHANGE_ROUTES:
        raise PasswordChangeRequired()


def ensure_client_may_call(principal: Principal, service: str, method: str) -> None:
    """A client reaches only the services its scopes open, with their methods (reads): identity's user and
    administration endpoints are opened by none. Refused with 403 naming the scopes that would do."""
    method = method.upper()
    for grant in principal.grants:
        scope = SCOPES.get(grant.role)
        if scope is not None and service in scope.services and method in scope.methods:
            return
    raise InsufficientScope(service, method, scopes_opening(service, method))


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
