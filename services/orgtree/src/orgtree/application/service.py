"""orgtree's use cases. Each runs inside the caller's transaction; the request boundary commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from chassis import tree
from chassis.errors import InvalidInput, NotFound, RuleViolation
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitMoved, UnitUpdated
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.repository import UnitRepository
from orgtree.domain.model import Employer, Unit, duplicate_code, ensure_child_allowed

SOURCE = "/services/orgtree"


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    type_code: str
    parent_id: UUID
    short_name: str | None = None
    province_code: str | None = None
    address: str | None = None
    employer: Employer | None = None
    effective_from: date | None = None


class UnitService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)

    async def create(self, principal: Principal, command: NewUnit) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, command.parent_id)
        parent = await self._existing(command.parent_id, field="parent_id", for_update=True)
        parent.ensure_active()
        unit_type = await self.units.unit_type(command.type_code)
        if unit_type is None:
            raise InvalidInput(
                f"Loại đơn vị '{command.type_code}' không có trong danh mục",
                f"Unit type '{command.type_code}' is not in the catalogue",
                code="unknown-unit-type",
                field="type_code",
            )
        ensure_child_allowed(parent.type, unit_type)
        code = normalise(command.code).upper()
        if await self.units.code_exists(code):
            raise duplicate_code(code)
        unit = Unit(
            unit_id=uuid4(),
            code=code,
            name=normalise(command.name),
            short_name=normalise(command.short_name) if command.short_name else None,
            type=unit_type,
            parent_id=parent.unit_id,
            province_code=command.province_code or parent.province_code,
            address=command.address,
            employer=command.employer or Employer(),
            effective_from=command.effective_from or date.today(),
        )
        await self.units.add(unit, principal.username)
        await self._announce(UnitCreated(unit_id=unit.unit_id, unit=unit.state()))
        return unit

    async def move(self, principal: Principal, unit_id: UUID, new_parent_id: UUID, effective_from: date) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, new_parent_id)
        unit = await self._existing(unit_id, for_update=True)
        new_parent = await self._existing(new_parent_id, field="new_parent_id", for_update=True)
        unit.ensure_active()
        new_parent.ensure_active()
        if await tree.is_within(self.session, new_parent_id, ancestor_id=unit_id):
            raise RuleViolation(
                f"Không thể chuyển đơn vị {unit.code} vào dưới chính nó hoặc đơn vị cấp dưới của nó",
                f"Unit {unit.code} cannot move under itself or one of its descendants",
                code="move-creates-cycle",
                field="new_parent_id",
            )
        ensure_child_allowed(new_parent.type, unit.type, field_name="new_parent_id")
        old_parent_id = unit.parent_id
        moved = unit.changed(effective_from, parent_id=new_parent_id)
        await self.units.save(moved, "moved", principal.username)
        await self._announce(
            UnitMoved(unit_id=unit_id, unit=moved.state(), old_parent_id=old_parent_id, new_parent_id=new_parent_id)
        )
        return moved

    async def rename(self, principal: Principal, unit_id: UUID, name: str, short_name: str | None,
                     effective_from: date) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
        unit = await self._existing(unit_id, for_update=True)
        unit.ensure_active()
        renamed = unit.changed(effective_from, name=normalise(name),
                               short_name=normalise(short_name) if short_name else unit.short_name)
        await self.units.save(renamed, "updated", principal.username)
        await self._announce(UnitUpdated(unit_id=unit_id, unit=renamed.state()))
        return renamed

    async def get(self, principal: Principal, unit_id: UUID) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_READ, unit_id)
        return await self._existing(unit_id)

    async def _existing(self, unit_id: UUID, field: str = "unit_id", for_update: bool = False) -> Unit:
        unit = await self.units.get(unit_id, for_update=for_update)
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị {unit_id}", f"Unit {unit_id} not found", field=field)
        return unit

    async def _announce(self, event: UnitCreated | UnitMoved | UnitUpdated) -> None:
        """Apply the change to our own tree tables and queue the event, in this same transaction."""
        await tree.apply_unit_state(self.session, event.unit)
        await record_event(self.session, event, SOURCE)
