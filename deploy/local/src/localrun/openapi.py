"""The platform's public API as one OpenAPI document, built without running anything.

`python -m localrun openapi` writes `contracts/openapi/gateway.json`: every service's app is built in
process (nothing connects) and merged exactly as the gateway merges them at run time. The web app's
TypeScript types are generated from that file, so an API change that breaks the app breaks its build;
`--check` fails when the committed file is stale.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).resolve().parents[4] / "contracts" / "openapi" / "gateway.json"


def platform_document() -> dict[str, Any]:
    from gateway.app import create_app as create_gateway
    from gateway.config import GatewaySettings
    from gateway.openapi import merge
    from gateway.routes import SERVICES

    documents = {}
    for name in SERVICES:
        definition = importlib.import_module(f"{name}.__main__").DEFINITION
        settings = definition.settings()
        documents[name] = definition.create_app(settings, definition.database(settings)).openapi()
    gateway = create_gateway(GatewaySettings(unit_scope_check=False, token_revocation=False))
    return merge(documents, gateway.state.gateway.openapi.own())


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(path: Path = DOCUMENT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(platform_document()))


def stale(path: Path = DOCUMENT) -> bool:
    return not path.exists() or path.read_text() != render(platform_document())
