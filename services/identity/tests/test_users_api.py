"""Administering users through the API: scope, grants, resets, disabling, delegation and handover."""

from __future__ import annotations

import json
from datetime import date, timedelta

import jwt
from chassis.tables import audit_log, outbox_events, tree_units
from contracts.events import orgtree_unit_v1
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitCreated, UnitState
from contracts.wellknown import vietnamese_today
from identity.adapters.tables import delegations, role_grants, users
from identity.entrypoints.consumers import handlers
from sqlalchemy import select

from .support import internal_headers, principal_of


async def events(identity, event_type: str, user_id: str) -> list[dict]:
    async with identity.db.transaction() as session:
        rows = await session.scalars(
            select(outbox_events.c.payload).where(
                outbox_events.c.event_type == event_type, outbox_events.c.message_key == user_id
            )
        )
        return [json.loads(payload) for payload in rows]


async def officer(identity, unit_code: str, role: str = "unit_admin"):
    """A real account holding `role` on the unit, and the headers the gateway would send for it."""
    unit = identity.units[unit_code]
    user = await identity.create_user(await identity.admin(), unit, roles=[(role, unit)])
    return user, await identity.headers_of(user["username"], "Matkhau2025x")


async def test_admin_creates_a_user_with_roles_and_announces_it(identity):
    created = await identity.create_user(
        await identity.admin(),
        identity.units["HNI-1"],
        username="Nguyen.Van.A",
        roles=[("data_entry", identity.units["HNI-1"])],
    )
    assert created["username"] == "nguyen.van.a"
    assert created["must_change_password"] is True and created["temporary_password"] is None
    assert [(g["role"], g["unit_id"]) for g in created["grants"]] == [("data_entry", str(identity.units["HNI-1"]))]
    [announced] = await events(identity, "identity.user.created", created["user_id"])
    assert announced["username"] == "nguyen.van.a"
    assert announced["roles"] == [{"role": "data_entry", "unit_id": str(identity.units["HNI-1"])}]
    token = (await identity.login("Nguyen.Van.A", "Matkhau2025x")).json()["access_token"]
    assert [(g.role, g.unit_id) for g in principal_of(token).grants] == [("data_entry", identity.units["HNI-1"])]

    duplicate = await identity.http.post(
        "/api/v1/identity/users",
        json={
            "username": "NGUYEN.VAN.A",
            "full_name": "Trùng tên",
            "home_unit_id": str(identity.units["HNI"]),
            "password": "Matkhau2025x",
        },
        headers=await identity.admin(),
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate-username"


async def test_unit_admin_cannot_create_a_user_outside_their_subtree(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    before = (await identity.count(users), await identity.count(role_grants), await identity.count(outbox_events))
    response = await identity.http.post(
        "/api/v1/identity/users",
        json={
            "username": "ngoai.pham.vi",
            "full_name": "Người Ngoài",
            "home_unit_id": str(identity.units["HCM"]),
            "password": "Matkhau2025x",
        },
        headers=hanoi_admin,
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "out-of-scope" and response.json()["field"] == "unit_id"
    assert response.json()["message_vi"] and response.json()["message_en"]
    after = (await identity.count(users), await identity.count(role_grants), await identity.count(outbox_events))
    assert after == before
    # Inside the subtree it works.
    inside = await identity.create_user(hanoi_admin, identity.units["HNI-1"])
    assert inside["home_unit_id"] == str(identity.units["HNI-1"])


async def test_password_policy_names_each_broken_rule_in_both_languages(identity):
    response = await identity.http.post(
        "/api/v1/identity/users",
        json={
            "username": "yeu.mat.khau",
            "full_name": "Mật Khẩu Yếu",
            "home_unit_id": str(identity.units["HNI"]),
            "password": "abcdef",
        },
        headers=await identity.admin(),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "weak-password" and body["field"] == "password"
    assert {e["code"] for e in body["errors"]} == {"password-too-short", "password-needs-digit"}
    assert all(e["message_vi"] and e["message_en"] for e in body["errors"])
    assert "ít nhất 10 ký tự" in body["message_vi"]


async def test_units_that_cannot_have_users_are_refused(identity):
    response = await identity.http.post(
        "/api/v1/identity/users",
        json={
            "username": "to.cong.doan",
            "full_name": "Tổ Viên",
            "home_unit_id": str(identity.units["HNI-1-TO"]),
            "password": "Matkhau2025x",
        },
        headers=await identity.admin(),
    )
    assert response.status_code == 422 and response.json()["code"] == "unit-cannot-have-users"


async def test_a_role_can_be_granted_only_where_and_as_far_as_the_granter_holds_it(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    clerk = await identity.create_user(hanoi_admin, identity.units["HNI-1"])
    url = f"/api/v1/identity/users/{clerk['user_id']}/roles"

    ok = await identity.http.post(
        url, json={"role": "data_entry", "unit_id": str(identity.units["HNI-1"])}, headers=hanoi_admin
    )
    assert ok.status_code == 201, ok.text
    again = await identity.http.post(
        url, json={"role": "data_entry", "unit_id": str(identity.units["HNI-1"])}, headers=hanoi_admin
    )
    assert again.status_code == 409
    # A provincial administrator staffs the grassroots unions of its subtree, the dues officer included
    # (contracts.permissions.GRANTABLE_BY), although it does not write dues itself.
    dues = await identity.http.post(
        url, json={"role": "dues_officer", "unit_id": str(identity.units["HNI-1"])}, headers=hanoi_admin
    )
    assert dues.status_code == 201, dues.text
    # A role that may not grant roles at all does not, even holding users.write through nothing.
    _, viewer = await officer(identity, "HNI", role="report_viewer")
    viewer_grant = await identity.http.post(
        url, json={"role": "report_viewer", "unit_id": str(identity.units["HNI-1"])}, headers=viewer
    )
    assert viewer_grant.status_code == 403
    elsewhere = await identity.http.post(
        url, json={"role": "data_entry", "unit_id": str(identity.units["HCM"])}, headers=hanoi_admin
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "out-of-scope"
    national = await identity.http.post(
        url, json={"role": "national_admin", "unit_id": str(identity.units["HNI"])}, headers=await identity.admin()
    )
    assert national.status_code == 422 and national.json()["code"] == "national-admin-on-centre-only"
    unknown = await identity.http.post(
        url, json={"role": "emperor", "unit_id": str(identity.units["HNI"])}, headers=await identity.admin()
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-role"

    changes = await events(identity, "identity.user.roles_changed", clerk["user_id"])
    assert [c["roles"] for c in changes][0] == [{"role": "data_entry", "unit_id": str(identity.units["HNI-1"])}]

    for grant in (ok, dues):
        revoked = await identity.http.delete(f"{url}/{grant.json()['grant_id']}", headers=hanoi_admin)
        assert revoked.status_code == 204
    token = (await identity.login(clerk["username"], "Matkhau2025x")).json()["access_token"]
    assert principal_of(token).grants == ()


async def test_lists_are_scoped_and_paged_by_keyset(identity):
    _, hcm_admin = await officer(identity, "HCM")
    names = [f"hcm.page.{i}" for i in range(3)]
    for name in names:
        await identity.create_user(hcm_admin, identity.units["HCM"], username=name)
    first = await identity.http.get("/api/v1/identity/users", params={"q": "hcm.page", "limit": 2}, headers=hcm_admin)
    assert first.status_code == 200
    assert [u["username"] for u in first.json()["items"]] == names[:2]
    second = await identity.http.get(
        "/api/v1/identity/users",
        params={"q": "hcm.page", "limit": 2, "after": first.json()["next_cursor"]},
        headers=hcm_admin,
    )
    assert [u["username"] for u in second.json()["items"]] == names[2:]
    assert second.json()["next_cursor"] is None
    everyone = await identity.http.get("/api/v1/identity/users", params={"limit": 500}, headers=hcm_admin)
    assert {u["home_unit_id"] for u in everyone.json()["items"]} == {str(identity.units["HCM"])}
    hidden = await identity.http.get("/api/v1/identity/users", params={"q": "admin"}, headers=hcm_admin)
    assert "admin" not in [u["username"] for u in hidden.json()["items"]]
    bad_cursor = await identity.http.get("/api/v1/identity/users", params={"after": "%%%"}, headers=hcm_admin)
    assert bad_cursor.status_code == 422 and bad_cursor.json()["field"] == "after"


async def test_reset_password_gives_a_temporary_one_and_ends_sessions(identity):
    admin = await identity.admin()
    user = await identity.create_user(admin, identity.units["HNI"], password="Truoc-khi-dat-lai-1")
    session = (await identity.login(user["username"], "Truoc-khi-dat-lai-1")).json()
    reset = await identity.http.post(f"/api/v1/identity/users/{user['user_id']}/reset-password", json={}, headers=admin)
    assert reset.status_code == 200
    temporary = reset.json()["temporary_password"]
    assert temporary and len(temporary) >= 10
    assert (await identity.refresh(session["refresh_token"])).status_code == 401
    # The access tokens end too: the gateway refuses every token of the user issued before this event.
    [ended] = await events(identity, "identity.user.sessions_ended", user["user_id"])
    assert ended["reason"] == "password-reset"
    assert (await identity.login(user["username"], "Truoc-khi-dat-lai-1")).status_code == 401
    login = await identity.login(user["username"], temporary)
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    # The token says so, and the gateway lets it do nothing but change the password.
    assert jwt.decode(login.json()["access_token"], options={"verify_signature": False})["must_change_password"]

    own = internal_headers(principal_of(login.json()["access_token"]))
    changed = await identity.http.post(
        "/api/v1/identity/me/password",
        headers=own,
        json={"current_password": temporary, "new_password": "Mat-khau-cua-toi-2"},
    )
    assert changed.status_code == 204, changed.text
    reasons = [e["reason"] for e in await events(identity, "identity.user.sessions_ended", user["user_id"])]
    assert sorted(reasons) == ["password-changed", "password-reset"]
    after = await identity.login(user["username"], "Mat-khau-cua-toi-2")
    assert after.json()["must_change_password"] is False
    assert "must_change_password" not in jwt.decode(after.json()["access_token"], options={"verify_signature": False})

    everywhere = await identity.http.post(
        "/api/v1/identity/logout",
        json={"everywhere": True},
        headers=internal_headers(principal_of(after.json()["access_token"])),
    )
    assert everywhere.status_code == 204
    reasons = [e["reason"] for e in await events(identity, "identity.user.sessions_ended", user["user_id"])]
    assert "logout-everywhere" in reasons


async def test_a_unit_admin_cannot_reset_someone_who_outranks_them(identity):
    hanoi_user, hanoi_admin = await officer(identity, "HNI")
    # Administrator of the national centre: no role a provincial administrator could grant.
    boss = await identity.create_user(
        await identity.admin(), identity.units["HNI"], roles=[("unit_admin", identity.units["TLD"])]
    )
    response = await identity.http.post(
        f"/api/v1/identity/users/{boss['user_id']}/reset-password",
        json={"new_password": "Mat-khau-chiem-quyen-1"},
        headers=hanoi_admin,
    )
    assert response.status_code == 403 and response.json()["code"] == "user-outranks-you"
    assert (await identity.login(boss["username"], "Matkhau2025x")).status_code == 200
    myself = await identity.http.post(
        f"/api/v1/identity/users/{hanoi_user['user_id']}/disable", json={"reason": "tự khoá"}, headers=hanoi_admin
    )
    assert myself.status_code == 422 and myself.json()["code"] == "self-administration"


async def test_disabling_ends_sessions_blocks_login_and_is_announced(identity):
    admin = await identity.admin()
    user = await identity.create_user(admin, identity.units["HNI"], password="Se-bi-khoa-2025")
    session = (await identity.login(user["username"], "Se-bi-khoa-2025")).json()
    disabled = await identity.http.post(
        f"/api/v1/identity/users/{user['user_id']}/disable", json={"reason": "Nghỉ việc"}, headers=admin
    )
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert (await identity.refresh(session["refresh_token"])).status_code == 401
    login = await identity.login(user["username"], "Se-bi-khoa-2025")
    assert login.status_code == 403 and login.json()["code"] == "account-disabled"
    [announced] = await events(identity, "identity.user.disabled", user["user_id"])
    assert announced["reason"] == "Nghỉ việc"


async def test_delegation_lends_roles_for_its_dates_only(identity):
    lender, lender_headers = await officer(identity, "HNI-1")
    deputy = await identity.create_user(lender_headers, identity.units["HNI-1"])
    today = vietnamese_today()
    body = {
        "delegate_id": deputy["user_id"],
        "unit_id": str(identity.units["HNI-1"]),
        "roles": ["unit_admin"],
        "starts_on": str(today - timedelta(days=1)),
        "ends_on": str(today + timedelta(days=7)),
        "reason": "Nghỉ phép năm",
    }
    not_mine = await identity.http.post(
        "/api/v1/identity/delegations", json={**body, "roles": ["dues_officer"]}, headers=lender_headers
    )
    assert not_mine.status_code == 403 and not_mine.json()["code"] == "role-not-held"
    created = await identity.http.post("/api/v1/identity/delegations", json=body, headers=lender_headers)
    assert created.status_code == 201, created.text
    delegation_id = created.json()["delegation_id"]
    assert created.json()["roles"] == ["unit_admin"]
    assert (created.json()["delegator_name"], created.json()["delegate_name"]) == (
        lender["full_name"],
        deputy["full_name"],
    )

    session = (await identity.login(deputy["username"], "Matkhau2025x")).json()
    assert [(g.role, g.unit_id) for g in principal_of(session["access_token"]).grants] == [
        ("unit_admin", identity.units["HNI-1"])
    ]
    [started] = await events(identity, "identity.user.delegation_started", deputy["user_id"])
    assert started["delegator_id"] == lender["user_id"]
    listed = await identity.http.get(
        "/api/v1/identity/delegations", params={"user_id": deputy["user_id"]}, headers=lender_headers
    )
    assert [(d["delegation_id"], d["roles"]) for d in listed.json()["items"]] == [(delegation_id, ["unit_admin"])]

    ended = await identity.http.post(f"/api/v1/identity/delegations/{delegation_id}/end", headers=lender_headers)
    assert ended.status_code == 204
    refreshed = (await identity.refresh(session["refresh_token"])).json()
    assert principal_of(refreshed["access_token"]).grants == ()

    future = {**body, "starts_on": str(today + timedelta(days=3))}
    assert (
        await identity.http.post("/api/v1/identity/delegations", json=future, headers=lender_headers)
    ).status_code == 201
    later = (await identity.login(deputy["username"], "Matkhau2025x")).json()
    assert principal_of(later["access_token"]).grants == ()  # not started yet


async def test_a_delegation_longer_than_allowed_is_refused_on_its_end_date_and_changes_nothing(identity):
    _, lender_headers = await officer(identity, "HNI-1")
    deputy = await identity.create_user(lender_headers, identity.units["HNI-1"])
    starts_on = vietnamese_today() + timedelta(days=2)
    longest = identity.settings.delegation_max_days
    body = {
        "delegate_id": deputy["user_id"],
        "unit_id": str(identity.units["HNI-1"]),
        "roles": ["unit_admin"],
        "starts_on": str(starts_on),
        "ends_on": str(starts_on + timedelta(days=longest)),  # one day too many, both ends counted
        "reason": "Nghỉ dài ngày",
    }
    before = (await identity.count(delegations), await identity.count(outbox_events))

    refused = await identity.http.post("/api/v1/identity/delegations", json=body, headers=lender_headers)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["field"]) == ("delegation-too-long", "ends_on")
    last = starts_on + timedelta(days=longest - 1)
    assert problem["message_vi"].startswith(f"Uỷ quyền dài nhất {longest} ngày")
    assert last.strftime("%d/%m/%Y") in problem["message_vi"]
    assert f"at most {longest} days" in problem["message_en"] and str(last) in problem["message_en"]
    assert (await identity.count(delegations), await identity.count(outbox_events)) == before

    longest_allowed = {**body, "ends_on": str(last)}
    created = await identity.http.post("/api/v1/identity/delegations", json=longest_allowed, headers=lender_headers)
    assert created.status_code == 201, created.text


async def test_a_delegation_to_someone_working_outside_the_lenders_units_is_refused_and_changes_nothing(identity):
    _, lender_headers = await officer(identity, "HNI-1")
    elsewhere, _ = await officer(identity, "HCM")  # an officer of another province
    body = {
        "delegate_id": elsewhere["user_id"],
        "unit_id": str(identity.units["HNI-1"]),
        "roles": ["unit_admin"],
        "starts_on": str(vietnamese_today()),
        "ends_on": str(vietnamese_today() + timedelta(days=7)),
        "reason": "Nghỉ phép",
    }
    before = (await identity.count(delegations), await identity.count(outbox_events))

    refused = await identity.http.post("/api/v1/identity/delegations", json=body, headers=lender_headers)

    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert (problem["code"], problem["field"]) == ("delegate-out-of-scope", "delegate_id")
    assert problem["message_vi"].startswith("Người nhận uỷ quyền không công tác")
    assert (await identity.count(delegations), await identity.count(outbox_events)) == before
    # A colleague of the lender's own unit is in scope.
    colleague = await identity.create_user(lender_headers, identity.units["HNI-1"])
    lent = {**body, "delegate_id": colleague["user_id"]}
    created = await identity.http.post("/api/v1/identity/delegations", json=lent, headers=lender_headers)
    assert created.status_code == 201, created.text


async def test_handover_moves_roles_and_ends_the_old_holders_sessions(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    unit = identity.units["HNI-1"]
    outgoing = await identity.create_user(hanoi_admin, unit, roles=[("unit_admin", unit)])
    incoming = await identity.create_user(hanoi_admin, unit)
    old_session = (await identity.login(outgoing["username"], "Matkhau2025x")).json()
    response = await identity.http.post(
        f"/api/v1/identity/units/{unit}/handover",
        json={"from_user_id": outgoing["user_id"], "to_user_id": incoming["user_id"], "reason": "Chuyển công tác"},
        headers=hanoi_admin,
    )
    assert response.status_code == 200, response.text
    assert [g["role"] for g in response.json()["granted"]] == ["unit_admin"]
    assert (await identity.refresh(old_session["refresh_token"])).status_code == 401
    old = (await identity.login(outgoing["username"], "Matkhau2025x")).json()["access_token"]
    new = (await identity.login(incoming["username"], "Matkhau2025x")).json()["access_token"]
    assert principal_of(old).grants == ()
    assert [(g.role, g.unit_id) for g in principal_of(new).grants] == [("unit_admin", unit)]
    assert await events(identity, "identity.user.delegation_ended", outgoing["user_id"]) == []
    nothing_left = await identity.http.post(
        f"/api/v1/identity/units/{unit}/handover",
        json={"from_user_id": outgoing["user_id"], "to_user_id": incoming["user_id"], "reason": "Lần hai"},
        headers=hanoi_admin,
    )
    assert nothing_left.status_code == 422 and nothing_left.json()["code"] == "nothing-to-hand-over"


async def test_public_principal_cannot_administer(identity):
    response = await identity.http.get("/api/v1/identity/users", headers=identity.public)
    assert response.status_code == 401


async def test_unit_events_feed_the_tree_replica(identity):
    mapping = handlers(identity.settings)
    assert set(mapping) == set(orgtree_unit_v1.EVENTS)
    state = UnitState(
        unit_id=identity.units["HNI"],
        code="HNI",
        name="Liên đoàn Lao động thành phố Hà Nội (mới)",
        type_code="provincial_federation",
        parent_id=identity.units["TLD"],
        capabilities=UnitCapabilities(can_have_users=True),
        effective_from=date(2025, 7, 1),
        version=2,
    )
    async with identity.db.transaction() as session:
        await mapping[UnitCreated](session, UnitCreated(unit_id=state.unit_id, unit=state), None)
    async with identity.db.transaction() as session:
        name = await session.scalar(select(tree_units.c.name).where(tree_units.c.unit_id == state.unit_id))
    assert name.endswith("(mới)")


async def test_me_shows_my_grants(identity):
    user, headers = await officer(identity, "HCM", role="report_viewer")
    response = await identity.http.get("/api/v1/identity/me", headers=headers)
    assert response.status_code == 200
    assert response.json()["username"] == user["username"]
    assert [g["role"] for g in response.json()["grants"]] == ["report_viewer"]


async def test_a_handover_ends_what_the_outgoing_holder_lent_future_delegations_included(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    unit = identity.units["HNI-1"]
    outgoing = await identity.create_user(hanoi_admin, unit, roles=[("unit_admin", unit), ("approver", unit)])
    incoming = await identity.create_user(hanoi_admin, unit)
    deputy = await identity.create_user(hanoi_admin, unit)
    lender = await identity.headers_of(outgoing["username"], "Matkhau2025x")
    today = vietnamese_today()

    async def lend(role: str, starts_in: int) -> str:
        created = await identity.http.post(
            "/api/v1/identity/delegations",
            headers=lender,
            json={
                "delegate_id": deputy["user_id"],
                "unit_id": str(unit),
                "roles": [role],
                "starts_on": str(today + timedelta(days=starts_in)),
                "ends_on": str(today + timedelta(days=30)),
                "reason": "Đi công tác",
            },
        )
        assert created.status_code == 201, created.text
        return created.json()["delegation_id"]

    running, future, kept = await lend("unit_admin", 0), await lend("unit_admin", 5), await lend("approver", 0)
    deputy_session = (await identity.login(deputy["username"], "Matkhau2025x")).json()
    assert {g.role for g in principal_of(deputy_session["access_token"]).grants} == {"unit_admin", "approver"}

    handed = await identity.http.post(
        f"/api/v1/identity/units/{unit}/handover",
        headers=hanoi_admin,
        json={
            "from_user_id": outgoing["user_id"],
            "to_user_id": incoming["user_id"],
            "reason": "Chuyển công tác",
            "roles": ["unit_admin"],
        },
    )
    assert handed.status_code == 200, handed.text

    ended = await events(identity, "identity.user.delegation_ended", deputy["user_id"])
    assert sorted(e["delegation_id"] for e in ended) == sorted([running, future])  # announced: tokens end
    listed = await identity.http.get(
        "/api/v1/identity/delegations", params={"user_id": deputy["user_id"]}, headers=hanoi_admin
    )
    assert {d["delegation_id"]: d["ended_at"] is not None for d in listed.json()["items"]} == {
        running: True,
        future: True,
        kept: False,
    }
    refreshed = (await identity.refresh(deputy_session["refresh_token"])).json()
    assert [g.role for g in principal_of(refreshed["access_token"]).grants] == ["approver"]


async def test_lists_and_views_of_officers_phones_and_emails_are_audited_personal_data_reads(identity):
    admin_user, hcm_admin = await officer(identity, "HCM")
    created = await identity.http.post(
        "/api/v1/identity/users",
        headers=hcm_admin,
        json={
            "username": "hcm.lien.lac",
            "full_name": "Đỗ Thị Liên Lạc",
            "home_unit_id": str(identity.units["HCM"]),
            "password": "Matkhau2025x",
            "phone": "0908123456",
            "email": "lienlac@example.vn",
            "roles": [],
        },
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["user_id"]
    listed = await identity.http.get("/api/v1/identity/users", params={"q": "hcm.lien"}, headers=hcm_admin)
    assert listed.json()["items"][0]["phone"] == "0908123456"
    assert (await identity.http.get(f"/api/v1/identity/users/{user_id}", headers=hcm_admin)).status_code == 200
    # A list without anyone's phone or e-mail reads no contact details.
    nobody = await identity.http.get("/api/v1/identity/users", params={"q": admin_user["username"]}, headers=hcm_admin)
    assert nobody.json()["items"][0]["phone"] is None

    async with identity.db.transaction() as session:
        rows = (
            await session.execute(
                select(audit_log.c.action, audit_log.c.target, audit_log.c.unit_id)
                .where(audit_log.c.username == admin_user["username"], audit_log.c.action.like("GET %"))
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("GET /api/v1/identity/users", f"users listed 1; phone or e-mail shown of 1: {user_id}", identity.units["HCM"]),
        ("GET /api/v1/identity/users/{user_id}", f"user_id={user_id}; phone or e-mail shown", identity.units["HCM"]),
    ]
    assert not any("0908123456" in (row.target or "") for row in rows)
