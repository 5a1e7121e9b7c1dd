"""SQL of transfers (chuyển sinh hoạt). A transfer is seen from its origin or its destination side."""

from __future__ import annotations

from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_units
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.repository import member_of
from members.adapters.tables import member_transfers, members, transfer_letter_seq
from members.domain.model import Member

SIDES = {"origin": member_transfers.c.from_unit_id, "destination": member_transfers.c.to_unit_id}


class TransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_letter_number(self) -> int:
        return int(await self.session.scalar(select(transfer_letter_seq.next_value())))

    async def add(self, **values) -> None:
        await self.session.execute(insert(member_transfers).values(**values))

    async def open_transfer_of(self, principal: Principal, member_id: UUID) -> Row | None:
        query = restrict_to_scope(
            select(member_transfers).where(
                member_transfers.c.member_id == member_id, member_transfers.c.status == "released"
            ),
            principal,
            Permission.MEMBERS_TRANSFER,
            member_transfers.c.from_unit_id,
        )
        return (await self.session.execute(query)).one_or_none()

    async def get(
        self, principal: Principal, transfer_id: UUID, side: str, permission: Permission, for_update: bool = False
    ) -> Row | None:
        """The transfer if the principal reaches its `side` (origin or destination) with `permission`."""
        query = restrict_to_scope(
            select(member_transfers).where(member_transfers.c.transfer_id == transfer_id),
            principal,
            permission,
            SIDES[side],
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).one_or_none()

    async def close(self, principal: Principal, transfer_id: UUID, side: str, status: str, reason: str | None) -> None:
        statement = restrict_to_scope(
            update(member_transfers).where(member_transfers.c.transfer_id == transfer_id),
            principal,
            Permission.MEMBERS_TRANSFER,
            SIDES[side],
        )
        await self.session.execute(
            statement.values(status=status, closed_by=principal.username, closed_at=func.now(), close_reason=reason)
        )

    async def page(
        self, principal: Principal, side: str, status: str | None, after: str | None, limit: int
    ) -> list[Row]:
        """Transfers into (destination) or out of (origin) the principal's units, newest first."""
        query = select(member_transfers, members.c.full_name, members.c.member_code).join(
            members, members.c.member_id == member_transfers.c.member_id
        )
        if status:
            query = query.where(member_transfers.c.status == status)
        if after:
            query = query.where(member_transfers.c.letter_number < after)
        query = query.order_by(member_transfers.c.letter_number.desc()).limit(limit)
        return list(
            await self.session.execute(restrict_to_scope(query, principal, Permission.MEMBERS_TRANSFER, SIDES[side]))
        )

    @unscoped("the destination acts on a member the origin released to it; the transfer row is the permission")
    async def released_member(self, member_id: UUID, for_update: bool = True) -> Member:
        query = select(members).where(members.c.member_id == member_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).one()
        return member_of(row)

    @unscoped("completing a transfer the origin released: the member leaves the origin's scope by design")
    async def move(self, member: Member) -> bool:
        statement = (
            update(members)
            .where(members.c.member_id == member.member_id, members.c.version == member.version - 1)
            .values(
                unit_id=member.unit_id,
                version=member.version,
                updated_at=func.now(),
                name_search=search_key(member.full_name),
            )
        )
        return (await self.session.execute(statement)).rowcount == 1

    @unscoped("the letter shows both unit names to whoever may see the transfer")
    async def unit_names(self, *unit_ids: UUID) -> dict[UUID, str]:
        rows = await self.session.execute(
            select(tree_units.c.unit_id, tree_units.c.name).where(tree_units.c.unit_id.in_(unit_ids))
        )
        return {row.unit_id: row.name for row in rows}
