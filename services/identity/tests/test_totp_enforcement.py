"""TOTP required of administrators, enrolment at login, recovery codes, and forced enrolment by an admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pyotp
from chassis.database import Database
from chassis.tables import outbox_events
from identity.adapters.tables import users
from identity.application.authentication import hash_recovery_code, recovery_code_matches
from identity.entrypoints.api import create_app
from sqlalchemy import select

from .support import ADMIN, internal_headers, principal_of

PASSWORD = "Hai-lop-bao-ve-7"


async def strict(identity):
    """The same database behind an app that enforces TOTP for administrators (the production default)."""
    settings = identity.settings.model_copy(update={"require_totp_for_admins": True})
    app = create_app(settings, Database(settings.database_url, 2))
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://identity")


async def post(http, identity, path, body):
    return await http.post(f"/api/v1/identity{path}", json=body, headers=identity.public)


async def enrol_at_login(http, identity, username):
    """Enrol through the login-time endpoints; returns (totp, recovery codes, tokens)."""
    enrolment = await post(http, identity, "/login/totp", {"username": username, "password": PASSWORD})
    assert enrolment.status_code == 201, enrolment.text
    totp = pyotp.TOTP(enrolment.json()["secret"])
    wrong_password = await post(
        http, identity, "/login/totp/confirm", {"username": username, "password": "Sai-mat-khau-1", "code": totp.now()}
    )
    assert wrong_password.status_code == 401
    confirmed = await post(
        http, identity, "/login/totp/confirm", {"username": username, "password": PASSWORD, "code": totp.now()}
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    return totp, body["recovery_codes"], body


def test_the_setting_defaults_to_enforcement():
    from identity.config import IdentitySettings

    assert IdentitySettings().require_totp_for_admins is True


def test_recovery_codes_are_salted_hashes():
    first, second = hash_recovery_code("abcde-fghjk"), hash_recovery_code("abcde-fghjk")
    assert first != second and "abcde" not in first
    assert recovery_code_matches(first, "ABCDE-FGHJK") and recovery_code_matches(second, "abcdefghjk")
    assert not recovery_code_matches(first, "abcde-fghjm")


async def test_an_administrator_without_totp_gets_no_tokens_until_enrolled(identity):
    admin = await identity.admin()
    unit_admin = await identity.create_user(
        admin, identity.units["HNI"], password=PASSWORD, roles=[("unit_admin", identity.units["HNI"])]
    )
    officer = await identity.create_user(admin, identity.units["HNI"], password=PASSWORD)
    app, http = await strict(identity)
    async with http:
        refused = await post(http, identity, "/login", {"username": unit_admin["username"], "password": PASSWORD})
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "totp-enrolment-required"
        assert "access_token" not in refused.json()
        # A wrong password still gets the ordinary answer (nothing about enrolment leaks).
        wrong = await post(http, identity, "/login", {"username": unit_admin["username"], "password": "Sai-mat-khau-1"})
        assert wrong.status_code == 401 and wrong.json()["code"] == "invalid-credentials"
        # Others are not forced, and cannot use the login-time enrolment.
        plain = await post(http, identity, "/login", {"username": officer["username"], "password": PASSWORD})
        assert plain.status_code == 200, plain.text
        not_needed = await post(http, identity, "/login/totp", {"username": officer["username"], "password": PASSWORD})
        assert not_needed.status_code == 422 and not_needed.json()["code"] == "totp-enrolment-not-required"

        totp, codes, tokens = await enrol_at_login(http, identity, unit_admin["username"])
        assert len(codes) == 10 and len(set(codes)) == 10
        assert principal_of(tokens["access_token"]).username == unit_admin["username"]
        missing = await post(http, identity, "/login", {"username": unit_admin["username"], "password": PASSWORD})
        assert missing.status_code == 401 and missing.json()["code"] == "totp-required"
        next_code = totp.at(datetime.now(UTC) + timedelta(seconds=30))
        ok = await post(
            http, identity, "/login", {"username": unit_admin["username"], "password": PASSWORD, "totp_code": next_code}
        )
        assert ok.status_code == 200, ok.text
    await app.state.database.dispose()
    # The bootstrap admin of these tests runs with enforcement off, as the local runner does.
    assert (await identity.login(*ADMIN)).status_code == 200


async def test_recovery_codes_replace_a_totp_code_once_each(identity):
    admin = await identity.admin()
    user = await identity.create_user(admin, identity.units["HNI"], password=PASSWORD)
    headers = await identity.headers_of(user["username"], PASSWORD)
    enrolment = await identity.http.post("/api/v1/identity/me/totp", headers=headers)
    totp = pyotp.TOTP(enrolment.json()["secret"])
    confirmed = await identity.http.post("/api/v1/identity/me/totp/confirm", json={"code": totp.now()}, headers=headers)
    assert confirmed.status_code == 200 and confirmed.headers["cache-control"] == "no-store"
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    async with identity.db.transaction() as session:
        stored = await session.scalar(select(users.c.totp_recovery_codes).where(users.c.username == user["username"]))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert all(recovery_code_matches(h, c) for h, c in zip(stored, codes, strict=True))

    ok = await identity.login(user["username"], PASSWORD, totp_code=codes[3])
    assert ok.status_code == 200, ok.text
    again = await identity.login(user["username"], PASSWORD, totp_code=codes[3])
    assert again.status_code == 401 and again.json()["code"] == "invalid-totp"
    made_up = await identity.login(user["username"], PASSWORD, totp_code="aaaaa-bbbbb")
    assert made_up.status_code == 401 and made_up.json()["code"] == "invalid-totp"
    assert (await identity.login(user["username"], PASSWORD, totp_code=codes[4].upper())).status_code == 200
    async with identity.db.transaction() as session:
        left = await session.scalar(select(users.c.totp_recovery_codes).where(users.c.username == user["username"]))
    assert len(left) == 8


async def test_an_administrator_forces_enrolment_in_their_subtree_only(identity):
    admin = await identity.admin()
    hni_admin = await identity.create_user(
        admin, identity.units["HNI"], password=PASSWORD, roles=[("unit_admin", identity.units["HNI"])]
    )
    hni_user = await identity.create_user(admin, identity.units["HNI-1"], password=PASSWORD)
    hcm_user = await identity.create_user(admin, identity.units["HCM"], password=PASSWORD)
    hni_headers = await identity.headers_of(hni_admin["username"], PASSWORD)
    before = (await identity.login(hni_user["username"], PASSWORD)).json()

    outside = await identity.http.post(
        f"/api/v1/identity/users/{hcm_user['user_id']}/require-totp", headers=hni_headers
    )
    assert outside.status_code in (403, 404), outside.text
    assert (await identity.login(hcm_user["username"], PASSWORD)).status_code == 200

    forced = await identity.http.post(f"/api/v1/identity/users/{hni_user['user_id']}/require-totp", headers=hni_headers)
    assert forced.status_code == 200, forced.text
    assert forced.json()["totp_enrolment_required"] is True
    # The sessions the user had end at once (refresh tokens here; access tokens at the gateway, by the event).
    assert (await identity.refresh(before["refresh_token"])).status_code == 401
    assert (
        await identity.count(
            outbox_events,
            outbox_events.c.event_type == "identity.user.sessions_ended",
            outbox_events.c.message_key == hni_user["user_id"],
        )
        == 1
    )
    refused = await identity.login(hni_user["username"], PASSWORD)
    assert refused.status_code == 403 and refused.json()["code"] == "totp-enrolment-required"

    _, codes, tokens = await enrol_at_login(identity.http, identity, hni_user["username"])
    assert len(codes) == 10 and tokens["access_token"]
    me = await identity.http.get("/api/v1/identity/me", headers=internal_headers(principal_of(tokens["access_token"])))
    assert me.json()["totp_enabled"] is True and me.json()["totp_enrolment_required"] is False
