"""HTTP endpoints of orgtree: `/api/v1/orgtree/...`."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from fastapi import APIRouter, FastAPI, Query, status

from orgtree.application.service import NewUnit, UnitService
from orgtree.config import OrgtreeSettings
from orgtree.domain.model import Employer
from orgtree.entrypoints.schemas import UnitCreate, UnitMove, UnitOut, UnitRename, UnitSummary

router = APIRouter(prefix="/api/v1/orgtree", tags=["orgtree"])


@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=UnitOut)
async def create_unit(body: UnitCreate, principal: CurrentPrincipal, session: Session) -> UnitOut:
    employer = Employer(**body.employer.model_dump()) if body.employer else None
    unit = await UnitService(session).create(
        principal,
        NewUnit(
            code=body.code, name=body.name, short_name=body.short_name, type_code=body.type_code,
            parent_id=body.parent_id, province_code=body.province_code, address=body.address,
            employer=employer, effective_from=body.effective_from,
        ),
    )
    return UnitOut.of(unit)


@router.get("/units/{unit_id}", response_model=UnitOut)
async def get_unit(unit_id: UUID, principal: CurrentPrincipal, session: Session) -> UnitOut:
    return UnitOut.of(await UnitService(session).get(principal, unit_id))


@router.get("/units/{unit_id}/children", response_model=Page[UnitSummary])
async def list_children(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[UnitSummary]:
    await UnitService(session).get(principal, unit_id)
    cursor = decode_cursor(after)
    rows = await UnitService(session).units.children_page(
        principal, unit_id, cursor[0] if cursor else None, limit + 1
    )
    items = [UnitSummary.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda last: encode_cursor(last.code))


@router.get("/units", response_model=Page[UnitSummary])
async def search_units(
    principal: CurrentPrincipal,
    session: Session,
    q: str = Query(min_length=1, max_length=200, description="Name (with or without diacritics) or code"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[UnitSummary]:
    cursor = decode_cursor(after)
    rows = await UnitService(session).units.search(principal, q, cursor[0] if cursor else None, limit + 1)
    items = [UnitSummary.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda last: encode_cursor(last.code))


@router.post("/units/{unit_id}/move", response_model=UnitOut)
async def move_unit(unit_id: UUID, body: UnitMove, principal: CurrentPrincipal, session: Session) -> UnitOut:
    moved = await UnitService(session).move(principal, unit_id, body.new_parent_id, body.effective_from or date.today())
    return UnitOut.of(moved)


@router.patch("/units/{unit_id}", response_model=UnitOut)
async def rename_unit(unit_id: UUID, body: UnitRename, principal: CurrentPrincipal, session: Session) -> UnitOut:
    renamed = await UnitService(session).rename(
        principal, unit_id, body.name, body.short_name, body.effective_from or date.today()
    )
    return UnitOut.of(renamed)


def create_app(settings: OrgtreeSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Org tree service (Cây tổ chức công đoàn)")
