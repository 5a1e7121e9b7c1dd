"""Members follow orgtree: when a unit is merged or dissolved into a successor, its members move there.

One UPDATE moves them all (with their history rows); each gets a MemberTransferred event,
so reporting moves its counts too. No member is ever left in a closed unit: orgtree only
dissolves a unit without a successor when it holds no members (its member-location replica
says so), and then there is nothing to move.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository


async def members_follow_closed_unit(session: AsyncSession, closed_unit: UUID, receiver: UUID, why: str) -> int:
    """Move everyone; the same statement writes their history and MemberTransferred outbox rows."""
    return len(await BulkMemberRepository(session).move_all_members(closed_unit, receiver, why))
