"""The HTTP contract of orgtree (v1)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from orgtree.domain.catalogue import UnitType
from orgtree.domain.model import Unit

EnterpriseType = Literal[
    "state_administrative", "state_owned", "non_state_domestic", "foreign_invested", "cooperative", "other"
]
CODE = r"^[A-Za-z0-9._-]+$"


class EmployerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=300)
    tax_code: str | None = Field(None, pattern=r"^\d{10}(-\d{3})?$")
    enterprise_type: EnterpriseType | None = None
    sector: str | None = Field(None, max_length=200)
    workforce_size: int | None = Field(None, ge=0)


class EmployerOut(BaseModel):
    name: str | None
    tax_code: str | None
    enterprise_type: str | None
    sector: str | None
    workforce_size: int | None


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=40, pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    short_name: str | None = Field(None, max_length=100)
    type_code: str = Field(min_length=2, max_length=60)
    parent_id: UUID
    province_code: str | None = Field(None, max_length=40, description="Province code or name")
    address: str | None = Field(None, max_length=500)
    employer: EmployerIn | None = None
    effective_from: date | None = None


class BatchUnit(BaseModel):
    """One unit of a group; its parent is a unit of the tree (`parent_id`) or of the group (`parent_code`)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=40, pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    type_code: str = Field(min_length=2, max_length=60)
    parent_id: UUID | None = None
    parent_code: str | None = Field(None, min_length=2, max_length=40, pattern=CODE)
    short_name: str | None = Field(None, max_length=100)
    province_code: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=500)
    employer: EmployerIn | None = None

    @model_validator(mode="after")
    def _one_parent(self) -> BatchUnit:
        if (self.parent_id is None) == (self.parent_code is None):
            raise ValueError("exactly one of parent_id and parent_code must be given")
        return self


class UnitBatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[BatchUnit] = Field(min_length=1, max_length=5000)
    effective_from: date | None = None


class UnitMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_parent_id: UUID
    effective_from: date | None = None


class UnitMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_unit_id: UUID
    effective_from: date | None = None


class UnitDissolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    successor_unit_id: UUID | None = Field(
        None, description="Receives the unit's children (and, in the members service, its members)"
    )
    effective_from: date | None = None


class UnitUpdate(BaseModel):
    """Only the fields sent change; send null to clear an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=2, max_length=300)
    short_name: str | None = Field(None, max_length=100)
    province_code: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=500)
    employer: EmployerIn | None = None
    effective_from: date | None = None


class UnitOut(BaseModel):
    unit_id: UUID
    code: str
    name: str
    short_name: str | None
    type_code: str
    type_name: str
    parent_id: UUID | None
    status: str
    province_code: str | None
    address: str | None
    employer: EmployerOut
    merged_into_id: UUID | None
    successor_unit_id: UUID | None
    effective_from: date
    version: int

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            unit_id=unit.unit_id,
            code=unit.code,
            name=unit.name,
            short_name=unit.short_name,
            type_code=unit.type.code,
            type_name=unit.type.name_vi,
            parent_id=unit.parent_id,
            status=unit.status,
            province_code=unit.province_code,
            address=unit.address,
            employer=EmployerOut(**vars(unit.employer)),
            merged_into_id=unit.merged_into_id,
            successor_unit_id=unit.successor_unit_id,
            effective_from=unit.effective_from,
            version=unit.version,
        )


class UnitSummary(BaseModel):
    unit_id: UUID
    code: str
    name: str
    type_code: str
    status: str
    parent_id: UUID | None = None
    child_count: int | None = None
    depth: int | None = Field(None, description="Levels below the unit asked about (descendants, tree)")


class CreatedRow(BaseModel):
    row: int
    code: str
    unit_id: UUID


class RowProblemOut(BaseModel):
    field: str
    code: str
    message_vi: str
    message_en: str


class RejectedRow(BaseModel):
    row: int
    code: str | None
    problems: list[RowProblemOut]


class BatchReport(BaseModel):
    mode: Literal["all_or_nothing", "valid_rows_only"]
    total_rows: int
    created_count: int
    rejected_count: int
    created: list[CreatedRow]
    rejected: list[RejectedRow]
    ignored_columns: list[str] = Field(default_factory=list)


class UnitTypeOut(BaseModel):
    code: str
    name_vi: str
    name_en: str
    level: int
    can_admit_members: bool
    can_approve_members: bool
    can_collect_dues: bool
    can_order_cards: bool
    can_have_users: bool
    allowed_children: list[str]
    abolished_on: date | None

    @classmethod
    def of(cls, unit_type: UnitType) -> UnitTypeOut:
        return cls(**{**vars(unit_type), "allowed_children": list(unit_type.allowed_children)})
