"""orgtree's use cases. Each runs inside the caller's transaction; the request boundary commits.

Every change updates `units`, closes the unit's open history row and opens a new
one, applies the new state to orgtree's own tree tables and queues the event, all
in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from chassis import tree
from chassis.errors import InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.base import IntegrationEvent
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitDissolved, UnitMerged, UnitMoved, UnitUpdated
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_today
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.repository import UnitRepository
from orgtree.domain.catalogue import UnitType
from orgtree.domain.model import (
    Employer,
    Unit,
    duplicate_code,
    ensure_child_allowed,
    ensure_not_below,
    ensure_not_in_future,
    ensure_type_in_force,
    unit_not_empty,
)
from orgtree.domain.provinces import province_code_of


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


@dataclass(frozen=True)
class UnitChanges:
    """Fields to change; only those named in `provided` are touched (None there means "clear it")."""

    provided: frozenset[str]
    name: str | None = None
    short_name: str | None = None
    province_code: str | None = None
    address: str | None = None
    employer: dict = field(default_factory=dict)


class UnitService:
    def __init__(self, session: AsyncSession, today: date | None = None) -> None:
        self.session = session
        self.units = UnitRepository(session)
        self.today = today or vietnamese_today()

    async def create(self, principal: Principal, command: NewUnit) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, command.parent_id)
        parent = await self._existing(command.parent_id, field="parent_id", for_update=True)
        parent.ensure_active("parent_id")
        effective_from = command.effective_from or self.today
        ensure_not_in_future(effective_from, self.today)
        unit_type = await self._unit_type(command.type_code)
        ensure_type_in_force(unit_type, effective_from)
        ensure_child_allowed(parent.type, unit_type, child_code=command.code.upper(), parent_code=parent.code)
        code = normalise(command.code).upper()
        if await self.units.code_exists(code):
            raise duplicate_code(code)
        unit = Unit(
            unit_id=uuid7(),
            code=code,
            name=normalise(command.name),
            short_name=normalise(command.short_name) if command.short_name else None,
            type=unit_type,
            parent_id=parent.unit_id,
            province_code=province(command.province_code) if command.province_code else parent.province_code,
            address=normalise(command.address) if command.address else None,
            employer=command.employer or Employer(),
            effective_from=effective_from,
        )
        await self.units.add(unit, principal.username)
        await self._announce([UnitCreated(unit_id=unit.unit_id, unit=unit.state())])
        return unit

    async def update(self, principal: Principal, unit_id: UUID, changes: UnitChanges, effective_from: date) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
        unit = await self._existing(unit_id, for_update=True)
        unit.ensure_active()
        ensure_not_in_future(effective_from, self.today)
        values: dict[str, object] = {}
        if "name" in changes.provided and changes.name is not None:
            values["name"] = normalise(changes.name)
        if "short_name" in changes.provided:
            values["short_name"] = normalise(changes.short_name) if changes.short_name else None
        if "address" in changes.provided:
            values["address"] = normalise(changes.address) if changes.address else None
        if "province_code" in changes.provided:
            values["province_code"] = province(changes.province_code) if changes.province_code else None
        if changes.employer:
            values["employer"] = replace(unit.employer, **changes.employer)
        values = {name: value for name, value in values.items() if getattr(unit, name) != value}
        if not values:
            return unit
        updated = unit.changed(effective_from, **values)
        await self.units.save(updated, "updated", principal.username)
        await self._announce([UnitUpdated(unit_id=unit_id, unit=updated.state())])
        return updated

    async def move(self, principal: Principal, unit_id: UUID, new_parent_id: UUID, effective_from: date) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, new_parent_id)
        unit = await self._existing(unit_id, for_update=True)
        new_parent = await self._existing(new_parent_id, field="new_parent_id", for_update=True)
        unit.ensure_active()
        new_parent.ensure_active("new_parent_id")
        ensure_not_in_future(effective_from, self.today)
        ensure_not_below(unit, new_parent, await tree.is_within(self.session, new_parent_id, unit_id), "new_parent_id")
        ensure_child_allowed(new_parent.type, unit.type, "new_parent_id", unit.code, new_parent.code)
        if unit.parent_id == new_parent_id:
            return unit
        moved = unit.changed(effective_from, parent_id=new_parent_id)
        await self.units.save(moved, "moved", principal.username)
        await self._announce(
            [UnitMoved(unit_id=unit_id, unit=moved.state(), old_parent_id=unit.parent_id, new_parent_id=new_parent_id)]
        )
        return moved

    async def merge(self, principal: Principal, unit_id: UUID, target_id: UUID, effective_from: date) -> Unit:
        """Merge `unit_id` into `target_id`: its active children move to the target, then it closes."""
        if unit_id == target_id:
            raise RuleViolation(
                "Không thể sáp nhập một đơn vị vào chính nó",
                "A unit cannot be merged into itself",
                code="merge-into-itself",
                field="target_unit_id",
            )
        unit, target = await self._closing_pair(principal, unit_id, target_id, "target_unit_id", effective_from)
        moved = await self._hand_over_children(unit, target, "target_unit_id", effective_from, principal.username)
        merged = unit.merged_into(target, effective_from)
        await self.units.save(merged, "merged", principal.username)
        await self._announce([*moved, UnitMerged(unit_id=unit_id, unit=merged.state(), target_unit_id=target_id)])
        return merged

    async def dissolve(
        self, principal: Principal, unit_id: UUID, successor_id: UUID | None, effective_from: date
    ) -> Unit:
        """Dissolve a unit: empty, or handing its children (and, in members, its members) to a successor."""
        if successor_id == unit_id:
            raise RuleViolation(
                "Đơn vị tiếp nhận phải khác đơn vị bị giải thể",
                "The successor must be another unit",
                code="successor-is-itself",
                field="successor_unit_id",
            )
        if successor_id is None:
            await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
            unit = await self._existing(unit_id, for_update=True)
            unit.ensure_active()
            ensure_not_in_future(effective_from, self.today)
            children = await self.units.active_children(unit_id, for_update=True)
            members = await self.units.members_held(unit_id)
            if children or members:
                raise unit_not_empty(unit, len(children), members)
            successor, moved = None, []
        else:
            unit, successor = await self._closing_pair(
                principal, unit_id, successor_id, "successor_unit_id", effective_from
            )
            moved = await self._hand_over_children(
                unit, successor, "successor_unit_id", effective_from, principal.username
            )
        dissolved = unit.dissolved(successor, effective_from)
        await self.units.save(dissolved, "dissolved", principal.username)
        await self._announce(
            [*moved, UnitDissolved(unit_id=unit_id, unit=dissolved.state(), successor_unit_id=successor_id)]
        )
        return dissolved

    async def get(self, principal: Principal, unit_id: UUID) -> Unit:
        await ensure_in_scope(self.session, principal, Permission.UNITS_READ, unit_id)
        return await self._existing(unit_id)

    async def _closing_pair(
        self, principal: Principal, unit_id: UUID, receiver_id: UUID, receiver_field: str, effective_from: date
    ) -> tuple[Unit, Unit]:
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, unit_id)
        await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, receiver_id)
        # Lock both in one statement, in a fixed order, so two opposite merges cannot deadlock.
        locked = {u.unit_id: u for u in await self.units.get_many([unit_id, receiver_id], for_update=True)}
        if unit_id not in locked:
            raise _not_found(unit_id, "unit_id")
        if receiver_id not in locked:
            raise _not_found(receiver_id, receiver_field)
        unit, receiver = locked[unit_id], locked[receiver_id]
        unit.ensure_active()
        receiver.ensure_active(receiver_field)
        ensure_not_in_future(effective_from, self.today)
        ensure_not_below(unit, receiver, await tree.is_within(self.session, receiver_id, unit_id), receiver_field)
        return unit, receiver

    async def _hand_over_children(
        self, unit: Unit, receiver: Unit, receiver_field: str, effective_from: date, changed_by: str
    ) -> list[UnitMoved]:
        """Move every active child of `unit` under `receiver` in a few set-based statements."""
        children = await self.units.active_children(unit.unit_id, for_update=True)
        for child in children:
            ensure_child_allowed(receiver.type, child.type, receiver_field, child.code, receiver.code)
        moved = [child.changed(effective_from, parent_id=receiver.unit_id) for child in children]
        await self.units.save_all(moved, "moved", changed_by)
        return [
            UnitMoved(unit_id=m.unit_id, unit=m.state(), old_parent_id=unit.unit_id, new_parent_id=receiver.unit_id)
            for m in moved
        ]

    async def _unit_type(self, type_code: str) -> UnitType:
        unit_type = await self.units.unit_type(type_code)
        if unit_type is None:
            raise InvalidInput(
                f"Loại đơn vị '{type_code}' không có trong danh mục",
                f"Unit type '{type_code}' is not in the catalogue",
                code="unknown-unit-type",
                field="type_code",
            )
        return unit_type

    async def _existing(self, unit_id: UUID, field: str = "unit_id", for_update: bool = False) -> Unit:
        unit = await self.units.get(unit_id, for_update=for_update)
        if unit is None:
            raise _not_found(unit_id, field)
        return unit

    async def _announce(self, events: list[IntegrationEvent]) -> None:
        await announce(self.session, events)


async def announce(session: AsyncSession, events: list[IntegrationEvent]) -> None:
    """Apply the changes to our own tree tables and queue the events, in this same transaction."""
    await tree.apply_unit_states(session, [event.unit for event in events])
    await record_events(session, events)


def province(value: str) -> str:
    code = province_code_of(value)
    if code is None:
        raise InvalidInput(
            f"Không nhận ra tỉnh, thành phố '{value}'",
            f"Unknown province '{value}'",
            code="unknown-province",
            field="province_code",
        )
    return code


def _not_found(unit_id: UUID, field: str) -> NotFound:
    return NotFound(f"Không tìm thấy đơn vị {unit_id}", f"Unit {unit_id} not found", field=field)
