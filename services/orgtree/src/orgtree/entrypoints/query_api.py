"""HTTP endpoints that read the tree. Lists are keyset-paged: pass `next_cursor` back as `after`."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.errors import Unauthenticated
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Keyset, Page, Window
from fastapi import APIRouter, Query

from orgtree.application.queries import UnitQueries
from orgtree.application.service import UnitService
from orgtree.entrypoints.schemas import UnitOut, UnitSummary, UnitTypeOut

router = APIRouter(prefix="/api/v1/orgtree", tags=["orgtree"])
Limit = Query(50, ge=1, le=500)
BY_CODE = Keyset(str)
BY_DEPTH_AND_CODE = Keyset(int, str)


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
    window = BY_CODE.window(after, limit)
    return _page(window, await UnitQueries(session).search(principal, q, window.after_value, window.fetch))


@router.get(
    "/directory",
    response_model=Page[UnitSummary],
    summary="Danh bạ công đoàn cơ sở toàn quốc (đơn vị đến khi chuyển sinh hoạt)",
)
async def unit_directory(
    principal: CurrentPrincipal,
    session: Session,
    q: str = Query(min_length=2, max_length=200, description="Name (with or without diacritics) or code prefix"),
    after: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> Page[UnitSummary]:
    """Active units that admit members, anywhere in the country, by name or code: where a member may transfer to.
    Any signed-in user may search it; it names units only (no members, no figures)."""
    if principal.is_public:
        raise Unauthenticated("Cần đăng nhập", "Login required")
    window = BY_CODE.window(after, limit)
    return _page(window, await UnitQueries(session).directory(q, window.after_value, window.fetch))


@router.get("/units/{unit_id}", response_model=UnitOut)
async def get_unit(unit_id: UUID, principal: CurrentPrincipal, session: Session) -> UnitOut:
    return UnitOut.of(await UnitService(session).get(principal, unit_id))


@router.get("/units/{unit_id}/children", response_model=Page[UnitSummary])
async def list_children(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, after: str | None = None, limit: int = Limit
) -> Page[UnitSummary]:
    """Direct children, closed ones included, each with its number of active children."""
    window = BY_CODE.window(after, limit)
    return _page(window, await UnitQueries(session).children(principal, unit_id, window.after_value, window.fetch))


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
    window = BY_CODE.window(after, limit)
    rows = await UnitQueries(session).descendants(
        principal, unit_id, window.after_value, window.fetch, max_depth, include_closed
    )
    return _page(window, rows)


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
    window = BY_DEPTH_AND_CODE.window(after, limit)
    rows = await UnitQueries(session).tree_as_of(
        principal, unit_id, as_of, window.after, window.fetch, max_depth, include_closed
    )
    return window.page(rows, lambda row: (row.depth, row.code), _summary)


def _summary(row) -> UnitSummary:
    return UnitSummary.model_validate(row, from_attributes=True)


def _page(window: Window, rows) -> Page[UnitSummary]:
    return window.page(rows, lambda row: (row.code,), _summary)
