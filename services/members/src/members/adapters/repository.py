"""All of the members service's SQL."""

from __future__ import annotations

from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import Row, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import member_history, members
from members.domain.model import Member

_MEMBER_FIELDS = (
    "member_id", "unit_id", "status", "member_code", "full_name", "gender", "date_of_birth", "id_kind",
    "id_number", "joined_on", "position", "phone", "email", "hometown", "ethnicity", "religion", "occupation",
    "nationality", "card_type", "vpoint_code", "has_photo", "version",
)


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, member: Member, principal: Principal) -> None:
        values = {name: getattr(member, name) for name in _MEMBER_FIELDS}
        await self.session.execute(
            insert(members).values(**values, name_search=search_key(member.full_name), created_by=principal.username)
        )
        await self._record_history(member, "created", principal, None)

    async def _record_history(self, member: Member, change: str, principal: Principal, reason: str | None) -> None:
        await self.session.execute(
            insert(member_history).values(
                member_id=member.member_id, version=member.version, change=change,
                state=member.snapshot().model_dump(mode="json"), reason=reason, changed_by=principal.username,
                acting_for=str(principal.acting_for) if principal.acting_for else None,
            )
        )

    @unscoped("one person is one member nationally; answers only yes/no, no data")
    async def active_member_with_id_number(self, id_number: str) -> bool:
        """Whether someone holding this ID number is already a member somewhere (any unit, any scope).

        Deliberately answers only yes/no: the other unit's data stays out of sight.
        """
        return bool(
            await self.session.scalar(
                select(
                    exists().where(members.c.id_number == id_number, members.c.status.notin_(("removed", "rejected")))
                )
            )
        )

    async def get(self, principal: Principal, member_id: UUID, permission: Permission) -> Member | None:
        query = restrict_to_scope(
            select(members).where(members.c.member_id == member_id), principal, permission, members.c.unit_id
        )
        row = (await self.session.execute(query)).one_or_none()
        return _member(row) if row else None

    async def page_in_unit(
        self, principal: Principal, unit_id: UUID, after: tuple[str, str] | None, limit: int
    ) -> list[Row]:
        query = (
            select(members.c.member_id, members.c.unit_id, members.c.full_name, members.c.gender,
                   members.c.date_of_birth, members.c.status, members.c.member_code, members.c.name_search)
            .where(members.c.unit_id == unit_id)
            .order_by(members.c.name_search, members.c.member_id)
            .limit(limit)
        )
        if after:
            query = query.where((members.c.name_search, members.c.member_id) > (after[0], UUID(after[1])))
        query = restrict_to_scope(query, principal, Permission.MEMBERS_READ, members.c.unit_id)
        return list(await self.session.execute(query))


def _member(row: Row) -> Member:
    mapping = row._mapping
    return Member(**{name: mapping[name] for name in _MEMBER_FIELDS})
