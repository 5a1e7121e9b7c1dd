"""Chuyển sinh hoạt over HTTP: release, accept, cancel or decline, list, and the PDF letter."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Keyset, Page
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from members.application.transfer import TransferService
from members.entrypoints.schemas import Cancellation, TransferOut, TransferRequest

router = APIRouter(prefix="/api/v1/members", tags=["transfers"])
LETTERS = Keyset(str)  # by letter number


def _out(row) -> TransferOut:
    return TransferOut.model_validate(row, from_attributes=True)


@router.post(
    "/members/{member_id}/transfers",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferOut,
    summary="Chuyển sinh hoạt: đơn vị đi giới thiệu (hoặc cấp trên chuyển thẳng)",
)
async def release(member_id: UUID, body: TransferRequest, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).release(principal, member_id, body.to_unit_id, body.reason))


@router.post("/transfers/{transfer_id}/acceptance", response_model=TransferOut, summary="Đơn vị đến tiếp nhận")
async def accept(transfer_id: UUID, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).accept(principal, transfer_id))


@router.post(
    "/transfers/{transfer_id}/cancellation",
    response_model=TransferOut,
    summary="Hủy (đơn vị đi) hoặc từ chối tiếp nhận (đơn vị đến)",
)
async def cancel(transfer_id: UUID, body: Cancellation, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).cancel(principal, transfer_id, body.reason))


@router.get("/transfers", response_model=Page[TransferOut])
async def list_transfers(
    principal: CurrentPrincipal,
    session: Session,
    direction: Literal["incoming", "outgoing"] = "incoming",
    status: Literal["released", "completed", "cancelled"] | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[TransferOut]:
    window = LETTERS.window(after, limit)
    rows = await TransferService(session).transfers.page(
        principal, "destination" if direction == "incoming" else "origin", status, window.after_value, window.fetch
    )
    return window.page(rows, lambda row: (row.letter_number,), _out)


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
async def get_transfer(transfer_id: UUID, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).visible(principal, transfer_id))


@router.get(
    "/transfers/{transfer_id}/letter.pdf", response_class=Response, summary="Giấy giới thiệu chuyển sinh hoạt (PDF)"
)
async def letter(transfer_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    number, pdf = await TransferService(session).letter(
        principal, transfer_id, request.app.state.settings.pdf_font_path
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="giay-gioi-thieu-{number}.pdf"'},
    )
