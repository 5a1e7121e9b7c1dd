"""The access token: a short-lived EdDSA JWT the gateway verifies locally against the JWKS."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt

from identity.adapters.crypto import SigningKey
from identity.application.keys import ALGORITHM
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
    issued = int(now.timestamp())
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
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})
