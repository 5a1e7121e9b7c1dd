"""Access tokens at the gateway: verified locally against identity's JWKS, forwarded as an internal token."""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import jwt
from chassis.principal import PUBLIC, issue_internal_token
from contracts.wellknown import NATIONAL_CENTRE_ID
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway.auth import JwksCache
from identity.application.keys import SigningKeys
from identity.domain.model import utcnow

from tests.support.services import TEST_SECRET

from .conftest import ADMIN


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def claims(**overrides) -> dict:
    now = int(time.time())
    return {
        "iss": "congdoan-identity",
        "aud": "congdoan",
        "sub": str(uuid.uuid4()),
        "usr": "ke.gia.mao",
        "name": "Kẻ Giả Mạo",
        "grants": [{"role": "national_admin", "unit_id": str(NATIONAL_CENTRE_ID)}],
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


async def identity_key(backends):
    async with backends.identity_db.transaction() as session:
        return await SigningKeys(session, backends.identity_settings).current(utcnow())


def assert_refused(response: httpx.Response, code: str = "invalid-token") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["message_vi"]
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_valid_token_reaches_the_service_as_a_principal(backends, admin_token):
    async with backends.gateway() as http:
        response = await http.post(
            "/api/v1/members/echo?unit=HNI&page=2",
            content=b'{"a": 1}',
            headers={
                **bearer(admin_token),
                "x-request-id": "req-123",
                "x-custom": "kept",
                "x-internal-token": "forged-by-client",
            },
        )
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["username"] == "admin" and echoed["public"] is False
    assert echoed["grants"] == [{"role": "national_admin", "unit_id": str(NATIONAL_CENTRE_ID)}]
    assert (echoed["request_id"], echoed["headers"]["x-request-id"]) == ("req-123", "req-123")
    assert response.headers["x-request-id"] == "req-123"
    assert echoed["query"] == "unit=HNI&page=2" and echoed["body"] == '{"a": 1}'
    assert echoed["headers"]["x-custom"] == "kept"
    assert echoed["headers"]["authorization"] is None  # the user's token stays at the gateway
    assert echoed["client_ip"] == "127.0.0.1"


async def test_request_ids_are_made_when_missing_or_malformed(backends, admin_token):
    async with backends.gateway() as http:
        made = await http.get("/api/v1/members/echo", headers=bearer(admin_token))
        junk = await http.get("/api/v1/members/echo", headers={**bearer(admin_token), "x-request-id": "a b\tc"})
    assert len(made.headers["x-request-id"]) == 32
    assert made.json()["request_id"] == made.headers["x-request-id"]
    assert junk.headers["x-request-id"] != "a b\tc"


async def test_no_token_is_refused_before_any_service_is_called(backends):
    async with backends.gateway() as http:
        response = await http.get("/api/v1/members/echo")
    assert_refused(response, code="unauthenticated")


async def test_expired_token_is_refused(backends):
    key = await identity_key(backends)
    past = int(time.time()) - 3600
    token = jwt.encode(claims(iat=past, exp=past + 600), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    async with backends.gateway() as http:
        assert_refused(await http.get("/api/v1/members/echo", headers=bearer(token)), code="token-expired")
        fresh = jwt.encode(claims(), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        assert (await http.get("/api/v1/members/echo", headers=bearer(fresh))).status_code == 200


async def test_tampered_token_is_refused(backends, admin_token):
    header, payload, signature = admin_token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["usr"] = "nguoi.khac"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    async with backends.gateway() as http:
        assert_refused(await http.get("/api/v1/members/echo", headers=bearer(f"{header}.{forged}.{signature}")))
        broken = f"{header}.{payload}.{signature[:-4]}AAAA"
        assert_refused(await http.get("/api/v1/members/echo", headers=bearer(broken)))


async def test_token_signed_with_another_key_is_refused(backends):
    real = await identity_key(backends)
    stranger = Ed25519PrivateKey.generate()
    same_kid = jwt.encode(claims(), stranger, algorithm="EdDSA", headers={"kid": real.kid})
    unknown_kid = jwt.encode(claims(), stranger, algorithm="EdDSA", headers={"kid": "not-a-key-of-ours"})
    async with backends.gateway() as http:
        assert_refused(await http.get("/api/v1/members/echo", headers=bearer(same_kid)))
        assert_refused(await http.get("/api/v1/members/echo", headers=bearer(unknown_kid)))


async def test_alg_none_and_hs256_confusion_are_refused(backends):
    real = await identity_key(backends)
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": real.kid})
    public_raw = real.public_key.public_bytes_raw()
    hmac_with_public_key = jwt.encode(claims(), public_raw, algorithm="HS256", headers={"kid": real.kid})
    async with backends.gateway() as http:
        for token in (unsigned, hmac_with_public_key, "not.a.jwt", "garbage"):
            assert_refused(await http.get("/api/v1/members/echo", headers=bearer(token)))


async def test_services_refuse_requests_that_skip_the_gateway(backends, admin_token):
    async with httpx.AsyncClient(base_url=backends.members_url) as direct:
        response = await direct.get("/api/v1/members/echo", headers=bearer(admin_token))
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
        forged = issue_internal_token(PUBLIC, "not-the-shared-secret-0123456789abcdef", "congdoan-services")
        refused = await direct.get("/api/v1/members/echo", headers={"x-internal-token": forged})
        assert refused.status_code == 401
    async with httpx.AsyncClient(base_url=backends.identity_url) as direct:
        assert (await direct.post("/api/v1/identity/login", json=ADMIN)).status_code == 401


async def test_public_routes_need_no_token_and_carry_the_public_principal(backends, admin_token):
    forged = issue_internal_token(
        PUBLIC.__class__(user_id=uuid.uuid4(), username="hacker"), TEST_SECRET, "congdoan-services"
    )
    async with backends.gateway() as http:
        lookup = await http.get(
            "/api/v1/public/lookup",
            params={"member_code": "DV123"},
            headers={"x-internal-token": forged, **bearer(admin_token)},
        )
        jwks = await http.get("/api/v1/identity/.well-known/jwks.json")
        refresh_without_token = await http.post("/api/v1/identity/token/refresh", json={"refresh_token": "z" * 43})
    assert lookup.status_code == 200, lookup.text
    assert lookup.json() == {"public": True, "member_code": "DV123", "username": "public"}
    assert jwks.status_code == 200 and jwks.json()["keys"][0]["alg"] == "EdDSA"
    assert refresh_without_token.status_code == 401
    assert refresh_without_token.json()["code"] == "invalid-refresh-token"  # identity answered, not the gateway


async def test_a_rotated_key_is_fetched_when_a_token_names_it(backends, admin_token):
    async with backends.gateway(jwks_min_refetch_s=0) as http:
        assert (await http.get("/api/v1/members/echo", headers=bearer(admin_token))).status_code == 200
        rotated = await http.post("/api/v1/identity/keys/rotate", headers=bearer(admin_token))
        assert rotated.status_code == 201, rotated.text
        login = await http.post("/api/v1/identity/login", json=ADMIN)
        new_token = login.json()["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == rotated.json()["kid"]
        assert (await http.get("/api/v1/members/echo", headers=bearer(new_token))).status_code == 200
        # Tokens of the previous key keep working until they expire.
        assert (await http.get("/api/v1/members/echo", headers=bearer(admin_token))).status_code == 200


async def test_unknown_kids_refetch_the_jwks_at_most_once_per_interval():
    now = [1000.0]
    fetches = []

    async def fetch():
        fetches.append(now[0])
        return {"keys": []}

    cache = JwksCache(fetch, refresh_s=300, min_refetch_s=10, clock=lambda: now[0])
    for _ in range(5):
        assert await cache.key("unknown") is None
    assert fetches == [1000.0]
    now[0] += 11
    assert await cache.key("unknown") is None
    assert fetches == [1000.0, 1011.0]


async def test_identity_down_at_start_is_503_not_401(backends):
    async with backends.gateway(identity_url=backends.orgtree_url) as http:
        key = await identity_key(backends)
        token = jwt.encode(claims(), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        response = await http.get("/api/v1/members/echo", headers=bearer(token))
    assert response.status_code == 503 and response.json()["code"] == "service-unavailable"


async def test_a_token_that_must_change_its_password_may_do_nothing_else(backends):
    """New accounts and reset passwords: the token carries `must_change_password`, and the gateway lets it reach
    only the password change (the web app's forced change), `/me`, TOTP enrolment and logout."""
    key = await identity_key(backends)
    token = jwt.encode(claims(must_change_password=True), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    async with backends.gateway() as http:
        refused = await http.get("/api/v1/members/echo", headers=bearer(token))
        audit = await http.get("/api/v1/audit", headers=bearer(token))
        allowed = await http.post(
            "/api/v1/identity/me/password", headers=bearer(token), json={"current_password": "x", "new_password": "y"}
        )
        plain = jwt.encode(claims(), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        ordinary = await http.get("/api/v1/members/echo", headers=bearer(plain))
    for response in (refused, audit):
        assert response.status_code == 403 and response.json()["code"] == "password-change-required"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["message_vi"] == "Bạn cần đổi mật khẩu trước khi tiếp tục"
    assert backends.fake  # the refused request never reached the service
    # Identity answers (its user is unknown there: 404), which shows the gateway let the change through.
    assert allowed.json()["code"] != "password-change-required"
    assert ordinary.status_code == 200
