"""A role change, a password change or reset and a handover end the user's current access tokens at the gateway
at once (identity.user.v1 → gateway), without the gateway asking identity per request; a refreshed token carries
the new roles. A token that must change its password may do nothing else."""

from __future__ import annotations

import uuid

from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client

from tests.support.polling import eventually

PASSWORD = "Bao-Cao-Vien!2026"
FIRST_PASSWORD = "Lan-dau-dang-nhap-1"


async def new_report_viewer(admin, username: str):
    """A new account (its password still the first one) viewing reports of the whole country."""

    async def create_user():
        # identity learns of the national centre through orgtree.unit.v1; until then it refuses and changes nothing.
        return await admin.post(
            "/api/v1/identity/users",
            json={
                "username": username,
                "full_name": "Hà Thị Báo Cáo",
                "home_unit_id": str(NATIONAL_CENTRE_ID),
                "password": FIRST_PASSWORD,
                "roles": [{"role": "report_viewer", "unit_id": str(NATIONAL_CENTRE_ID)}],
            },
        )

    created = await eventually(create_user, lambda r: r.status_code != 403, timeout=30)
    assert created.status_code == 201, created.text
    return created


async def refused_soon(client, headers: dict, path: str = f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}") -> None:
    """The token in `headers` is refused as revoked as soon as the gateway read identity's event."""

    async def asked():
        return await client.get(path, headers=headers)

    refused = await eventually(asked, lambda r: r.status_code == 401, timeout=30, interval=0.25)
    assert refused.json()["code"] == "token-revoked"


async def test_a_role_change_revokes_the_tokens_issued_before_it(platform, admin):
    username = f"baocao.{uuid.uuid4().hex[:8]}"
    created = await new_report_viewer(admin, username)
    user_id = created.json()["user_id"]

    async with gateway_client(platform.gateway_url) as viewer:
        # A new account: its first token may only change the password (the web app's forced change).
        first = await viewer.post("/api/v1/identity/login", json={"username": username, "password": FIRST_PASSWORD})
        assert first.status_code == 200 and first.json()["must_change_password"] is True
        forced = {"authorization": f"Bearer {first.json()['access_token']}"}
        refused = await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=forced)
        assert refused.status_code == 403 and refused.json()["code"] == "password-change-required"
        assert (await viewer.get("/api/v1/identity/me", headers=forced)).status_code == 200
        changed = await viewer.post(
            "/api/v1/identity/me/password",
            headers=forced,
            json={"current_password": FIRST_PASSWORD, "new_password": PASSWORD},
        )
        assert changed.status_code == 204, changed.text

        # The change ended every session: the old token is refused at once, not when it expires.
        await refused_soon(viewer, forced, "/api/v1/identity/me")

        login = await viewer.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        old = {"authorization": f"Bearer {login.json()['access_token']}"}
        assert (await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=old)).status_code == 200
        assert (await viewer.get("/api/v1/cards/cards", headers=old)).json()["items"] == []  # no card role yet

        granted = await admin.post(
            f"/api/v1/identity/users/{user_id}/roles", json={"role": "card_officer", "unit_id": str(NATIONAL_CENTRE_ID)}
        )
        assert granted.status_code == 201, granted.text

        await refused_soon(viewer, old)

        refreshed = await viewer.post(
            "/api/v1/identity/token/refresh", json={"refresh_token": login.json()["refresh_token"]}
        )
        assert refreshed.status_code == 200, refreshed.text
        new = {"authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert (await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=new)).status_code == 200
        roles = {grant["role"] for grant in (await viewer.get("/api/v1/identity/me", headers=new)).json()["grants"]}
        assert roles == {"report_viewer", "card_officer"}


async def test_a_password_reset_by_an_administrator_ends_the_access_tokens_at_once(platform, admin):
    username = f"datlai.{uuid.uuid4().hex[:8]}"
    created = await new_report_viewer(admin, username)
    async with gateway_client(platform.gateway_url) as user:
        first = await user.post("/api/v1/identity/login", json={"username": username, "password": FIRST_PASSWORD})
        changed = await user.post(
            "/api/v1/identity/me/password",
            headers={"authorization": f"Bearer {first.json()['access_token']}"},
            json={"current_password": FIRST_PASSWORD, "new_password": PASSWORD},
        )
        assert changed.status_code == 204, changed.text
        login = await user.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        token = {"authorization": f"Bearer {login.json()['access_token']}"}
        assert (await user.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=token)).status_code == 200

        reset = await admin.post(f"/api/v1/identity/users/{created.json()['user_id']}/reset-password", json={})
        assert reset.status_code == 200, reset.text

        await refused_soon(user, token)
        temporary = await user.post(
            "/api/v1/identity/login", json={"username": username, "password": reset.json()["temporary_password"]}
        )
        assert temporary.json()["must_change_password"] is True
        again = await user.get(
            f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}",
            headers={"authorization": f"Bearer {temporary.json()['access_token']}"},
        )
        assert again.status_code == 403 and again.json()["code"] == "password-change-required"
