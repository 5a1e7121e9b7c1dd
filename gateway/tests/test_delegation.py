"""Acting under a delegation, end to end: identity's access token → gateway → internal token → audit trail."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from uuid import UUID

import jwt
from chassis.principal import Grant, Principal, issue_internal_token, verify_internal_token
from chassis.tables import audit_log
from chassis.tree import apply_unit_state
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from sqlalchemy import select

from tests.support.services import TEST_SECRET

from .conftest import ADMIN
from .test_auth import bearer

FIRST_PASSWORD = "Lan-dau-2025x"
PASSWORD = "Matkhau2025x"


def test_grants_keep_their_delegation_in_the_internal_token_and_old_tokens_still_verify():
    delegation, delegator, unit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    own = Grant("data_entry", unit)
    lent = Grant("unit_admin", unit, delegation_id=delegation, delegator_id=delegator)
    who = Principal(user_id=uuid.uuid4(), username="pho.phong", grants=(own, lent))
    token = issue_internal_token(who, TEST_SECRET, "congdoan-services")
    assert verify_internal_token(token, TEST_SECRET, "congdoan-services").grants == (own, lent)
    assert "delegation_id" not in jwt.decode(token, options={"verify_signature": False})["grants"][0]

    # A token from before grants carried delegations: the grant is an own grant.
    old = jwt.decode(token, options={"verify_signature": False})
    old["grants"] = [{"role": "unit_admin", "unit_id": str(unit)}]
    [grant] = verify_internal_token(
        jwt.encode(old, TEST_SECRET, algorithm="HS256"), TEST_SECRET, "congdoan-services"
    ).grants
    assert (grant.delegation_id, grant.delegator_id, grant.delegated) == (None, None, False)


async def replicate_unit(
    database, code: str, parent_id: UUID | None, type_code: str = "grassroots_union", unit_id: UUID | None = None
) -> UUID:
    """A unit in identity's tree replica, as its orgtree consumer would put it (users allowed)."""
    unit_id = unit_id or uuid.uuid4()
    async with database.transaction() as session:
        await apply_unit_state(
            session,
            UnitState(
                unit_id=unit_id,
                code=code,
                name=f"Đơn vị {code}",
                type_code=type_code,
                parent_id=parent_id,
                capabilities=UnitCapabilities(can_have_users=True),
                effective_from=date(2025, 7, 1),
                version=1,
            ),
        )
    return unit_id


async def _login(http, username: str) -> str:
    response = await http.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def _create_user(http, token: str, unit: UUID, roles=()) -> dict:
    """A new account, signed in once to set PASSWORD (a new account's tokens may do nothing else first)."""
    response = await http.post(
        "/api/v1/identity/users",
        json={
            "username": f"u{uuid.uuid4().hex[:10]}",
            "full_name": "Nguyễn Thị Thử",
            "home_unit_id": str(unit),
            "password": FIRST_PASSWORD,
            "roles": [{"role": r, "unit_id": str(u)} for r, u in roles],
        },
        headers=bearer(token),
    )
    if response.status_code == 201:
        first = await http.post(
            "/api/v1/identity/login", json={"username": response.json()["username"], "password": FIRST_PASSWORD}
        )
        changed = await http.post(
            "/api/v1/identity/me/password",
            headers=bearer(first.json()["access_token"]),
            json={"current_password": FIRST_PASSWORD, "new_password": PASSWORD},
        )
        assert changed.status_code == 204, changed.text
    return response


async def test_actions_under_a_delegation_are_audited_with_the_delegator(backends):
    db = backends.identity_db
    await replicate_unit(db, "TLD", None, "national_centre", unit_id=NATIONAL_CENTRE_ID)
    unit = await replicate_unit(db, f"DLG-{uuid.uuid4().hex[:6]}", NATIONAL_CENTRE_ID)
    async with backends.gateway() as http:
        admin = (await http.post("/api/v1/identity/login", json=ADMIN)).json()["access_token"]
        lender = await _create_user(http, admin, unit, [("unit_admin", unit)])
        assert lender.status_code == 201, lender.text
        lender = lender.json()
        deputy = (await _create_user(http, admin, unit)).json()
        lender_token = await _login(http, lender["username"])
        today = vietnamese_today()
        delegated = await http.post(
            "/api/v1/identity/delegations",
            headers=bearer(lender_token),
            json={
                "delegate_id": deputy["user_id"],
                "unit_id": str(unit),
                "roles": ["unit_admin"],
                "starts_on": str(today - timedelta(days=1)),
                "ends_on": str(today + timedelta(days=7)),
                "reason": "Nghỉ phép năm",
            },
        )
        assert delegated.status_code == 201, delegated.text
        delegation_id = delegated.json()["delegation_id"]

        deputy_token = await _login(http, deputy["username"])
        created = await _create_user(http, deputy_token, unit)
        assert created.status_code == 201, created.text
        async with db.transaction() as session:
            row = (
                await session.execute(
                    select(audit_log).where(audit_log.c.username == deputy["username"]).order_by(audit_log.c.id.desc())
                )
            ).first()
        assert (row.acting_for, row.delegation_id, row.unit_id, row.outcome) == (
            UUID(lender["user_id"]),
            UUID(delegation_id),
            unit,
            "success",
        )

        # The lender acting on their own grant is audited without a delegation.
        own = await _create_user(http, lender_token, unit)
        assert own.status_code == 201, own.text
        async with db.transaction() as session:
            row = (
                await session.execute(
                    select(audit_log).where(audit_log.c.username == lender["username"]).order_by(audit_log.c.id.desc())
                )
            ).first()
        assert (row.acting_for, row.delegation_id) == (None, None)

        ended = await http.post(f"/api/v1/identity/delegations/{delegation_id}/end", headers=bearer(lender_token))
        assert ended.status_code == 204, ended.text
        # A token issued after the delegation ended carries no delegated grant: no scope at all.
        after_end = await _login(http, deputy["username"])
        assert jwt.decode(after_end, options={"verify_signature": False})["grants"] == []
        refused = await _create_user(http, after_end, unit)
        assert refused.status_code == 403, refused.text
