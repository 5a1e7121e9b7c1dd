"""HTTP endpoints of the members service: `/api/v1/members/...`. One router per area."""

from __future__ import annotations

from contextlib import asynccontextmanager
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from chassis.scope import ensure_in_scope
from chassis.text import search_key
from contracts.permissions import Permission
from fastapi import APIRouter, FastAPI, Query, status

from members.application.importing.worker import MembersWorker
from members.application.service import MemberService
from members.config import MembersSettings
from members.entrypoints import import_api, lifecycle_api, photo_api, public_api, search_api, transfer_api, vpoint_api
from members.entrypoints.schemas import (
    HistoryEntry,
    MemberCorrection,
    MemberCreate,
    MemberOut,
    MemberSummary,
    PositionChange,
)
from members.entrypoints.views import member_out

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
async def create_member(body: MemberCreate, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).create(principal, body.draft())
    return await member_out(session, principal, member)


@router.get("/members/{member_id}", response_model=MemberOut)
async def get_member(member_id: UUID, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).get(principal, member_id)
    return await member_out(session, principal, member)


@router.patch("/members/{member_id}", response_model=MemberOut, summary="Sửa thông tin (correct data)")
async def correct_member(member_id: UUID, body: MemberCorrection, principal: CurrentPrincipal,
                         session: Session) -> MemberOut:
    member = await MemberService(session).correct(principal, member_id, body.validated_changes(), body.reason)
    return await member_out(session, principal, member)


@router.put("/members/{member_id}/position", response_model=MemberOut, summary="Thay đổi chức vụ")
async def change_position(member_id: UUID, body: PositionChange, principal: CurrentPrincipal,
                          session: Session) -> MemberOut:
    member = await MemberService(session).change_position(principal, member_id, body.position, body.reason)
    return await member_out(session, principal, member)


@router.get("/members/{member_id}/history", response_model=list[HistoryEntry])
async def member_history(member_id: UUID, principal: CurrentPrincipal, session: Session) -> list[HistoryEntry]:
    service = MemberService(session)
    await service.get(principal, member_id)
    return [HistoryEntry.model_validate(row, from_attributes=True)
            for row in await service.members.history(principal, member_id)]


@router.get("/units/{unit_id}/members", response_model=Page[MemberSummary])
async def list_unit_members(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[MemberSummary]:
    await ensure_in_scope(session, principal, Permission.MEMBERS_READ, unit_id)
    cursor = decode_cursor(after)
    rows = await MemberService(session).members.page_in_unit(
        principal, unit_id, (cursor[0], cursor[1]) if cursor else None, limit + 1
    )
    items = [MemberSummary.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda last: encode_cursor(search_key(last.full_name), str(last.member_id)))


def create_app(settings: MembersSettings, database: Database) -> FastAPI:
    app = create_service_app(
        settings, database,
        [router, lifecycle_api.router, transfer_api.router, import_api.router, search_api.router,
         public_api.router, photo_api.router, vpoint_api.router],
        title="Members service (Quản lý đoàn viên)",
    )
    if settings.worker_enabled:
        _run_worker_with(app, MembersWorker(database, settings))
    return app


def _run_worker_with(app: FastAPI, worker: MembersWorker) -> None:
    """The background worker lives as long as the app: started after the chassis' startup, stopped before
    the database is disposed."""
    outer = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: FastAPI):
        async with outer(running):
            worker.start()
            try:
                yield
            finally:
                await worker.stop()

    app.router.lifespan_context = lifespan
