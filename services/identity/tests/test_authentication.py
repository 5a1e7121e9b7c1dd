"""Logging in, lockout, refresh-token rotation, logout, the JWKS, key rotation and TOTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
import pyotp
from chassis.tables import outbox_events
from contracts.wellknown import NATIONAL_CENTRE_ID
from identity.adapters.tables import login_failures, refresh_tokens, users
from identity.domain.model import LoginDelayPolicy
from sqlalchemy import select, update

from tests.support.services import TEST_SECRET

from .support import ADMIN, internal_headers, principal_of


def verify(access_token: str, jwks: dict) -> dict:
    keys = jwt.PyJWKSet.from_dict(jwks)
    kid = jwt.get_unverified_header(access_token)["kid"]
    return jwt.decode(
        access_token, keys[kid].key, algorithms=["EdDSA"], audience="congdoan", issuer="congdoan-identity"
    )


async def jwks(identity) -> dict:
    response = await identity.http.get("/api/v1/identity/.well-known/jwks.json", headers=identity.public)
    assert response.status_code == 200
    return response.json()


async def set_locked_until(identity, username: str, when: datetime) -> None:
    """Make every lock of the account (from any address) run out at `when`."""
    async with identity.db.transaction() as session:
        user_id = await session.scalar(select(users.c.user_id).where(users.c.username == username))
        await session.execute(
            update(login_failures).where(login_failures.c.user_id == user_id).values(locked_until=when)
        )


async def user_row(identity, username: str):
    async with identity.db.transaction() as session:
        return (await session.execute(select(users).where(users.c.username == username))).one()


async def test_admin_logs_in_and_the_jwks_verifies_the_token(identity):
    response = await identity.login(" ADMIN ", ADMIN[1])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA"
    claims = verify(body["access_token"], await jwks(identity))
    assert claims["usr"] == "admin"
    assert abs(claims["exp"] - claims["iat"] - 600) < 0.01
    assert claims["grants"] == [{"role": "national_admin", "unit_id": str(NATIONAL_CENTRE_ID)}]
    assert claims["home_unit_id"] == str(NATIONAL_CENTRE_ID)
    assert {"sub", "name", "jti"} <= set(claims)
    # The refresh token is opaque: nothing of it is stored but its hash.
    async with identity.db.transaction() as session:
        stored = list(await session.scalars(select(refresh_tokens.c.token_hash)))
    assert body["refresh_token"] not in stored and len(stored) >= 1


async def test_the_first_migration_created_and_announced_the_administrator(identity):
    async with identity.db.transaction() as session:
        admin_id = await session.scalar(select(users.c.user_id).where(users.c.username == "admin"))
        payloads = list(
            await session.scalars(
                select(outbox_events.c.payload).where(
                    outbox_events.c.event_type == "identity.user.created", outbox_events.c.message_key == str(admin_id)
                )
            )
        )
    [announced] = [json.loads(p) for p in payloads]
    assert announced["roles"] == [{"role": "national_admin", "unit_id": str(NATIONAL_CENTRE_ID)}]
    assert announced["home_unit_id"] == str(NATIONAL_CENTRE_ID)


async def test_wrong_password_and_unknown_user_get_the_same_answer(identity):
    wrong = await identity.login("admin", "Sai-mat-khau-1")
    unknown = await identity.login("khong-ton-tai", "Sai-mat-khau-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid-credentials"
    assert wrong.json()["message_vi"] == unknown.json()["message_vi"] == "Tên đăng nhập hoặc mật khẩu không đúng"
    assert "access_token" not in wrong.text
    assert (await identity.login(*ADMIN)).status_code == 200  # one failure does not lock and is then reset
    assert (await user_row(identity, "admin")).failed_logins == 0


async def test_lockout_after_five_failures_backs_off_exponentially(identity):
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password="Dung-mat-khau-9")
    name, here = user["username"], "198.51.100.20"
    for _ in range(4):
        assert (await identity.login(name, "Sai-mat-khau-1", here)).json()["code"] == "invalid-credentials"
    fifth = await identity.login(name, "Sai-mat-khau-1", here)
    assert fifth.status_code == 423 and fifth.json()["code"] == "account-locked"
    assert 55 <= int(fifth.headers["retry-after"]) <= 61
    assert "khoá" in fifth.json()["message_vi"]
    # While locked even the right password is refused from that address, without checking it.
    locked = await identity.login(name, "Dung-mat-khau-9", here)
    assert locked.status_code == 423
    assert (await user_row(identity, name)).failed_logins == 5  # what administrators see

    # The lock ran out; one more failure locks for twice as long.
    await set_locked_until(identity, name, datetime.now(UTC) - timedelta(seconds=1))
    sixth = await identity.login(name, "Sai-mat-khau-1", here)
    assert sixth.status_code == 423
    assert 115 <= int(sixth.headers["retry-after"]) <= 121

    await set_locked_until(identity, name, datetime.now(UTC) - timedelta(seconds=1))
    assert (await identity.login(name, "Dung-mat-khau-9", here)).status_code == 200
    row = await user_row(identity, name)
    assert (row.failed_logins, row.locked_until, row.login_delay_until) == (0, None, None)
    # The address's failures are forgotten; the address is kept as one the account logs in from.
    assert (
        await identity.count(
            login_failures,
            login_failures.c.user_id == row.user_id,
            login_failures.c.failures == 0,
            login_failures.c.last_success_at.isnot(None),
        )
        == 1
    )


async def test_failures_from_one_address_do_not_lock_the_account_for_another(identity):
    """Someone guessing from address A locks A out of the account; its owner at address B logs in as ever,
    and A stays locked (brute force from one address is still stopped)."""
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password="Dung-mat-khau-9")
    name, attacker, owner = user["username"], "203.0.113.50", "198.51.100.60"
    answers = [(await identity.login(name, f"Doan-sai-{n}x", attacker)).status_code for n in range(7)]
    assert answers == [401, 401, 401, 401, 423, 423, 423]
    assert (await identity.login(name, "Dung-mat-khau-9", attacker)).status_code == 423

    assert (await identity.login(name, "Dung-mat-khau-9", owner)).status_code == 200
    # The owner's success forgets only the owner's failures: the attacker's address stays locked.
    assert (await identity.login(name, "Dung-mat-khau-9", attacker)).status_code == 423
    # The owner mistyping once from B counts at B alone.
    assert (await identity.login(name, "Sai-mat-khau-1", owner)).json()["code"] == "invalid-credentials"
    assert (await identity.login(name, "Dung-mat-khau-9", owner)).status_code == 200


async def set_login_delay_until(identity, username: str, when: datetime) -> None:
    async with identity.db.transaction() as session:
        await session.execute(update(users).where(users.c.username == username).values(login_delay_until=when))


async def test_guessing_from_many_addresses_is_slowed_down_account_wide_without_locking_the_owner_out(identity):
    """One wrong password from each of many addresses never meets the per-address lock; past ten failures of the
    account a new address waits (1 s, then 2 s, 4 s, … up to a minute) before its next try, while the owner logs
    in at once from an address they used before."""
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password="Dung-mat-khau-9")
    name, owner = user["username"], "198.51.100.70"
    assert (await identity.login(name, "Dung-mat-khau-9", owner)).status_code == 200
    answers = [(await identity.login(name, f"Doan-sai-{n}x", f"203.0.113.{n}")).json()["code"] for n in range(10)]
    assert answers == ["invalid-credentials"] * 10  # no address met its own lock
    assert (await user_row(identity, name)).login_delay_until is not None

    delayed = await identity.login(name, "Doan-sai-11x", "203.0.113.11")
    assert delayed.status_code == 429 and delayed.json()["code"] == "login-delayed", delayed.text
    assert delayed.headers["retry-after"] in ("1", "2")
    assert "thử lại sau" in delayed.json()["message_vi"]
    # Answered before the password is checked: even the right one from a new address waits, and is not counted.
    assert (await identity.login(name, "Dung-mat-khau-9", "203.0.113.12")).json()["code"] == "login-delayed"
    assert (await user_row(identity, name)).failed_logins == 10

    # The delay ran out: one more try, and a failure doubles the delay.
    await set_login_delay_until(identity, name, datetime.now(UTC) - timedelta(seconds=1))
    assert (await identity.login(name, "Doan-sai-13x", "203.0.113.13")).json()["code"] == "invalid-credentials"
    again = await identity.login(name, "Doan-sai-14x", "203.0.113.14")
    assert again.json()["code"] == "login-delayed" and again.headers["retry-after"] in ("2", "3")

    # The owner is not held back where they logged in before, and their success ends the delay.
    assert (await identity.login(name, "Dung-mat-khau-9", owner)).status_code == 200
    row = await user_row(identity, name)
    assert (row.failed_logins, row.login_delay_until) == (0, None)
    assert (await identity.login(name, "Doan-sai-15x", "203.0.113.15")).json()["code"] == "invalid-credentials"


def test_the_login_delay_doubles_up_to_its_ceiling():
    policy = LoginDelayPolicy(threshold=10, base_s=1.0, max_s=60.0)
    assert [policy.delay_for(n) for n in (1, 9)] == [None, None]
    assert [policy.delay_for(n).total_seconds() for n in (10, 11, 12, 15, 16, 10_000)] == [1, 2, 4, 32, 60, 60]


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(identity):
    first = (await identity.login(*ADMIN)).json()
    other_session = (await identity.login(*ADMIN)).json()

    second = await identity.refresh(first["refresh_token"])
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert principal_of(second.json()["access_token"]).username == "admin"
    third = await identity.refresh(second.json()["refresh_token"])
    assert third.status_code == 200

    reused = await identity.refresh(first["refresh_token"])
    assert reused.status_code == 401 and reused.json()["code"] == "refresh-token-reused"
    # The newest token of that family was valid a moment ago and is now revoked too.
    latest = await identity.refresh(third.json()["refresh_token"])
    assert latest.status_code == 401 and latest.json()["code"] == "refresh-token-revoked"
    # Another session of the same user is a different family and keeps working.
    assert (await identity.refresh(other_session["refresh_token"])).status_code == 200
    assert (await identity.refresh("x" * 43)).json()["code"] == "invalid-refresh-token"


async def test_logout_revokes_the_family_and_only_for_its_owner(identity):
    admin_headers = await identity.admin()
    user = await identity.create_user(admin_headers, identity.units["HNI"], password="Mat-khau-dang-xuat-1")
    session = (await identity.login(user["username"], "Mat-khau-dang-xuat-1")).json()
    rotated = (await identity.refresh(session["refresh_token"])).json()
    headers = internal_headers(principal_of(rotated["access_token"]))

    # Someone else's logout with this token changes nothing.
    await identity.http.post(
        "/api/v1/identity/logout", json={"refresh_token": rotated["refresh_token"]}, headers=admin_headers
    )
    still = await identity.refresh(rotated["refresh_token"])
    assert still.status_code == 200

    out = await identity.http.post(
        "/api/v1/identity/logout", json={"refresh_token": still.json()["refresh_token"]}, headers=headers
    )
    assert out.status_code == 204
    after = await identity.refresh(still.json()["refresh_token"])
    assert after.status_code == 401 and after.json()["code"] == "refresh-token-revoked"


async def test_logout_needs_a_signed_in_user(identity):
    response = await identity.http.post(
        "/api/v1/identity/logout", json={"refresh_token": "y" * 43}, headers=identity.public
    )
    assert response.status_code == 401


async def test_requests_without_the_gateway_token_are_refused(identity):
    for method, path, body in [
        ("POST", "/api/v1/identity/login", {"username": "admin", "password": ADMIN[1]}),
        ("GET", "/api/v1/identity/users", None),
        ("GET", "/api/v1/identity/.well-known/jwks.json", None),
    ]:
        response = await identity.http.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    forged = {
        "x-internal-token": jwt.encode(
            {"sub": "public", "aud": "congdoan-services", "iss": "gateway"}, "not-" + TEST_SECRET, algorithm="HS256"
        )
    }
    assert (await identity.http.get("/api/v1/identity/users", headers=forged)).status_code == 401


async def test_rotation_publishes_both_keys_and_old_tokens_still_verify(identity):
    before = (await identity.login(*ADMIN)).json()["access_token"]
    admin_headers = internal_headers(principal_of(before))
    rotated = await identity.http.post("/api/v1/identity/keys/rotate", headers=admin_headers)
    assert rotated.status_code == 201
    after = (await identity.login(*ADMIN)).json()["access_token"]
    assert jwt.get_unverified_header(after)["kid"] == rotated.json()["kid"]
    assert jwt.get_unverified_header(before)["kid"] != rotated.json()["kid"]
    published = await jwks(identity)
    assert {jwt.get_unverified_header(t)["kid"] for t in (before, after)} <= {k["kid"] for k in published["keys"]}
    assert verify(before, published)["usr"] == verify(after, published)["usr"] == "admin"

    officer = await identity.create_user(
        admin_headers, identity.units["HNI"], roles=[("unit_admin", identity.units["HNI"])]
    )
    officer_headers = await identity.headers_of(officer["username"], "Matkhau2025x")
    refused = await identity.http.post("/api/v1/identity/keys/rotate", headers=officer_headers)
    assert refused.status_code == 403


async def test_totp_enrolment_then_login_needs_a_fresh_code(identity):
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password="Hai-lop-bao-ve-7")
    name = user["username"]
    headers = await identity.headers_of(name, "Hai-lop-bao-ve-7")
    enrolment = await identity.http.post("/api/v1/identity/me/totp", headers=headers)
    assert enrolment.status_code == 201
    assert enrolment.json()["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolment.json()["secret"])

    wrong = await identity.http.post("/api/v1/identity/me/totp/confirm", json={"code": "000000"}, headers=headers)
    if totp.now() != "000000":
        assert wrong.status_code == 422 and wrong.json()["code"] == "invalid-totp"
    code = totp.now()
    assert (
        await identity.http.post("/api/v1/identity/me/totp/confirm", json={"code": code}, headers=headers)
    ).status_code == 200

    missing = await identity.login(name, "Hai-lop-bao-ve-7")
    assert missing.status_code == 401 and missing.json()["code"] == "totp-required"
    # The code used to confirm cannot be replayed to log in.
    replayed = await identity.login(name, "Hai-lop-bao-ve-7", totp_code=code)
    assert replayed.status_code == 401 and replayed.json()["code"] == "invalid-totp"
    next_code = totp.at(datetime.now(UTC) + timedelta(seconds=30))
    ok = await identity.login(name, "Hai-lop-bao-ve-7", totp_code=next_code)
    assert ok.status_code == 200, ok.text
    assert UUID(principal_of(ok.json()["access_token"]).user_id.hex) == UUID(user["user_id"])


async def test_changing_my_password_ends_my_sessions(identity):
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password="Mat-khau-cu-2025")
    session = (await identity.login(user["username"], "Mat-khau-cu-2025")).json()
    assert session["must_change_password"] is True
    headers = internal_headers(principal_of(session["access_token"]))
    weak = await identity.http.post(
        "/api/v1/identity/me/password",
        json={"current_password": "Mat-khau-cu-2025", "new_password": "ngan1"},
        headers=headers,
    )
    assert weak.status_code == 422 and weak.json()["field"] == "new_password"
    changed = await identity.http.post(
        "/api/v1/identity/me/password",
        json={"current_password": "Mat-khau-cu-2025", "new_password": "Mat-khau-moi-2026"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (await identity.refresh(session["refresh_token"])).status_code == 401
    assert (await identity.login(user["username"], "Mat-khau-cu-2025")).status_code == 401
    fresh = await identity.login(user["username"], "Mat-khau-moi-2026")
    assert fresh.status_code == 200 and fresh.json()["must_change_password"] is False


async def test_outside_the_local_demo_the_bootstrap_admin_must_change_its_password_first(identity):
    from identity.application.bootstrap import create_bootstrap_admin
    from identity.config import IdentitySettings

    production = IdentitySettings(
        environment="production",
        bootstrap_admin_username="quantri.dau.tien",
        bootstrap_admin_password="Mat-khau-ban-giao-2026",
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
    )
    async with identity.db.engine.begin() as connection:
        await connection.run_sync(lambda sync: create_bootstrap_admin(sync, production))
    login = await identity.login("quantri.dau.tien", "Mat-khau-ban-giao-2026")
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    assert (await user_row(identity, "admin")).must_change_password is False  # the local demo's, as it was
