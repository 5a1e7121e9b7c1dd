"""The audit trail: every write through a service's API, who did it, for whom, where, and how it ended.

The middleware opens an audit record per write request; the principal dependency and
`ensure_in_scope` fill in who and which unit; the record is stored after the response
in its own transaction, so refused and failed writes are recorded too.

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
from sqlalchemy import Select, insert, select
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.database import Database
from chassis.principal import Grant, Principal
from chassis.tables import audit_log

log = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class AuditRecord:
    principal: Principal | None = None
    unit_id: UUID | None = None
    # The delegation the write was done under, when only a delegated grant allowed it.
    acting_for: UUID | None = None
    delegation_id: UUID | None = None


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


class AuditMiddleware:
    def __init__(self, app: ASGIApp, service: str, database: Database) -> None:
        self.app = app
        self.service = service
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
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
            if record.principal is not None:
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
                        target=",".join(f"{k}={v}" for k, v in sorted(params.items())) or None,
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
    action: str | None = Field(None, max_length=300,
                               description="Method and route template, e.g. `POST /api/v1/members/members`")
    outcome: Literal["success", "refused", "failed"] | None = None
    since: AwareDatetime | None = Field(None, description="From this instant (inclusive, with a UTC offset)")
    until: AwareDatetime | None = Field(None, description="Before this instant (exclusive, with a UTC offset)")
    request_id: str | None = Field(None, max_length=128)


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
    return query.where(*conditions) if conditions else query


def audit_router(prefix: str) -> APIRouter:
    """`GET <prefix>/audit`: the service's audit trail within the caller's subtrees, newest first (by id)."""
    # Imported here (chassis.http imports this module); no postponed annotations in this file,
    # so FastAPI sees these dependency types as objects, not as unresolvable strings.
    from chassis.http import CurrentPrincipal, Session
    from chassis.pagination import Page, page_of
    from chassis.scope import restrict_to_scope

    router = APIRouter(prefix=prefix, tags=["audit"])

    @router.get("/audit", response_model=Page[AuditEntry])
    async def read_audit(
        principal: CurrentPrincipal,
        session: Session,
        filters: Annotated[AuditFilters, Query()],
        before_id: int | None = Query(None, description="Keyset cursor: the last id of the previous page"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> Page[AuditEntry]:
        query = filtered(select(audit_log), filters).order_by(audit_log.c.id.desc()).limit(limit + 1)
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        query = restrict_to_scope(query, principal, Permission.AUDIT_READ, audit_log.c.unit_id)
        rows = [AuditEntry.model_validate(row, from_attributes=True) for row in await session.execute(query)]
        return page_of(rows, limit, lambda last: str(last.id))

    return router
