"""Nhập danh sách từ Excel: template, upload, preview, validation report, commit, progress."""

from __future__ import annotations

import os
import tempfile
from typing import Literal
from uuid import UUID

from chassis import audit
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page
from chassis.principal import Principal
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from members.adapters.imports import ImportRepository
from members.adapters.spreadsheets import XlsxStreamWriter, template_xlsx
from members.application.importing.service import ImportService
from members.entrypoints.schemas import CommitRequest, ImportOut, Mode, StagedRow
from members.entrypoints.streaming import file_chunks
from members.entrypoints.uploads import read_limited
from members.entrypoints.views import NEWEST_FIRST

router = APIRouter(prefix="/api/v1/members", tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _out(row, duplicate: bool = False) -> ImportOut:
    return ImportOut.model_validate(row, from_attributes=True).model_copy(update={"duplicate_upload": duplicate})


@router.get("/imports/template.xlsx", response_class=Response, summary="File Excel mẫu")
async def template(principal: CurrentPrincipal) -> Response:
    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="mau-danh-sach-doan-vien.xlsx"'},
    )


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=202,
    responses={
        200: {
            "model": ImportOut,
            "description": "The same file for the same unit again: the first import, nobody created twice",
        }
    },
    summary="Tải lên danh sách (.xlsx, .xls, .ods, .csv); kiểm tra chạy nền",
)
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID = Form(...),
    file: UploadFile = File(...),
    mode: Mode | None = Form(None, description="Given: import right after validation in this mode"),
) -> JSONResponse:
    settings = request.app.state.settings
    content = await read_limited(file, settings.import_max_bytes)
    row, created = await ImportService(session).upload(
        principal, unit_id, file.filename or "", content, mode, settings.import_max_rows
    )
    return JSONResponse(_out(row, not created).model_dump(mode="json"), status_code=202 if created else 200)


@router.get("/imports", response_model=Page[ImportOut], summary="Các lần nhập gần đây của đơn vị và cấp dưới")
async def recent_imports(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID,
    after: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> Page[ImportOut]:
    window = NEWEST_FIRST.window(after, limit)
    rows = await ImportService(session).recent(principal, unit_id, window.after, window.fetch)
    return window.page(rows, lambda row: (row.created_at, row.import_id), _out)


@router.get("/imports/{import_id}", response_model=ImportOut, summary="Trạng thái, tiến độ và tóm tắt")
async def get_import(import_id: UUID, principal: CurrentPrincipal, session: Session) -> ImportOut:
    return _out(await ImportService(session).get(principal, import_id))


@router.get("/imports/{import_id}/rows", response_model=list[StagedRow], summary="Xem trước các dòng")
async def preview(
    import_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    only: Literal["all", "errors", "warnings"] = "all",
    after: int = 0,
    limit: int = Query(50, ge=1, le=500),
) -> list[StagedRow]:
    upload = await ImportService(session).get(principal, import_id)
    rows = await ImportRepository(session).staged_rows(principal, import_id, only, after, limit)
    if rows:  # the list's own cells, ID numbers and phones in the clear
        audit.note_read(
            upload.unit_id,
            f"import_id={import_id}; rows {rows[0].row_number}-{rows[-1].row_number} shown ({len(rows)})",
        )
    return [StagedRow.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/imports/{import_id}/commit",
    response_model=ImportOut,
    status_code=202,
    summary="Nhập: các dòng hợp lệ, hoặc tất cả hoặc không",
)
async def commit(import_id: UUID, body: CommitRequest, principal: CurrentPrincipal, session: Session) -> ImportOut:
    return _out(await ImportService(session).commit(principal, import_id, body.mode))


@router.get(
    "/imports/{import_id}/report.xlsx",
    response_class=StreamingResponse,
    summary="Báo cáo kiểm tra: các dòng gốc kèm cột lỗi",
)
async def report(import_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> StreamingResponse:
    row = await ImportService(session).get(principal, import_id)
    audit.note_read(row.unit_id, f"import_id={import_id}; report of {row.total_rows} rows downloaded")
    path = await _write_report(request.app.state.database, principal, row)
    return StreamingResponse(
        file_chunks(path),
        media_type=XLSX,
        headers={"content-disposition": f'attachment; filename="bao-cao-kiem-tra-{import_id}.xlsx"'},
    )


async def _write_report(database, principal: Principal, row) -> str:
    headers = list((row.header_map or {}).get("headers") or [])
    descriptor, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    writer = XlsxStreamWriter(path, "Báo cáo kiểm tra", ["Dòng", *headers, "Lỗi", "Cảnh báo"])
    after = 0
    while True:
        async with database.transaction() as session:
            rows = await ImportRepository(session).report_rows(row.import_id, after, 5_000)
        if not rows:
            break
        for staged in rows:
            original = list(staged.original) + [""] * (len(headers) - len(staged.original))
            writer.write(
                [
                    staged.row_number,
                    *original,
                    "; ".join(e["message_vi"] for e in staged.errors),
                    "; ".join(w["message_vi"] for w in staged.warnings),
                ]
            )
        after = rows[-1].row_number
    writer.close()
    return path
