"""HTTP endpoints of the members service: `/api/v1/members/...`."""

from __future__ import annotations

from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from chassis.scope import ensure_in_scope, is_in_scope
from chassis.text import search_key
from contracts.permissions import Permission
from fastapi import APIRouter, FastAPI, Query, status

from members.application.service import MemberService
from members.config import MembersSettings
from members.entrypoints.schemas import MemberCreate, MemberOut, MemberSummary

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
async def create_member(body: MemberCreate, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).create(principal, body.draft())
    return MemberOut.of(member, show_sensitive=True)


@router.get("/members/{member_id}", response_model=MemberOut)
async def get_member(member_id: UUID, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).get(principal, member_id)
    sensitive = await is_in_scope(session, principal, Permission.MEMBERS_READ_SENSITIVE, member.unit_id)
    return MemberOut.of(member, show_sensitive=sensitive)


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
    return create_service_app(settings, database, [router], title="Members service (Quản lý đoàn viên)")
