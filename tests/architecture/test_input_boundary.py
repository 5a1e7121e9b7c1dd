"""The boundary rule holds on every operation of every service: a NUL character in any path or query value
or JSON body, an integer parameter past 64 bits and invalid UTF-8 are a 422 problem naming the field, before
anything reaches the database.

Operations are read from each service's own OpenAPI document, so a new route is covered the day it is added.
The database URL points nowhere: a request that got past the rule would fail on it (a 500), not pass.
"""

from __future__ import annotations

import importlib
import re
import uuid

import httpx
import pytest
from chassis.database import Database
from chassis.principal import Grant, Principal, issue_internal_token
from contracts.wellknown import NATIONAL_CENTRE_ID

from tests.support.services import TEST_SECRET

SERVICES = {
    "orgtree": "OrgtreeSettings",
    "members": "MembersSettings",
    "identity": "IdentitySettings",
    "reporting": "ReportingSettings",
    "dues": "DuesSettings",
    "cards": "CardsSettings",
}
NOWHERE = "postgresql+asyncpg://nobody@127.0.0.1:1/nothing"
ADMIN = Principal(user_id=uuid.uuid4(), username="admin", grants=(Grant("national_admin", NATIONAL_CENTRE_ID),))


def service_app(name: str):
    settings_class = getattr(importlib.import_module(f"{name}.config"), SERVICES[name])
    settings = settings_class(database_url=NOWHERE, internal_token_secret=TEST_SECRET)
    return importlib.import_module(f"{name}.entrypoints.api").create_app(settings, Database(NOWHERE, 1))


def operations(app) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def filled(path: str, operation: dict, value: str | None = None, target: str | None = None) -> str:
    """The path with every parameter given a plausible value, `target` given `value`."""
    types = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "path"}

    def plausible(match: re.Match) -> str:
        name = match.group(1)
        if name == target:
            return value
        return "1" if types.get(name, {}).get("type") == "integer" else str(uuid.uuid4())

    return re.sub(r"\{(\w+)\}", plausible, path)


def cases(app) -> list[tuple[str, str, dict, str]]:
    """(method, url, request keyword arguments, field expected at fault) for every door of every operation."""
    found = []
    for method, path, operation in operations(app):
        for parameter in operation.get("parameters", []):
            name, where, schema = parameter["name"], parameter["in"], parameter.get("schema", {})
            kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if where == "path":
                found.append((method, filled(path, operation, "a%00b", name), {}, name))
                if "integer" in kinds:
                    found.append((method, filled(path, operation, str(2**70), name), {}, name))
            elif where == "query":
                found.append((method, filled(path, operation), {"params": {name: "a\x00b"}}, name))
                found.append((method, filled(path, operation) + f"?{name}=%FF", {}, name))
                if "integer" in kinds:
                    found.append((method, filled(path, operation), {"params": {name: str(2**70)}}, name))
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            found.append(
                (
                    method,
                    filled(path, operation),
                    {"content": b'{"reason": "a\\u0000b"}', "headers": {"content-type": "application/json"}},
                    "reason",
                )
            )
        elif "multipart/form-data" in body or "application/x-www-form-urlencoded" in body:
            found.append((method, filled(path, operation), {"data": {"note": "a\x00b"}}, "note"))
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_operation_refuses_what_postgresql_cannot_hold(service):
    app = service_app(service)
    headers = {"x-internal-token": issue_internal_token(ADMIN, TEST_SECRET, "congdoan-services")}
    checked = 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://service"
    ) as http:
        for method, url, kwargs, field in cases(app):
            sent = {**kwargs, "headers": {**headers, **kwargs.get("headers", {})}}
            response = await http.request(method, url, **sent)
            assert response.status_code == 422, (method, url, kwargs, response.status_code, response.text[:300])
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["code"] in ("nul-character", "integer-out-of-range", "invalid-utf8"), problem
            assert problem["field"] in (field, "path"), (method, url, problem)
            checked += 1
    assert checked > 20


def test_every_operation_declares_its_errors_as_problems():
    """A client generated from the platform's OpenAPI parses every error: each operation names the statuses it can
    answer besides success, each as the problem+json schema; through the gateway also 429, 503 and 504."""
    from gateway.openapi import merge

    documents = {name: service_app(name).openapi() for name in SERVICES}
    merged = merge(documents)
    assert merged["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "code",
        "message_vi",
        "message_en",
    ]
    assert "HTTPValidationError" not in merged["components"]["schemas"]
    operations = [
        (path, method, operation) for path, item in merged["paths"].items() for method, operation in item.items()
    ]
    assert len(operations) > 100
    for path, method, operation in operations:
        expected = {"401", "403", "404", "429", "503", "504"} | (
            {"422"} if operation.get("parameters") or operation.get("requestBody") else set()
        )
        errors = {status: answer for status, answer in operation["responses"].items() if status >= "400"}
        assert expected <= errors.keys(), (method, path, sorted(errors))
        for status, answer in errors.items():
            assert list(answer["content"]) == ["application/problem+json"], (method, path, status)
