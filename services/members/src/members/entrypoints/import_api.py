"""Nhập danh sách từ Excel: template, upload, preview, validation report, commit, progress."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from typing import Literal
from uuid import UUID

from chassis.errors import PayloadTooLarge
from chassis.http import CurrentPrincipal, Session
from chassis.principal import Principal
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict

from members.adapters.imports import ImportRepository
from members.adapters.spreadsheets import XlsxStreamWriter, template_xlsx
from members.application.importing.service import ImportService
from members.entrypoints.streaming import file_chunks

router = APIRouter(prefix="/api/v1/members", tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Mode = Literal["valid_rows_only", "all_or_nothing"]


class ImportOut(BaseModel):
    import_id: UUID
    unit_id: UUID
    file_name: str
    file_kind: str
    status: str
    mode: str | None
    total_rows: int
    valid_rows: int
    error_rows: int
    warning_rows: int
    rows_done: int
    inserted_rows: int
    rows_per_second: float | None
    header_map: dict | None
    problem: dict | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duplicate_upload: bool = False


class StagedRow(BaseModel):
    row_number: int
    original: list[str]
    errors: list[dict]
    warnings: list[dict]


class CommitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Mode


def _out(row, duplicate: bool = False) -> ImportOut:
    return ImportOut.model_validate({**row._mapping, "duplicate_upload": duplicate})


@router.get("/imports/template.xlsx", response_class=Response, summary="File Excel mẫu")
async def template(principal: CurrentPrincipal) -> Response:
    return Response(template_xlsx(), media_type=XLSX,
                    headers={"content-disposition": 'attachment; filename="mau-danh-sach-doan-vien.xlsx"'})


async def _read_limited(file: UploadFile, limit: int) -> bytes:
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"Tệp vượt quá {limit // 2**20} MB", f"The file is larger than {limit // 2**20} MB",
                              code="file-too-large", field="file")
    return content


@router.post("/imports", response_model=ImportOut, status_code=202,
             summary="Tải lên danh sách (.xlsx, .xls, .csv); kiểm tra chạy nền")
async def upload(
    request: Request, principal: CurrentPrincipal, session: Session,
    unit_id: UUID = Form(...), file: UploadFile = File(...),
    mode: Mode | None = Form(None, description="Given: import right after validation in this mode"),
) -> JSONResponse:
    content = await _read_limited(file, request.app.state.settings.import_max_bytes)
    row, created = await ImportService(session).upload(principal, unit_id, file.filename or "", content, mode)
    return JSONResponse(_out(row, not created).model_dump(mode="json"), status_code=202 if created else 200)


@router.get("/imports/{import_id}", response_model=ImportOut, summary="Trạng thái, tiến độ và tóm tắt")
async def get_import(import_id: UUID, principal: CurrentPrincipal, session: Session) -> ImportOut:
    return _out(await ImportService(session).get(principal, import_id))


@router.get("/imports/{import_id}/rows", response_model=list[StagedRow], summary="Xem trước các dòng")
async def preview(import_id: UUID, principal: CurrentPrincipal, session: Session,
                  only: Literal["all", "errors", "warnings"] = "all", after: int = 0,
                  limit: int = Query(50, ge=1, le=500)) -> list[StagedRow]:
    await ImportService(session).get(principal, import_id)
    rows = await ImportRepository(session).staged_rows(principal, import_id, only, after, limit)
    return [StagedRow.model_validate(row, from_attributes=True) for row in rows]


@router.post("/imports/{import_id}/commit", response_model=ImportOut, status_code=202,
             summary="Nhập: các dòng hợp lệ, hoặc tất cả hoặc không")
async def commit(import_id: UUID, body: CommitRequest, principal: CurrentPrincipal, session: Session) -> ImportOut:
    return _out(await ImportService(session).commit(principal, import_id, body.mode))


@router.get("/imports/{import_id}/report.xlsx", response_class=StreamingResponse,
            summary="Báo cáo kiểm tra: các dòng gốc kèm cột lỗi")
async def report(import_id: UUID, principal: CurrentPrincipal, session: Session,
                 request: Request) -> StreamingResponse:
    row = await ImportService(session).get(principal, import_id)
    path = await _write_report(request.app.state.database, principal, row)
    return StreamingResponse(file_chunks(path), media_type=XLSX, headers={
        "content-disposition": f'attachment; filename="bao-cao-kiem-tra-{import_id}.xlsx"'})


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
            writer.write([staged.row_number, *original,
                          "; ".join(e["message_vi"] for e in staged.errors),
                          "; ".join(w["message_vi"] for w in staged.warnings)])
        after = rows[-1].row_number
    writer.close()
    return path

