"""Union units and the rules of the tree. Plain Python: no framework, no database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from chassis.errors import Conflict, RuleViolation
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState

from orgtree.domain.catalogue import UnitType

# Enterprise types of a grassroots unit's employer: code → (Vietnamese, English).
ENTERPRISE_TYPES: dict[str, tuple[str, str]] = {
    "state_administrative": ("Hành chính, sự nghiệp nhà nước", "State administrative or public service"),
    "state_owned": ("Doanh nghiệp nhà nước", "State-owned enterprise"),
    "non_state_domestic": ("Doanh nghiệp ngoài nhà nước", "Non-state domestic enterprise"),
    "foreign_invested": ("Doanh nghiệp có vốn đầu tư nước ngoài (FDI)", "Foreign-invested enterprise"),
    "cooperative": ("Hợp tác xã", "Co-operative"),
    "other": ("Khác", "Other"),
}

STATUS_VI = {"active": "đang hoạt động", "merged": "đã sáp nhập", "dissolved": "đã giải thể"}


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
    successor_unit_id: UUID | None = None

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
            sector=self.employer.sector,
            workforce_size=self.employer.workforce_size,
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

    def snapshot(self) -> dict[str, Any]:
        """What a history row keeps: the public state plus the fields only orgtree holds."""
        return {
            **self.state().model_dump(mode="json"),
            "address": self.address,
            "employer": asdict(self.employer),
            "merged_into_id": str(self.merged_into_id) if self.merged_into_id else None,
            "successor_unit_id": str(self.successor_unit_id) if self.successor_unit_id else None,
        }

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def ensure_active(self, field_name: str = "unit_id") -> None:
        if not self.is_active:
            raise RuleViolation(
                f"Đơn vị {self.code} {STATUS_VI.get(self.status, self.status)}, không thể thao tác",
                f"Unit {self.code} is {self.status}; no operation is allowed on it",
                code="unit-closed",
                field=field_name,
            )

    def changed(self, effective_from: date, **changes: object) -> Unit:
        """The next version of the unit. History is a line: a change may not predate the last one."""
        if effective_from < self.effective_from:
            raise RuleViolation(
                f"Ngày hiệu lực {effective_from.isoformat()} trước lần thay đổi gần nhất của đơn vị {self.code} "
                f"({self.effective_from.isoformat()})",
                f"Effective date {effective_from.isoformat()} is before the last change of unit {self.code} "
                f"({self.effective_from.isoformat()})",
                code="effective-date-before-last-change",
                field="effective_from",
            )
        return replace(self, version=self.version + 1, effective_from=effective_from, **changes)

    def merged_into(self, target: Unit, effective_from: date) -> Unit:
        return self.changed(effective_from, status="merged", merged_into_id=target.unit_id)

    def dissolved(self, successor: Unit | None, effective_from: date) -> Unit:
        return self.changed(
            effective_from, status="dissolved", successor_unit_id=successor.unit_id if successor else None
        )


def ensure_not_in_future(effective_from: date, today: date) -> None:
    # Changes take effect when entered or earlier: the current tree is always the tree of today.
    if effective_from > today:
        raise RuleViolation(
            f"Ngày hiệu lực {effective_from.isoformat()} ở tương lai; chỉ ghi nhận thay đổi đã có hiệu lực",
            f"Effective date {effective_from.isoformat()} is in the future; only changes already in force are recorded",
            code="effective-date-in-future",
            field="effective_from",
        )


def ensure_child_allowed(
    parent: UnitType,
    child: UnitType,
    field_name: str = "type_code",
    child_code: str | None = None,
    parent_code: str | None = None,
) -> None:
    if child.code not in parent.allowed_children:
        who = f" {child_code}" if child_code else ""
        where = f" {parent_code}" if parent_code else ""
        raise RuleViolation(
            f"Đơn vị{who} loại '{child.name_vi}' không được đặt dưới đơn vị{where} loại '{parent.name_vi}'",
            f"Unit{who} of type '{child.code}' is not allowed under unit{where} of type '{parent.code}'",
            code="child-type-not-allowed",
            field=field_name,
        )


def ensure_type_in_force(unit_type: UnitType, on: date, field_name: str = "type_code") -> None:
    if unit_type.is_abolished(on):
        raise RuleViolation(
            f"Loại đơn vị '{unit_type.name_vi}' đã bãi bỏ từ {unit_type.abolished_on:%d/%m/%Y}",
            f"Unit type '{unit_type.code}' was abolished on {unit_type.abolished_on.isoformat()}",
            code="unit-type-abolished",
            field=field_name,
        )


def ensure_not_below(unit: Unit, target: Unit, target_is_below: bool, field_name: str) -> None:
    """A unit cannot go (or hand its children) under itself or one of its own descendants."""
    if target_is_below:
        raise RuleViolation(
            f"Không thể chuyển đơn vị {unit.code} (hoặc các đơn vị trực thuộc) vào dưới chính nó hoặc "
            f"đơn vị cấp dưới {target.code} của nó",
            f"Unit {unit.code} (or its children) cannot go under itself or its own descendant {target.code}",
            code="move-creates-cycle",
            field=field_name,
        )


def duplicate_code(code: str) -> Conflict:
    return Conflict(
        f"Mã đơn vị {code} đã tồn tại (mã đơn vị là duy nhất toàn quốc và không dùng lại)",
        f"Unit code {code} already exists (codes are unique nationally and never reused)",
        code="duplicate-unit-code",
        field="code",
    )


def unit_not_empty(unit: Unit, children: int, members: int) -> RuleViolation:
    return RuleViolation(
        f"Đơn vị {unit.code} còn {children} đơn vị trực thuộc và {members} đoàn viên; "
        "hãy chọn đơn vị tiếp nhận trước khi giải thể",
        f"Unit {unit.code} still holds {children} child units and {members} members; "
        "name a successor unit to dissolve it",
        code="unit-not-empty",
        field="successor_unit_id",
        extra={"child_units": children, "members": members},
    )
