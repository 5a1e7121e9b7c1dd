"""Planning a group of new units (a batch request or an imported file) before anything is written.

Every row is checked on its own and against the others: codes, types, parents in
the file or in the tree, cycles among the file's rows, the parent's type. The
result is the units to create, parents before children, and every problem by row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from chassis.text import normalise, search_key

from orgtree.domain.catalogue import UnitType
from orgtree.domain.model import ENTERPRISE_TYPES, STATUS_VI, Employer, Unit
from orgtree.domain.provinces import province_code_of

CODE_PATTERN = re.compile(r"^[A-Z0-9._-]{2,40}$")
TAX_CODE_PATTERN = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass
class UnitRow:
    """One proposed unit as the caller wrote it; `row` is its 1-based position (or spreadsheet row)."""

    row: int
    code: str | None = None
    name: str | None = None
    type_code: str | None = None
    parent_code: str | None = None
    parent_id: UUID | None = None
    short_name: str | None = None
    province: str | None = None
    address: str | None = None
    employer_name: str | None = None
    employer_tax_code: str | None = None
    enterprise_type: str | None = None
    sector: str | None = None
    workforce_size: str | int | None = None


@dataclass(frozen=True)
class RowProblem:
    row: int
    code: str | None
    field: str
    problem: str
    message_vi: str
    message_en: str


@dataclass
class World:
    """What the planner needs to know about the tree, fetched by the service beforehand."""

    unit_types: list[UnitType]
    parents: list[Unit]  # existing units the rows name as parents (by code or id)
    taken_codes: set[str]  # codes of the rows that already exist
    writable: set[UUID]  # existing parents inside the caller's write scope
    default_parent: Unit | None = None  # for rows that name no parent


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    rows_of_units: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def normalise_codes(rows: list[UnitRow]) -> None:
    """Codes are compared upper-case and NFC, as they are stored."""
    for row in rows:
        row.code = normalise(str(row.code)).upper() if row.code else None
        row.parent_code = normalise(str(row.parent_code)).upper() if row.parent_code else None


def plan_units(rows: list[UnitRow], world: World, effective_from: date, new_id: Callable[[], UUID]) -> Plan:
    plan = Plan()
    normalise_codes(rows)
    types = _type_lookup(world.unit_types)
    by_code = {u.code: u for u in world.parents}
    by_id = {u.unit_id: u for u in world.parents}
    bad: set[int] = set()

    def problem(row: UnitRow, field_name: str, code: str, vi: str, en: str) -> None:
        plan.problems.append(RowProblem(row.row, row.code, field_name, code, vi, en))
        bad.add(row.row)

    first_row_of: dict[str, UnitRow] = {}
    checked: dict[int, tuple[UnitType | None, Employer, str | None]] = {}
    for row in rows:
        checked[row.row] = _check_fields(row, types, effective_from, problem)
        if row.code and CODE_PATTERN.match(row.code):
            if row.code in first_row_of:
                problem(
                    row,
                    "code",
                    "duplicate-unit-code",
                    f"Mã {row.code} trùng với dòng {first_row_of[row.code].row}",
                    f"Code {row.code} repeats row {first_row_of[row.code].row}",
                )
            elif row.code in world.taken_codes:
                # Not registered as a file row: children naming this code mean the unit already in the tree.
                problem(
                    row,
                    "code",
                    "duplicate-unit-code",
                    f"Mã đơn vị {row.code} đã tồn tại",
                    f"Unit code {row.code} already exists",
                )
            else:
                first_row_of[row.code] = row

    # Each row's parent: another row of the file, or a unit already in the tree.
    parent_row: dict[int, UnitRow] = {}
    parent_unit: dict[int, Unit] = {}
    for row in rows:
        if row.parent_code and row.parent_code in first_row_of:
            parent_row[row.row] = first_row_of[row.parent_code]
            continue
        if row.parent_id:
            existing = by_id.get(row.parent_id)
        elif row.parent_code:
            existing = by_code.get(row.parent_code)
        else:
            existing = world.default_parent
        named = row.parent_code or (str(row.parent_id) if row.parent_id else None)
        field_name = "parent_id" if row.parent_id and not row.parent_code else "parent_code"
        if existing is None:
            if named:
                problem(
                    row,
                    field_name,
                    "unknown-parent",
                    f"Không tìm thấy đơn vị cấp trên {named} (trong tệp hoặc trong hệ thống)",
                    f"Parent unit {named} not found in the file or the tree",
                )
            else:
                problem(row, field_name, "parent-required", "Thiếu mã đơn vị cấp trên", "The parent unit is missing")
        elif existing.unit_id not in world.writable:
            problem(
                row,
                field_name,
                "out-of-scope",
                f"Đơn vị cấp trên {existing.code} nằm ngoài phạm vi quản lý",
                f"Parent unit {existing.code} is outside your scope",
            )
        elif not existing.is_active:
            problem(
                row,
                field_name,
                "unit-closed",
                f"Đơn vị cấp trên {existing.code} {STATUS_VI[existing.status]}",
                f"Parent unit {existing.code} is {existing.status}",
            )
        else:
            parent_unit[row.row] = existing

    for cycle in _cycles(rows, parent_row):
        codes = " → ".join(r.code or "?" for r in cycle)
        for row in cycle:
            problem(
                row,
                "parent_code",
                "parent-cycle",
                f"Các dòng tạo thành vòng lặp cấp trên: {codes}",
                f"Rows form a parent cycle: {codes}",
            )

    # Parents before children; a row below a rejected row is rejected too.
    children: dict[int, list[UnitRow]] = {}
    for row in rows:
        if row.row in parent_row:
            children.setdefault(parent_row[row.row].row, []).append(row)
    queue = [row for row in rows if row.row in parent_unit or row.row not in parent_row]
    placed: dict[int, Unit] = {}
    while queue:
        row = queue.pop(0)
        unit_type, employer, province_code = checked[row.row]
        parent = placed.get(parent_row[row.row].row) if row.row in parent_row else parent_unit.get(row.row)
        if row.row in parent_row and parent is None and row.row not in bad:
            above = parent_row[row.row]
            problem(
                row,
                "parent_code",
                "parent-row-rejected",
                f"Dòng cấp trên {above.row} ({above.code}) bị từ chối",
                f"The parent row {above.row} ({above.code}) was rejected",
            )
        if parent is not None and unit_type is not None and unit_type.code not in parent.type.allowed_children:
            problem(
                row,
                "type_code",
                "child-type-not-allowed",
                f"Loại '{unit_type.name_vi}' không được đặt dưới {parent.code} ('{parent.type.name_vi}')",
                f"Type '{unit_type.code}' is not allowed under {parent.code} ('{parent.type.code}')",
            )
        if row.row not in bad and parent is not None and unit_type is not None:
            unit = Unit(
                unit_id=new_id(),
                code=row.code,
                name=normalise(row.name),
                type=unit_type,
                parent_id=parent.unit_id,
                effective_from=effective_from,
                short_name=normalise(row.short_name) if row.short_name else None,
                province_code=province_code or parent.province_code,
                address=normalise(row.address) if row.address else None,
                employer=employer,
            )
            placed[row.row] = unit
            plan.units.append(unit)
            plan.rows_of_units.append(row.row)
        queue.extend(children.get(row.row, []))
    for row in rows:
        if row.row not in bad and row.row not in placed:  # below a cycle: never reached from the tree
            problem(
                row,
                "parent_code",
                "parent-row-rejected",
                "Đơn vị cấp trên nằm trong một vòng lặp",
                "The parent chain runs into a cycle",
            )
    plan.problems.sort(key=lambda p: (p.row, p.field))
    return plan


def _check_fields(row: UnitRow, types: dict[str, UnitType], effective_from: date, problem):
    """Checks of one row on its own; returns its type, employer and province code as far as they are valid."""
    if not row.code:
        problem(row, "code", "missing", "Thiếu mã đơn vị", "The unit code is missing")
    elif not CODE_PATTERN.match(row.code):
        problem(
            row,
            "code",
            "invalid-code",
            f"Mã đơn vị '{row.code}' chỉ gồm chữ, số, dấu chấm, gạch (2-40 ký tự)",
            f"Unit code '{row.code}' must be 2-40 letters, digits, dots, dashes or underscores",
        )
    name = normalise(row.name) if row.name else ""
    if not 2 <= len(name) <= 300:
        problem(
            row,
            "name",
            "missing" if not name else "invalid-name",
            "Tên đơn vị thiếu hoặc không hợp lệ",
            "The unit name is missing or invalid",
        )
    unit_type = types.get(search_key(row.type_code)) if row.type_code else None
    if unit_type is None:
        problem(
            row,
            "type_code",
            "unknown-unit-type",
            f"Loại đơn vị '{row.type_code or ''}' không có trong danh mục",
            f"Unit type '{row.type_code or ''}' is not in the catalogue",
        )
    elif unit_type.is_abolished(effective_from):
        problem(
            row,
            "type_code",
            "unit-type-abolished",
            f"Loại đơn vị '{unit_type.name_vi}' đã bãi bỏ",
            f"Unit type '{unit_type.code}' was abolished on {unit_type.abolished_on}",
        )
    province_code = None
    if row.province:
        province_code = province_code_of(str(row.province))
        if province_code is None:
            problem(
                row,
                "province",
                "unknown-province",
                f"Không nhận ra tỉnh, thành phố '{row.province}'",
                f"Unknown province '{row.province}'",
            )
    enterprise_type = None
    if row.enterprise_type:
        enterprise_type = _ENTERPRISE_TYPES.get(search_key(row.enterprise_type))
        if enterprise_type is None:
            problem(
                row,
                "enterprise_type",
                "unknown-enterprise-type",
                f"Loại hình doanh nghiệp '{row.enterprise_type}' không hợp lệ",
                f"Unknown enterprise type '{row.enterprise_type}'",
            )
    if row.employer_tax_code and not TAX_CODE_PATTERN.match(str(row.employer_tax_code)):
        problem(
            row,
            "employer_tax_code",
            "invalid-tax-code",
            "Mã số thuế phải có 10 chữ số (hoặc 10-3)",
            "The tax code must be 10 digits (or 10-3)",
        )
    workforce = None
    if row.workforce_size not in (None, ""):
        try:
            workforce = int(row.workforce_size)
            if workforce < 0:
                raise ValueError
        except (TypeError, ValueError):
            problem(
                row,
                "workforce_size",
                "invalid-workforce-size",
                "Số lao động phải là số nguyên không âm",
                "The workforce size must be a whole number, zero or more",
            )
    employer = Employer(
        name=normalise(row.employer_name) if row.employer_name else None,
        tax_code=str(row.employer_tax_code) if row.employer_tax_code else None,
        enterprise_type=enterprise_type,
        sector=normalise(row.sector) if row.sector else None,
        workforce_size=workforce,
    )
    return unit_type, employer, province_code


def _cycles(rows: list[UnitRow], parent_row: dict[int, UnitRow]) -> list[list[UnitRow]]:
    """Rows whose parent chain inside the file comes back to them (each cycle once)."""
    state: dict[int, str] = {}
    found = []
    for start in rows:
        path: list[UnitRow] = []
        row: UnitRow | None = start
        while row is not None and row.row not in state:
            state[row.row] = "walking"
            path.append(row)
            row = parent_row.get(row.row)
        if row is not None and state[row.row] == "walking":
            found.append(path[path.index(row) :])
        for walked in path:
            state[walked.row] = "done"
    return found


def _type_lookup(unit_types: list[UnitType]) -> dict[str, UnitType]:
    """Types by code and by Vietnamese or English name, with or without diacritics."""
    lookup = {}
    for unit_type in unit_types:
        for name in (unit_type.code, unit_type.name_vi, unit_type.name_en):
            lookup[search_key(name)] = unit_type
    return lookup


_ENTERPRISE_TYPES = {
    search_key(label): code for code, labels in ENTERPRISE_TYPES.items() for label in (code, *labels)
} | {
    "fdi": "foreign_invested",
    "nha nuoc": "state_owned",
    "ngoai nha nuoc": "non_state_domestic",
    "htx": "cooperative",
    "hanh chinh su nghiep": "state_administrative",
}
