"""The platform's one audit view (`GET /api/v1/audit`): every service's trail through the gateway, merged.

Identity and orgtree run for real (own databases, real writes through the gateway). members, reporting,
dues and cards are chassis apps on databases with only the chassis tables: their audit endpoint is the
chassis one, the same code the real services serve. Each service keeps the caller to their subtree itself.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from chassis.database import Database
from chassis.http import create_service_app
from chassis.settings import ServiceSettings
from chassis.tables import audit_log
from contracts.wellknown import NATIONAL_CENTRE_ID
from gateway.app import create_app
from gateway.audit import Cursor, ServicePage, merge
from orgtree.config import OrgtreeSettings
from orgtree.entrypoints.api import create_app as create_orgtree_app
from sqlalchemy import insert

from services.chassis.tests.helpers import chassis_database
from services.chassis.tests.helpers import drop_database as drop_chassis_database
from tests.support.polling import eventually
from tests.support.services import TEST_SECRET, migrated_database
from tests.support.services import replicate_unit as replicate_scope_unit

from .conftest import ADMIN
from .support import dead_url, drop_database, serving
from .test_auth import bearer
from .test_delegation import PASSWORD, _create_user, _login, replicate_unit

ORGTREE_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "orgtree" / "src" / "orgtree" / "migrations"
CHASSIS_ONLY = ("members", "reporting", "dues", "cards")


class Platform:
    def __init__(
        self, backends, urls: dict[str, str], databases: dict[str, Database], units: dict[str, UUID], started: datetime
    ) -> None:
        self.backends = backends
        self.urls = urls
        self.databases = databases
        self.units = units
        self.started = started
        self.officer = ""  # username of a unit_admin of A

    def gateway(self, **overrides):
        return self.backends.gateway(**{**{f"{name}_url": url for name, url in self.urls.items()}, **overrides})


@pytest.fixture(scope="module")
async def platform(backends, pg_server_url):
    started = datetime.now(UTC)
    orgtree_url = await migrated_database(pg_server_url, "orgtree_audit", ORGTREE_MIGRATIONS)
    orgtree_db = Database(orgtree_url, 2)
    databases = {"identity": backends.identity_db, "orgtree": orgtree_db}
    for name in CHASSIS_ONLY:
        databases[name] = await chassis_database(pg_server_url, f"audit_{name}")
    async with contextlib.AsyncExitStack() as stack:
        urls = {"identity": backends.identity_url}
        urls["orgtree"] = await stack.enter_async_context(
            serving(
                create_orgtree_app(
                    OrgtreeSettings(database_url=orgtree_url, internal_token_secret=TEST_SECRET),
                    Database(orgtree_url, 4),
                )
            )
        )
        for name in CHASSIS_ONLY:
            settings = ServiceSettings(
                service_name=name, database_url=databases[name].url, internal_token_secret=TEST_SECRET
            )
            app = create_service_app(settings, Database(settings.database_url, 2), [], title=name)
            urls[name] = await stack.enter_async_context(serving(app))
        platform = Platform(backends, urls, databases, {}, started)
        async with platform.gateway() as http:
            admin = bearer((await http.post("/api/v1/identity/login", json=ADMIN)).json()["access_token"])
            await replicate_unit(backends.identity_db, "TLD", None, "national_centre", unit_id=NATIONAL_CENTRE_ID)
            for name in ("A", "B"):
                created = await http.post(
                    "/api/v1/orgtree/units",
                    headers=admin,
                    json={
                        "code": f"AUD-{name}-{uuid.uuid4().hex[:4]}",
                        "name": f"Liên đoàn Lao động tỉnh {name}",
                        "type_code": "provincial_federation",
                        "parent_id": str(NATIONAL_CENTRE_ID),
                        "effective_from": "2020-01-01",
                    },
                )
                assert created.status_code == 201, created.text
                unit = platform.units[name] = UUID(created.json()["unit_id"])
                await replicate_unit(backends.identity_db, f"AUD-{name}", NATIONAL_CENTRE_ID, unit_id=unit)
                for service in CHASSIS_ONLY:
                    await replicate_scope_unit(
                        databases[service], "TLD", None, "national_centre", unit_id=NATIONAL_CENTRE_ID
                    )
                    await replicate_scope_unit(databases[service], f"AUD-{name}", NATIONAL_CENTRE_ID, unit_id=unit)
            officer = await _create_user(
                http, admin["authorization"].split()[1], platform.units["A"], [("unit_admin", platform.units["A"])]
            )
            assert officer.status_code == 201, officer.text
            platform.officer = officer.json()["username"]
        yield platform
    await orgtree_db.dispose()
    await drop_database(pg_server_url, orgtree_url)
    for name in CHASSIS_ONLY:
        await drop_chassis_database(pg_server_url, databases[name])


async def _token(http, username: str) -> dict[str, str]:
    return bearer(await _login(http, username))


async def _audit(http, headers, **params) -> dict:
    response = await http.get("/api/v1/audit", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _zone(http, headers, parent: UUID, request_id: str | None = None):
    """A write in orgtree: an industrial-zone union below `parent`."""
    return await http.post(
        "/api/v1/orgtree/units",
        headers={**headers, **({"x-request-id": request_id} if request_id else {})},
        json={
            "code": f"KCN-{uuid.uuid4().hex[:6]}",
            "name": "Công đoàn khu công nghiệp Thử",
            "type_code": "industrial_zone_union",
            "parent_id": str(parent),
            "effective_from": "2020-01-01",
        },
    )


async def _user(http, headers, unit: UUID):
    """A write in identity: a user whose home is `unit`."""
    return await http.post(
        "/api/v1/identity/users",
        headers=headers,
        json={
            "username": f"u{uuid.uuid4().hex[:10]}",
            "full_name": "Trần Văn Thử",
            "home_unit_id": str(unit),
            "password": PASSWORD,
            "roles": [],
        },
    )


async def test_writes_in_two_services_appear_in_one_view_newest_first(platform):
    async with platform.gateway() as http:
        admin = bearer(await _login_admin(http))
        since = datetime.now(UTC).isoformat()
        steps = [
            await _zone(http, admin, platform.units["A"]),
            await _user(http, admin, platform.units["A"]),
            await _zone(http, admin, platform.units["A"]),
        ]
        assert [r.status_code for r in steps] == [201, 201, 201]
        page = await eventually(
            lambda: _audit(http, admin, actor="admin", since=since), lambda body: len(body["items"]) >= 3
        )
    assert [(e["service"], e["action"]) for e in page["items"]] == [
        ("orgtree", "POST /api/v1/orgtree/units"),
        ("identity", "POST /api/v1/identity/users"),
        ("orgtree", "POST /api/v1/orgtree/units"),
    ]
    times = [e["occurred_at"] for e in page["items"]]
    assert times == sorted(times, reverse=True)
    assert page["missing_services"] == [] and page["next_cursor"] is None


async def test_an_officer_sees_their_subtree_in_every_service_and_nothing_else(platform):
    a, b = platform.units["A"], platform.units["B"]
    async with platform.databases["members"].transaction() as session:
        await session.execute(
            insert(audit_log),
            [
                {
                    "service": "members",
                    "action": "POST /api/v1/members/members",
                    "unit_id": unit,
                    "username": "nhap.lieu",
                    "status": 201,
                    "outcome": "success",
                    "request_id": f"seed-{unit}",
                }
                for unit in (a, b)
            ],
        )
    async with platform.gateway() as http:
        admin = bearer(await _login_admin(http))
        for unit in (a, b):
            assert (await _zone(http, admin, unit)).status_code == 201
            assert (await _user(http, admin, unit)).status_code == 201
        officer = await _token(http, platform.officer)
        wanted = {"orgtree", "identity", "members"}
        mine = await eventually(
            lambda: _audit(http, officer, limit=500), lambda body: wanted <= {e["service"] for e in body["items"]}
        )
        everything = await _audit(http, admin, limit=500)
    # Every write of these tests acts on A or B themselves: A's subtree is A's entries only.
    assert {e["unit_id"] for e in mine["items"]} == {str(a)}
    assert {str(a), str(b)} <= {e["unit_id"] for e in everything["items"]}
    assert {"orgtree", "identity", "members"} <= {e["service"] for e in everything["items"] if e["unit_id"] == str(b)}


async def test_paging_across_services_hands_out_every_entry_once_in_order(platform):
    async with platform.gateway() as http:
        admin = bearer(await _login_admin(http))
        since = datetime.now(UTC).isoformat()
        for _ in range(4):
            assert (await _zone(http, admin, platform.units["A"])).status_code == 201
            assert (await _user(http, admin, platform.units["B"])).status_code == 201
        whole = await eventually(
            lambda: _audit(http, admin, since=since, limit=500), lambda body: len(body["items"]) >= 8
        )
        seen, after = [], None
        for _ in range(20):
            page = await _audit(http, admin, since=since, limit=3, **({"after": after} if after else {}))
            seen += page["items"]
            after = page["next_cursor"]
            if after is None:
                break
    keys = [(e["service"], e["id"]) for e in seen]
    assert len(keys) == len(set(keys)) == len(whole["items"])
    assert keys == [(e["service"], e["id"]) for e in whole["items"]]
    assert {"orgtree", "identity"} <= {service for service, _ in keys}


async def test_filters_reach_every_service(platform):
    a, b = platform.units["A"], platform.units["B"]
    async with platform.gateway() as http:
        admin = bearer(await _login_admin(http))
        officer = await _token(http, platform.officer)
        since = datetime.now(UTC).isoformat()
        traced = f"audit-test-{uuid.uuid4().hex[:8]}"
        assert (await _zone(http, admin, a, request_id=traced)).status_code == 201
        assert (await _zone(http, officer, b)).status_code == 403  # refused, and recorded as such
        assert (await _user(http, officer, a)).status_code == 201

        by_request = await eventually(lambda: _audit(http, admin, request_id=traced), lambda body: body["items"])
        assert [(e["service"], e["request_id"]) for e in by_request["items"]] == [("orgtree", traced)]

        refused = await eventually(
            lambda: _audit(http, admin, outcome="refused", since=since), lambda body: body["items"]
        )
        assert [(e["service"], e["username"], e["unit_id"], e["status"]) for e in refused["items"]] == [
            ("orgtree", platform.officer, str(b), 403)
        ]

        by_officer = await eventually(
            lambda: _audit(http, admin, actor=platform.officer, since=since), lambda body: len(body["items"]) >= 2
        )
        assert {(e["service"], e["outcome"]) for e in by_officer["items"]} == {
            ("orgtree", "refused"),
            ("identity", "success"),
        }
        user_id = by_officer["items"][0]["user_id"]
        assert len((await _audit(http, admin, actor=user_id, since=since))["items"]) == 2

        users_only = await _audit(http, admin, action="POST /api/v1/identity/users", since=since)
        assert {e["service"] for e in users_only["items"]} == {"identity"}
        in_b = await _audit(http, admin, unit_id=str(b), since=since)
        assert {e["unit_id"] for e in in_b["items"]} == {str(b)}
        assert (await _audit(http, admin, since=since, until=since))["items"] == []
        # The access log (reads of personal data) and the changes apart; nothing here read personal data.
        writes = await _audit(http, admin, kind="write", since=since)
        assert len(writes["items"]) >= 3 and not [e for e in writes["items"] if e["action"].startswith("GET ")]
        assert (await _audit(http, admin, kind="read", since=since))["items"] == []

        naive = await http.get("/api/v1/audit", headers=admin, params={"since": "2025-07-01T00:00:00"})
        assert naive.status_code == 422 and naive.headers["content-type"] == "application/problem+json"
        bad_cursor = await http.get("/api/v1/audit", headers=admin, params={"after": "bm90IGEgY3Vyc29y"})
        assert bad_cursor.status_code == 422 and bad_cursor.json()["field"] == "after"


async def test_a_service_that_does_not_answer_is_named_and_the_rest_is_served(platform):
    async with platform.gateway(cards_url=dead_url()) as http:
        admin = bearer(await _login_admin(http))
        response = await http.get("/api/v1/audit", headers=admin)
        assert response.status_code == 200, response.text
        assert response.json()["missing_services"] == ["cards"]
        assert response.headers["x-missing-services"] == "cards"
        assert {"orgtree", "identity"} <= {e["service"] for e in response.json()["items"]}
    # Nobody answers (identity too, once the gateway holds its keys): 503, naming them all.
    app = create_app(platform.backends.settings(**{f"{name}_url": dead_url() for name in CHASSIS_ONLY + ("orgtree",)}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        try:
            admin = bearer(await _login_admin(http))
            assert (await http.get("/api/v1/audit", headers=admin)).status_code == 200  # the keys are fetched
            app.state.gateway.upstreams.urls["identity"] = dead_url()
            response = await http.get("/api/v1/audit", headers=admin)
        finally:
            await app.state.gateway.upstreams.aclose()
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert sorted(response.json()["missing_services"]) == sorted(("identity", "orgtree", *CHASSIS_ONLY))


async def test_only_holders_of_the_audit_permission_may_ask(platform):
    async with platform.gateway() as http:
        assert (await http.get("/api/v1/audit")).status_code == 401
        admin = await _login_admin(http)
        clerk = await _create_user(http, admin, platform.units["A"], [("data_entry", platform.units["A"])])
        assert clerk.status_code == 201, clerk.text
        refused = await http.get("/api/v1/audit", headers=await _token(http, clerk.json()["username"]))
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"


async def test_the_view_is_in_the_merged_openapi(platform):
    async with platform.gateway() as http:
        document = (await http.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/audit"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "actor",
        "action",
        "outcome",
        "since",
        "until",
        "unit_id",
        "request_id",
        "after",
        "limit",
    }
    assert "AuditPage" in document["components"]["schemas"]


def _entry(service: str, id_: int, at: datetime):
    from chassis.audit import AuditEntry

    return AuditEntry(
        id=id_,
        occurred_at=at,
        service=service,
        action="POST /x",
        target=None,
        unit_id=None,
        username="u",
        acting_for=None,
        status=201,
        outcome="success",
        request_id=None,
        client_ip=None,
    )


def test_each_service_is_taken_in_its_own_order_even_when_its_clock_disagrees():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    # members wrote id 9 a microsecond "before" id 8 (concurrent transactions): its order (by id) is kept.
    members = ServicePage(
        "members", [_entry("members", 9, t), _entry("members", 8, t + timedelta(microseconds=1))], more=True
    )
    orgtree = ServicePage(
        "orgtree",
        [_entry("orgtree", 5, t + timedelta(seconds=1)), _entry("orgtree", 4, t - timedelta(seconds=1))],
        more=False,
    )
    page, cursor = merge(Cursor(), [members, orgtree], [], limit=3)
    assert [(e.service, e.id) for e in page] == [("orgtree", 5), ("members", 9), ("members", 8)]
    assert cursor.positions == {"orgtree": 5, "members": 8} and cursor.done == set()
    assert Cursor.decode(cursor.encode()) == cursor


def test_a_service_without_a_position_is_cut_at_the_page_boundary():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    cursor = Cursor(boundary=(t, "orgtree", 4), positions={"orgtree": 4})
    # dues did not answer for the first page: its newer entry belongs there, not here.
    dues = ServicePage(
        "dues", [_entry("dues", 2, t + timedelta(seconds=1)), _entry("dues", 1, t - timedelta(seconds=1))], more=False
    )
    page, after = merge(cursor, [dues, ServicePage("orgtree", [], more=False)], [], limit=10)
    assert [(e.service, e.id) for e in page] == [("dues", 1)]
    assert after.done == {"dues", "orgtree"}


async def _login_admin(http) -> str:
    response = await http.post("/api/v1/identity/login", json=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
