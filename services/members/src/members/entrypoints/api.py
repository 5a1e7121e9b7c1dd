"""HTTP endpoints of the members service: `/api/v1/members/...`. One router per area."""

from __future__ import annotations

from uuid import UUID

from chassis import audit
from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import Page
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from fastapi import APIRouter, FastAPI, Query, status

from members.application.bank_consent import record_bank_consent
from members.application.importing.worker import MembersWorker
from members.application.service import MemberService
from members.config import MembersSettings
from members.entrypoints import import_api, lifecycle_api, photo_api, public_api, search_api, transfer_api, vpoint_api
from members.entrypoints.schemas import (
    BankConsent,
    HistoryEntry,
    MemberCorrection,
    MemberCreate,
    MemberOut,
    MemberSummary,
    PositionChange,
)
from members.entrypoints.views import BY_NAME, member_out

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
async def create_member(body: MemberCreate, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).create(principal, body.draft())
    return await member_out(session, principal, member)


@router.get("/members/{member_id}", response_model=MemberOut)
async def get_member(member_id: UUID, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await MemberService(session).get(principal, member_id)
    shown = await member_out(session, principal, member)
    # ID number, ethnicity, religion or the phone in the clear: the audit trail keeps who saw them.
    shown_fields = [
        name
        for name, shown_clear in (("sensitive fields", not shown.sensitive_masked), ("phone", shown.phone is not None))
        if shown_clear
    ]
    if shown_fields:
        audit.note_read(member.unit_id, f"member_id={member_id}; {' and '.join(shown_fields)} shown")
    return shown


@router.patch("/members/{member_id}", response_model=MemberOut, summary="Sửa thông tin (correct data)")
async def correct_member(
    member_id: UUID, body: MemberCorrection, principal: CurrentPrincipal, session: Session
) -> MemberOut:
    member = await MemberService(session).correct(principal, member_id, body.validated_changes(), body.reason)
    return await member_out(session, principal, member)


@router.put("/members/{member_id}/position", response_model=MemberOut, summary="Thay đổi chức vụ")
async def change_position(
    member_id: UUID, body: PositionChange, principal: CurrentPrincipal, session: Session
) -> MemberOut:
    member = await MemberService(session).change_position(principal, member_id, body.position, body.reason)
    return await member_out(session, principal, member)


@router.put(
    "/members/{member_id}/bank-consent",
    response_model=MemberOut,
    summary="Ghi nhận đoàn viên đồng ý chia sẻ thông tin với ngân hàng phát hành thẻ liên kết",
)
async def give_bank_consent(
    member_id: UUID, body: BankConsent, principal: CurrentPrincipal, session: Session
) -> MemberOut:
    """ID number, date of birth and phone reach the bank issuing the member's linked card only while this holds; a
    linked card of a member without it never reaches a bank."""
    member = await record_bank_consent(MemberService(session), principal, member_id, body.given_on)
    return await member_out(session, principal, member)


@router.delete(
    "/members/{member_id}/bank-consent",
    response_model=MemberOut,
    summary="Đoàn viên rút lại sự đồng ý chia sẻ thông tin với ngân hàng",
)
async def withdraw_bank_consent(member_id: UUID, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await record_bank_consent(MemberService(session), principal, member_id, None)
    return await member_out(session, principal, member)


@router.get("/members/{member_id}/history", response_model=list[HistoryEntry])
async def member_history(member_id: UUID, principal: CurrentPrincipal, session: Session) -> list[HistoryEntry]:
    service = MemberService(session)
    await service.get(principal, member_id)
    return [
        HistoryEntry.model_validate(row, from_attributes=True)
        for row in await service.members.history(principal, member_id)
    ]


@router.get("/units/{unit_id}/members", response_model=Page[MemberSummary])
async def list_unit_members(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[MemberSummary]:
    await ensure_in_scope(session, principal, Permission.MEMBERS_READ, unit_id)
    window = BY_NAME.window(after, limit)
    rows = await MemberService(session).members.page_in_unit(principal, unit_id, window.after, window.fetch)
    return window.page(
        rows,
        lambda row: (row.name_search, row.member_id),
        lambda row: MemberSummary.model_validate(row, from_attributes=True),
    )


def create_app(settings: MembersSettings, database: Database) -> FastAPI:
    # The background worker lives as long as the app: stopped before the database is disposed.
    worker = MembersWorker(database, settings) if settings.worker_enabled else None
    return create_service_app(
        settings,
        database,
        [
            router,
            lifecycle_api.router,
            transfer_api.router,
            import_api.router,
            search_api.router,
            public_api.router,
            photo_api.router,
            vpoint_api.router,
        ],
        title="Members service (Quản lý đoàn viên)",
        on_startup=[worker.start] if worker else (),
        on_shutdown=[worker.stop] if worker else (),
    )
