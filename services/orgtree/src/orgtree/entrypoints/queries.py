"""HTTP endpoints that read the tree. Lists are keyset-paged: pass `next_cursor` back as `after`."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.errors import InvalidInput
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from fastapi import APIRouter, Query

from orgtree.application.queries import UnitQueries
from orgtree.application.service import UnitService
from orgtree.entrypoints.schemas import UnitOut, UnitSummary, UnitTypeOut

router = APIRouter(prefix="/api/v1/orgtree", tags=["orgtree"])
Limit = Query(50, ge=1, le=500)


@router.get("/unit-types", response_model=list[UnitTypeOut])
async def list_unit_types(_: CurrentPrincipal, session: Session) -> list[UnitTypeOut]:
    """The type catalogue with capability flags and allowed child types."""
    return [UnitTypeOut.of(t) for t in await UnitQueries(session).unit_types()]


@router.get("/units", response_model=Page[UnitSummary])
async def search_units(
    principal: CurrentPrincipal,
    session: Session,
    q: str = Query(min_length=1, max_length=200, description="Name (with or without diacritics) or code prefix"),
    after: str | None = None,
    limit: int = Limit,
) -> Page[UnitSummary]:
    rows = await UnitQueries(session).search(principal, q, _code_cursor(after), limit + 1)
    return _page(rows, limit)


@router.get("/units/{unit_id}", response_model=UnitOut)
async def get_unit(unit_id: UUID, principal: CurrentPrincipal, session: Session) -> UnitOut:
    return UnitOut.of(await UnitService(session).get(principal, unit_id))


@router.get("/units/{unit_id}/children", response_model=Page[UnitSummary])
async def list_children(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, after: str | None = None, limit: int = Limit
) -> Page[UnitSummary]:
    """Direct children, closed ones included, each with its number of active children."""
    rows = await UnitQueries(session).children(principal, unit_id, _code_cursor(after), limit + 1)
    return _page(rows, limit)


@router.get("/units/{unit_id}/ancestors", response_model=Page[UnitSummary])
async def list_ancestors(unit_id: UUID, principal: CurrentPrincipal, session: Session) -> Page[UnitSummary]:
    """The path from the national centre down to the unit itself (depth = levels above the unit)."""
    rows = await UnitQueries(session).ancestors(principal, unit_id)
    return Page[UnitSummary](items=[UnitSummary.model_validate(row, from_attributes=True) for row in rows])


@router.get("/units/{unit_id}/descendants", response_model=Page[UnitSummary])
async def list_descendants(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    after: str | None = None,
    limit: int = Limit,
    max_depth: int | None = Query(None, ge=1, le=10),
    include_closed: bool = False,
) -> Page[UnitSummary]:
    """Every unit below, ordered by code."""
    rows = await UnitQueries(session).descendants(
        principal, unit_id, _code_cursor(after), limit + 1, max_depth, include_closed
    )
    return _page(rows, limit)


@router.get("/units/{unit_id}/tree", response_model=Page[UnitSummary])
async def tree_as_of(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    as_of: date = Query(description="The day to show the tree of, e.g. 2025-06-30"),
    after: str | None = None,
    limit: int = Limit,
    max_depth: int | None = Query(None, ge=1, le=10),
    include_closed: bool = False,
) -> Page[UnitSummary]:
    """The subtree as it stood on `as_of`, level by level (ordered by depth, then code)."""
    cursor = decode_cursor(after)
    if cursor is not None and (len(cursor) != 2 or not isinstance(cursor[0], int) or not isinstance(cursor[1], str)):
        raise InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field="after")
    rows = await UnitQueries(session).tree_as_of(
        principal, unit_id, as_of, tuple(cursor) if cursor else None, limit + 1, max_depth, include_closed
    )
    items = [UnitSummary.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda last: encode_cursor(last.depth, last.code))


def _code_cursor(after: str | None) -> str | None:
    cursor = decode_cursor(after)
    if cursor is None:
        return None
    if len(cursor) != 1 or not isinstance(cursor[0], str):
        raise InvalidInput("Con trỏ phân trang không hợp lệ", "Invalid page cursor", field="after")
    return cursor[0]


def _page(rows, limit: int) -> Page[UnitSummary]:
    items = [UnitSummary.model_validate(row, from_attributes=True) for row in rows]
    return page_of(items, limit, lambda last: encode_cursor(last.code))
