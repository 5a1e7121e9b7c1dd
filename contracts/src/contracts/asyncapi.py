"""The AsyncAPI 3 document of the bank-facing channels, generated from the contracts (`cards_issuance_v1`).

A bank receives the steps of its linked cards by signed webhook or on its own Kafka topic (this document), follows
the same steps by pull
feed and answers for its cards through the platform's HTTP API (OpenAPI, `/openapi.json`, OAuth2 client
credentials). `python -m contracts.schemagen` writes it to `contracts/asyncapi/banks.json` with the JSON Schemas, and
`--check` fails when it is stale; the message schemas' compatibility is checked like every event's. The gateway
serves it at `/asyncapi/banks.json`.
"""

from __future__ import annotations

import copy
from typing import Any

from contracts.events import cards_issuance_v1 as issuance
from contracts.scopes import SCOPES

DEFS = "#/$defs/"
SCHEMAS = "#/components/schemas/"
BANK_SCOPES = ("cards.issuance:read", "cards.issuance:answer")


def _schema(model: type, schemas: dict[str, Any]) -> dict[str, str]:
    """The model's JSON Schema under components/schemas, its $defs beside it; returns a $ref to it."""
    schema = copy.deepcopy(model.model_json_schema(ref_template=SCHEMAS + "{model}"))
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": SCHEMAS + model.__name__}


def bank_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    payload = _schema(issuance.IssuanceDelivery, schemas)
    step = _schema(issuance.IssuanceStep, schemas)
    headers = {
        "type": "object",
        "required": [issuance.SIGNATURE_HEADER, issuance.TIMESTAMP_HEADER, issuance.EVENT_ID_HEADER],
        "properties": {
            issuance.SIGNATURE_HEADER: {
                "type": "string",
                "pattern": "^sha256=[0-9a-f]{64}$",
                "description": "sha256=<hex HMAC-SHA256 of `<timestamp>.<raw body>` with the partner's secret>; "
                "compare in constant time",
            },
            issuance.TIMESTAMP_HEADER: {
                "type": "string",
                "pattern": "^[0-9]+$",
                "description": "Unix seconds when the call was signed; refuse calls older than a few minutes",
            },
            issuance.EVENT_ID_HEADER: {
                "type": "string",
                "format": "uuid",
                "description": "The step's event id: drop a delivery seen before",
            },
        },
    }
    cloudevents = {
        "type": "object",
        "required": ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject", "x-sequence"],
        "properties": {
            "ce_id": {"type": "string", "format": "uuid", "description": "The step's event id: drop one seen before"},
            "ce_source": {"type": "string", "const": "/services/cards"},
            "ce_type": {"type": "string", "const": issuance.IssuanceStep.event_type},
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {"type": "string", "format": "uuid", "description": "The card id (also the key)"},
            "x-sequence": {"type": "string", "pattern": "^[0-9]+$", "description": "The step's feed position"},
            "traceparent": {"type": "string"},
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Đoàn viên công đoàn — kênh phát hành thẻ liên kết cho ngân hàng (bank-facing channels)",
            "version": issuance.CHANNEL,
            "description": (
                "Each step of the linked cards a bank issues, in the order of the banks' feed (`sequence`), at "
                "least once: de-duplicate by `event_id`; a card's steps come with `version` 1, 2, 3, …. ID number, "
                "date of birth and phone are present only while the member consents to share them with that "
                "bank. The same steps can be read by `GET /api/v1/cards/issuance?after=<cursor>`; the bank "
                "answers each card (issued or rejected) by `POST /api/v1/cards/issuance/cards/{card_id}/answer` "
                "with an OAuth2 client-credentials token (see the OpenAPI document). A step the endpoint does not "
                "acknowledge with a 2xx is retried with growing pauses, then parked: the platform lists it and "
                "sends it again on request (`/api/v1/cards/partners/{partner}/webhook/parked`)."
            ),
        },
        "servers": {
            "bank": {
                "host": "{bank_host}",
                "protocol": "https",
                "pathname": "/",
                "description": "The bank's webhook endpoint, registered per partner "
                "(`PUT /api/v1/cards/partners/{partner}/webhook`)",
                "variables": {"bank_host": {"description": "Host of the bank's webhook receiver"}},
                "security": [{"$ref": "#/components/securitySchemes/webhookSignature"}],
            },
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka-secure",
                "description": "The platform's Kafka (SASL_SSL, SCRAM-SHA-512): the bank's own user may read its own "
                "topic only, with consumer groups named after it",
                "variables": {"bootstrap": {"description": "host:port of a bootstrap broker"}},
                "security": [{"$ref": "#/components/securitySchemes/kafkaScram"}],
            },
        },
        "channels": {
            "issuanceWebhook": {
                "address": "{webhook_path}",
                "title": "Các bước phát hành thẻ liên kết của ngân hàng (webhook)",
                "servers": [{"$ref": "#/servers/bank"}],
                "parameters": {"webhook_path": {"description": "The path of the registered webhook URL"}},
                "messages": {"issuanceDelivery": {"$ref": "#/components/messages/issuanceDelivery"}},
                "bindings": {"http": {"bindingVersion": "0.3.0"}},
            },
            "partnerTopic": {
                "address": issuance.PARTNER_TOPIC,
                "title": "Các bước phát hành thẻ liên kết của ngân hàng (Kafka, một kênh cho mỗi ngân hàng)",
                "description": "One partition: the feed's order. Published once the partner's topic is enabled "
                "(`PUT /api/v1/cards/partners/{partner}/topic`), from the beginning of its feed.",
                "servers": [{"$ref": "#/servers/kafka"}],
                "parameters": {"partner": {"description": "The partner code in lower case, e.g. ctg"}},
                "messages": {"issuanceStep": {"$ref": "#/components/messages/issuanceStep"}},
                "bindings": {"kafka": {"partitions": 1, "bindingVersion": "0.5.0"}},
            },
        },
        "operations": {
            "sendIssuanceSteps": {
                "action": "send",
                "title": "POST each step of the partner's linked cards to its endpoint",
                "channel": {"$ref": "#/channels/issuanceWebhook"},
                "messages": [{"$ref": "#/channels/issuanceWebhook/messages/issuanceDelivery"}],
                "bindings": {"http": {"method": "POST", "bindingVersion": "0.3.0"}},
            },
            "publishIssuanceSteps": {
                "action": "send",
                "title": "Publish each step of the partner's linked cards on its own topic",
                "channel": {"$ref": "#/channels/partnerTopic"},
                "messages": [{"$ref": "#/channels/partnerTopic/messages/issuanceStep"}],
            },
        },
        "components": {
            "messages": {
                "issuanceDelivery": {
                    "name": issuance.IssuanceDelivery.event_type,
                    "title": "Steps of the partner's linked cards (one per call)",
                    "contentType": "application/json",
                    "headers": headers,
                    "payload": payload,
                },
                "issuanceStep": {
                    "name": issuance.IssuanceStep.event_type,
                    "title": "One step of a linked card of the partner (CloudEvents in Kafka binary mode)",
                    "contentType": "application/json",
                    "headers": cloudevents,
                    "payload": step,
                    "bindings": {"kafka": {"key": {"type": "string", "format": "uuid"}, "bindingVersion": "0.5.0"}},
                },
            },
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "webhookSignature": {
                    "type": "httpApiKey",
                    "name": issuance.SIGNATURE_HEADER,
                    "in": "header",
                    "description": "HMAC-SHA256 with the partner's webhook secret (returned once when the webhook "
                    "is registered or its secret rotated)",
                },
                "kafkaScram": {
                    "type": "scramSha512",
                    "description": "The bank's KafkaUser: read its own topic, its own consumer groups",
                },
                "platformClientCredentials": {
                    "type": "oauth2",
                    "description": "How the bank's client calls back (pull feed, answers): POST "
                    "/api/v1/identity/oauth/token with grant_type=client_credentials",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/api/v1/identity/oauth/token",
                            "availableScopes": {name: SCOPES[name].description_en for name in BANK_SCOPES},
                        }
                    },
                },
            },
        },
    }
