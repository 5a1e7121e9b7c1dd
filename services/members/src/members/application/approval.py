"""Phê duyệt: an upper unit's approver approves or rejects pending members, one by one or in bulk.

Who may decide: the member's unit must lie strictly below a unit whose type can approve
members (`can_approve_members` in the tree replica) and on which, or above which, the
approver holds `members.approve`. A grassroots officer never approves their own unit's
members; a commune union (which cannot approve since 2025) leaves it to the province.
Approval issues the national member code (`domain/member_codes.py`) inside the same
UPDATE, from a sequence, so concurrent approvals can never hand out one code twice; the
same statement writes the history and the MemberApproved / MemberRejected outbox rows.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from chassis.errors import Forbidden, InvalidInput
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository
from members.application.service import MemberService
from members.domain.lifecycle import next_status
from members.domain.model import Member


def reason_required() -> InvalidInput:
    return InvalidInput("Phải nêu lý do từ chối", "A rejection needs a reason", code="reason-required", field="reason")


def cannot_approve_here() -> Forbidden:
    return Forbidden(
        "Bạn không có quyền phê duyệt đoàn viên của đơn vị này: cần quyền phê duyệt ở cấp trên có thẩm quyền",
        "You cannot approve members of this unit: approval needs the approver role on an upper unit that may "
        "approve members",
        code="cannot-approve",
        field="member_id",
    )


class ApprovalService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.bulk = BulkMemberRepository(session)

    async def decide_one(self, principal: Principal, member_id: UUID, approve: bool, reason: str | None) -> Member:
        reason = normalise(reason) if reason else None
        if not approve and not reason:
            raise reason_required()
        member = await MemberService(self.session).get(
            principal, member_id, Permission.MEMBERS_APPROVE, for_update=True
        )
        next_status(member.status, "approve" if approve else "reject")
        decided = await self.bulk.decide_pending(principal, approve=approve, reason=reason, member_ids=[member_id])
        if not decided:
            raise cannot_approve_here()
        return decided[0]

    async def decide_many(
        self,
        principal: Principal,
        *,
        approve: bool,
        reason: str | None,
        unit_id: UUID,
        created_from: datetime | None,
        created_to: datetime | None,
        member_ids: list[UUID] | None,
    ) -> list:
        """Every pending member of `unit_id`'s subtree that matches and that the principal may decide on, as rows
        of (member_id, member_code): a bulk decision may cover 100,000 members, and callers only count them."""
        reason = normalise(reason) if reason else None
        if not approve and not reason:
            raise reason_required()
        if created_from and created_to and created_from >= created_to:
            raise InvalidInput(
                "Khoảng thời gian tạo không hợp lệ (từ ngày phải trước đến ngày)",
                "The creation period is empty (from must be before to)",
                code="empty-period",
                field="created_from",
            )
        await ensure_in_scope(self.session, principal, Permission.MEMBERS_APPROVE, unit_id)
        decided = await self.bulk.decide_pending(
            principal,
            approve=approve,
            reason=reason,
            unit_id=unit_id,
            member_ids=member_ids,
            created_from=created_from,
            created_to=created_to,
            members_back=False,
        )
        return decided
