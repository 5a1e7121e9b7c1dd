"""HTTP endpoints of reporting: `/api/v1/reporting/...`."""

from __future__ import annotations

import gc
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from contracts.wellknown import vietnamese_date
from fastapi import APIRouter, FastAPI, Query, Request, Response

from reporting.adapters.workbooks import form_xlsx
from reporting.application.documents import breakdown_form
from reporting.application.figures import Breakdown, FigureService
from reporting.application.service import ReportService
from reporting.config import ReportingSettings
from reporting.domain.figures import DIMENSIONS
from reporting.domain.forms import Form, answer
from reporting.domain.report_forms import BREAKDOWN
from reporting.entrypoints.schemas import (
    BreakdownOut,
    BreakdownRowOut,
    MemberSummaryOut,
    MovementsOut,
    UnitTotalsOut,
)

router = APIRouter(prefix="/api/v1/reporting", tags=["reporting"])

# The mark of a route that answers a standard form (its JSON, .xlsx or PDF): the list of forms (`GET forms`) finds
# each form's routes by it, so a new route of a form is in the list without another table to keep.
FORM_MARK = "x-report-form"


def answers(form: Form) -> dict[str, str]:
    return {FORM_MARK: form.code}


@router.get("/units/{unit_id}/member-summary", response_model=MemberSummaryOut)
async def member_summary(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, subtree: bool = True
) -> MemberSummaryOut:
    """Members of the unit (or its whole subtree): approved members, women, foreigners, and every status."""
    summary = await ReportService(session).member_summary(principal, unit_id, subtree)
    return MemberSummaryOut(**summary.__dict__)


@router.get(
    "/member-counts",
    response_model=list[UnitTotalsOut],
    summary="Số đoàn viên của nhiều đơn vị (mỗi đơn vị tính cả cấp dưới)",
)
async def member_counts(
    principal: CurrentPrincipal,
    session: Session,
    unit_ids: list[UUID] = Query(alias="unit_id", min_length=1, max_length=200),
) -> list[UnitTotalsOut]:
    """Members and pending members of each unit's whole subtree, in the order asked (the children of a unit, a page
    of search results). Every unit must be in the caller's scope."""
    totals = await ReportService(session).subtree_totals(principal, list(dict.fromkeys(unit_ids)))
    return [UnitTotalsOut(**t.__dict__) for t in totals]


@router.get(
    "/units/{unit_id}/movements",
    response_model=MovementsOut,
    response_model_by_alias=True,
    deprecated=True,
    summary="Biến động đoàn viên của kỳ, theo cây tổ chức hiện nay (thay bằng members/development)",
)
async def movements(
    unit_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> MovementsOut:
    """Members of the subtree at the start and end of a period (Vietnamese calendar days) and what moved in
    between; transfers between two units of the subtree are not movements of the subtree. Superseded by
    `members/development` (its `total`), which answers in the tree of the period's days: this one reads today's
    tree (a unit merged since reports its members here under its new parent) and the ledger kept since migration
    0002, so it still answers periods before the figures' first day. Kept for the dashboard and existing clients."""
    return MovementsOut(**await ReportService(session).movements(principal, unit_id, first, last))


Dimension = Literal[tuple(DIMENSIONS)]  # type: ignore[valid-type]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _breakdown(
    request: Request, principal, session, unit_id: UUID, by: str, as_of: date | None, age_bands: list[int] | None
) -> Breakdown:
    bands = age_bands if age_bands is not None else request.app.state.settings.age_bands
    return await FigureService(session).breakdown(principal, unit_id, by, as_of, bands)


_BREAKDOWN_DOC = """Members of the unit's whole subtree by one dimension at the end of `as_of` (today when absent), in
the tree of that day: a unit merged or moved since reports its own past. Every dimension except `status` counts
members (active, suspended); `status` counts every status. Ethnicity and religion are counted, never listed."""


@router.get(
    "/members/breakdown",
    openapi_extra=answers(BREAKDOWN),
    response_model=BreakdownOut,
    summary="Số liệu đoàn viên theo tiêu chí",
    description=_BREAKDOWN_DOC,
)
async def breakdown(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    by: Dimension,
    as_of: date | None = None,  # type: ignore[valid-type]
    age_bands: list[int] | None = Query(None, max_length=12),
) -> BreakdownOut:
    found = await _breakdown(request, principal, session, unit_id, by, as_of, age_bands)
    return BreakdownOut(
        **{
            **found.__dict__,
            "rows": [
                BreakdownRowOut(**{**answer(BREAKDOWN.sections[0], row), "value": row.value or None})
                for row in found.rows
            ],
        },
        total=found.total,
    )


@router.get(
    "/members/breakdown.xlsx",
    openapi_extra=answers(BREAKDOWN),
    response_class=Response,
    summary="Số liệu đoàn viên theo tiêu chí (.xlsx)",
    responses={200: {"content": {XLSX: {}}}},
)
async def breakdown_workbook(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    by: Dimension,
    as_of: date | None = None,  # type: ignore[valid-type]
    age_bands: list[int] | None = Query(None, max_length=12),
) -> Response:
    found = await _breakdown(request, principal, session, unit_id, by, as_of, age_bands)
    content = form_xlsx(breakdown_form(found), vietnamese_date(datetime.now().astimezone()))
    return xlsx_response(content, f"{BREAKDOWN.code}-{by}-{found.as_of:%Y%m%d}.xlsx")


def xlsx_response(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'})


def create_app(settings: ReportingSettings, database: Database) -> FastAPI:
    from reporting.entrypoints.forms_api import router as forms_router
    from reporting.entrypoints.period_api import router as period_router

    app = create_service_app(
        settings, database, [router, period_router, forms_router], title="Reporting service (Báo cáo thống kê)"
    )
    # Everything loaded so far (modules, the app, its routes) lives as long as the process: out of the garbage
    # collector's sight, a full collection no longer walks it. Measured at 10 M members (docs/BENCHMARKS.md, issue
    # 13): a full collection every ~30 reports took 100-140 ms on a busy machine, the one slow call of 20-30 that made
    # most p95s; 5-8 ms once frozen.
    gc.collect()
    gc.freeze()
    return app
