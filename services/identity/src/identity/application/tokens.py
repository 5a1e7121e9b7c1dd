"""Access tokens: short-lived EdDSA JWTs the gateway verifies locally against the JWKS (users' and clients')."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt

from identity.adapters.crypto import SigningKey
from identity.application.keys import ALGORITHM
from identity.domain.clients import MachineClient
from identity.domain.model import Grant, User


def grant_claims(grants: list[Grant]) -> list[dict[str, str]]:
    claims = []
    for grant in grants:
        claim = {"role": grant.role, "unit_id": str(grant.unit_id)}
        if grant.delegation_id:
            claim["delegation_id"] = str(grant.delegation_id)
        if grant.delegator_id:
            claim["delegator_id"] = str(grant.delegator_id)
        claims.append(claim)
    return claims


def mint_access_token(
    key: SigningKey, user: User, grants: list[Grant], *, issuer: str, audience: str, ttl_s: int, now: datetime
) -> str:
    # To the millisecond (a NumericDate may have a fraction): the gateway refuses tokens issued before a
    # role change, and the refreshed token may come within the same second as the change.
    issued = round(now.timestamp(), 3)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user.user_id),
        "usr": user.username,
        "name": user.full_name,
        "grants": grant_claims(grants),
        "home_unit_id": str(user.home_unit_id),
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": round(issued + ttl_s, 3),
    }
    if user.must_change_password:
        # The gateway lets such a token do nothing but change the password (and read /me, enrol TOTP, log out).
        claims["must_change_password"] = True
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})


def mint_client_token(
    key: SigningKey,
    client: MachineClient,
    scopes: tuple[str, ...],
    *,
    issuer: str,
    audience: str,
    ttl_s: int,
    now: datetime,
) -> str:
    """A machine client's access token (RFC 9068 claims): `client_id` set is what makes it a client's.

    It carries everything the gateway needs without asking identity: the scopes, the owning unit they
    are granted on, the partner code and the client's own rate limit.
    """
    issued = int(now.timestamp())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": client.client_id,
        "client_id": client.client_id,
        "scope": " ".join(scopes),
        "unit_id": str(client.unit_id),
        "rate_limit": client.rate_limit_per_minute,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
    }
    if client.partner_code:
        claims["partner"] = client.partner_code
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"})
