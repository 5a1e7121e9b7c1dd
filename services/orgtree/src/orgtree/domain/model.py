"""Union units and the rules of the tree. Plain Python: no framework, no database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from chassis.errors import Conflict, RuleViolation
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState

from orgtree.domain.catalogue import UnitType


@dataclass
class Employer:
    name: str | None = None
    tax_code: str | None = None
    enterprise_type: str | None = None
    sector: str | None = None
    workforce_size: int | None = None


@dataclass
class Unit:
    unit_id: UUID
    code: str
    name: str
    type: UnitType
    parent_id: UUID | None
    effective_from: date
    short_name: str | None = None
    status: str = "active"
    province_code: str | None = None
    address: str | None = None
    employer: Employer = field(default_factory=Employer)
    version: int = 1
    merged_into_id: UUID | None = None

    def state(self) -> UnitState:
        return UnitState(
            unit_id=self.unit_id,
            code=self.code,
            name=self.name,
            short_name=self.short_name,
            type_code=self.type.code,
            parent_id=self.parent_id,
            status=self.status,  # type: ignore[arg-type]
            province_code=self.province_code,
            enterprise_type=self.employer.enterprise_type,
            capabilities=UnitCapabilities(
                can_admit_members=self.type.can_admit_members,
                can_approve_members=self.type.can_approve_members,
                can_collect_dues=self.type.can_collect_dues,
                can_order_cards=self.type.can_order_cards,
                can_have_users=self.type.can_have_users,
            ),
            effective_from=self.effective_from,
            version=self.version,
        )

    def ensure_active(self) -> None:
        if self.status != "active":
            raise RuleViolation(
                f"Đơn vị {self.code} đã {'sáp nhập' if self.status == 'merged' else 'giải thể'}, không thể thao tác",
                f"Unit {self.code} is {self.status}; no operation is allowed on it",
                code="unit-closed",
                field="unit_id",
            )

    def changed(self, effective_from: date, **changes: object) -> Unit:
        return replace(self, version=self.version + 1, effective_from=effective_from, **changes)


def ensure_child_allowed(parent_type: UnitType, child_type: UnitType, field_name: str = "type_code") -> None:
    if child_type.code not in parent_type.allowed_children:
        raise RuleViolation(
            f"Loại đơn vị '{child_type.name_vi}' không được đặt dưới '{parent_type.name_vi}'",
            f"A unit of type '{child_type.code}' is not allowed under a unit of type '{parent_type.code}'",
            code="child-type-not-allowed",
            field=field_name,
        )


def duplicate_code(code: str) -> Conflict:
    return Conflict(
        f"Mã đơn vị {code} đã tồn tại (mã đơn vị là duy nhất toàn quốc và không dùng lại)",
        f"Unit code {code} already exists (codes are unique nationally and never reused)",
        code="duplicate-unit-code",
        field="code",
    )
