"""Status changes after approval: suspend, resume, retire, remove (xóa tên).

Suspensions end on their own: `resume_due_suspensions` is a set-based query over the
partial index `members_suspension_due`, run by the members background worker (the
same loop that processes imports, see `importing/worker.py`) every minute. A day is
the unit of an end date, so a minute of lag is invisible; reads need no special case.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.text import normalise
from contracts.events.members_member_v1 import MemberRemoved, MemberStatusChanged
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository
from members.application.service import MemberService
from members.domain.lifecycle import check_suspension_end, next_status
from members.domain.model import Member


class LifecycleService:
    def __init__(self, session: AsyncSession, today: date | None = None) -> None:
        self.session = session
        self.members = MemberService(session, today)
        self.today = self.members.today

    async def suspend(self, principal: Principal, member_id: UUID, reason: str, until: date) -> Member:
        check_suspension_end(until, self.today)
        return await self._change(principal, member_id, "suspend", reason, suspended_until=until)

    async def resume(self, principal: Principal, member_id: UUID, reason: str | None) -> Member:
        return await self._change(principal, member_id, "resume", reason, suspended_until=None)

    async def retire(self, principal: Principal, member_id: UUID, reason: str | None) -> Member:
        return await self._change(principal, member_id, "retire", reason, suspended_until=None)

    async def remove(self, principal: Principal, member_id: UUID, reason: str) -> Member:
        return await self._change(principal, member_id, "remove", reason, suspended_until=None)

    async def _change(
        self, principal: Principal, member_id: UUID, action: str, reason: str | None, suspended_until: date | None
    ) -> Member:
        member = await self.members.get(principal, member_id, Permission.MEMBERS_WRITE, for_update=True)
        status = next_status(member.status, action)
        reason = normalise(reason) if reason else None
        changed = member.changed(status=status, status_reason=reason, suspended_until=suspended_until)
        details = {"from": member.status, "to": status}
        if suspended_until:
            details["until"] = suspended_until.isoformat()
        await self.members.save_change(changed, principal, action, reason, details)
        if status == "removed":
            event = MemberRemoved(member_id=member_id, member=changed.snapshot(), reason=reason or "")
        else:
            event = MemberStatusChanged(
                member_id=member_id, member=changed.snapshot(), old_status=member.status, reason=reason
            )
        await record_event(self.session, event)
        return changed


async def resume_due_suspensions(session: AsyncSession, today: date) -> int:
    """Every suspension whose end date has come returns to active, in one statement (with history and
    MemberStatusChanged events)."""
    return len(await BulkMemberRepository(session).resume_due_suspensions(today))
