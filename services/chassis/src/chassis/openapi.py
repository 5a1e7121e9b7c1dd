"""Each service's OpenAPI document declares its errors: the problem+json schema and the statuses each
operation can answer, so that a client generated from it parses every error (the gateway adds its own)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, in Vietnamese and English; extra members depend on the problem.",
    "required": ["type", "title", "status", "code", "message_vi", "message_en"],
    "properties": {
        "type": {"type": "string", "description": "urn:congdoan:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "message_vi": {"type": "string"},
        "message_en": {"type": "string"},
        "field": {"type": "string", "description": "The field at fault, when one is"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message_vi": {"type": "string"},
                    "message_en": {"type": "string"},
                },
            },
        },
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Yêu cầu không đọc được (nội dung, đường dẫn) / the request cannot be read (body, path)",
    "401": "Chưa đăng nhập / not authenticated",
    "403": "Không có quyền hoặc ngoài phạm vi / not allowed or out of scope",
    "404": "Không tìm thấy / not found",
    "409": "Xung đột với dữ liệu hiện có / conflicts with the current state",
    "413": "Quá lớn / too large",
    "422": "Dữ liệu không hợp lệ / invalid input",
    "429": "Quá nhiều yêu cầu / too many requests",
    "503": "Tạm thời không phục vụ được, gửi lại sau / unavailable for now, send again later",
    "504": "Dịch vụ không trả lời kịp / a service did not answer in time",
}
WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = frozenset({"get", "head", "options", *WRITES})


def problem_response(status: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}
    return {"description": DESCRIPTIONS[status], "content": {"application/problem+json": {"schema": schema}}}


def statuses_of(method: str, operation: dict[str, Any]) -> list[str]:
    """What every service operation may answer besides its successes: the internal token and the scope
    (401, 403), the input (400, 422), a missing unit or record (404), a lost race or a taken code (409, writes),
    a body too large (413) and a transaction to send again (503)."""
    statuses = ["401", "403", "404", "503"]
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append("422")
    if operation.get("requestBody"):
        statuses += ["400", "413"]
    if method in WRITES:
        statuses.append("409")
    return statuses


def add_problems(document: dict[str, Any], extra_statuses: tuple[str, ...] = ()) -> dict[str, Any]:
    """Declare the problem schema and each operation's error statuses in `document` (changed in place)."""
    document.setdefault("components", {}).setdefault("schemas", {})[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA
    schemas = document["components"]["schemas"]
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in (*statuses_of(method, operation), *extra_statuses):
                responses[status] = problem_response(status)
    # FastAPI's own 422 shape is never sent (every 422 is a problem): drop it.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def declare_problems(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
