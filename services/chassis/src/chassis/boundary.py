"""The one rule for input, at every boundary: what PostgreSQL cannot hold is refused where it comes in.

PostgreSQL text cannot hold a NUL character, its integers end at 64 bits, and its numbers are finite. A
value breaking one of these would fail deep inside a statement (a 500, or a consumer retrying for ever);
refused at the door it is a 422 problem naming the field. The same check runs on every HTTP request
(`guard_request`, a dependency of every service route: path, query, JSON and form bodies, file names), on
every Kafka event (`chassis.consumer` dead-letters it), on every spreadsheet cell (`chassis.spreadsheets`)
and on every keyset cursor (`chassis.pagination`). `tests/architecture/test_input_boundary.py` sends
such values to every operation of every service.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.datastructures import UploadFile

from chassis.errors import InvalidInput

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Only a body containing one of these can hold a value that breaks the rule: everything else skips the
# second parse. NUL in JSON is always the escape \u0000 and the non-finite numbers are words; a JSON integer
# past int64 has at least 19 digits, a float past the finite ones an exponent of at least 3 digits, both as a
# number token (after `:`, `,` or `[`). Found in three steps, each cheaper than the next: substrings; digit runs
# in the body with every digit made "0" (bytes.translate, in C); the number tokens by a regular expression. Ids
# (uuids) hold "9e123" often, so the regex alone scanned every event: 15-20 µs an event at the Kafka door.
_DIGITS = bytes.maketrans(b"0123456789E", b"0000000000e")
_NINETEEN_DIGITS = b"0" * 19
_SUSPECT_NUMBER = re.compile(rb"[:,\[]\s*-?(?:[0-9]{19}|[0-9]+(?:\.[0-9]+)?[eE]\+?[0-9]{3})")

REASONS: dict[str, tuple[str, str]] = {
    "nul-character": ("Không được chứa ký tự NUL (\\u0000)", "must not contain the NUL character (\\u0000)"),
    "integer-out-of-range": ("Số nguyên vượt quá giới hạn 64 bit", "the integer does not fit in 64 bits"),
    "not-finite": ("Phải là một số hữu hạn", "must be a finite number"),
    "invalid-utf8": ("Không phải văn bản UTF-8 hợp lệ", "is not valid UTF-8 text"),
}


def refusal(field: str, reason: str) -> InvalidInput:
    vi, en = REASONS[reason]
    return InvalidInput(
        f"Dữ liệu không hợp lệ: {field} - {vi}", f"Invalid input: {field}: {en}", field=field, code=reason
    )


def flaw(value: Any) -> str | None:
    """Why a single value cannot be stored, or None."""
    if isinstance(value, str):
        return "nul-character" if "\x00" in value else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else "integer-out-of-range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "not-finite"
    return None


def find_flaw(value: Any, field: str = "") -> tuple[str, str] | None:
    """The first (field, reason) in a decoded JSON value (objects' keys included), or None."""
    for path, item in _walk(value, field):
        if (reason := flaw(item)) is not None:
            return path or "body", reason
    return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, key
            yield from _walk(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}.{index}" if path else str(index))
    else:
        yield path, value


def check(value: Any, field: str) -> None:
    """Raise the 422 refusal for the first value in `value` that breaks the rule."""
    if (found := find_flaw(value, field)) is not None:
        raise refusal(*found)


def suspect_json(body: bytes) -> bool:
    """Whether `body` may hold a value that breaks the rule (never False when it does)."""
    if b"\\u0000" in body or b"Infinity" in body or b"NaN" in body:
        return True
    digits = body.translate(_DIGITS)
    if b"0e000" not in digits and b"0e+000" not in digits and _NINETEEN_DIGITS not in digits:
        return False
    return _SUSPECT_NUMBER.search(body) is not None or body.lstrip()[:1] not in (b"{", b"[", b'"')


def check_json_body(body: bytes) -> None:
    if not body or not suspect_json(body):
        return
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the route's own parsing answers that
    check(decoded, "")


async def guard_request(request: Request) -> None:
    """Every service route's first dependency: the rule for path, query, body and form fields."""
    raw_path = request.scope.get("raw_path")
    if raw_path is not None and not _is_utf8(unquote_to_bytes(raw_path)):
        raise refusal("path", "invalid-utf8")
    for name, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise refusal(name, "nul-character")
    integers = _integer_parameters(request.scope.get("route"))
    for name, value in _query_pairs(request.scope.get("query_string", b"")):
        if "\x00" in value:
            raise refusal(name, "nul-character")
        if name in integers and _integer_beyond_int64(value):
            raise refusal(name, "integer-out-of-range")
    for name in integers & request.path_params.keys():
        if _integer_beyond_int64(str(request.path_params[name])):
            raise refusal(name, "integer-out-of-range")
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        check_json_body(await request.body())  # read once: FastAPI already did, the bytes are cached
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if getattr(request.scope.get("route"), "body_field", None) is not None:
            form = await request.form()  # parsed once by FastAPI for the route, cached on the request
            for name, value in form.multi_items():
                check(name, name)
                check(value.filename or "" if isinstance(value, UploadFile) else value, name)
        elif content_type == "application/x-www-form-urlencoded":
            # A route that parses its form itself (the OAuth token endpoint) reads the bytes: read them, cached.
            for name, value in _query_pairs(await request.body()):
                check(name, name)
                check(value, name)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _query_pairs(query: bytes) -> Iterator[tuple[str, str]]:
    for part in query.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(raw_value.replace(b"+", b" "))
        name = name_bytes.decode("utf-8", "replace")
        if not _is_utf8(name_bytes):
            raise refusal(name, "invalid-utf8")
        if not _is_utf8(value_bytes):
            raise refusal(name, "invalid-utf8")
        yield name, value_bytes.decode("utf-8")


def _integer_beyond_int64(text: str) -> bool:
    text = text.strip()
    if not text.lstrip("+-").isdigit():
        return False  # not an integer at all: the route's validation answers
    return not INT64_MIN <= int(text) <= INT64_MAX


_INTEGER_PARAMETERS: dict[int, frozenset[str]] = {}


def _integer_parameters(route: Any) -> frozenset[str]:
    """Names of the route's query and path parameters declared as integers (found once per route)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return frozenset()
    key = id(route)
    if key not in _INTEGER_PARAMETERS:
        names: set[str] = set()
        stack = [dependant]
        while stack:
            current = stack.pop()
            stack.extend(current.dependencies)
            for parameter in (*current.query_params, *current.path_params):
                if _holds_int(parameter.field_info.annotation):
                    names.add(parameter.alias)
        _INTEGER_PARAMETERS[key] = frozenset(names)
    return _INTEGER_PARAMETERS[key]


def _holds_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _holds_int(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return any(_holds_int(arg) for arg in typing.get_args(annotation))
    return False
