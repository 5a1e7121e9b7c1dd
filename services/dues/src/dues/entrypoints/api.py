"""HTTP endpoints of dues: `/api/v1/dues/...` (quản lý đoàn phí)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from urllib.parse import quote
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from fastapi import APIRouter, FastAPI, Query, Response

from dues.adapters.documents import XLSX, arrears_xlsx, month_xlsx, year_xlsx
from dues.adapters.repository import CollectionRepository, PolicyRepository
from dues.application.service import DuesService, PaymentLine
from dues.config import DuesSettings
from dues.domain.model import first_of_month
from dues.entrypoints import remittance_api
from dues.entrypoints.schemas import (
    MONTH_PATTERN,
    ArrearsMonthOut,
    ArrearsSummary,
    ExemptionReasonsIn,
    LineOut,
    MemberArrearsDetail,
    MemberArrearsOut,
    MonthDetail,
    MonthOut,
    MonthRecord,
    MonthSummary,
    PolicyIn,
    PolicyOut,
)

router = APIRouter(prefix="/api/v1/dues", tags=["dues"])
MONTHS_KEYSET = Keyset(date, UUID)  # newest month first: (month, collection_id)
ARREARS_KEYSET = Keyset(UUID, UUID)  # (unit_id, member_id)


@router.post("/months", response_model=MonthOut, status_code=201, summary="Ghi nhận (hoặc sửa) đoàn phí tháng")
async def record_month(body: MonthRecord, principal: CurrentPrincipal, session: Session) -> MonthOut:
    lines = [PaymentLine(line.member_id, line.salary_vnd, line.paid_vnd, line.exemption) for line in body.lines]
    recorded = await DuesService(session).record(
        principal,
        body.unit_id,
        first_of_month(body.month),
        lines,
        body.corrects_id,
        above_norm_decision=body.above_norm_decision,
    )
    return MonthOut(**asdict(recorded))


@router.get("/months", response_model=Page[MonthOut], summary="Các tháng đã ghi nhận")
async def list_months(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID | None = None,
    month: str | None = Query(None, pattern=MONTH_PATTERN),
    include_superseded: bool = False,
    subtree: bool = Query(True, description="Cả các đơn vị trực thuộc (false: chỉ chính đơn vị unit_id)"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[MonthOut]:
    window = MONTHS_KEYSET.window(after, limit)
    rows = await CollectionRepository(session).page(
        principal,
        unit_id=unit_id,
        subtree=subtree,
        month=first_of_month(month) if month else None,
        include_superseded=include_superseded,
        after=window.after,
        limit=window.fetch,
    )
    return window.page(rows, lambda row: (row.month, row.collection_id), lambda row: MonthOut(**asdict(row)))


@router.get("/months/{collection_id}", response_model=MonthDetail, summary="Một tháng, với từng đoàn viên")
async def get_month(collection_id: UUID, principal: CurrentPrincipal, session: Session) -> MonthDetail:
    collection, lines = await DuesService(session).get(principal, collection_id)
    return MonthDetail(**asdict(collection), lines=[LineOut.of(line) for line in lines])


@router.get(
    "/months/{collection_id}/lines.xlsx",
    summary="Một tháng, với từng đoàn viên (.xlsx)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def month_lines_xlsx(collection_id: UUID, principal: CurrentPrincipal, session: Session) -> Response:
    collection, unit_name, lines, names = await DuesService(session).month_document(principal, collection_id)
    return _attachment(month_xlsx(collection, unit_name, lines, names), f"doan-phi-{collection.month:%Y-%m}.xlsx")


def _attachment(content: bytes, name: str) -> Response:
    return Response(
        content, media_type=XLSX, headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


@router.get(
    "/summary.xlsx",
    summary="Tổng hợp đoàn phí từng tháng của một năm, đơn vị và cấp dưới (.xlsx)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def year_summary_xlsx(
    principal: CurrentPrincipal, session: Session, unit_id: UUID, year: int = Query(ge=2000, le=2100)
) -> Response:
    unit_name, months = await DuesService(session).year_summary(principal, unit_id, year)
    return _attachment(year_xlsx(year, unit_name, months), f"tong-hop-doan-phi-{year}.xlsx")


@router.get(
    "/summary/year",
    response_model=list[MonthSummary],
    summary="Tổng hợp đoàn phí từng tháng của một năm (đến tháng hiện tại), đơn vị và cấp dưới",
)
async def year_summary(
    principal: CurrentPrincipal, session: Session, unit_id: UUID, year: int = Query(ge=2000, le=2100)
) -> list[MonthSummary]:
    # One request for the year's screen instead of one a month: on a phone's slow network, twelve round trips.
    _, months = await DuesService(session).year_summary(principal, unit_id, year)
    return [MonthSummary(**month, unit_id=unit_id) for month in months]


@router.get("/summary", response_model=MonthSummary, summary="Tổng hợp đoàn phí tháng của đơn vị và cấp dưới")
async def month_summary(
    principal: CurrentPrincipal, session: Session, unit_id: UUID, month: str = Query(pattern=MONTH_PATTERN)
) -> MonthSummary:
    return MonthSummary(**await DuesService(session).month_summary(principal, unit_id, first_of_month(month)))


@router.get("/arrears/summary", response_model=ArrearsSummary, summary="Nợ đoàn phí của đơn vị và cấp dưới")
async def arrears_summary(principal: CurrentPrincipal, session: Session, unit_id: UUID) -> ArrearsSummary:
    return ArrearsSummary(**await DuesService(session).arrears_summary(principal, unit_id))


@router.get(
    "/arrears",
    response_model=Page[MemberArrearsOut],
    summary="Đoàn viên nợ đoàn phí (hiện thuộc đơn vị và cấp dưới), theo đơn vị",
)
async def list_arrears(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[MemberArrearsOut]:
    window = ARREARS_KEYSET.window(after, limit)
    rows = await DuesService(session).arrears_members(principal, unit_id, window.after, window.fetch)
    return window.page(
        rows,
        lambda row: (row.unit_id, row.member_id),
        lambda row: MemberArrearsOut.model_validate(row, from_attributes=True),
    )


@router.get("/arrears/export.xlsx", response_class=Response, summary="Danh sách nợ đoàn phí (.xlsx)")
async def export_arrears(principal: CurrentPrincipal, session: Session, unit_id: UUID) -> Response:
    rows = await DuesService(session).arrears_members(principal, unit_id, None, None)
    name = await CollectionRepository(session).unit_name(unit_id)
    return Response(
        arrears_xlsx(name, rows),
        media_type=XLSX,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(f'no-doan-phi-{name or unit_id}.xlsx')}"},
    )


@router.get(
    "/arrears/members/{member_id}",
    response_model=MemberArrearsDetail,
    summary="Các tháng nợ đoàn phí của một đoàn viên (cả khi ở đơn vị cũ)",
)
async def member_arrears(member_id: UUID, principal: CurrentPrincipal, session: Session) -> MemberArrearsDetail:
    payer, months = await DuesService(session).member_arrears(principal, member_id)
    return MemberArrearsDetail(
        member_id=payer.member_id,
        member_code=payer.member_code,
        full_name=payer.full_name,
        unit_id=payer.unit_id,
        months_owed=len(months),
        owed_vnd=sum(month.owed_vnd for month in months),
        months=[ArrearsMonthOut.model_validate(month, from_attributes=True) for month in months],
    )


@router.get("/policies", response_model=list[PolicyOut], summary="Quy định mức đoàn phí theo thời gian")
async def list_policies(principal: CurrentPrincipal, session: Session) -> list[PolicyOut]:
    return [PolicyOut.of(policy) for policy in await PolicyRepository(session).all()]


@router.post("/policies", response_model=list[PolicyOut], status_code=201, summary="Thêm quy định (Tổng Liên đoàn)")
async def add_policy(body: PolicyIn, principal: CurrentPrincipal, session: Session) -> list[PolicyOut]:
    await DuesService(session).add_policy(principal, body.model_dump())
    return [PolicyOut.of(policy) for policy in await PolicyRepository(session).all()]


@router.put(
    "/policies/{effective_from}/exemption-reasons",
    response_model=list[PolicyOut],
    summary="Sửa danh sách lý do miễn đóng của một quy định (Tổng Liên đoàn)",
)
async def set_exemption_reasons(
    effective_from: date, body: ExemptionReasonsIn, principal: CurrentPrincipal, session: Session
) -> list[PolicyOut]:
    await DuesService(session).set_exemption_reasons(
        principal, effective_from, [reason.model_dump() for reason in body.exemption_reasons]
    )
    return [PolicyOut.of(policy) for policy in await PolicyRepository(session).all()]


def create_app(settings: DuesSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router, remittance_api.router], title="Dues service (Đoàn phí)")
