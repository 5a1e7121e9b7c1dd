"""Chuyển sinh hoạt over HTTP: release, accept, cancel or decline, list, and the PDF letter."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from members.application.transfer import TransferService
from members.entrypoints.schemas import Reason

router = APIRouter(prefix="/api/v1/members", tags=["transfers"])


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_unit_id: UUID
    reason: str | None = Field(None, max_length=500)


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Reason


class TransferOut(BaseModel):
    transfer_id: UUID
    member_id: UUID
    from_unit_id: UUID
    to_unit_id: UUID
    status: Literal["released", "completed", "cancelled"]
    reason: str | None
    letter_number: str
    released_by: str
    released_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    close_reason: str | None
    full_name: str | None = None
    member_code: str | None = None


def _out(row) -> TransferOut:
    return TransferOut.model_validate(row, from_attributes=True)


@router.post("/members/{member_id}/transfers", status_code=status.HTTP_201_CREATED, response_model=TransferOut,
             summary="Chuyển sinh hoạt: đơn vị đi giới thiệu (hoặc cấp trên chuyển thẳng)")
async def release(member_id: UUID, body: TransferRequest, principal: CurrentPrincipal,
                  session: Session) -> TransferOut:
    return _out(await TransferService(session).release(principal, member_id, body.to_unit_id, body.reason))


@router.post("/transfers/{transfer_id}/acceptance", response_model=TransferOut, summary="Đơn vị đến tiếp nhận")
async def accept(transfer_id: UUID, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).accept(principal, transfer_id))


@router.post("/transfers/{transfer_id}/cancellation", response_model=TransferOut,
             summary="Hủy (đơn vị đi) hoặc từ chối tiếp nhận (đơn vị đến)")
async def cancel(transfer_id: UUID, body: Cancellation, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).cancel(principal, transfer_id, body.reason))


@router.get("/transfers", response_model=Page[TransferOut])
async def list_transfers(
    principal: CurrentPrincipal, session: Session,
    direction: Literal["incoming", "outgoing"] = "incoming",
    status: Literal["released", "completed", "cancelled"] | None = None,
    after: str | None = None, limit: int = Query(50, ge=1, le=500),
) -> Page[TransferOut]:
    cursor = decode_cursor(after)
    rows = await TransferService(session).transfers.page(
        principal, "destination" if direction == "incoming" else "origin", status,
        str(cursor[0]) if cursor else None, limit + 1)
    return page_of([_out(r) for r in rows], limit, lambda last: encode_cursor(last.letter_number))


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
async def get_transfer(transfer_id: UUID, principal: CurrentPrincipal, session: Session) -> TransferOut:
    return _out(await TransferService(session).visible(principal, transfer_id))


@router.get("/transfers/{transfer_id}/letter.pdf", response_class=Response,
            summary="Giấy giới thiệu chuyển sinh hoạt (PDF)")
async def letter(transfer_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    number, pdf = await TransferService(session).letter(
        principal, transfer_id, request.app.state.settings.letter_font_path)
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="giay-gioi-thieu-{number}.pdf"'})
