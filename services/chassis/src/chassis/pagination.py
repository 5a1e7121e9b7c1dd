"""Keyset pagination: every list endpoint returns `items` and an opaque `next_cursor`.

One codec for every list: a `Keyset` names the types of a cursor's values (the sort key of the last row
handed out); it encodes them as opaque text and decodes a client's text back into typed values, refusing
(422, field `after`) anything it did not write: broken base64 or JSON, the wrong number or types of values,
and values the boundary rule refuses (NUL, integers past 64 bits, `chassis.boundary`). A `Window` is one
page's request: the decoded position, the limit, and the one extra row (`fetch`) whose presence says that a
next page exists.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.boundary import find_flaw
from chassis.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 500
MAX_CURSOR_CHARS = 2_000
MAX_TEXT_VALUE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `after` to get the next page; null on the last")


def invalid_cursor(field: str = "after") -> InvalidInput:
    return InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field=field)


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT_VALUE:
        raise ValueError(value)
    return value


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise ValueError(value)
    return value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(value)  # we only ever write instants with their offset
    return moment


_DECODERS: dict[type, Callable[[Any], Any]] = {
    str: _text,
    int: _integer,
    UUID: lambda value: UUID(_text(value)),
    datetime: _moment,
    date: lambda value: date.fromisoformat(_text(value)),
}


def _encodable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_values(values: Sequence[Any]) -> str:
    """The cursor text of JSON values (the layer under `Keyset`; the gateway's merged audit cursor uses it)."""
    return base64.urlsafe_b64encode(json.dumps([_encodable(v) for v in values]).encode()).decode()


def decode_values(text: str, field: str = "after") -> list[Any]:
    """The JSON values of a cursor text, refused (422) unless it is one this codec wrote and every value in
    it passes the boundary rule."""
    try:
        if len(text) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        values = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
    except (ValueError, UnicodeError, RecursionError, binascii.Error) as error:
        raise invalid_cursor(field) from error
    if not isinstance(values, list) or find_flaw(values) is not None:
        raise invalid_cursor(field)
    return values


class Keyset:
    """The cursor of one list: `Keyset(datetime, UUID)` for a list sorted by (created_at, id)."""

    def __init__(self, *kinds: type, field: str = "after") -> None:
        unknown = [kind for kind in kinds if kind not in _DECODERS]
        if unknown or not kinds:
            raise TypeError(f"cursor values may be {sorted(k.__name__ for k in _DECODERS)}, not {unknown}")
        self.kinds = kinds
        self.field = field

    def encode(self, *values: Any) -> str:
        if len(values) != len(self.kinds):
            raise ValueError(f"a cursor of {len(self.kinds)} values, given {len(values)}")
        return encode_values(values)

    def decode(self, text: str | None) -> tuple | None:
        """The typed values of a cursor this keyset wrote; None for no cursor (the first page)."""
        if not text:
            return None
        values = decode_values(text, self.field)
        try:
            if len(values) != len(self.kinds):
                raise ValueError("wrong number of values")
            return tuple(_DECODERS[kind](value) for kind, value in zip(self.kinds, values, strict=True))
        except (ValueError, TypeError) as error:
            raise invalid_cursor(self.field) from error

    def window(self, after: str | None, limit: int) -> Window:
        return Window(self.decode(after), limit, self)


@dataclass(frozen=True)
class Window:
    """One page asked for: rows after `after`, `limit` of them; repositories fetch `fetch` rows."""

    after: tuple | None
    limit: int
    keyset: Keyset

    @property
    def fetch(self) -> int:
        return self.limit + 1  # the one extra row only tells that a next page exists

    @property
    def after_value(self) -> Any:
        """The position of a keyset of one value (a code, a username, a feed position); None on the first page."""
        if len(self.keyset.kinds) != 1:
            raise TypeError("after_value is the position of a keyset of one value; read `after` instead")
        return self.after[0] if self.after else None

    def split(self, rows: Sequence[Any]) -> tuple[Sequence[Any], bool]:
        """`rows` fetched with `fetch`: the page's own rows, and whether a next page exists."""
        return rows[: self.limit], len(rows) > self.limit

    def page(self, rows: Sequence[Any], key: Callable[[Any], tuple], item: Callable[[Any], T] | None = None) -> Page:
        """The page of `rows` (fetched with `fetch`): `key(row)` is the sort key the next cursor carries,
        `item(row)` what the client gets (the row itself by default)."""
        rows, has_more = self.split(rows)
        items = [item(row) for row in rows] if item is not None else list(rows)
        return Page(items=items, next_cursor=self.keyset.encode(*key(rows[-1])) if has_more and rows else None)
