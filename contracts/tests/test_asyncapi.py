"""The AsyncAPI document of the bank-facing channels: generated from the contracts, every reference resolves, and what
the webhook sender POSTs is valid against the message it declares."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import jsonschema
from contracts.events.cards_issuance_v1 import IssuanceDelivery, IssuanceStep
from contracts.schemagen import ASYNCAPI_FILE, render

from contracts.asyncapi import bank_document


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve(document: dict, ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_the_checked_in_document_is_the_generated_one_and_every_reference_resolves():
    document = bank_document()
    assert ASYNCAPI_FILE.read_text() == render(document)
    assert document["asyncapi"] == "3.0.0"
    for ref in _refs(document):
        assert ref.startswith("#/") and _resolve(document, ref) is not None, ref
    operation = document["operations"]["sendIssuanceSteps"]
    assert operation["action"] == "send" and operation["bindings"]["http"]["method"] == "POST"


def test_the_document_is_valid_asyncapi_3():
    spec = json.loads((ASYNCAPI_FILE.parent / "spec" / "asyncapi-3.0.0.json").read_text())
    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in jsonschema.Draft7Validator(spec).iter_errors(json.loads(ASYNCAPI_FILE.read_text()))
    ]
    assert errors == []


def test_a_webhook_body_is_valid_against_the_declared_payload():
    document = json.loads(ASYNCAPI_FILE.read_text())
    step = IssuanceStep(
        sequence=7,
        event_id=uuid.uuid4(),
        card_id=uuid.uuid4(),
        version=2,
        member_id=uuid.uuid4(),
        member_code="79000000001",
        full_name="Trần Thị Bình",
        unit_id=uuid.uuid4(),
        unit_code="HNI-A",
        unit_name="Công đoàn cơ sở A",
        delivery_unit_id=None,
        delivery_unit_name=None,
        kind="linked",
        partner="CTG",
        reason="new",
        replaces_card_id=None,
        order_id=uuid.uuid4(),
        card_number=None,
        verification_code="ABCD" * 4,
        status="ordered",
        old_status="requested",
        note=None,
        changed_at=datetime.now(UTC),
        bank_consent_on=date(2026, 11, 30),
        id_kind="cccd",
        id_number="001192000003",
        date_of_birth=date(1992, 3, 4),
        phone="0912345678",
    )
    body = json.loads(IssuanceDelivery(partner="CTG", items=[step]).model_dump_json())
    message = document["components"]["messages"]["issuanceDelivery"]
    schema = {**message["payload"], "components": document["components"]}
    jsonschema.validate(body, schema)
    broken = {**body, "items": [{**body["items"][0], "sequence": "seven"}]}
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a malformed step passed the declared schema")
