"""HTTP endpoints of the dues flows beyond a month: remittances of the upper share, the reconciliation, payroll
list previews."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Literal
from urllib.parse import quote
from uuid import UUID

from chassis.errors import PayloadTooLarge
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from dues.adapters.documents import XLSX, reconciliation_xlsx, remittances_xlsx
from dues.adapters.repository import CollectionRepository
from dues.application import payroll
from dues.application.remittances import RemittanceService
from dues.domain.model import first_of_month
from dues.entrypoints.schemas import (
    MONTH_PATTERN,
    PayrollPreview,
    Reconciliation,
    ReconciliationLine,
    RemittanceConfirmIn,
    RemittanceIn,
    RemittanceOut,
)

router = APIRouter(prefix="/api/v1/dues", tags=["dues"])
REMITTANCES_KEYSET = Keyset(date, UUID)  # newest period first: (month_from, remittance_id)
Grouping = Literal["children", "grassroots"]
MAX_UPLOAD_BYTES = 20 * 2**20


@router.post(
    "/remittances",
    response_model=RemittanceOut,
    status_code=201,
    summary="Ghi nhận số đã nộp cấp trên cho một kỳ (công đoàn cơ sở)",
)
async def record_remittance(body: RemittanceIn, principal: CurrentPrincipal, session: Session) -> RemittanceOut:
    values = body.model_dump() | {
        "month_from": first_of_month(body.month_from),
        "month_to": first_of_month(body.month_to),
    }
    return RemittanceOut(**asdict(await RemittanceService(session).record(principal, values)))


@router.post(
    "/remittances/{remittance_id}/confirm", response_model=RemittanceOut, summary="Cấp trên xác nhận đã nhận (một lần)"
)
async def confirm_remittance(
    remittance_id: UUID, body: RemittanceConfirmIn, principal: CurrentPrincipal, session: Session
) -> RemittanceOut:
    confirmed = await RemittanceService(session).confirm(principal, remittance_id, body.received_on)
    return RemittanceOut(**asdict(confirmed))


@router.get("/remittances", response_model=Page[RemittanceOut], summary="Các khoản nộp cấp trên của đơn vị và cấp dưới")
async def list_remittances(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[RemittanceOut]:
    window = REMITTANCES_KEYSET.window(after, limit)
    rows = await RemittanceService(session).page(principal, unit_id, window.after, window.fetch)
    return window.page(rows, lambda row: (row.month_from, row.remittance_id), lambda row: RemittanceOut(**asdict(row)))


@router.get(
    "/remittances/export.xlsx",
    response_class=Response,
    summary="Bảng kê nộp cấp trên của đơn vị và cấp dưới (.xlsx)",
    responses={200: {"content": {XLSX: {}}}},
)
async def export_remittances(principal: CurrentPrincipal, session: Session, unit_id: UUID) -> Response:
    rows = await RemittanceService(session).statement(principal, unit_id)
    name = await CollectionRepository(session).unit_name(unit_id)
    return Response(
        remittances_xlsx(f"Bảng kê nộp đoàn phí cấp trên — {name} và các đơn vị trực thuộc", rows),
        media_type=XLSX,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote('bang-ke-nop-cap-tren.xlsx')}"},
    )


async def _reconciliation(
    principal, session, unit_id: UUID, month_from: str, month_to: str, by: Grouping
) -> tuple[date, date, list, object]:
    start, end = first_of_month(month_from), first_of_month(month_to)
    rows, upper = await RemittanceService(session).reconciliation(
        principal, unit_id, start, end, children=by == "children"
    )
    return start, end, rows, upper


@router.get(
    "/reconciliation",
    response_model=Reconciliation,
    summary="Đối chiếu phải nộp / đã nộp / còn phải nộp cấp trên, theo đơn vị trực thuộc (hoặc từng CĐCS)",
)
async def reconciliation(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    month_from: str = Query(pattern=MONTH_PATTERN),
    month_to: str = Query(pattern=MONTH_PATTERN),
    by: Grouping = "children",
) -> Reconciliation:
    start, end, rows, upper = await _reconciliation(principal, session, unit_id, month_from, month_to, by)
    lines = [ReconciliationLine.model_validate(row, from_attributes=True) for row in rows]
    return Reconciliation(
        unit_id=unit_id,
        to_upper_level=None if upper is None else ReconciliationLine.model_validate(upper, from_attributes=True),
        month_from=start,
        month_to=end,
        lines=lines,
        **{
            name: sum(getattr(line, name) for line in lines)
            for name in ("due_vnd", "remitted_vnd", "confirmed_vnd", "outstanding_vnd")
        },
    )


@router.get("/reconciliation/export.xlsx", response_class=Response, summary="Báo cáo đối chiếu (.xlsx)")
async def export_reconciliation(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    month_from: str = Query(pattern=MONTH_PATTERN),
    month_to: str = Query(pattern=MONTH_PATTERN),
    by: Grouping = "children",
) -> Response:
    start, end, rows, _ = await _reconciliation(principal, session, unit_id, month_from, month_to, by)
    name = await CollectionRepository(session).unit_name(unit_id)
    title = f"Đối chiếu đoàn phí nộp cấp trên — {name} — từ {start:%m/%Y} đến {end:%m/%Y}"
    return Response(
        reconciliation_xlsx(title, rows),
        media_type=XLSX,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(f'doi-chieu-{start:%Y-%m}-{end:%Y-%m}.xlsx')}"
        },
    )


@router.post(
    "/payroll/preview",
    response_model=PayrollPreview,
    summary="Tính đoàn phí tháng từ bảng lương (.xlsx, .xls, .ods, .csv): xem trước, không ghi",
)
async def preview_payroll(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID = Form(...),
    month: str = Form(..., pattern=MONTH_PATTERN),
    file: UploadFile = File(...),
) -> PayrollPreview:
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            f"Tệp lớn hơn {MAX_UPLOAD_BYTES // 2**20} MB",
            f"The file exceeds {MAX_UPLOAD_BYTES // 2**20} MB",
            code="file-too-large",
            field="file",
        )
    return PayrollPreview(
        **await payroll.preview(session, principal, unit_id, first_of_month(month), file.filename or "", content)
    )
