"""Machine clients: administration (scope, scopes, secrets shown once) and the client-credentials token endpoint."""

from __future__ import annotations

import base64

import jwt
import pytest
from chassis.principal import Grant, Principal
from chassis.tables import audit_log, tree_units
from identity.adapters.tables import machine_clients
from sqlalchemy import select, update

from .support import internal_headers, replicate
from .test_authentication import jwks, verify
from .test_users_api import officer

API = "/api/v1/identity"


@pytest.fixture(scope="module", autouse=True)
async def banks(identity):
    """VietinBank (CTG) is in the catalogue from the migration; VCB is registered here."""
    response = await identity.http.put(
        f"{API}/partners/VCB", json={"name": "Vietcombank"}, headers=await identity.admin()
    )
    assert response.status_code == 200, response.text


TOKEN = f"{API}/oauth/token"
GRANT = {"grant_type": "client_credentials"}


async def create_client(
    identity, headers, unit_code: str = "HNI", scopes=("orgtree:read", "members:read"), **extra
) -> dict:
    body = {
        "name": "Ứng dụng tỉnh Hà Nội",
        "kind": "provincial_app",
        "unit_id": str(identity.units[unit_code]),
        "scopes": list(scopes),
        "rate_limit_per_minute": 120,
        **extra,
    }
    response = await identity.http.post(f"{API}/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def token(identity, client_id: str, secret: str, **form):
    """Client authentication by HTTP Basic, as RFC 6749 §2.3.1 recommends."""
    return await identity.http.post(TOKEN, data={**GRANT, **form}, auth=(client_id, secret), headers=identity.public)


async def stored(identity, client_id: str):
    async with identity.db.transaction() as session:
        return (await session.execute(select(machine_clients).where(machine_clients.c.client_id == client_id))).one()


def assert_oauth_error(response, status: int, error: str, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["error"], body["code"]) == (error, code)
    assert body["error_description"] == body["message_en"] and body["message_vi"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic realm=")
    return body


async def test_a_client_is_created_with_a_secret_shown_once_and_stored_only_hashed(identity):
    created = await create_client(identity, await identity.admin())
    secret = created["client_secret"]
    assert created["client_id"].startswith("mc_") and secret.startswith("mcs_") and len(secret) > 40
    assert created["scopes"] == ["orgtree:read", "members:read"] and created["status"] == "active"
    assert (created["rate_limit_per_minute"], created["created_by"]) == (120, "admin")

    row = await stored(identity, created["client_id"])
    assert row.secret_hash.startswith("$argon2id$") and secret not in row.secret_hash
    admin = await identity.admin()
    got = await identity.http.get(f"{API}/clients/{created['client_id']}", headers=admin)
    listed = await identity.http.get(f"{API}/clients", params={"q": created["client_id"]}, headers=admin)
    for response in (got, listed):
        assert response.status_code == 200, response.text
        assert secret not in response.text and "client_secret" not in response.text
        assert "secret_hash" not in response.text and "argon2" not in response.text
    assert [c["client_id"] for c in listed.json()["items"]] == [created["client_id"]]

    # The write is in the audit trail like every other: who, on which unit.
    async with identity.db.transaction() as session:
        entry = (
            await session.execute(
                select(audit_log)
                .where(audit_log.c.action == "POST /api/v1/identity/clients")
                .order_by(audit_log.c.id.desc())
            )
        ).first()
    assert (entry.username, entry.unit_id, entry.outcome) == ("admin", identity.units["HNI"], "success")


async def test_the_token_is_a_signed_jwt_saying_it_is_a_client(identity):
    created = await create_client(
        identity,
        await identity.admin(),
        kind="bank",
        partner_code="vcb",
        scopes=["members:read", "cards.issuance:read"],
    )
    assert created["partner_code"] == "VCB"
    response = await token(identity, created["client_id"], created["client_secret"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no refresh token
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 600)
    assert body["scope"] == "members:read cards.issuance:read"
    claims = verify(body["access_token"], await jwks(identity))  # the users' key, published in the JWKS
    assert claims["sub"] == claims["client_id"] == created["client_id"]
    assert (claims["scope"], claims["unit_id"], claims["partner"], claims["rate_limit"]) == (
        "members:read cards.issuance:read",
        str(identity.units["HNI"]),
        "VCB",
        120,
    )
    assert "grants" not in claims and "usr" not in claims
    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    assert (await stored(identity, created["client_id"])).last_token_at is not None

    # Form-field authentication works too, and a subset of the scopes can be asked for.
    narrow = await identity.http.post(
        TOKEN,
        headers=identity.public,
        data={
            **GRANT,
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
            "scope": "cards.issuance:read",
        },
    )
    assert narrow.status_code == 200, narrow.text
    assert narrow.json()["scope"] == "cards.issuance:read"

    # The token request is audited with the client as the actor.
    async with identity.db.transaction() as session:
        entry = (
            await session.execute(
                select(audit_log).where(audit_log.c.action == f"POST {TOKEN}").order_by(audit_log.c.id.desc())
            )
        ).first()
    assert (entry.username, entry.user_id, entry.unit_id) == (
        f"client:{created['client_id']}",
        None,
        identity.units["HNI"],
    )


async def test_token_errors_follow_rfc_6749(identity):
    created = await create_client(identity, await identity.admin())
    client_id, secret = created["client_id"], created["client_secret"]

    wrong = assert_oauth_error(await token(identity, client_id, secret + "x"), 401, "invalid_client", "invalid-client")
    unknown = await token(identity, "mc_00000000000000000000", secret)
    assert unknown.json()["message_en"] == wrong["message_en"]  # no probing for client ids
    assert_oauth_error(
        await identity.http.post(TOKEN, data=GRANT, headers=identity.public), 401, "invalid_client", "invalid-client"
    )

    assert_oauth_error(
        await token(identity, client_id, secret, grant_type="password"),
        400,
        "unsupported_grant_type",
        "unsupported-grant-type",
    )
    missing = await identity.http.post(
        TOKEN, data={"scope": "orgtree:read"}, auth=(client_id, secret), headers=identity.public
    )
    assert assert_oauth_error(missing, 400, "invalid_request", "invalid-request")["field"] == "grant_type"
    as_json = await identity.http.post(TOKEN, json=GRANT, auth=(client_id, secret), headers=identity.public)
    assert_oauth_error(as_json, 400, "invalid_request", "invalid-request")
    both = await identity.http.post(
        TOKEN, data={**GRANT, "client_secret": secret}, auth=(client_id, secret), headers=identity.public
    )
    assert_oauth_error(both, 400, "invalid_request", "invalid-request")

    not_granted = await token(identity, client_id, secret, scope="orgtree:read reports:read")
    body = assert_oauth_error(not_granted, 400, "invalid_scope", "scope-not-granted")
    assert body["field"] == "scope" and "reports:read" in body["message_en"]
    assert_oauth_error(
        await token(identity, client_id, secret, scope="khong:co"), 400, "invalid_scope", "scope-not-granted"
    )
    # Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1).
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    ok = await identity.http.post(TOKEN, data=GRANT, headers={**identity.public, "authorization": f"Basic {encoded}"})
    assert ok.status_code == 200 and ok.json()["scope"] == "orgtree:read members:read"


async def test_wrong_secrets_lock_the_client_like_a_password(identity):
    created = await create_client(identity, await identity.admin())
    client_id, secret = created["client_id"], created["client_secret"]
    for _ in range(identity.settings.lockout_threshold - 1):
        assert_oauth_error(await token(identity, client_id, "mcs_sai"), 401, "invalid_client", "invalid-client")
    locked = assert_oauth_error(await token(identity, client_id, "mcs_sai"), 401, "invalid_client", "client-locked")
    assert 60 <= locked["retry_after_s"] <= 61
    # Even the right secret waits until the lock ends.
    right = await token(identity, client_id, secret)
    assert_oauth_error(right, 401, "invalid_client", "client-locked")
    assert 1 <= int(right.headers["retry-after"]) <= 61
    # A rotation by an administrator clears the lock.
    rotated = await identity.http.post(f"{API}/clients/{client_id}/rotate-secret", headers=await identity.admin())
    assert rotated.status_code == 200, rotated.text
    assert (await token(identity, client_id, rotated.json()["client_secret"])).status_code == 200


async def test_rotation_retires_the_old_secret_and_disabling_ends_the_tokens(identity):
    admin = await identity.admin()
    created = await create_client(identity, admin)
    client_id, old = created["client_id"], created["client_secret"]
    rotated = await identity.http.post(f"{API}/clients/{client_id}/rotate-secret", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["client_secret"]
    assert new != old and rotated.json()["secret_rotated_at"] > created["secret_rotated_at"]
    assert_oauth_error(await token(identity, client_id, old), 401, "invalid_client", "invalid-client")
    assert (await token(identity, client_id, new)).status_code == 200

    disabled = await identity.http.post(
        f"{API}/clients/{client_id}/disable", json={"reason": "Hết hợp đồng"}, headers=admin
    )
    assert disabled.status_code == 200, disabled.text
    assert (disabled.json()["status"], disabled.json()["disabled_by"]) == ("disabled", "admin")
    assert_oauth_error(await token(identity, client_id, new), 400, "invalid_grant", "client-disabled")
    # A wrong secret on a disabled client still only says the secret is wrong.
    assert_oauth_error(await token(identity, client_id, old), 401, "invalid_client", "invalid-client")
    again = await identity.http.post(f"{API}/clients/{client_id}/disable", json={"reason": "Lần nữa"}, headers=admin)
    assert again.json()["disable_reason"] == "Hết hợp đồng"
    refused = await identity.http.post(f"{API}/clients/{client_id}/rotate-secret", headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "client-disabled"
    assert (await stored(identity, client_id)).status == "disabled"  # kept, never deleted


async def test_scopes_and_rate_limit_can_change(identity):
    admin = await identity.admin()
    created = await create_client(identity, admin)
    changed = await identity.http.patch(
        f"{API}/clients/{created['client_id']}",
        headers=admin,
        json={"scopes": ["reports:read"], "rate_limit_per_minute": 5},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["scopes"], changed.json()["rate_limit_per_minute"]) == (["reports:read"], 5)
    issued = (await token(identity, created["client_id"], created["client_secret"])).json()
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    assert (issued["scope"], claims["rate_limit"]) == ("reports:read", 5)


async def test_bad_input_is_refused_with_the_field_and_changes_nothing(identity):
    _, hanoi_admin = await officer(identity, "HNI")
    admin = await identity.admin()
    base = {
        "name": "Ứng dụng thử",
        "kind": "provincial_app",
        "unit_id": str(identity.units["HNI-1"]),
        "scopes": ["orgtree:read"],
        "rate_limit_per_minute": 60,
    }
    existing = await create_client(identity, admin)
    before = await identity.count(machine_clients)
    cases = [
        (admin, {"scopes": ["orgtree:read", "members:write"]}, 422, "unknown-scope", "scopes.1"),
        (admin, {"rate_limit_per_minute": 0}, 422, "invalid-input", "rate_limit_per_minute"),
        (admin, {"rate_limit_per_minute": -5}, 422, "invalid-input", "rate_limit_per_minute"),
        (admin, {"scopes": []}, 422, "invalid-input", "scopes"),
        (admin, {"kind": "ngan_hang"}, 422, "invalid-input", "kind"),
        (admin, {"kind": "bank"}, 422, "partner-code-required", "partner_code"),
        (admin, {"scopes": ["cards.issuance:read"]}, 422, "partner-code-required", "partner_code"),
        (admin, {"kind": "bank", "partner_code": "ACB"}, 422, "unknown-partner", "partner_code"),
        (hanoi_admin, {"unit_id": str(identity.units["HCM"])}, 403, "out-of-scope", "unit_id"),
        # A unit admin does not hold cards.read_issuance, so cannot give the scope.
        (
            hanoi_admin,
            {"scopes": ["orgtree:read", "cards.issuance:read"], "partner_code": "VCB"},
            403,
            "scope-not-grantable",
            "scopes.1",
        ),
    ]
    for headers, change, status, code, field in cases:
        response = await identity.http.post(f"{API}/clients", json={**base, **change}, headers=headers)
        assert response.status_code == status, (change, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert (body["code"], body["field"]) == (code, field), (change, body)
        assert body["message_vi"] and body["message_en"]
    assert await identity.count(machine_clients) == before

    bad_change = await identity.http.patch(
        f"{API}/clients/{existing['client_id']}",
        headers=admin,
        json={"scopes": ["orgtree:read", "tat_ca"], "rate_limit_per_minute": 9},
    )
    assert (bad_change.status_code, bad_change.json()["code"], bad_change.json()["field"]) == (
        422,
        "unknown-scope",
        "scopes.1",
    )
    zero = await identity.http.patch(
        f"{API}/clients/{existing['client_id']}", headers=admin, json={"rate_limit_per_minute": 0}
    )
    assert (zero.status_code, zero.json()["field"]) == (422, "rate_limit_per_minute")
    row = await stored(identity, existing["client_id"])
    assert (list(row.scopes), row.rate_limit_per_minute) == (["orgtree:read", "members:read"], 120)


async def test_unit_admins_see_and_manage_only_their_subtree(identity):
    hanoi_user, hanoi_admin = await officer(identity, "HNI")
    admin = await identity.admin()
    mine = await create_client(identity, hanoi_admin, unit_code="HNI-1", name="Ứng dụng cơ sở")
    assert mine["created_by"] == hanoi_user["username"]
    theirs = await create_client(identity, admin, unit_code="HCM")
    bank = await create_client(
        identity, admin, unit_code="HNI", kind="bank", partner_code="CTG", scopes=["cards.issuance:read"]
    )

    listed = await identity.http.get(f"{API}/clients", params={"limit": 500}, headers=hanoi_admin)
    ids = {c["client_id"] for c in listed.json()["items"]}
    assert {mine["client_id"], bank["client_id"]} <= ids and theirs["client_id"] not in ids
    outside = await identity.http.get(f"{API}/clients/{theirs['client_id']}", headers=hanoi_admin)
    assert (outside.status_code, outside.json()["code"]) == (403, "out-of-scope")
    # The bank client's scope needs a permission the unit admin does not hold: they cannot manage it.
    outranked = await identity.http.post(f"{API}/clients/{bank['client_id']}/rotate-secret", headers=hanoi_admin)
    assert (outranked.status_code, outranked.json()["code"]) == (403, "client-outranks-you")
    disabled = await identity.http.post(
        f"{API}/clients/{mine['client_id']}/disable", json={"reason": "Thử"}, headers=hanoi_admin
    )
    assert disabled.status_code == 200, disabled.text
    missing = await identity.http.get(f"{API}/clients/mc_khongco", headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "client-not-found")

    # Filters and keyset pages.
    banks = await identity.http.get(f"{API}/clients", params={"kind": "bank", "partner_code": "ctg"}, headers=admin)
    assert [c["client_id"] for c in banks.json()["items"]] == [bank["client_id"]]
    off = await identity.http.get(
        f"{API}/clients", params={"status": "disabled", "unit_id": str(identity.units["HNI"])}, headers=admin
    )
    assert mine["client_id"] in {c["client_id"] for c in off.json()["items"]}
    assert all(c["status"] == "disabled" for c in off.json()["items"])
    seen, after = [], None
    while True:
        page = await identity.http.get(
            f"{API}/clients", params={"limit": 2, **({"after": after} if after else {})}, headers=admin
        )
        seen += [c["client_id"] for c in page.json()["items"]]
        after = page.json()["next_cursor"]
        if after is None:
            break
    everything = await identity.http.get(f"{API}/clients", params={"limit": 500}, headers=admin)
    assert seen == [c["client_id"] for c in everything.json()["items"]] and len(seen) == len(set(seen))


async def test_clients_and_the_public_cannot_administer_clients(identity):
    created = await create_client(identity, await identity.admin())
    issued = (await token(identity, created["client_id"], created["client_secret"])).json()
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    as_client = internal_headers(
        Principal(
            user_id=None,
            username=f"client:{claims['client_id']}",
            client_id=claims["client_id"],
            grants=tuple(Grant(s, identity.units["HNI"]) for s in claims["scope"].split()),
        )
    )
    for headers in (as_client, identity.public):
        response = await identity.http.get(f"{API}/clients", headers=headers)
        assert response.status_code == 401, response.text


async def test_the_scope_catalogue_is_served(identity):
    response = await identity.http.get(f"{API}/scopes", headers=await identity.admin())
    assert response.status_code == 200
    by_name = {s["name"]: s for s in response.json()}
    assert set(by_name) == {
        "orgtree:read",
        "members:read",
        "reports:read",
        "cards.issuance:read",
        "cards.issuance:answer",
    }
    assert (by_name["cards.issuance:answer"]["methods"], by_name["cards.issuance:answer"]["needs_partner"]) == (
        ["POST"],
        True,
    )
    assert by_name["cards.issuance:read"]["permissions"] == ["cards.read_issuance"]
    assert by_name["cards.issuance:read"]["needs_partner"] is True
    assert by_name["members:read"]["methods"] == ["GET", "HEAD"]


async def test_a_client_of_a_unit_that_closed_gets_no_token(identity):
    unit = await replicate(identity.db, "HNI-DONG", identity.units["HNI"], "grassroots_union")
    identity.units["HNI-DONG"] = unit
    created = await create_client(identity, await identity.admin(), unit_code="HNI-DONG")
    async with identity.db.transaction() as session:
        await session.execute(update(tree_units).where(tree_units.c.unit_id == unit).values(status="dissolved"))
    assert_oauth_error(
        await token(identity, created["client_id"], created["client_secret"]),
        400,
        "invalid_grant",
        "client-unit-not-active",
    )
