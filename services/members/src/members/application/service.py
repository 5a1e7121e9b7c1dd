"""The members service's use cases. Each runs inside the caller's transaction."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from chassis import tree
from chassis.errors import Conflict, NotFound, RuleViolation
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.events.members_member_v1 import MemberCreated
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.repository import MemberRepository
from members.domain.model import Member, normalise_phone, validate_new_member

SOURCE = "/services/members"


class MemberService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.members = MemberRepository(session)

    async def create(self, principal: Principal, draft: Member) -> Member:
        await ensure_in_scope(self.session, principal, Permission.MEMBERS_WRITE, draft.unit_id)
        unit = await tree.get_unit(self.session, draft.unit_id)
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị {draft.unit_id}", f"Unit {draft.unit_id} not found",
                           field="unit_id")
        if unit.status != "active" or not unit.can_admit_members:
            raise RuleViolation(
                f"Đơn vị {unit.name} không được kết nạp đoàn viên",
                f"Unit {unit.code} cannot admit members",
                code="unit-cannot-admit",
                field="unit_id",
            )
        member = Member(
            **{
                **draft.__dict__,
                "member_id": uuid4(),
                "full_name": normalise(draft.full_name),
                "id_number": draft.id_number.strip().upper(),
                "phone": normalise_phone(draft.phone) if draft.phone else None,
                "status": "pending",
                "version": 1,
            }
        )
        validate_new_member(member, date.today())
        if await self.members.active_member_with_id_number(member.id_number):
            raise Conflict(
                "Người có số giấy tờ này đã là đoàn viên ở một đơn vị khác; hãy làm thủ tục chuyển sinh hoạt",
                "A person with this ID number is already a member elsewhere; request a transfer instead",
                code="already-a-member",
                field="id_number",
            )
        await self.members.add(member, principal)
        await record_event(self.session, MemberCreated(member_id=member.member_id, member=member.snapshot()), SOURCE)
        return member

    async def get(self, principal: Principal, member_id: UUID) -> Member:
        member = await self.members.get(principal, member_id, Permission.MEMBERS_READ)
        if member is None:
            raise NotFound(f"Không tìm thấy đoàn viên {member_id}", f"Member {member_id} not found",
                           field="member_id")
        return member
