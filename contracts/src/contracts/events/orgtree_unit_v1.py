"""Topic `orgtree.unit.v1`: every change of a union unit, keyed by unit id.

Each event carries the unit's full state after the change, so a replica only
needs the latest event of a unit to be right.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent

TOPIC = "orgtree.unit.v1"

UnitStatus = Literal["active", "merged", "dissolved"]


class UnitCapabilities(BaseModel):
    """What a unit may do; it comes from the unit's type in the type catalogue."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    can_admit_members: bool = False
    can_approve_members: bool = False
    can_collect_dues: bool = False
    can_order_cards: bool = False
    can_have_users: bool = False


class UnitState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    unit_id: UUID
    code: str
    name: str
    short_name: str | None = None
    type_code: str
    parent_id: UUID | None
    status: UnitStatus = "active"
    province_code: str | None = None
    enterprise_type: str | None = None
    # Added in 2026 for reporting's figures by sector and employer size; None in events written before.
    sector: str | None = None
    workforce_size: int | None = Field(None, ge=0, description="Employees of the employer (số lao động)")
    capabilities: UnitCapabilities = Field(default_factory=UnitCapabilities)
    effective_from: date
    version: int = Field(ge=1, description="Aggregate version, increases by one with every change")


class UnitEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "unit_id"

    unit_id: UUID
    unit: UnitState


class UnitCreated(UnitEvent):
    event_type: ClassVar[str] = "orgtree.unit.created"


class UnitUpdated(UnitEvent):
    event_type: ClassVar[str] = "orgtree.unit.updated"


class UnitMoved(UnitEvent):
    event_type: ClassVar[str] = "orgtree.unit.moved"

    old_parent_id: UUID | None
    new_parent_id: UUID


class UnitMerged(UnitEvent):
    """`unit_id` was merged into `target_unit_id`; its children and members now belong there."""

    event_type: ClassVar[str] = "orgtree.unit.merged"

    target_unit_id: UUID


class UnitDissolved(UnitEvent):
    event_type: ClassVar[str] = "orgtree.unit.dissolved"

    successor_unit_id: UUID | None = None


EVENTS: tuple[type[IntegrationEvent], ...] = (UnitCreated, UnitUpdated, UnitMoved, UnitMerged, UnitDissolved)
