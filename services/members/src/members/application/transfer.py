"""Chuyển sinh hoạt: the origin releases a member, the destination accepts; the member keeps code and history.

An officer whose `members.transfer` reach covers both units (an upper level over both,
across provinces for the national centre) moves the member at once. A pending transfer
can be cancelled by the origin or declined by the destination. The destination must be
a unit that may admit members, checked on release and again on acceptance.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.errors import Conflict, InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import is_in_scope
from chassis.text import normalise
from contracts.events.members_member_v1 import MemberTransferred
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_today
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.letters import TransferLetter, render_transfer_letter
from members.adapters.repository import MemberRepository
from members.adapters.transfers import TransferRepository
from members.application.common import changed_meanwhile, unit_that_admits
from members.application.service import MemberService
from members.domain.lifecycle import next_status
from members.domain.model import Member


def transfer_not_found(transfer_id: UUID) -> NotFound:
    return NotFound(
        f"Không tìm thấy yêu cầu chuyển sinh hoạt {transfer_id}",
        f"Transfer {transfer_id} not found",
        field="transfer_id",
    )


def not_open(transfer: Row) -> RuleViolation:
    return RuleViolation(
        "Yêu cầu chuyển sinh hoạt này đã được xử lý xong hoặc đã hủy",
        f"This transfer is no longer open (status {transfer.status})",
        code="transfer-not-open",
        field="transfer_id",
        extra={"status": transfer.status},
    )


class TransferService:
    def __init__(self, session: AsyncSession, today: date | None = None) -> None:
        self.session = session
        self.transfers = TransferRepository(session)
        self.members = MemberService(session, today)

    async def release(self, principal: Principal, member_id: UUID, to_unit_id: UUID, reason: str | None) -> Row:
        member = await self.members.get(principal, member_id, Permission.MEMBERS_TRANSFER, for_update=True)
        next_status(member.status, "transfer")
        if to_unit_id == member.unit_id:
            raise InvalidInput(
                "Đơn vị chuyển đến phải khác đơn vị hiện tại của đoàn viên",
                "The destination must differ from the member's current unit",
                code="same-unit",
                field="to_unit_id",
            )
        await unit_that_admits(self.session, to_unit_id, field="to_unit_id")
        if await self.transfers.open_transfer_of(principal, member_id) is not None:
            raise Conflict(
                "Đoàn viên đang có một yêu cầu chuyển sinh hoạt chưa xử lý",
                "The member already has an open transfer",
                code="transfer-pending",
                field="member_id",
            )
        direct = await is_in_scope(self.session, principal, Permission.MEMBERS_TRANSFER, to_unit_id)
        transfer_id = uuid7()
        serial = await self.transfers.next_letter_number()
        await self.transfers.add(
            transfer_id=transfer_id,
            member_id=member_id,
            from_unit_id=member.unit_id,
            to_unit_id=to_unit_id,
            status="released",
            reason=normalise(reason) if reason else None,
            letter_number=f"GGT-{vietnamese_today().year}-{serial:07d}",
            released_by=principal.username,
        )
        transfer = await self.transfers.get(principal, transfer_id, "origin", Permission.MEMBERS_TRANSFER)
        if direct:
            await self._complete(principal, transfer, member, "origin")
        return await self.transfers.get(principal, transfer_id, "origin", Permission.MEMBERS_TRANSFER)

    async def accept(self, principal: Principal, transfer_id: UUID) -> Row:
        transfer = await self._open(principal, transfer_id, "destination")
        member = await self.transfers.released_member(transfer.member_id)
        await self._complete(principal, transfer, member, "destination")
        return await self.transfers.get(principal, transfer_id, "destination", Permission.MEMBERS_TRANSFER)

    async def cancel(self, principal: Principal, transfer_id: UUID, reason: str) -> Row:
        """The origin withdraws, or the destination declines; the member stays where they are."""
        side = "origin"
        transfer = await self.transfers.get(principal, transfer_id, side, Permission.MEMBERS_TRANSFER, for_update=True)
        if transfer is None:
            side = "destination"
        transfer = await self._open(principal, transfer_id, side)
        await self.transfers.close(principal, transfer_id, side, "cancelled", normalise(reason))
        return await self.transfers.get(principal, transfer_id, side, Permission.MEMBERS_TRANSFER)

    async def visible(self, principal: Principal, transfer_id: UUID) -> Row:
        for side in ("origin", "destination"):
            transfer = await self.transfers.get(principal, transfer_id, side, Permission.MEMBERS_READ)
            if transfer is not None:
                return transfer
        raise transfer_not_found(transfer_id)

    async def letter(self, principal: Principal, transfer_id: UUID, font: str | None) -> tuple[str, bytes]:
        transfer = await self.visible(principal, transfer_id)
        member = await self.transfers.released_member(transfer.member_id, for_update=False)
        names = await self.transfers.unit_names(transfer.from_unit_id, transfer.to_unit_id)
        letter = TransferLetter(
            letter_number=transfer.letter_number,
            issued_on=transfer.released_at.date(),
            from_unit=names.get(transfer.from_unit_id, str(transfer.from_unit_id)),
            to_unit=names.get(transfer.to_unit_id, str(transfer.to_unit_id)),
            full_name=member.full_name,
            gender=member.gender,
            date_of_birth=member.date_of_birth,
            member_code=member.member_code,
            joined_on=member.joined_on,
            position=member.position,
            reason=transfer.reason,
            released_by=transfer.released_by,
        )
        return transfer.letter_number, render_transfer_letter(letter, font)

    async def _open(self, principal: Principal, transfer_id: UUID, side: str) -> Row:
        transfer = await self.transfers.get(principal, transfer_id, side, Permission.MEMBERS_TRANSFER, for_update=True)
        if transfer is None:
            raise transfer_not_found(transfer_id)
        if transfer.status != "released":
            raise not_open(transfer)
        return transfer

    async def _complete(self, principal: Principal, transfer: Row, member: Member, side: str) -> None:
        next_status(member.status, "transfer")
        await unit_that_admits(self.session, transfer.to_unit_id, field="to_unit_id")
        moved = member.changed(unit_id=transfer.to_unit_id)
        if not await self.transfers.move(moved):
            raise changed_meanwhile(member.member_id)
        await self.transfers.close(principal, transfer.transfer_id, side, "completed", None)
        await MemberRepository(self.session).record_history(
            moved,
            "transferred",
            principal,
            transfer.reason,
            {
                "transfer_id": str(transfer.transfer_id),
                "from_unit_id": str(transfer.from_unit_id),
                "to_unit_id": str(transfer.to_unit_id),
                "letter_number": transfer.letter_number,
            },
        )
        await record_event(
            self.session,
            MemberTransferred(
                member_id=moved.member_id,
                member=moved.snapshot(),
                from_unit_id=transfer.from_unit_id,
                to_unit_id=transfer.to_unit_id,
            ),
        )
