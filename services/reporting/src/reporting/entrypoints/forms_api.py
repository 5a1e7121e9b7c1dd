"""HTTP endpoints of the standard forms: each report of the API as a workbook (.xlsx) or PDF, drawn from its
definition (`domain/report_forms.py`) by the one writer (`adapters/workbooks.py`)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from contracts.wellknown import vietnamese_date
from fastapi import APIRouter, Query, Request, Response

from reporting.adapters.workbooks import form_pdf, form_xlsx
from reporting.application.documents import development_form, dues_form, targets_form, units_form
from reporting.application.periods import PeriodService
from reporting.application.targets import TargetService
from reporting.domain.forms import FilledForm
from reporting.domain.report_forms import DEVELOPMENT, DUES, TARGETS, UNITS
from reporting.entrypoints.api import XLSX, xlsx_response
from reporting.entrypoints.period_api import MONTH, TERM, month_start

router = APIRouter(prefix="/api/v1/reporting", tags=["reporting"])
PDF = {200: {"content": {"application/pdf": {}}}}


def _made_on() -> date:
    return vietnamese_date(datetime.now().astimezone())


def pdf_response(request: Request, form: FilledForm, name: str) -> Response:
    content = form_pdf(form, _made_on(), request.app.state.settings.pdf_font_path)
    return Response(
        content, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/members/development.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="Báo cáo tình hình phát triển đoàn viên (.xlsx)",
)
async def development_workbook(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> Response:
    report = await PeriodService(session).development(principal, unit_id, first, last)
    content = form_xlsx(development_form(report), _made_on())
    return xlsx_response(content, f"{DEVELOPMENT.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx")


@router.get(
    "/members/development.pdf",
    response_class=Response,
    responses=PDF,
    summary="Báo cáo tình hình phát triển đoàn viên (PDF)",
)
async def development_pdf(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> Response:
    report = await PeriodService(session).development(principal, unit_id, first, last)
    return pdf_response(request, development_form(report), f"{DEVELOPMENT.code}-{first:%Y%m%d}-{last:%Y%m%d}.pdf")


@router.get(
    "/unit-figures.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="Số liệu tổ chức công đoàn của đơn vị và cấp dưới (.xlsx)",
)
async def unit_figures_workbook(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> Response:
    """The same figures as a workbook: a section each (units by type, grassroots unions by enterprise type, units
    established and closed, grassroots unions by members), totals as formulas, the unit and period in the title."""
    service = PeriodService(session)
    found = await service.overview(principal, unit_id, first, last)
    unit = await service.figures.unit_on(principal, unit_id, last)
    content = form_xlsx(units_form(unit.name if unit else str(unit_id), found), _made_on())
    return xlsx_response(content, f"{UNITS.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx")


@router.get(
    "/dues.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="Số liệu thu đoàn phí theo tháng (.xlsx)",
)
async def dues_workbook(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: str = Query(alias="from", pattern=MONTH),
    last: str = Query(alias="to", pattern=MONTH),
) -> Response:
    report = await PeriodService(session).dues(principal, unit_id, month_start(first), month_start(last))
    content = form_xlsx(dues_form(report), _made_on())
    return xlsx_response(content, f"{DUES.code}-{first}-{last}.xlsx")


@router.get(
    "/targets.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="Tiến độ thực hiện chỉ tiêu phát triển đoàn viên (.xlsx)",
)
async def target_progress_workbook(
    principal: CurrentPrincipal, session: Session, unit_id: UUID, term: str = Query(pattern=TERM)
) -> Response:
    """The same progress as a workbook: a row per unit directly under the unit, their sum as formulas, then the unit
    itself; each progress as a formula over its row's members and target."""
    found = await TargetService(session).progress(principal, unit_id, term)
    made_on = _made_on()
    content = form_xlsx(targets_form(term, made_on, unit_id, found), made_on)
    return xlsx_response(content, f"{TARGETS.code}-{term}.xlsx")


@router.get(
    "/unit-figures.pdf",
    response_class=Response,
    responses=PDF,
    summary="Số liệu tổ chức công đoàn của đơn vị và cấp dưới (PDF)",
)
async def unit_figures_pdf(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> Response:
    service = PeriodService(session)
    found = await service.overview(principal, unit_id, first, last)
    unit = await service.figures.unit_on(principal, unit_id, last)
    form = units_form(unit.name if unit else str(unit_id), found)
    return pdf_response(request, form, f"{UNITS.code}-{first:%Y%m%d}-{last:%Y%m%d}.pdf")


@router.get(
    "/targets.pdf",
    response_class=Response,
    responses=PDF,
    summary="Tiến độ thực hiện chỉ tiêu phát triển đoàn viên (PDF)",
)
async def target_progress_pdf(
    request: Request, principal: CurrentPrincipal, session: Session, unit_id: UUID, term: str = Query(pattern=TERM)
) -> Response:
    found = await TargetService(session).progress(principal, unit_id, term)
    return pdf_response(request, targets_form(term, _made_on(), unit_id, found), f"{TARGETS.code}-{term}.pdf")
