"""Creating, reading and correcting members. Each use case runs inside the caller's transaction."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from chassis.errors import Conflict, InvalidInput
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.events.members_bank_identity_v1 import BankIdentityShared
from contracts.events.members_member_v1 import MemberCreated, MemberPositionChanged, MemberUpdated
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_today
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository
from members.adapters.repository import MemberRepository, StaleMember
from members.application.common import changed_meanwhile, member_not_found, unit_that_admits
from members.domain.lifecycle import next_status
from members.domain.model import Member, normalise_phone, validate_new_member

TEXT_FIELDS = (
    "full_name",
    "id_issued_place",
    "position",
    "hometown",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "employer",
)


def normalised(member: Member) -> Member:
    """NFC text with collapsed spaces, upper-case ID numbers, phones in 0xxxxxxxxx form."""
    changes: dict[str, Any] = {
        name: normalise(getattr(member, name)) or None for name in TEXT_FIELDS if getattr(member, name) is not None
    }
    changes["id_number"] = "".join(member.id_number.split()).upper()
    changes["phone"] = normalise_phone(member.phone) if member.phone else None
    changes["nationality"] = member.nationality.upper()
    return Member(**{**member.__dict__, **changes})


# What the bank issuing a consenting member's linked card receives (`members.bank_identity.v1`).
BANK_SHARED_FIELDS = frozenset({"id_kind", "id_number", "date_of_birth", "phone"})


def shared_identity(member: Member) -> BankIdentityShared:
    return BankIdentityShared(
        member_id=member.member_id,
        version=member.version,
        id_kind=member.id_kind,
        id_number=member.id_number,
        date_of_birth=member.date_of_birth,
        phone=member.phone,
        consent_given_on=member.bank_consent_on,
    )


def vpoint_taken() -> Conflict:
    return Conflict(
        "Mã Vpoint đã được dùng cho đoàn viên khác",
        "The Vpoint code already belongs to another member",
        code="vpoint-taken",
        field="vpoint_code",
    )


def already_a_member() -> Conflict:
    return Conflict(
        "Người có số giấy tờ này đã là đoàn viên ở một đơn vị khác; hãy làm thủ tục chuyển sinh hoạt",
        "A person with this ID number is already a member elsewhere; request a transfer instead",
        code="already-a-member",
        field="id_number",
    )


class MemberService:
    def __init__(self, session: AsyncSession, today: date | None = None) -> None:
        self.session = session
        self.members = MemberRepository(session)
        self.today = today or vietnamese_today()

    async def create(self, principal: Principal, draft: Member) -> Member:
        await ensure_in_scope(self.session, principal, Permission.MEMBERS_WRITE, draft.unit_id)
        await unit_that_admits(self.session, draft.unit_id)
        member = normalised(Member(**{**draft.__dict__, "member_id": uuid7(), "status": "pending", "version": 1}))
        validate_new_member(member, self.today)
        if await self.members.active_member_with_id_number(member.id_number):
            raise already_a_member()
        await self._ensure_vpoint_free(member)
        await self.members.add(member, principal)
        await record_event(self.session, MemberCreated(member_id=member.member_id, member=member.snapshot()))
        return member

    async def _ensure_vpoint_free(self, member: Member) -> None:
        # The unique index decides in the end (a concurrent holder is refused there, also as 409).
        if (
            member.vpoint_code
            and (await BulkMemberRepository(self.session).vpoint_holders([member.vpoint_code])).get(
                member.vpoint_code, member.member_id
            )
            != member.member_id
        ):
            raise vpoint_taken()

    async def get(
        self,
        principal: Principal,
        member_id: UUID,
        permission: Permission = Permission.MEMBERS_READ,
        for_update: bool = False,
    ) -> Member:
        member = await self.members.get(principal, member_id, permission, for_update=for_update)
        if member is None:
            raise member_not_found(member_id)
        return member

    async def correct(self, principal: Principal, member_id: UUID, changes: dict[str, Any], reason: str) -> Member:
        """Correct recorded data (sửa thông tin); the history keeps who, when, why and which fields."""
        member = await self.get(principal, member_id, Permission.MEMBERS_WRITE, for_update=True)
        next_status(member.status, "correct")
        corrected = normalised(Member(**{**member.__dict__, **changes}))
        changed = sorted(name for name in changes if getattr(corrected, name) != getattr(member, name))
        if not changed:
            raise InvalidInput(
                "Không có thông tin nào thay đổi", "Nothing changed", code="nothing-changed", field="changes"
            )
        validate_new_member(corrected, self.today)
        if "id_number" in changed and await self.members.active_member_with_id_number(
            corrected.id_number, except_member=member_id
        ):
            raise already_a_member()
        if "vpoint_code" in changed:
            await self._ensure_vpoint_free(corrected)
        corrected = corrected.changed()
        await self.save_change(corrected, principal, "corrected", reason, {"changed_fields": changed})
        await record_event(
            self.session,
            MemberUpdated(member_id=member_id, member=corrected.snapshot(), changed_fields=changed),
        )
        if corrected.bank_consent_on is not None and BANK_SHARED_FIELDS.intersection(changed):
            await record_event(self.session, shared_identity(corrected))  # the bank's copy follows
        return corrected

    async def change_position(
        self, principal: Principal, member_id: UUID, position: str | None, reason: str | None
    ) -> Member:
        member = await self.get(principal, member_id, Permission.MEMBERS_WRITE, for_update=True)
        next_status(member.status, "change_position")
        new_position = normalise(position) if position else None
        if new_position == member.position:
            raise InvalidInput(
                "Chức vụ không thay đổi", "The position is unchanged", code="nothing-changed", field="position"
            )
        changed = member.changed(position=new_position)
        await self.save_change(
            changed, principal, "position_changed", reason, {"from": member.position, "to": new_position}
        )
        await record_event(self.session, MemberPositionChanged(member_id=member_id, member=changed.snapshot()))
        return changed

    async def save_change(
        self, member: Member, principal: Principal, change: str, reason: str | None, details: dict | None
    ) -> None:
        try:
            await self.members.save(member, principal, Permission.MEMBERS_WRITE)
        except StaleMember as stale:
            raise changed_meanwhile(member.member_id) from stale
        await self.members.record_history(member, change, principal, reason, details)
