"""One audit view for the whole platform: every service's trail, merged newest first.

The gateway holds no audit data and decides no scope. It asks every service's own
`GET /api/v1/<service>/audit` at once, with the caller's internal token, so each service still
keeps the caller to their subtrees in SQL; the gateway only merges the answers.

Paging is keyset across services. The cursor carries, per service, the last id handed out
(each service pages by id), the merge key (time, service, id) of the page's last entry, and the
services already read to the end. A service without a position (nothing of it taken yet, or it
did not answer on an earlier page) is asked for entries up to that time and cut at the key, so a
traversal hands out each entry at most once and never goes back in time.

A service that does not answer does not fail the page: its name is in `missing_services` (and the
`X-Missing-Services` header), and the same request repeated later fills it in. Only when no
service answers is the answer 503.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from chassis import telemetry
from chassis.audit import AUDIT_KEYSET, AuditEntry, AuditFilters
from chassis.pagination import decode_values, encode_values, invalid_cursor
from chassis.principal import INTERNAL_TOKEN_HEADER, Principal
from pydantic import BaseModel, Field, ValidationError

from gateway.config import GatewaySettings
from gateway.problems import ServiceUnavailable
from gateway.proxy import Upstreams
from gateway.routes import SERVICES

log = logging.getLogger(__name__)
MISSING_HEADER = "X-Missing-Services"
CURSOR_VERSION = 1
# Timestamps are kept to the microsecond: one past a time is the first instant after it.
MICROSECOND = timedelta(microseconds=1)


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None = Field(None, description="Pass as `after` (with the same filters) for the next page")
    missing_services: list[str] = Field(
        default_factory=list,
        description="Services that did not answer: their entries are not in this page. Repeat the request later "
        "to fill them in.",
    )


Key = tuple[datetime, str, int]


def merge_key(entry: AuditEntry) -> Key:
    return entry.occurred_at, entry.service, entry.id


@dataclass
class Cursor:
    boundary: Key | None = None  # merge key of the last entry handed out
    positions: dict[str, int] = field(default_factory=dict)  # service → last id handed out
    done: set[str] = field(default_factory=set)  # services read to the end

    def encode(self) -> str:
        at = None if self.boundary is None else [self.boundary[0].isoformat(), *self.boundary[1:]]
        return encode_values([CURSOR_VERSION, at, self.positions, sorted(self.done)])

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        values = decode_values(text)
        try:
            version, at, positions, done = values
            if version != CURSOR_VERSION:
                raise ValueError(version)
            boundary = None if at is None else (_instant(at[0]), _text(at[1]), _id(at[2]))
            return cls(
                boundary,
                {_text(s): _id(i) for s, i in positions.items() if s in SERVICES},
                {_text(s) for s in done if s in SERVICES},
            )
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
            raise invalid_cursor() from error


def _instant(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None or moment.year >= 9999:  # the next page asks for a microsecond past it
        raise ValueError(value)
    return moment


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _id(value: object) -> int:
    if type(value) is not int:
        raise TypeError(value)
    return value


@dataclass
class ServicePage:
    service: str
    entries: list[AuditEntry]
    more: bool  # the service holds more entries past these


def merge(
    cursor: Cursor, answers: list[ServicePage], missing: list[str], limit: int
) -> tuple[list[AuditEntry], Cursor]:
    """The next `limit` entries of the merged trail, and the cursor after them.

    Each service's entries are taken in the service's own order (id, newest first), the next one
    always from the service whose head is newest; so a position is exactly "everything above this id
    was handed out", even where a service's ids and times disagree by a few microseconds.
    """
    streams = []
    for answer in answers:
        entries = answer.entries
        if answer.service not in cursor.positions and cursor.boundary is not None:
            entries = [e for e in entries if merge_key(e) < cursor.boundary]
        streams.append(entries)
    page = []
    for entry in heapq.merge(*streams, key=merge_key, reverse=True):
        if len(page) == limit:
            break
        page.append(entry)
    positions = {s: i for s, i in cursor.positions.items() if s not in missing}
    for entry in page:
        positions[entry.service] = entry.id
    taken = {s: sum(1 for e in page if e.service == s) for s in SERVICES}
    done = set(cursor.done)
    for answer, entries in zip(answers, streams, strict=True):
        if not answer.more and taken[answer.service] == len(entries):
            done.add(answer.service)
    boundary = merge_key(page[-1]) if page else cursor.boundary
    return page, Cursor(boundary, positions, done)


class AuditView:
    def __init__(self, settings: GatewaySettings, upstreams: Upstreams) -> None:
        self.settings = settings
        self.upstreams = upstreams

    async def page(
        self,
        principal: Principal,
        filters: AuditFilters,
        after: str | None,
        limit: int,
        request_id: str,
        forwarded_for: str,
    ) -> AuditPage:
        cursor = Cursor.decode(after)
        services = [s for s in SERVICES if s not in cursor.done]
        headers = {
            INTERNAL_TOKEN_HEADER: self.upstreams.internal_token(principal),
            "x-request-id": request_id,
            "x-forwarded-for": forwarded_for,
            **telemetry.current_trace_headers(),
        }
        fetched = await asyncio.gather(*(self._fetch(s, cursor, filters, limit, headers) for s in services))
        answers = [answer for answer in fetched if answer is not None]
        missing = [s for s, answer in zip(services, fetched, strict=True) if answer is None]
        if services and not answers:
            raise ServiceUnavailable(
                "Không dịch vụ nào trả lời về nhật ký kiểm tra lúc này",
                "No service answered for the audit trail",
                extra={"missing_services": missing},
            )
        items, after_page = merge(cursor, answers, missing, limit)
        # Missing services do not hold the traversal open: repeating a page is how they are filled in.
        finished = not items or all(s in after_page.done for s in SERVICES if s not in missing)
        return AuditPage(items=items, next_cursor=None if finished else after_page.encode(), missing_services=missing)

    async def _fetch(
        self, service: str, cursor: Cursor, filters: AuditFilters, limit: int, headers: dict[str, str]
    ) -> ServicePage | None:
        params = filters.model_dump(mode="json", exclude_none=True)
        params["limit"] = limit
        if service in cursor.positions:
            params["after"] = AUDIT_KEYSET.encode(cursor.positions[service])
        elif cursor.boundary is not None:
            # Not read yet, or it missed a page: only what is not newer than where the traversal is.
            until = cursor.boundary[0] + MICROSECOND
            if filters.until is None or until < filters.until:
                params["until"] = until.isoformat()
        url = f"{self.upstreams.urls[service]}/api/v1/{service}/audit"
        try:
            response = await self.upstreams.client.get(
                url, params=params, headers=headers, timeout=self.settings.audit_service_timeout_s
            )
            if response.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"status {response.status_code}", request=response.request, response=response
                )
            body = response.json()
            entries = [AuditEntry.model_validate({**item, "service": service}) for item in body["items"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError, ValidationError) as error:
            log.warning("service audit trail unavailable", extra={"fields": {"service": service, "error": repr(error)}})
            return None
        return ServicePage(service, entries, body.get("next_cursor") is not None)
