"""How a member is shown to a caller: sensitive fields only for those who may read them there."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from chassis.pagination import Keyset
from chassis.principal import Principal
from chassis.scope import is_in_scope
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.domain.model import Member
from members.entrypoints.schemas import MemberOut

# The two orders of member lists: by name (name_search, member_id) and newest first (created_at, member_id).
BY_NAME = Keyset(str, UUID)
NEWEST_FIRST = Keyset(datetime, UUID)


async def member_out(session: AsyncSession, principal: Principal, member: Member) -> MemberOut:
    sensitive = await is_in_scope(session, principal, Permission.MEMBERS_READ_SENSITIVE, member.unit_id)
    return MemberOut.of(member, show_sensitive=sensitive)
