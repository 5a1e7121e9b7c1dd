"""Keyset pagination: every list endpoint returns `items` and an opaque `next_cursor`."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from chassis.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `after` to get the next page; null on the last")


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as error:
        raise InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field="after") from error
    if not isinstance(values, list):
        raise InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field="after")
    return values


def cursor_values(cursor: str | None, *parsers: Any) -> tuple | None:
    """Typed values of a cursor from `encode_cursor`: `cursor_values(after, datetime.fromisoformat, UUID)`."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        if len(values) != len(parsers):
            raise ValueError("wrong number of values")
        return tuple(parse(value) for parse, value in zip(parsers, values, strict=True))
    except (TypeError, ValueError) as error:
        raise InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field="after") from error


def page_of(items: list[T], limit: int, cursor_of) -> Page[T]:
    """`items` was fetched with limit+1 rows: the extra row only tells that a next page exists."""
    has_more = len(items) > limit
    items = items[:limit]
    return Page[T](items=items, next_cursor=cursor_of(items[-1]) if has_more and items else None)
