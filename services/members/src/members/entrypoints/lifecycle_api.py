"""Approval and status changes: phê duyệt, tạm dừng, sinh hoạt lại, nghỉ hưu, xóa tên."""

from __future__ import annotations

from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter

from members.application.approval import ApprovalService
from members.application.lifecycle import LifecycleService
from members.entrypoints.schemas import (
    BulkDecision,
    BulkOutcome,
    Decision,
    MemberOut,
    OptionalReason,
    StatusReason,
    Suspension,
)
from members.entrypoints.views import member_out

router = APIRouter(prefix="/api/v1/members", tags=["lifecycle"])


@router.post("/members/{member_id}/decision", response_model=MemberOut, summary="Phê duyệt hoặc từ chối")
async def decide(member_id: UUID, body: Decision, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await ApprovalService(session).decide_one(principal, member_id, body.decision == "approve", body.reason)
    return await member_out(session, principal, member)


@router.post("/decisions", response_model=BulkOutcome, summary="Phê duyệt / từ chối hàng loạt theo bộ lọc")
async def decide_many(body: BulkDecision, principal: CurrentPrincipal, session: Session) -> BulkOutcome:
    decided = await ApprovalService(session).decide_many(
        principal,
        approve=body.decision == "approve",
        reason=body.reason,
        unit_id=body.unit_id,
        created_from=body.created_from,
        created_to=body.created_to,
        member_ids=body.member_ids,
    )
    return BulkOutcome(decided=len(decided), decision=body.decision)


@router.post("/members/{member_id}/suspension", response_model=MemberOut, summary="Tạm dừng sinh hoạt")
async def suspend(member_id: UUID, body: Suspension, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await LifecycleService(session).suspend(principal, member_id, body.reason, body.until)
    return await member_out(session, principal, member)


@router.post("/members/{member_id}/resumption", response_model=MemberOut, summary="Sinh hoạt trở lại")
async def resume(member_id: UUID, body: OptionalReason, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await LifecycleService(session).resume(principal, member_id, body.reason)
    return await member_out(session, principal, member)


@router.post("/members/{member_id}/retirement", response_model=MemberOut, summary="Thôi sinh hoạt (nghỉ hưu)")
async def retire(member_id: UUID, body: OptionalReason, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await LifecycleService(session).retire(principal, member_id, body.reason)
    return await member_out(session, principal, member)


@router.post("/members/{member_id}/removal", response_model=MemberOut, summary="Xóa tên")
async def remove(member_id: UUID, body: StatusReason, principal: CurrentPrincipal, session: Session) -> MemberOut:
    member = await LifecycleService(session).remove(principal, member_id, body.reason)
    return await member_out(session, principal, member)
