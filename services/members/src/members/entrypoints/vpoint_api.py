"""Mã Vpoint in bulk: an .xlsx/.xls with a sheet named DANHSACHVPOINT."""

from __future__ import annotations

from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel

from members.application.vpoint import set_vpoint_codes
from members.entrypoints.import_api import _read_limited

router = APIRouter(prefix="/api/v1/members", tags=["vpoint"])


class RowProblem(BaseModel):
    field: str
    code: str
    message_vi: str
    message_en: str


class VpointRow(BaseModel):
    row_number: int
    member_code: str | None
    id_number: str | None
    vpoint_code: str | None
    outcome: str  # updated | unchanged | error
    problems: list[RowProblem]


class VpointOutcome(BaseModel):
    updated: int
    unchanged: int
    errors: int
    rows: list[VpointRow]


@router.post("/vpoint", response_model=VpointOutcome,
             summary="Cập nhật mã Vpoint hàng loạt (.xlsx/.xls, trang DANHSACHVPOINT)")
async def upload_vpoint(request: Request, principal: CurrentPrincipal, session: Session,
                        file: UploadFile = File(...)) -> VpointOutcome:
    content = await _read_limited(file, request.app.state.settings.import_max_bytes)
    return VpointOutcome(**await set_vpoint_codes(session, principal, file.filename or "", content))
