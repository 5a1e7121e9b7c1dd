"""Tokens issued before a user's roles changed are refused, from the cache too; other users are untouched."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway.auth import JwksCache, TokenVerifier
from gateway.config import GatewaySettings
from gateway.problems import InvalidToken
from gateway.revocations import Revocations, apply_record
from jwt.algorithms import OKPAlgorithm


def headers(event_type: str, user_id: uuid.UUID, at: float) -> list[tuple[str, bytes]]:
    return [
        ("ce_type", event_type.encode()),
        ("ce_subject", str(user_id).encode()),
        ("ce_time", datetime.fromtimestamp(at, UTC).isoformat().encode()),
    ]


def test_revoking_events_move_the_users_horizon_forward_only():
    revocations, user, other = Revocations(), uuid.uuid4(), uuid.uuid4()
    assert apply_record(revocations, headers("identity.user.roles_changed", user, 1000.5)) == "revoked"
    assert apply_record(revocations, headers("identity.user.disabled", user, 900.0)) == "revoked"  # older: no effect
    assert apply_record(revocations, headers("identity.user.created", other, 2000.0)) == "ignored"
    # A password changed or reset, or logout everywhere, ends the access tokens too.
    ended = uuid.uuid4()
    assert apply_record(revocations, headers("identity.user.sessions_ended", ended, 1500.0)) == "revoked"
    assert not revocations.allows(ended, 1499.9) and revocations.allows(ended, 1500.0)
    assert apply_record(revocations, headers("identity.user.delegation_started", other, 2000.0)) == "ignored"
    assert apply_record(revocations, [("ce_type", b"identity.user.disabled"), ("ce_subject", b"x")]) == "malformed"

    assert not revocations.allows(user, 1000.499)
    assert revocations.allows(user, 1000.5) and revocations.allows(user, 1001.0)
    assert revocations.allows(other, 0.0) and revocations.allows(None, 0.0)
    assert len(revocations) == 2


@pytest.fixture
def signer():
    key = Ed25519PrivateKey.generate()
    jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "alg": "EdDSA", "use": "sig"}

    async def fetch():
        return {"keys": [jwk]}

    def token(user_id: uuid.UUID, issued_at: float) -> str:
        claims = {
            "iss": "congdoan-identity",
            "aud": "congdoan",
            "sub": str(user_id),
            "usr": "u",
            "grants": [],
            "iat": issued_at,
            "exp": issued_at + 600,
        }
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "k1"})

    return fetch, token


async def test_the_verifier_refuses_a_revoked_token_even_when_it_was_cached(signer):
    fetch, token = signer
    revocations, user, colleague = Revocations(), uuid.uuid4(), uuid.uuid4()
    verifier = TokenVerifier(GatewaySettings(), JwksCache(fetch, 300, 10), revocations=revocations)
    issued = round(time.time(), 3)
    before, colleagues = token(user, issued), token(colleague, issued)
    assert (await verifier.principal(before, None, None)).user_id == user  # verified and cached

    revocations.revoke(user, issued + 0.001)

    with pytest.raises(InvalidToken) as refused:
        await verifier.principal(before, None, None)
    assert refused.value.code == "token-revoked"
    assert (await verifier.principal(colleagues, None, None)).user_id == colleague
    after = token(user, issued + 0.002)
    assert (await verifier.principal(after, None, None)).user_id == user
