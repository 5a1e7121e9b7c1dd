"""HTTP endpoints of dues: `/api/v1/dues/...` (quản lý đoàn phí)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import MAX_PAGE_SIZE, Page, cursor_values, encode_cursor, page_of
from fastapi import APIRouter, FastAPI, Query

from dues.adapters.repository import CollectionRepository, PolicyRepository
from dues.application.service import DuesService, PaymentLine
from dues.config import DuesSettings
from dues.domain.model import first_of_month
from dues.entrypoints.schemas import (
    MONTH_PATTERN,
    LineOut,
    MonthDetail,
    MonthOut,
    MonthRecord,
    MonthSummary,
    PolicyIn,
    PolicyOut,
)

router = APIRouter(prefix="/api/v1/dues", tags=["dues"])


@router.post("/months", response_model=MonthOut, status_code=201, summary="Ghi nhận (hoặc sửa) đoàn phí tháng")
async def record_month(body: MonthRecord, principal: CurrentPrincipal, session: Session) -> MonthOut:
    lines = [PaymentLine(line.member_id, line.salary_vnd, line.paid_vnd, line.exemption) for line in body.lines]
    recorded = await DuesService(session).record(principal, body.unit_id, first_of_month(body.month), lines,
                                                 body.corrects_id)
    return MonthOut(**recorded._mapping)


@router.get("/months", response_model=Page[MonthOut], summary="Các tháng đã ghi nhận")
async def list_months(principal: CurrentPrincipal, session: Session, unit_id: UUID | None = None,
                      month: str | None = Query(None, pattern=MONTH_PATTERN), include_superseded: bool = False,
                      after: str | None = None, limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)) -> Page[MonthOut]:
    rows = await CollectionRepository(session).page(
        principal, unit_id=unit_id, month=first_of_month(month) if month else None,
        include_superseded=include_superseded, after=cursor_values(after, date.fromisoformat, UUID), limit=limit)
    page = page_of(rows, limit, lambda row: encode_cursor(row.month.isoformat(), str(row.collection_id)))
    return Page[MonthOut](items=[MonthOut(**row._mapping) for row in page.items], next_cursor=page.next_cursor)


@router.get("/months/{collection_id}", response_model=MonthDetail, summary="Một tháng, với từng đoàn viên")
async def get_month(collection_id: UUID, principal: CurrentPrincipal, session: Session) -> MonthDetail:
    collection, lines = await DuesService(session).get(principal, collection_id)
    return MonthDetail(**collection._mapping, lines=[LineOut(**line._mapping) for line in lines])


@router.get("/summary", response_model=MonthSummary, summary="Tổng hợp đoàn phí tháng của đơn vị và cấp dưới")
async def month_summary(principal: CurrentPrincipal, session: Session, unit_id: UUID,
                        month: str = Query(pattern=MONTH_PATTERN)) -> MonthSummary:
    return MonthSummary(**await DuesService(session).month_summary(principal, unit_id, first_of_month(month)))


@router.get("/policies", response_model=list[PolicyOut], summary="Quy định mức đoàn phí theo thời gian")
async def list_policies(principal: CurrentPrincipal, session: Session) -> list[PolicyOut]:
    return [PolicyOut(**row._mapping) for row in await PolicyRepository(session).all()]


@router.post("/policies", response_model=list[PolicyOut], status_code=201, summary="Thêm quy định (Tổng Liên đoàn)")
async def add_policy(body: PolicyIn, principal: CurrentPrincipal, session: Session) -> list[PolicyOut]:
    await DuesService(session).add_policy(principal, body.model_dump())
    return [PolicyOut(**row._mapping) for row in await PolicyRepository(session).all()]


def create_app(settings: DuesSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Dues service (Đoàn phí)")
