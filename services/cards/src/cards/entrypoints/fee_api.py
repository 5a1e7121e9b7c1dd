"""Card fees: `/api/v1/cards/fees/...` (phí thẻ): the schedule, units paying salaries through the bank, the fee
statement of a unit and period (JSON, .xlsx, PDF)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Literal
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from contracts.wellknown import vietnamese_today
from fastapi import APIRouter, Request, Response

from cards.application.fees import FeeService
from cards.domain.fees import FeeSchedule, in_force
from cards.entrypoints.print_order_api import XLSX, attachment
from cards.entrypoints.schemas import (
    FeeAmounts,
    FeeScheduleIn,
    FeeScheduleOut,
    FeeStatementOrder,
    FeeStatementOut,
    FeeStatementSubunit,
    SalaryThroughBankIn,
    SalaryThroughBankOut,
)

router = APIRouter(prefix="/api/v1/cards/fees", tags=["card fees"])


def service(session, request: Request) -> FeeService:
    return FeeService(session, request.app.state.settings)


def schedules_out(schedules: list[FeeSchedule], today: date) -> list[FeeScheduleOut]:
    current = in_force(schedules, today)

    def state(schedule: FeeSchedule) -> str:
        if schedule == current:
            return "in_force"
        return "upcoming" if schedule.effective_from > today else "past"

    return [FeeScheduleOut(**asdict(schedule), state=state(schedule)) for schedule in schedules]


@router.get("/schedules", response_model=list[FeeScheduleOut], summary="Biểu phí thẻ: đã qua, đang áp dụng, sắp tới")
async def list_schedules(principal: CurrentPrincipal, session: Session, request: Request) -> list[FeeScheduleOut]:
    return schedules_out(await service(session, request).schedules(), vietnamese_today())


@router.post("/schedules", response_model=FeeScheduleOut, status_code=201, summary="Thêm biểu phí từ một ngày tới")
async def add_schedule(
    body: FeeScheduleIn, principal: CurrentPrincipal, session: Session, request: Request
) -> FeeScheduleOut:
    """National administrators only; the day is after today, the amounts 0 to 1,000,000 VND a card."""
    schedule = await service(session, request).add_schedule(principal, body.model_dump())
    return schedules_out([schedule], vietnamese_today())[0]


@router.get("/salary-through-bank", response_model=list[SalaryThroughBankOut], summary="Đơn vị chi lương qua ngân hàng")
async def salary_units(
    unit_id: UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> list[SalaryThroughBankOut]:
    rows = await service(session, request).salary_units(principal, unit_id)
    return [SalaryThroughBankOut.model_validate(row, from_attributes=True) for row in rows]


@router.put(
    "/salary-through-bank/{unit_id}",
    status_code=204,
    summary="Ghi nhận đơn vị chi lương qua ngân hàng (cấp trên của đơn vị)",
)
async def set_salary_through_bank(
    unit_id: UUID, body: SalaryThroughBankIn, principal: CurrentPrincipal, session: Session, request: Request
) -> Response:
    await service(session, request).set_salary_through_bank(principal, unit_id, body.pays_through_bank, body.commitment)
    return Response(status_code=204)


@router.get("/statement", response_model=FeeStatementOut, summary="Bảng kê phí thẻ của đơn vị trong kỳ")
async def statement(
    unit_id: UUID, date_from: date, date_to: date, principal: CurrentPrincipal, session: Session, request: Request
) -> FeeStatementOut:
    found = await service(session, request).statement(principal, unit_id, date_from, date_to)
    return FeeStatementOut(
        unit_id=found.unit_id,
        unit_name=found.unit_name,
        date_from=found.date_from,
        date_to=found.date_to,
        orders=[FeeStatementOrder.model_validate(row, from_attributes=True) for row in found.orders],
        subunits=[FeeStatementSubunit.model_validate(row, from_attributes=True) for row in found.subunits],
        totals=FeeAmounts(**found.totals),
    )


@router.get("/statement.{kind}", summary="Bảng kê phí thẻ (.xlsx hoặc PDF, chứng từ thanh toán)")
async def statement_file(
    kind: Literal["xlsx", "pdf"],
    unit_id: UUID,
    date_from: date,
    date_to: date,
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
) -> Response:
    name, content = await service(session, request).statement_file(principal, unit_id, date_from, date_to, kind)
    return attachment(content, XLSX if kind == "xlsx" else "application/pdf", name)
