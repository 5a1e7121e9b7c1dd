"""HTTP endpoints of the period reports: member development (`members/development…`) and units (`unit-figures`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter, Path, Query

from reporting.application.documents import size_bands
from reporting.application.periods import PeriodService
from reporting.application.targets import TargetService
from reporting.domain.forms import answer
from reporting.domain.periods import PeriodRow
from reporting.domain.report_forms import DEVELOPMENT, DUES, TARGETS, UNITS
from reporting.entrypoints.api import answers
from reporting.entrypoints.schemas import (
    DevelopmentMonthsOut,
    DuesMonthOut,
    DuesOut,
    DuesUnitOut,
    MonthRowOut,
    PeriodReportOut,
    PeriodRowOut,
    SizeBandOut,
    TargetIn,
    TargetOut,
    TargetProgressOut,
    UnitCountsOut,
    UnitFiguresOut,
)

router = APIRouter(prefix="/api/v1/reporting", tags=["reporting"])


def _row(row: PeriodRow) -> PeriodRowOut:
    return PeriodRowOut.model_validate(answer(DEVELOPMENT.sections[0], row))


@router.get(
    "/members/development",
    openapi_extra=answers(DEVELOPMENT),
    response_model=PeriodReportOut,
    response_model_by_alias=True,
    summary="Báo cáo tình hình phát triển đoàn viên của kỳ, theo đơn vị trực thuộc",
)
async def development(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> PeriodReportOut:
    """For the unit and every unit directly under it during the period (in the tree of the period's days):
    members at the start and the end, admitted, transferred in and out, suspended, resumed, retired, removed; of
    which women; members at the end by enterprise type. What the movements do not explain (a unit moved or merged
    in the period) is `restructured`, so every row adds up."""
    report = await PeriodService(session).development(principal, unit_id, first, last)
    return PeriodReportOut(
        unit_id=unit_id,
        from_=report.first,
        to=report.last,
        restructured=report.restructured,
        rows=[_row(row) for row in report.rows],
        total=_row(report.total),
    )


@router.get(
    "/members/development/months",
    response_model=DevelopmentMonthsOut,
    response_model_by_alias=True,
    summary="Tình hình phát triển đoàn viên từng tháng của kỳ (toàn đơn vị)",
)
async def development_months(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> DevelopmentMonthsOut:
    """The `total` row of `members/development` for each calendar month of the period (at most 36; the first and
    the last month cut to the period), in the tree of each month's days: members at each month's start and end,
    what moved, of which women."""
    series = await PeriodService(session).development_months(principal, unit_id, first, last)
    return DevelopmentMonthsOut(
        unit_id=unit_id,
        from_=first,
        to=last,
        months=[
            MonthRowOut.model_validate({"from": start, "to": end, **answer(DEVELOPMENT.sections[0], row)})
            for start, end, row in series
        ],
    )


@router.get(
    "/unit-figures",
    openapi_extra=answers(UNITS),
    response_model=UnitFiguresOut,
    response_model_by_alias=True,
    summary="Số liệu tổ chức công đoàn của đơn vị và cấp dưới",
)
async def unit_figures(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> UnitFiguresOut:
    """The units of the subtree by type, and its grassroots unions by enterprise type, at the start and the end of
    the period (in the tree of those days); units established and closed in the period; the grassroots unions by
    their members at the end of the period (in the tree of that day), those without any member apart."""
    found = await PeriodService(session).overview(principal, unit_id, first, last)

    def counts(values: dict[str, dict[str, int]]) -> UnitCountsOut:
        return UnitCountsOut(
            by_type=values["unit_type"], grassroots_by_enterprise_type=values["grassroots_enterprise_type"]
        )

    return UnitFiguresOut(
        unit_id=unit_id,
        from_=first,
        to=last,
        at_start=counts(found.at_start),
        at_end=counts(found.at_end),
        established=found.flows["unit_established"],
        closed=found.flows["unit_closed"],
        grassroots_by_members=[SizeBandOut(**answer(UNITS.sections[3], row)) for row in size_bands(found)],
        grassroots_without_members=found.sizes[0],
    )


MONTH = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"  # YYYY-MM from 1900 to 2999


def month_start(value: str) -> date:
    return date(int(value[:4]), int(value[5:7]), 1)


@router.get(
    "/dues",
    openapi_extra=answers(DUES),
    response_model=DuesOut,
    response_model_by_alias=True,
    summary="Số liệu thu đoàn phí theo tháng của đơn vị và cấp dưới",
)
async def dues(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    first: str = Query(alias="from", pattern=MONTH),
    last: str = Query(alias="to", pattern=MONTH),
) -> DuesOut:
    """Each month of the period (at most 36): the units of the subtree that recorded it against the grassroots
    unions at the month's end, and the sums of their latest records (corrections replace what they correct); the
    upper share the collecting units owe, what they remitted of it for periods ending in the month (the first hop
    only: a level forwarding it upward is not counted again), what their upper level confirmed, what is
    outstanding. Then the whole period for each unit directly under the unit (in the tree of the period's days)
    and for the unit itself."""
    report = await PeriodService(session).dues(principal, unit_id, month_start(first), month_start(last))
    months, units = DUES.sections
    return DuesOut(
        unit_id=unit_id,
        from_=first,
        to=last,
        months=[
            DuesMonthOut(**{**answer(months, month), "month": f"{month['month']:%Y-%m}"}) for month in report.months
        ],
        rows=[DuesUnitOut(**answer(units, row)) for row in report.rows],
        total=DuesUnitOut(**answer(units, report.total)),
    )


TERM = r"^[0-9]{4}-[0-9]{4}$"


@router.put(
    "/targets/{unit_id}/{term}",
    response_model=TargetOut,
    summary="Giao chỉ tiêu phát triển đoàn viên của đơn vị cấp dưới cho nhiệm kỳ",
)
async def set_target(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    body: TargetIn,
    term: str = Path(pattern=TERM, description="Nhiệm kỳ, ví dụ 2023-2028"),
) -> TargetOut:
    """Set (or replace) a unit's member-development targets of a term. The caller needs `reports.set_targets` on
    the unit's upper level: the national centre and provinces set the targets of the units below them."""
    saved = await TargetService(session).set(
        principal, unit_id, term, body.starts_on, body.ends_on, body.members, body.admissions
    )
    return TargetOut.model_validate(saved, from_attributes=True)


@router.get(
    "/targets",
    openapi_extra=answers(TARGETS),
    response_model=list[TargetProgressOut],
    summary="Tiến độ thực hiện chỉ tiêu phát triển đoàn viên của đơn vị và các đơn vị trực thuộc",
)
async def target_progress(
    principal: CurrentPrincipal, session: Session, unit_id: UUID, term: str = Query(pattern=TERM)
) -> list[TargetProgressOut]:
    """The unit first, then each unit directly under it now: its targets of the term and how far it is."""
    found = await TargetService(session).progress(principal, unit_id, term)
    return [TargetProgressOut.model_validate(answer(TARGETS.sections[0], row), from_attributes=True) for row in found]
