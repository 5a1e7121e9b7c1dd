"""A role change ends the user's current access tokens at the gateway at once (identity.user.v1 → gateway),
without the gateway asking identity per request; a refreshed token carries the new roles."""

from __future__ import annotations

import uuid

from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client

from tests.support.polling import eventually

PASSWORD = "Bao-Cao-Vien!2026"


async def test_a_role_change_revokes_the_tokens_issued_before_it(platform, admin):
    username = f"baocao.{uuid.uuid4().hex[:8]}"

    async def create_user():
        # identity learns of the national centre through orgtree.unit.v1; until then it refuses and changes nothing.
        return await admin.post("/api/v1/identity/users", json={
            "username": username, "full_name": "Hà Thị Báo Cáo", "home_unit_id": str(NATIONAL_CENTRE_ID),
            "password": PASSWORD, "roles": [{"role": "report_viewer", "unit_id": str(NATIONAL_CENTRE_ID)}]})

    created = await eventually(create_user, lambda r: r.status_code != 403, timeout=30)
    assert created.status_code == 201, created.text
    user_id = created.json()["user_id"]

    async with gateway_client(platform.gateway_url) as viewer:
        login = await viewer.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        old = {"authorization": f"Bearer {login.json()['access_token']}"}
        assert (await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=old)).status_code == 200
        assert (await viewer.get("/api/v1/cards/cards", headers=old)).json()["items"] == []  # no card role yet

        granted = await admin.post(f"/api/v1/identity/users/{user_id}/roles",
                                   json={"role": "card_officer", "unit_id": str(NATIONAL_CENTRE_ID)})
        assert granted.status_code == 201, granted.text

        async def with_old_token():
            return await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=old)

        refused = await eventually(with_old_token, lambda r: r.status_code == 401, timeout=30, interval=0.25)
        assert refused.json()["code"] == "token-revoked"

        refreshed = await viewer.post("/api/v1/identity/token/refresh",
                                      json={"refresh_token": login.json()["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        new = {"authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert (await viewer.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}", headers=new)).status_code == 200
        roles = {grant["role"] for grant in (await viewer.get("/api/v1/identity/me", headers=new)).json()["grants"]}
        assert roles == {"report_viewer", "card_officer"}
