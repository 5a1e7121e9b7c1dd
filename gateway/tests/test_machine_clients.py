"""Machine clients end to end: identity issues the token, the gateway verifies it (no call to identity),
limits the client to its scopes and its rate, and a real orgtree checks its subtree in SQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from uuid import UUID

import httpx
import jwt
import pytest
from chassis.database import Database
from chassis.principal import Grant, Principal, issue_internal_token, verify_internal_token
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app as create_orgtree_app

from tests.support.services import TEST_SECRET, headers_for, migrated_database, principal

from .conftest import ADMIN
from .support import drop_database, serving
from .test_auth import bearer, claims, identity_key
from .test_delegation import replicate_unit

ORGTREE_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "orgtree" / "src" / "orgtree" / "migrations"
TOKEN = "/api/v1/identity/oauth/token"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
async def orgtree(pg_server_url, backends):
    """A real orgtree on a socket; its units are copied into identity's replica as its consumer would."""
    url = await migrated_database(pg_server_url, "orgtree_clients", ORGTREE_MIGRATIONS)
    app = create_orgtree_app(OrgtreeSettings(database_url=url, internal_token_secret=TEST_SECRET), Database(url, 4))
    admin = headers_for(principal("national_admin", NATIONAL_CENTRE_ID, "admin"))
    units: dict[str, UUID] = {}
    async with serving(app) as orgtree_url:
        async with httpx.AsyncClient(base_url=orgtree_url) as http:
            for code, name, type_code, parent in (
                ("MC-HNI", "Liên đoàn Lao động thành phố Hà Nội", "provincial_federation", None),
                ("MC-HNI-1", "Công đoàn cơ sở Công ty Một", "grassroots_union", "MC-HNI"),
                ("MC-HCM", "Liên đoàn Lao động Thành phố Hồ Chí Minh", "provincial_federation", None),
            ):
                response = await http.post(
                    "/api/v1/orgtree/units",
                    headers=admin,
                    json={
                        "code": code,
                        "name": name,
                        "type_code": type_code,
                        "effective_from": "2020-01-01",
                        "parent_id": str(units[parent] if parent else NATIONAL_CENTRE_ID),
                    },
                )
                assert response.status_code == 201, response.text
                units[code] = UUID(response.json()["unit_id"])
        db = backends.identity_db
        await replicate_unit(db, "TLD", None, "national_centre", unit_id=NATIONAL_CENTRE_ID)
        for code, parent in (("MC-HNI", NATIONAL_CENTRE_ID), ("MC-HNI-1", None), ("MC-HCM", NATIONAL_CENTRE_ID)):
            await replicate_unit(db, code, parent or units["MC-HNI"], unit_id=units[code])
        yield orgtree_url, units
    await drop_database(pg_server_url, url)


async def new_client(http, units, unit: str = "MC-HNI", **body) -> dict:
    admin = (await http.post("/api/v1/identity/login", json=ADMIN)).json()["access_token"]
    response = await http.post(
        "/api/v1/identity/clients",
        headers=bearer(admin),
        json={
            "name": "Ứng dụng thử",
            "kind": "provincial_app",
            "unit_id": str(units[unit]),
            "scopes": ["orgtree:read"],
            **body,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def client_token(http, client: dict, secret: str | None = None, **form):
    """Through the gateway, without a bearer token, authenticated by HTTP Basic."""
    return await http.post(TOKEN, data={**GRANT, **form}, auth=(client["client_id"], secret or client["client_secret"]))


async def access(http, client: dict, **form) -> dict[str, str]:
    response = await client_token(http, client, **form)
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["message_vi"] and body["message_en"]
    return body


async def test_a_client_reads_the_tree_of_its_subtree_only(backends, orgtree):
    orgtree_url, units = orgtree
    async with backends.gateway(orgtree_url=orgtree_url) as http:
        client = await new_client(http, units)
        headers = await access(http, client)
        inside = await http.get(f"/api/v1/orgtree/units/{units['MC-HNI-1']}", headers=headers)
        assert inside.status_code == 200, inside.text
        assert inside.json()["code"] == "MC-HNI-1"
        children = await http.get(f"/api/v1/orgtree/units/{units['MC-HNI']}/children", headers=headers)
        assert [u["code"] for u in children.json()["items"]] == ["MC-HNI-1"]
        # Outside the owning unit's subtree, and above it: orgtree refuses in SQL (the chassis scope helper).
        for unit in (units["MC-HCM"], NATIONAL_CENTRE_ID):
            body = assert_problem(await http.get(f"/api/v1/orgtree/units/{unit}", headers=headers), 403, "out-of-scope")
            assert body["field"] == "unit_id"


async def test_a_scope_not_granted_and_writes_are_refused_at_the_gateway(backends, orgtree):
    orgtree_url, units = orgtree
    async with backends.gateway(orgtree_url=orgtree_url) as http:
        reports_only = await access(http, await new_client(http, units, scopes=["reports:read"]))
        refused = await http.get(f"/api/v1/orgtree/units/{units['MC-HNI-1']}", headers=reports_only)
        body = assert_problem(refused, 403, "insufficient-scope")
        assert (body["error"], body["required_scopes"]) == ("insufficient_scope", ["orgtree:read"])
        assert refused.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="orgtree:read"'

        reader = await access(http, await new_client(http, units))
        write = await http.post(
            "/api/v1/orgtree/units",
            headers=reader,
            json={
                "code": "MC-X",
                "name": "Không được tạo",
                "type_code": "grassroots_union",
                "parent_id": str(units["MC-HNI"]),
            },
        )
        assert assert_problem(write, 403, "insufficient-scope")["required_scopes"] == []
        # Identity's user and administration endpoints are opened by no scope.
        for path in ("/api/v1/identity/me", "/api/v1/identity/clients", "/api/v1/identity/users"):
            body = assert_problem(await http.get(path, headers=reader), 403, "insufficient-scope")
            assert body["required_scopes"] == []


async def test_the_service_sees_the_client_and_its_partner(backends, orgtree):
    _, units = orgtree
    async with backends.gateway() as http:
        # VietinBank is in identity's partner catalogue from its migration.
        client = await new_client(http, units, kind="bank", partner_code="CTG", scopes=["members:read"])
        echoed = (await http.get("/api/v1/members/echo", headers=await access(http, client))).json()
    assert (echoed["client_id"], echoed["partner"], echoed["user_id"]) == (client["client_id"], "CTG", None)
    assert echoed["username"] == f"client:{client['client_id']}" and echoed["public"] is False
    assert echoed["grants"] == [{"role": "members:read", "unit_id": str(units["MC-HNI"])}]
    assert echoed["headers"]["authorization"] is None  # the client's token stays at the gateway


async def test_each_client_has_its_own_rate_limit(backends, orgtree):
    _, units = orgtree
    async with backends.gateway() as http:
        slow = await access(http, await new_client(http, units, scopes=["members:read"], rate_limit_per_minute=2))
        other = await access(http, await new_client(http, units, scopes=["members:read"], rate_limit_per_minute=100))
        statuses = [(await http.get("/api/v1/members/echo", headers=slow)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        limited = await http.get("/api/v1/members/echo", headers=slow)
        body = assert_problem(limited, 429, "rate-limited")
        assert body["limit"] == "client"
        assert 1 <= int(limited.headers["retry-after"]) <= 30  # one request per 30 s
        assert (await http.get("/api/v1/members/echo", headers=other)).status_code == 200


async def test_secrets_rotation_and_disabling_through_the_gateway(backends, orgtree):
    _, units = orgtree
    async with backends.gateway() as http:
        client = await new_client(http, units)
        wrong = await client_token(http, client, secret="mcs_sai")
        body = assert_problem(wrong, 401, "invalid-client")
        assert body["error"] == "invalid_client" and wrong.headers["www-authenticate"].startswith("Basic")
        unsupported = await http.post(
            TOKEN, data={"grant_type": "password"}, auth=(client["client_id"], client["client_secret"])
        )
        assert assert_problem(unsupported, 400, "unsupported-grant-type")["error"] == "unsupported_grant_type"
        invalid_scope = await client_token(http, client, scope="members:read")
        assert assert_problem(invalid_scope, 400, "scope-not-granted")["error"] == "invalid_scope"

        admin = bearer((await http.post("/api/v1/identity/login", json=ADMIN)).json()["access_token"])
        rotated = await http.post(f"/api/v1/identity/clients/{client['client_id']}/rotate-secret", headers=admin)
        assert rotated.status_code == 200, rotated.text
        assert_problem(await client_token(http, client), 401, "invalid-client")
        new_secret = rotated.json()["client_secret"]
        assert (await client_token(http, client, secret=new_secret)).status_code == 200

        disabled = await http.post(
            f"/api/v1/identity/clients/{client['client_id']}/disable", headers=admin, json={"reason": "Ngừng kết nối"}
        )
        assert disabled.status_code == 200, disabled.text
        refused = await client_token(http, client, secret=new_secret)
        assert assert_problem(refused, 400, "client-disabled")["error"] == "invalid_grant"


async def test_the_token_endpoint_has_its_own_limit_per_ip(backends, orgtree):
    _, units = orgtree
    async with backends.gateway(rate_limit_token_burst=1, rate_limit_token_per_minute=1) as http:
        client = await new_client(http, units)
        assert (await client_token(http, client)).status_code == 200
        assert assert_problem(await client_token(http, client), 429, "rate-limited")["limit"] == "token"
        # Logins are another bucket.
        assert (await http.post("/api/v1/identity/login", json=ADMIN)).status_code == 200


async def test_forged_client_claims_are_refused(backends):
    key = await identity_key(backends)
    good = claims(
        client_id="mc_gia", sub="mc_gia", scope="members:read", unit_id=str(NATIONAL_CENTRE_ID), rate_limit=10
    )
    for bad in ({"sub": "mc_khac"}, {"rate_limit": 0}, {"rate_limit": "nhieu"}, {"unit_id": "x"}):
        token = jwt.encode({**good, **bad}, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        async with backends.gateway() as http:
            response = await http.get("/api/v1/members/echo", headers=bearer(token))
        assert_problem(response, 401, "invalid-token")
    token = jwt.encode(good, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    async with backends.gateway() as http:
        assert (await http.get("/api/v1/members/echo", headers=bearer(token))).json()["client_id"] == "mc_gia"


def test_the_internal_token_carries_the_client_and_older_tokens_still_verify():
    unit = uuid.uuid4()
    client = Principal(
        user_id=None, username="client:mc_1", grants=(Grant("members:read", unit),), client_id="mc_1", partner="VCB"
    )
    token = issue_internal_token(client, TEST_SECRET, "congdoan-services")
    back = verify_internal_token(token, TEST_SECRET, "congdoan-services")
    assert (back.client_id, back.partner, back.user_id, back.is_client) == ("mc_1", "VCB", None, True)
    # A scope works as a role does: its permissions on the owning unit, nothing else.
    assert back.scope_roots(Permission.MEMBERS_READ) == [unit] and not back.can(Permission.MEMBERS_READ_SENSITIVE)
    # A person's token from before machine clients (no `cid`/`ptn`) is a person without a client.
    person = Principal(user_id=uuid.uuid4(), username="can.bo", grants=(Grant("data_entry", unit),))
    old = jwt.decode(
        issue_internal_token(person, TEST_SECRET, "congdoan-services"), options={"verify_signature": False}
    )
    del old["cid"], old["ptn"]
    again = verify_internal_token(jwt.encode(old, TEST_SECRET, algorithm="HS256"), TEST_SECRET, "congdoan-services")
    assert (again.user_id, again.client_id, again.partner, again.is_client) == (person.user_id, None, None, False)
