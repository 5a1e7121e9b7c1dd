"""Reading the tree: every query first checks the unit asked about against the caller's scope."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.errors import NotFound
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.repository import UnitRepository
from orgtree.domain.catalogue import UnitType


class UnitQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)

    async def children(self, principal: Principal, unit_id: UUID, after: str | None, limit: int) -> list[Row]:
        await self._visible(principal, unit_id)
        return await self.units.children_page(principal, unit_id, after, limit)

    async def ancestors(self, principal: Principal, unit_id: UUID) -> list[Row]:
        """The path from the root down to the unit. Units above the caller's own roots are named too:
        an officer needs to see where their unit sits."""
        await self._visible(principal, unit_id)
        return await self.units.ancestors(unit_id)

    async def descendants(
        self,
        principal: Principal,
        unit_id: UUID,
        after: str | None,
        limit: int,
        max_depth: int | None,
        include_closed: bool,
    ) -> list[Row]:
        await self._visible(principal, unit_id)
        return await self.units.descendants_page(principal, unit_id, after, limit, max_depth, include_closed)

    async def tree_as_of(
        self,
        principal: Principal,
        unit_id: UUID,
        as_of: date,
        after: tuple[int, str] | None,
        limit: int,
        max_depth: int | None,
        include_closed: bool,
    ) -> list[Row]:
        await self._visible(principal, unit_id)
        if not await self.units.existed_on(unit_id, as_of):
            raise NotFound(
                f"Đơn vị {unit_id} chưa có (hoặc chưa được ghi nhận) vào ngày {as_of:%d/%m/%Y}",
                f"Unit {unit_id} did not exist on {as_of.isoformat()}",
                code="unit-not-in-effect",
                field="as_of",
            )
        return await self.units.tree_as_of(principal, unit_id, as_of, after, limit, max_depth, include_closed)

    async def search(self, principal: Principal, text: str, after: str | None, limit: int) -> list[Row]:
        return await self.units.search(principal, text, after, limit)

    async def directory(self, text: str, after: str | None, limit: int) -> list[Row]:
        """Units that admit members anywhere in the country, for any signed-in user: where a member can go."""
        return await self.units.admitting(text, after, limit)

    async def unit_types(self) -> list[UnitType]:
        return await self.units.unit_types()

    async def _visible(self, principal: Principal, unit_id: UUID) -> None:
        await ensure_in_scope(self.session, principal, Permission.UNITS_READ, unit_id)
