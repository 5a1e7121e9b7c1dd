"""The member registry's SQL for single members: read, add, save with a version check, history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_units
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import Row, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import member_history, members
from members.domain.model import Member

MEMBER_FIELDS = (
    "member_id",
    "unit_id",
    "status",
    "member_code",
    "full_name",
    "gender",
    "date_of_birth",
    "id_kind",
    "id_number",
    "id_issued_on",
    "id_issued_place",
    "joined_on",
    "position",
    "phone",
    "email",
    "hometown",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "employer",
    "nationality",
    "contract_months",
    "card_type",
    "card_status",
    "vpoint_code",
    "has_photo",
    "status_reason",
    "suspended_until",
    "bank_consent_on",
    "version",
)


class StaleMember(Exception):
    """The member changed between read and write (the version moved on)."""


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, member: Member, principal: Principal) -> None:
        values = {name: getattr(member, name) for name in MEMBER_FIELDS}
        await self.session.execute(
            insert(members).values(**values, name_search=search_key(member.full_name), created_by=principal.username)
        )
        await self.record_history(member, "created", principal, None)

    async def save(self, member: Member, principal: Principal, permission: Permission, **extra: Any) -> None:
        """Write `member` (whose version is one past the stored one) if nobody changed it meanwhile."""
        values = {name: getattr(member, name) for name in MEMBER_FIELDS if name != "member_id"}
        statement = restrict_to_scope(
            update(members).where(members.c.member_id == member.member_id, members.c.version == member.version - 1),
            principal,
            permission,
            members.c.unit_id,
        ).values(**values, **extra, name_search=search_key(member.full_name), updated_at=func.now())
        if (await self.session.execute(statement)).rowcount != 1:
            raise StaleMember(member.member_id)

    async def record_history(
        self, member: Member, change: str, principal: Principal, reason: str | None, details: dict | None = None
    ) -> None:
        await self.session.execute(
            insert(member_history).values(
                member_id=member.member_id,
                version=member.version,
                change=change,
                state=member.snapshot().model_dump(mode="json"),
                reason=reason,
                details=details,
                changed_by=principal.username,
                acting_for=str(principal.acting_for) if principal.acting_for else None,
            )
        )

    @unscoped("one person is one member nationally; answers only yes/no, no data")
    async def active_member_with_id_number(self, id_number: str, except_member: UUID | None = None) -> bool:
        """Whether someone holding this ID number is already a member somewhere (any unit, any scope).

        Deliberately answers only yes/no: the other unit's data stays out of sight.
        """
        condition = [members.c.id_number == id_number, members.c.status.notin_(("removed", "rejected"))]
        if except_member is not None:
            condition.append(members.c.member_id != except_member)
        return bool(await self.session.scalar(select(exists().where(*condition))))

    async def get(
        self, principal: Principal, member_id: UUID, permission: Permission, for_update: bool = False
    ) -> Member | None:
        query = restrict_to_scope(
            select(members).where(members.c.member_id == member_id), principal, permission, members.c.unit_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return member_of(row) if row else None

    async def history(self, principal: Principal, member_id: UUID) -> list[Row]:
        query = restrict_to_scope(
            select(
                member_history.c.version,
                member_history.c.change,
                member_history.c.reason,
                member_history.c.details,
                member_history.c.changed_by,
                member_history.c.acting_for,
                member_history.c.changed_at,
                member_history.c.state,
            )
            .join(members, members.c.member_id == member_history.c.member_id)
            .where(member_history.c.member_id == member_id)
            .order_by(member_history.c.version),
            principal,
            Permission.MEMBERS_READ,
            members.c.unit_id,
        )
        return list(await self.session.execute(query))

    async def page_in_unit(
        self, principal: Principal, unit_id: UUID, after: tuple[str, UUID] | None, limit: int
    ) -> list[Row]:
        query = (
            select(
                members.c.member_id,
                members.c.unit_id,
                members.c.full_name,
                members.c.gender,
                members.c.date_of_birth,
                members.c.status,
                members.c.member_code,
                members.c.name_search,
                members.c.position,
                members.c.card_status,
                tree_units.c.name.label("unit_name"),
            )
            .select_from(members.join(tree_units, tree_units.c.unit_id == members.c.unit_id))
            .where(members.c.unit_id == unit_id)
            .order_by(members.c.name_search, members.c.member_id)
            .limit(limit)
        )
        if after:
            query = query.where((members.c.name_search, members.c.member_id) > (after[0], after[1]))
        query = restrict_to_scope(query, principal, Permission.MEMBERS_READ, members.c.unit_id)
        return list(await self.session.execute(query))


def member_of(row: Row) -> Member:
    mapping = row._mapping
    return Member(**{name: mapping[name] for name in MEMBER_FIELDS})
