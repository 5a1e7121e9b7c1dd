"""The audit trail: every write through a service's API, who did it, for whom, where, and how it ended; and
every read of personal data a route declares (`note_read`): who saw a member's unmasked sensitive fields, who
exported which filter and how many rows.

The middleware opens an audit record per request; the principal dependency and `ensure_in_scope` fill in who
and which unit; the record of a write, or of a read that noted itself, is stored after the response (a
streamed export's too, once its last row went out) in its own transaction, so refused and failed writes are
recorded too.

Each service serves its trail (`audit_router`, filtered by `AuditFilters`, keyset by id); the gateway's
`GET /api/v1/audit` merges all of them with the same filters.
"""

import contextvars
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from contracts.permissions import Permission
from fastapi import APIRouter, Query
from opentelemetry import trace
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Select, insert, or_, select
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.database import Database
from chassis.pagination import Keyset
from chassis.principal import Grant, Principal
from chassis.tables import audit_log

log = logging.getLogger(__name__)
# The trail's cursor: the id of the last entry handed out (ids only grow; newest first).
AUDIT_KEYSET = Keyset(int)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class AuditRecord:
    principal: Principal | None = None
    unit_id: UUID | None = None
    # The delegation the write was done under, when only a delegated grant allowed it.
    acting_for: UUID | None = None
    delegation_id: UUID | None = None
    # A read of personal data to keep, and what it read (replaces the path parameters as the target).
    read: bool = False
    target: str | None = None


_current: contextvars.ContextVar[AuditRecord | None] = contextvars.ContextVar("audit_record", default=None)


def note_principal(principal: Principal) -> None:
    record = _current.get()
    if record is not None:
        record.principal = principal


def note_unit(unit_id: UUID) -> None:
    """The first unit a write was checked against is the unit it acts on."""
    record = _current.get()
    if record is not None and record.unit_id is None:
        record.unit_id = unit_id


def note_delegation(grant: Grant) -> None:
    """The write is allowed only through `grant`, lent by a delegation: record whose role was used."""
    record = _current.get()
    if record is not None and record.delegation_id is None and grant.delegation_id is not None:
        record.acting_for = grant.delegator_id
        record.delegation_id = grant.delegation_id


def note_read(unit_id: UUID | None, target: str) -> None:
    """This request reads personal data: record it (`target` says what: which member, which filter)."""
    record = _current.get()
    if record is not None:
        record.read = True
        record.target = target
        if unit_id is not None:
            record.unit_id = unit_id


def amend_read(target: str) -> None:
    """What the read turned out to be (an export's row count, known after its last row)."""
    record = _current.get()
    if record is not None and record.read:
        record.target = target


class AuditMiddleware:
    def __init__(self, app: ASGIApp, service: str, database: Database) -> None:
        self.app = app
        self.service = service
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        write = scope["method"] in WRITE_METHODS
        record = AuditRecord()
        token = _current.set(record)
        status = {"code": 500}

        async def send_with_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            _current.reset(token)
            if record.principal is not None and (write or record.read):
                await self._store(scope, record, status["code"])

    async def _store(self, scope: Scope, record: AuditRecord, status: int) -> None:
        who = record.principal
        span = trace.get_current_span().get_span_context()
        route = getattr(scope.get("route"), "path", scope["path"])
        params = scope.get("path_params") or {}
        try:
            async with self.database.transaction() as session:
                await session.execute(
                    insert(audit_log).values(
                        service=self.service,
                        action=f"{scope['method']} {route}",
                        # A refused request's path may hold what PostgreSQL cannot store (a NUL): shown, not stored.
                        target=(record.target or ",".join(f"{k}={v}" for k, v in sorted(params.items()))).replace(
                            "\x00", "\ufffd"
                        )
                        or None,
                        unit_id=record.unit_id,
                        user_id=who.user_id,
                        username=who.username,
                        acting_for=record.acting_for or who.acting_for,
                        delegation_id=record.delegation_id or who.delegation_id,
                        status=status,
                        outcome="success" if status < 400 else ("refused" if status < 500 else "failed"),
                        request_id=who.request_id,
                        client_ip=who.client_ip,
                        trace_id=format(span.trace_id, "032x") if span.is_valid else None,
                    )
                )
        except Exception:  # the write itself is done; a lost audit row must be loud, not fatal
            log.exception("could not store audit record", extra={"fields": {"started": time.time()}})


class AuditEntry(BaseModel):
    id: int
    occurred_at: datetime
    service: str
    action: str
    target: str | None
    unit_id: UUID | None
    user_id: UUID | None = None
    username: str | None
    acting_for: UUID | None
    delegation_id: UUID | None = None
    status: int
    outcome: str
    request_id: str | None
    client_ip: str | None
    trace_id: str | None = None


class AuditFilters(BaseModel):
    """What an administrator narrows the trail by; the same fields at every service and at the gateway."""

    unit_id: UUID | None = None
    actor: str | None = Field(None, max_length=200, description="Username or user id of who wrote")
    action: str | None = Field(
        None, max_length=300, description="Method and route template, e.g. `POST /api/v1/members/members`"
    )
    outcome: Literal["success", "refused", "failed"] | None = None
    since: AwareDatetime | None = Field(None, description="From this instant (inclusive, with a UTC offset)")
    until: AwareDatetime | None = Field(None, description="Before this instant (exclusive, with a UTC offset)")
    request_id: str | None = Field(None, max_length=128)
    kind: Literal["write", "read"] | None = Field(
        None, description="`write`: changes (POST, PUT, PATCH, DELETE); `read`: reads of personal data (the access log)"
    )


def filtered(query: Select, filters: AuditFilters) -> Select:
    conditions = []
    if filters.unit_id is not None:
        conditions.append(audit_log.c.unit_id == filters.unit_id)
    if filters.actor:
        try:
            conditions.append(audit_log.c.user_id == UUID(filters.actor))
        except ValueError:
            conditions.append(audit_log.c.username == filters.actor)
    if filters.action:
        conditions.append(audit_log.c.action == filters.action)
    if filters.outcome:
        conditions.append(audit_log.c.outcome == filters.outcome)
    if filters.since is not None:
        conditions.append(audit_log.c.occurred_at >= filters.since)
    if filters.until is not None:
        conditions.append(audit_log.c.occurred_at < filters.until)
    if filters.request_id:
        conditions.append(audit_log.c.request_id == filters.request_id)
    if filters.kind is not None:
        # Only writes and the reads a route noted are stored, so a read is any entry of a reading method.
        methods = sorted(WRITE_METHODS) if filters.kind == "write" else ["GET", "HEAD"]
        conditions.append(or_(*(audit_log.c.action.startswith(f"{method} ") for method in methods)))
    return query.where(*conditions) if conditions else query


def audit_router(prefix: str) -> APIRouter:
    """`GET <prefix>/audit`: the service's audit trail within the caller's subtrees, newest first (by id)."""
    # Imported here (chassis.http imports this module); no postponed annotations in this file,
    # so FastAPI sees these dependency types as objects, not as unresolvable strings.
    from chassis.http import CurrentPrincipal, Session
    from chassis.pagination import Page
    from chassis.scope import restrict_to_scope

    router = APIRouter(prefix=prefix, tags=["audit"])

    @router.get("/audit", response_model=Page[AuditEntry])
    async def read_audit(
        principal: CurrentPrincipal,
        session: Session,
        filters: Annotated[AuditFilters, Query()],
        after: str | None = Query(None, description="`next_cursor` of the previous page"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> Page[AuditEntry]:
        window = AUDIT_KEYSET.window(after, limit)
        query = filtered(select(audit_log), filters).order_by(audit_log.c.id.desc()).limit(window.fetch)
        if window.after_value is not None:
            query = query.where(audit_log.c.id < window.after_value)
        query = restrict_to_scope(query, principal, Permission.AUDIT_READ, audit_log.c.unit_id)
        rows = [AuditEntry.model_validate(row, from_attributes=True) for row in await session.execute(query)]
        return window.page(rows, lambda last: (last.id,))

    return router
