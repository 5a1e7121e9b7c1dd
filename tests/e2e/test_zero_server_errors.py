"""The whole API through the gateway, generated from its own OpenAPI document (schemathesis): as the national
administrator and as a provincial officer, no operation answers a 5xx, every error is problem+json, and every
status and content type is one the document declares.

Bounded (a few examples per operation) so that it runs in CI in about two minutes. Runs last among the
end-to-end tests (file name): the data it creates is junk by design. It leaves out what acts on the calling
account itself (its password, its two-factor enrolment, the signing keys), which would lock the session's
administrator out of the tests after it.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import schemathesis
from contracts.wellknown import NATIONAL_CENTRE_ID
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, status_code_conformance

from tests.support.polling import eventually

ADMIN = {"username": "admin", "password": "Admin@12345"}
PASSWORD = "Officer@12345"
SELF_SERVICE = r"^/api/v1/identity/(me/password|me/totp.*|keys/rotate|logout)$"
EXAMPLES = 6
# About two minutes on a quiet machine; the platform's start is part of the first test that asks for it.
pytestmark = pytest.mark.timeout(900)


@schemathesis.check
def errors_are_problems(ctx, response, case) -> None:
    """Every 4xx and 5xx is RFC 9457 problem+json, in Vietnamese and English."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not problem+json")
    body = response.json()
    missing = {"type", "title", "status", "code", "message_vi", "message_en"} - set(body)
    if missing or body["status"] != response.status_code:
        raise AssertionError(f"not a problem of ours: {body}")


CHECKS = [not_a_server_error, errors_are_problems, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="session")
def tokens(platform) -> dict[str, str]:
    """Bearer tokens of the national administrator and of an officer (unit_admin) of a fresh province."""
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        admin = http.post("/api/v1/identity/login", json=ADMIN)
        assert admin.status_code == 200, admin.text
        as_admin = {"authorization": f"Bearer {admin.json()['access_token']}"}
        code = f"FZ{uuid.uuid4().hex[:6].upper()}"
        province = http.post(
            "/api/v1/orgtree/units",
            headers=as_admin,
            json={
                "code": code,
                "name": f"Liên đoàn Lao động tỉnh {code}",
                "type_code": "provincial_federation",
                "parent_id": str(NATIONAL_CENTRE_ID),
            },
        )
        assert province.status_code == 201, province.text
        username = f"canbo.{code.lower()}"

        async def create_officer():
            # identity learns of the province through orgtree.unit.v1; until then it refuses and changes nothing.
            async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as client:
                return await client.post(
                    "/api/v1/identity/users",
                    headers=as_admin,
                    json={
                        "username": username,
                        "full_name": "Cán Bộ Thử",
                        "home_unit_id": province.json()["unit_id"],
                        "password": PASSWORD,
                        "roles": [{"role": "unit_admin", "unit_id": province.json()["unit_id"]}],
                    },
                )

        created = asyncio.run(eventually(create_officer, lambda r: r.status_code not in (403, 404), timeout=30))
        assert created.status_code == 201, created.text
        officer = http.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        assert officer.status_code == 200, officer.text
        # A new account's token may only change the password: set the officer's own, and sign in with it.
        changed = http.post(
            "/api/v1/identity/me/password",
            json={"current_password": PASSWORD, "new_password": PASSWORD + "-moi"},
            headers={"authorization": f"Bearer {officer.json()['access_token']}"},
        )
        assert changed.status_code == 204, changed.text
        officer = http.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD + "-moi"})
        assert officer.status_code == 200, officer.text
        return {"admin": admin.json()["access_token"], "officer": officer.json()["access_token"]}


@pytest.fixture(scope="session")
def gateway_schema(platform):
    document = httpx.get(f"{platform.gateway_url}/openapi.json", timeout=30).json()
    assert set(document["x-services"].values()) == {"ok"}, document["x-services"]
    return schemathesis.openapi.from_dict(document).exclude(path_regex=SELF_SERVICE)


def test_no_operation_answers_a_server_error_or_a_non_problem_error(platform, tokens, gateway_schema):
    """Every operation of the merged document, a few generated requests each, sent by both callers; every
    failure is collected, so one run names them all."""
    failures: list[str] = []
    operations = [result.ok() for result in gateway_schema.get_all_operations()]
    assert len(operations) > 90

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            for token in tokens.values():
                response = case.call(
                    base_url=platform.gateway_url, headers={"authorization": f"Bearer {token}"}, timeout=30
                )
                case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Exception as error:  # noqa: BLE001 - every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert not failures, f"{len(failures)} operations failed:\n" + "\n\n".join(failures)
