"""Creating a group of units at once (tạo nhóm cấp công đoàn) and importing a tree from a file.

Both plan every row first (`domain/plan.py`), then write the accepted units in a
few set-based statements: one INSERT for the units, one for their history rows,
one for their closure rows (computed in SQL) and one for their events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from chassis.errors import FieldError, Problem
from chassis.ids import uuid7
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.orgtree_unit_v1 import UnitCreated
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_today
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.repository import UnitRepository
from orgtree.adapters.spreadsheet import read_unit_rows
from orgtree.application.service import announce
from orgtree.domain.model import Unit, ensure_not_in_future
from orgtree.domain.plan import Plan, UnitRow, World, normalise_codes, plan_units

Mode = Literal["all_or_nothing", "valid_rows_only"]


class RowsRejected(Problem):
    status, code, title = 422, "rows-rejected", "Rows rejected"


@dataclass
class BatchResult:
    mode: Mode
    total_rows: int
    created: list[tuple[int, Unit]] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    ignored_columns: list[str] = field(default_factory=list)

    def rejected(self) -> list[dict]:
        return rows_report(self.plan)


class UnitBatch:
    def __init__(self, session: AsyncSession, today: date | None = None) -> None:
        self.session = session
        self.units = UnitRepository(session)
        self.today = today or vietnamese_today()

    async def create(
        self,
        principal: Principal,
        rows: list[UnitRow],
        mode: Mode,
        effective_from: date | None,
        default_parent_id: UUID | None = None,
        kind: Literal["batch", "import"] = "batch",
    ) -> BatchResult:
        effective_from = effective_from or self.today
        ensure_not_in_future(effective_from, self.today)
        if default_parent_id is not None:
            await ensure_in_scope(self.session, principal, Permission.UNITS_WRITE, default_parent_id)
        normalise_codes(rows)
        world = await self._world(principal, rows, default_parent_id)
        plan = plan_units(rows, world, effective_from, uuid7)
        result = BatchResult(mode=mode, total_rows=len(rows), plan=plan)
        if plan.problems and mode == "all_or_nothing":
            raise rows_rejected(plan, len(rows), kind)
        if plan.units:
            await self.units.add_all(plan.units, principal.username)
            await announce(self.session, [UnitCreated(unit_id=u.unit_id, unit=u.state()) for u in plan.units])
        result.created = list(zip(plan.rows_of_units, plan.units, strict=True))
        return result

    async def import_file(
        self,
        principal: Principal,
        filename: str,
        content: bytes,
        mode: Mode,
        effective_from: date | None,
        default_parent_id: UUID | None,
    ) -> BatchResult:
        sheet = await asyncio.to_thread(read_unit_rows, filename, content)  # parsing is CPU work
        result = await self.create(principal, sheet.rows, mode, effective_from, default_parent_id, kind="import")
        result.ignored_columns = sheet.ignored_columns
        return result

    async def _world(self, principal: Principal, rows: list[UnitRow], default_parent_id: UUID | None) -> World:
        codes = {row.code for row in rows if row.code}
        parent_ids = {row.parent_id for row in rows if row.parent_id} | ({default_parent_id} - {None})
        # Parents are locked: a parent dissolved while the import runs would otherwise adopt new units.
        parents = {
            unit.unit_id: unit
            for unit in [
                *await self.units.by_codes({r.parent_code for r in rows if r.parent_code}, for_update=True),
                *await self.units.get_many(parent_ids, for_update=True),
            ]
        }
        return World(
            unit_types=await self.units.unit_types(),
            parents=list(parents.values()),
            taken_codes=await self.units.taken_codes(codes) if codes else set(),
            writable=await self.units.visible_ids(principal, Permission.UNITS_WRITE, parents) if parents else set(),
            default_parent=parents.get(default_parent_id) if default_parent_id else None,
        )


def rows_report(plan: Plan) -> list[dict]:
    """The rejected rows: row number, the unit code as written, and each problem with its field."""
    by_row: dict[int, dict] = {}
    for p in plan.problems:
        entry = by_row.setdefault(p.row, {"row": p.row, "code": p.code, "problems": []})
        entry["problems"].append(
            {"field": p.field, "code": p.problem, "message_vi": p.message_vi, "message_en": p.message_en}
        )
    return [by_row[row] for row in sorted(by_row)]


def rows_rejected(plan: Plan, total: int, kind: Literal["batch", "import"]) -> RowsRejected:
    prefix = "units" if kind == "batch" else "rows"
    rejected = len(plan.rejected_rows)
    first = plan.problems[0]
    return RowsRejected(
        f"{rejected}/{total} dòng có lỗi nên không đơn vị nào được tạo. Dòng {first.row}: {first.message_vi}",
        f"{rejected} of {total} rows have problems, so no unit was created. Row {first.row}: {first.message_en}",
        code=f"{kind}-rejected",
        field=prefix if kind == "batch" else "file",
        errors=[
            FieldError(f"{prefix}[{p.row}].{p.field}", p.problem, p.message_vi, p.message_en) for p in plan.problems
        ],
        extra={"rows": rows_report(plan)},
    )
