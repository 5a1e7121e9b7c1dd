"""HTTP endpoints of the standard forms: each report of the API as a workbook (.xlsx) or PDF, drawn from its
definition (`domain/report_forms.py`) by the one writer (`adapters/workbooks.py`)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from contracts.wellknown import vietnamese_date
from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from reporting.adapters.workbooks import form_pdf, form_xlsx
from reporting.application.documents import development_form, dues_form, targets_form, units_form
from reporting.application.periods import PeriodService
from reporting.application.targets import TargetService
from reporting.domain.forms import FilledForm
from reporting.domain.report_forms import DEVELOPMENT, DUES, FORMS, TARGETS, UNITS
from reporting.entrypoints.api import FORM_MARK, XLSX, answers, xlsx_response
from reporting.entrypoints.api import router as api_router
from reporting.entrypoints.period_api import MONTH, TERM, month_start
from reporting.entrypoints.period_api import router as period_router
from reporting.entrypoints.schemas import (
    FormAnswerOut,
    FormColumnOut,
    FormParameterOut,
    FormSectionOut,
    ReportFormOut,
)

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
    openapi_extra=answers(DEVELOPMENT),
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
    openapi_extra=answers(DEVELOPMENT),
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
    openapi_extra=answers(UNITS),
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
    openapi_extra=answers(DUES),
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
    "/dues.pdf",
    openapi_extra=answers(DUES),
    response_class=Response,
    responses=PDF,
    summary="Số liệu thu đoàn phí theo tháng và theo đơn vị trực thuộc (PDF)",
)
async def dues_pdf(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: str = Query(alias="from", pattern=MONTH),
    last: str = Query(alias="to", pattern=MONTH),
) -> Response:
    report = await PeriodService(session).dues(principal, unit_id, month_start(first), month_start(last))
    return pdf_response(request, dues_form(report), f"{DUES.code}-{first}-{last}.pdf")


@router.get(
    "/targets.xlsx",
    openapi_extra=answers(TARGETS),
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
    openapi_extra=answers(UNITS),
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
    openapi_extra=answers(TARGETS),
    response_class=Response,
    responses=PDF,
    summary="Tiến độ thực hiện chỉ tiêu phát triển đoàn viên (PDF)",
)
async def target_progress_pdf(
    request: Request, principal: CurrentPrincipal, session: Session, unit_id: UUID, term: str = Query(pattern=TERM)
) -> Response:
    found = await TargetService(session).progress(principal, unit_id, term)
    return pdf_response(request, targets_form(term, _made_on(), unit_id, found), f"{TARGETS.code}-{term}.pdf")


@router.get("/forms", response_model=list[ReportFormOut], summary="Danh sách biểu mẫu báo cáo")
async def report_forms(_: CurrentPrincipal) -> list[ReportFormOut]:
    """Every standard form from its definition: its title, sections and columns (headings, groups), and the routes
    that answer it (JSON, .xlsx, PDF) with their parameters, so a client builds its menu and tables from them."""
    found: dict[str, list[FormAnswerOut]] = {form.code: [] for form in FORMS}
    for route in (*api_router.routes, *period_router.routes, *router.routes):
        code = (getattr(route, "openapi_extra", None) or {}).get(FORM_MARK)
        if isinstance(route, APIRoute) and code in found:
            kind = route.path.rsplit(".", 1)[1] if "." in route.path.rsplit("/", 1)[1] else "json"
            parameters = [
                FormParameterOut(name=parameter.alias, required=parameter.field_info.is_required())
                for parameter in route.dependant.query_params
            ]
            found[code].append(FormAnswerOut(format=kind, url=route.path, parameters=parameters))
    return [
        ReportFormOut(
            id=form.code,
            title=form.unfilled(form.title),
            sections=[
                FormSectionOut(
                    title=form.unfilled(section.title) if section.title else None,
                    label_heading=form.unfilled(section.label_heading),
                    columns=[
                        FormColumnOut(
                            key=column.path,
                            heading=column.heading,
                            group=column.group,
                            summed=column.summed and not column.derived,
                            share_of=column.share_of,
                            ratio=list(column.ratio) if column.ratio else None,
                        )
                        for column in section.columns
                    ],
                    total=section.total,
                )
                for section in form.sections
            ],
            answers=sorted(found[form.code], key=lambda answer: ("json", "xlsx", "pdf").index(answer.format)),
        )
        for form in FORMS
    ]
