"""One OpenAPI document for the platform: every service's paths and schemas, merged and cached."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from gateway.routes import PUBLIC_ROUTES, SERVICES, public_alias

log = logging.getLogger(__name__)
SCHEMA_REF = "#/components/schemas/"
PARTIAL_CACHE_S = 5.0


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
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (EdDSA)"}},
        },
        "security": [{"bearer": []}],
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
                merged["paths"][alias] = {m: {**op, "security": []} for m, op in copy.deepcopy(operations).items()
                                          if isinstance(op, dict)}
        merged["tags"].append({"name": service})
    return merged


def _mark_public(path: str, operations: dict[str, Any]) -> dict[str, Any]:
    marked = {}
    for method, operation in operations.items():
        if isinstance(operation, dict) and (method.upper(), path) in PUBLIC_ROUTES:
            operation = {**operation, "security": []}
        marked[method] = operation
    return marked


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        renamed = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_REF):
                target = value[len(SCHEMA_REF):]
                value = SCHEMA_REF + renames.get(target, target)
            renamed[key] = _rename_refs(value, renames)
        return renamed
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node
