"""One OpenAPI document for the platform: every service's paths and schemas, merged and cached."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from chassis.openapi import add_problems
from contracts.scopes import SCOPES

from gateway.routes import SERVICES, is_public, public_alias

log = logging.getLogger(__name__)
SCHEMA_REF = "#/components/schemas/"
PARTIAL_CACHE_S = 5.0
# 400: a path with "." or ".." segments, refused before routing, whatever the operation.
GATEWAY_STATUSES = ("400", "429", "503", "504")
CLIENT_CREDENTIALS = "oauth2ClientCredentials"
TOKEN_URL = "/api/v1/identity/oauth/token"
# Path prefixes a bank's client calls, and the scope each method needs there.
CLIENT_OPERATIONS = (
    ("/api/v1/cards/issuance", {"get": "cards.issuance:read", "post": "cards.issuance:answer"}),
    ("/api/v1/cards/partners/", {"get": "cards.issuance:read"}),
)


class MergedOpenApi:
    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str], cache_s: float) -> None:
        self.client = client
        self.urls = urls
        self.cache_s = cache_s
        self._document: dict[str, Any] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        # The gateway's own paths (the merged audit view), set once its routes exist.
        self.own: Callable[[], dict[str, Any]] | None = None

    async def document(self) -> dict[str, Any]:
        async with self._lock:
            if self._document is None or time.monotonic() >= self._expires:
                fetched = await asyncio.gather(*(self._fetch(name) for name in SERVICES))
                documents = {name: doc for name, doc in zip(SERVICES, fetched, strict=True) if doc is not None}
                self._document = merge(documents, self.own() if self.own else None)
                complete = len(documents) == len(SERVICES)
                self._expires = time.monotonic() + (self.cache_s if complete else PARTIAL_CACHE_S)
            return self._document

    async def _fetch(self, service: str) -> dict[str, Any] | None:
        try:
            response = await self.client.get(f"{self.urls[service]}/openapi.json", timeout=5.0)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("service OpenAPI unavailable", extra={"fields": {"service": service, "error": repr(error)}})
            return None


def merge(documents: dict[str, dict[str, Any]], own: dict[str, Any] | None = None) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Nền tảng quản lý đoàn viên công đoàn — API",
            "version": "1",
            "description": "All services behind the gateway. Send `Authorization: Bearer <access token>` "
            "from `POST /api/v1/identity/login`; public routes need none.",
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (EdDSA)"},
                # Machine clients (banks, provincial apps): the same bearer header, its token from this flow.
                CLIENT_CREDENTIALS: {
                    "type": "oauth2",
                    "description": "Machine clients (a bank's, a province's app): HTTP Basic client_id:client_secret, "
                    "grant_type=client_credentials; the token is sent as `Authorization: Bearer`",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": TOKEN_URL,
                            "scopes": {name: scope.description_en for name, scope in sorted(SCOPES.items())},
                        }
                    },
                },
            },
        },
        "security": [{"bearer": []}, {CLIENT_CREDENTIALS: []}],
        "tags": [],
        "x-services": {name: ("ok" if name in documents else "unavailable") for name in SERVICES},
    }
    schemas = merged["components"]["schemas"]
    if own is not None:
        schemas.update(copy.deepcopy(own.get("components", {}).get("schemas", {})))
        merged["paths"].update(copy.deepcopy(own.get("paths", {})))
        merged["tags"].append({"name": "gateway"})
    for service in SERVICES:
        if service not in documents:
            continue
        document = copy.deepcopy(documents[service])
        renames = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service}_{name}"  # same name, different shape: keep both
        if renames:
            document = _rename_refs(document, renames)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        for path, operations in document.get("paths", {}).items():
            if not path.startswith(f"/api/v1/{service}/"):
                continue
            merged["paths"][path] = _mark_public(path, operations)
            alias = public_alias(service, path)
            if alias is not None:
                merged["paths"][alias] = {
                    m: {**op, "security": []} for m, op in copy.deepcopy(operations).items() if isinstance(op, dict)
                }
        merged["tags"].append({"name": service})
    _name_client_scopes(merged["paths"])
    # Through the gateway every operation may also meet a path it refuses (400), its rate limits (429) and a
    # service that is down or late (503, 504).
    return add_problems(merged, GATEWAY_STATUSES)


def _name_client_scopes(paths: dict[str, Any]) -> None:
    """The operations a bank's client calls name the scope they need (a person's bearer token still reaches them)."""
    for path, operations in paths.items():
        scopes = next((needed for prefix, needed in CLIENT_OPERATIONS if path.startswith(prefix)), None)
        if scopes is None:
            continue
        for method, operation in operations.items():
            scope = scopes.get(method)
            if isinstance(operation, dict) and scope is not None and operation.get("security") != []:
                operation["security"] = [{"bearer": []}, {CLIENT_CREDENTIALS: [scope]}]


def _mark_public(path: str, operations: dict[str, Any]) -> dict[str, Any]:
    marked = {}
    for method, operation in operations.items():
        if isinstance(operation, dict) and is_public(method, path):
            operation = {**operation, "security": []}
        marked[method] = operation
    return marked


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        renamed = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                target = value[len(SCHEMA_REF) :]
                value = SCHEMA_REF + renames.get(target, target)
            renamed[key] = _rename_refs(value, renames)
        return renamed
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node
