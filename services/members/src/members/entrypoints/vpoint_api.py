"""Mã Vpoint in bulk: an .xlsx/.xls with a sheet named DANHSACHVPOINT."""

from __future__ import annotations

from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter, File, Request, UploadFile

from members.application.vpoint import set_vpoint_codes
from members.entrypoints.schemas import VpointOutcome
from members.entrypoints.uploads import read_limited

router = APIRouter(prefix="/api/v1/members", tags=["vpoint"])


@router.post(
    "/vpoint", response_model=VpointOutcome, summary="Cập nhật mã Vpoint hàng loạt (.xlsx/.xls, trang DANHSACHVPOINT)"
)
async def upload_vpoint(
    request: Request, principal: CurrentPrincipal, session: Session, file: UploadFile = File(...)
) -> VpointOutcome:
    content = await read_limited(file, request.app.state.settings.import_max_bytes)
    return VpointOutcome(**await set_vpoint_codes(session, principal, file.filename or "", content))
