"""The HTTP contract of orgtree (v1)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from orgtree.domain.model import Unit


class EmployerIn(BaseModel):
    name: str | None = Field(None, max_length=300)
    tax_code: str | None = Field(None, pattern=r"^\d{10}(-\d{3})?$")
    enterprise_type: str | None = Field(
        None, pattern="^(state_administrative|state_owned|non_state_domestic|foreign_invested|cooperative|other)$"
    )
    sector: str | None = Field(None, max_length=200)
    workforce_size: int | None = Field(None, ge=0)


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=2, max_length=300)
    short_name: str | None = Field(None, max_length=100)
    type_code: str = Field(min_length=2, max_length=60)
    parent_id: UUID
    province_code: str | None = Field(None, max_length=10)
    address: str | None = Field(None, max_length=500)
    employer: EmployerIn | None = None
    effective_from: date | None = None


class UnitMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_parent_id: UUID
    effective_from: date | None = None


class UnitRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=300)
    short_name: str | None = Field(None, max_length=100)
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
    effective_from: date
    version: int

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            unit_id=unit.unit_id, code=unit.code, name=unit.name, short_name=unit.short_name,
            type_code=unit.type.code, type_name=unit.type.name_vi, parent_id=unit.parent_id, status=unit.status,
            province_code=unit.province_code, effective_from=unit.effective_from, version=unit.version,
        )


class UnitSummary(BaseModel):
    unit_id: UUID
    code: str
    name: str
    type_code: str
    status: str
    child_count: int | None = None

