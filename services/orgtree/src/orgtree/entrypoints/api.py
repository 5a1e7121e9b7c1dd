"""HTTP endpoints of orgtree that change the tree: `/api/v1/orgtree/...`. Queries are in `query_api.py`."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from contracts.wellknown import vietnamese_today
from fastapi import APIRouter, FastAPI, File, Form, UploadFile, status

from orgtree.application.new_units import BatchResult, UnitBatch
from orgtree.application.service import NewUnit, UnitChanges, UnitService
from orgtree.config import OrgtreeSettings
from orgtree.domain.model import Employer
from orgtree.domain.plan import UnitRow
from orgtree.entrypoints import query_api
from orgtree.entrypoints.schemas import (
    BatchReport,
    CreatedRow,
    RejectedRow,
    UnitBatchCreate,
    UnitCreate,
    UnitDissolve,
    UnitMerge,
    UnitMove,
    UnitOut,
    UnitUpdate,
)

router = APIRouter(prefix="/api/v1/orgtree", tags=["orgtree"])


@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=UnitOut)
async def create_unit(body: UnitCreate, principal: CurrentPrincipal, session: Session) -> UnitOut:
    employer = Employer(**body.employer.model_dump()) if body.employer else None
    unit = await UnitService(session).create(
        principal,
        NewUnit(
            code=body.code,
            name=body.name,
            short_name=body.short_name,
            type_code=body.type_code,
            parent_id=body.parent_id,
            province_code=body.province_code,
            address=body.address,
            employer=employer,
            effective_from=body.effective_from,
        ),
    )
    return UnitOut.of(unit)


@router.post("/units/batch", status_code=status.HTTP_201_CREATED, response_model=BatchReport)
async def create_units(body: UnitBatchCreate, principal: CurrentPrincipal, session: Session) -> BatchReport:
    """Create a group of units at once (tạo nhóm cấp công đoàn): all of them, or none and a report by index."""
    rows = [
        UnitRow(
            row=index,
            code=item.code,
            name=item.name,
            type_code=item.type_code,
            parent_code=item.parent_code,
            parent_id=item.parent_id,
            short_name=item.short_name,
            province=item.province_code,
            address=item.address,
            **_employer_fields(item.employer),
        )
        for index, item in enumerate(body.units)
    ]
    result = await UnitBatch(session).create(principal, rows, "all_or_nothing", body.effective_from)
    return _report(result)


@router.post("/units/imports", response_model=BatchReport)
async def import_units(
    principal: CurrentPrincipal,
    session: Session,
    file: UploadFile = File(description=".xlsx, .xls, .ods or .csv; one unit per row under a header row"),
    mode: Literal["all_or_nothing", "valid_rows_only"] = Form("all_or_nothing"),
    parent_id: UUID | None = Form(None, description="Parent of the rows that name none"),
    effective_from: date | None = Form(None),
) -> BatchReport:
    """Import a tree from a file. All-or-nothing unless `valid_rows_only`; every problem is reported by row."""
    content = await file.read()
    result = await UnitBatch(session).import_file(
        principal, file.filename or "", content, mode, effective_from, parent_id
    )
    return _report(result)


@router.patch("/units/{unit_id}", response_model=UnitOut)
async def update_unit(unit_id: UUID, body: UnitUpdate, principal: CurrentPrincipal, session: Session) -> UnitOut:
    provided = body.model_fields_set - {"effective_from"}
    changes = UnitChanges(
        provided=frozenset(provided),
        name=body.name,
        short_name=body.short_name,
        province_code=body.province_code,
        address=body.address,
        employer=body.employer.model_dump(exclude_unset=True) if body.employer else {},
    )
    updated = await UnitService(session).update(principal, unit_id, changes, body.effective_from or vietnamese_today())
    return UnitOut.of(updated)


@router.post("/units/{unit_id}/move", response_model=UnitOut)
async def move_unit(unit_id: UUID, body: UnitMove, principal: CurrentPrincipal, session: Session) -> UnitOut:
    moved = await UnitService(session).move(
        principal, unit_id, body.new_parent_id, body.effective_from or vietnamese_today()
    )
    return UnitOut.of(moved)


@router.post("/units/{unit_id}/merge", response_model=UnitOut)
async def merge_unit(unit_id: UUID, body: UnitMerge, principal: CurrentPrincipal, session: Session) -> UnitOut:
    """Merge this unit into `target_unit_id`: its children move there, and it closes pointing to the target."""
    merged = await UnitService(session).merge(
        principal, unit_id, body.target_unit_id, body.effective_from or vietnamese_today()
    )
    return UnitOut.of(merged)


@router.post("/units/{unit_id}/dissolve", response_model=UnitOut)
async def dissolve_unit(unit_id: UUID, body: UnitDissolve, principal: CurrentPrincipal, session: Session) -> UnitOut:
    """Dissolve this unit: it must be empty, or name a successor that receives what it holds."""
    dissolved = await UnitService(session).dissolve(
        principal, unit_id, body.successor_unit_id, body.effective_from or vietnamese_today()
    )
    return UnitOut.of(dissolved)


def _employer_fields(employer) -> dict:
    if employer is None:
        return {}
    return {
        "employer_name": employer.name,
        "employer_tax_code": employer.tax_code,
        "enterprise_type": employer.enterprise_type,
        "sector": employer.sector,
        "workforce_size": employer.workforce_size,
    }


def _report(result: BatchResult) -> BatchReport:
    rejected = result.rejected()
    return BatchReport(
        mode=result.mode,
        total_rows=result.total_rows,
        created_count=len(result.created),
        rejected_count=len(rejected),
        created=[CreatedRow(row=row, code=unit.code, unit_id=unit.unit_id) for row, unit in result.created],
        rejected=[RejectedRow.model_validate(entry) for entry in rejected],
        ignored_columns=result.ignored_columns,
    )


def create_app(settings: OrgtreeSettings, database: Database) -> FastAPI:
    return create_service_app(
        settings, database, [router, query_api.router], title="Org tree service (Cây tổ chức công đoàn)"
    )
