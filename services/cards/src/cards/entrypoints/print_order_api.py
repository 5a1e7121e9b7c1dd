"""Print orders: `/api/v1/cards/print-orders/...` (đơn đặt in thẻ)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from chassis.errors import RuleViolation
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Page, cursor_values, encode_cursor, page_of
from contracts.events.cards_card_v1 import CardKind
from fastapi import APIRouter, Query, Request, Response

from cards.adapters.order_documents import OrderHeading, card_faces_pdf, order_pdf, order_xlsx
from cards.adapters.repository import PrintOrderRepository
from cards.application.print_orders import PrintOrderService
from cards.domain.model import ORDER_STATUS_VI
from cards.entrypoints.schemas import (
    CardsReceived,
    PrintOrderCancel,
    PrintOrderLine,
    PrintOrderOut,
    PrintOrderPlace,
    PrintOrderReceive,
)

router = APIRouter(prefix="/api/v1/cards/print-orders", tags=["print orders"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES_PER_QUERY = 5000


def order_out(order) -> PrintOrderOut:
    values = dict(order._mapping)
    return PrintOrderOut(**values, status_vi=ORDER_STATUS_VI[values["status"]])


def service(session, request: Request) -> PrintOrderService:
    return PrintOrderService(session, request.app.state.settings)


@router.post("", response_model=PrintOrderOut, status_code=201, summary="Lập đơn đặt in thẻ")
async def place_order(body: PrintOrderPlace, principal: CurrentPrincipal, session: Session,
                      request: Request) -> PrintOrderOut:
    order, _ = await service(session, request).place(principal, body.unit_id, body.kind, body.note)
    return order_out(order)


@router.get("", response_model=Page[PrintOrderOut], summary="Danh sách đơn đặt in")
async def list_orders(principal: CurrentPrincipal, session: Session, unit_id: UUID | None = None,
                      status: str | None = Query(None, pattern="^(placed|printed|cancelled)$"),
                      kind: CardKind | None = None, after: str | None = None,
                      limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE)) -> Page[PrintOrderOut]:
    rows = await PrintOrderRepository(session).page(
        principal, unit_id=unit_id, status=status, kind=kind,
        after=cursor_values(after, datetime.fromisoformat, UUID), limit=limit)
    page = page_of(rows, limit, lambda row: encode_cursor(row.placed_at.isoformat(), str(row.order_id)))
    return Page[PrintOrderOut](items=[order_out(row) for row in page.items], next_cursor=page.next_cursor)


@router.get("/{order_id}", response_model=PrintOrderOut, summary="Một đơn đặt in")
async def get_order(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> PrintOrderOut:
    return order_out(await service(session, request).get(principal, order_id))


@router.get("/{order_id}/cards", response_model=Page[PrintOrderLine], summary="Các thẻ của đơn")
async def order_cards(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request,
                      after: str | None = None,
                      limit: int = Query(100, ge=1, le=MAX_PAGE_SIZE)) -> Page[PrintOrderLine]:
    await service(session, request).get(principal, order_id)
    position = cursor_values(after, UUID)
    rows = await PrintOrderRepository(session).lines(order_id, position[0] if position else None, limit + 1)
    page = page_of(rows, limit, lambda row: encode_cursor(str(row.card_id)))
    return Page[PrintOrderLine](items=[PrintOrderLine(**row._mapping) for row in page.items],
                                next_cursor=page.next_cursor)


async def _document_parts(order_id: UUID, principal, session, request: Request) -> tuple[OrderHeading, list]:
    order = await service(session, request).get(principal, order_id)
    unit_name = await PrintOrderRepository(session).unit_name(order.unit_id)
    heading = OrderHeading(order.order_number, unit_name, order.kind, order.supplier, order.status,
                           order.card_count, order.unit_price_vnd, order.total_vnd, order.placed_at, order.placed_by)
    lines, after = [], None
    while batch := await PrintOrderRepository(session).lines(order_id, after, LINES_PER_QUERY):
        lines += batch
        after = batch[-1].card_id
    return heading, lines


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/{order_id}/list.xlsx", summary="Danh sách thẻ của đơn (.xlsx, cho nơi in)")
async def order_list_xlsx(order_id: UUID, principal: CurrentPrincipal, session: Session,
                          request: Request) -> Response:
    heading, lines = await _document_parts(order_id, principal, session, request)
    return _attachment(order_xlsx(heading, lines), XLSX, f"{heading.order_number}.xlsx")


@router.get("/{order_id}/list.pdf", summary="Danh sách thẻ của đơn (PDF, chứng từ thanh toán)")
async def order_list_pdf(order_id: UUID, principal: CurrentPrincipal, session: Session,
                         request: Request) -> Response:
    heading, lines = await _document_parts(order_id, principal, session, request)
    content = order_pdf(heading, lines, request.app.state.settings.pdf_font_path)
    return _attachment(content, "application/pdf", f"{heading.order_number}.pdf")


@router.get("/{order_id}/cards.pdf", summary="Mặt thẻ để in (thẻ thường: mã vạch, mã QR)")
async def order_card_faces(order_id: UUID, principal: CurrentPrincipal, session: Session,
                           request: Request) -> Response:
    heading, lines = await _document_parts(order_id, principal, session, request)
    if heading.kind != "regular":
        raise RuleViolation("Thẻ liên kết do ngân hàng in; Tổng Liên đoàn chỉ in thẻ thường",
                            "Linked cards are printed by the bank; only regular cards are printed here",
                            code="not-printed-here", field="order_id")
    settings = request.app.state.settings
    content = card_faces_pdf(lines, settings.public_verify_base_url, settings.pdf_font_path)
    return _attachment(content, "application/pdf", f"{heading.order_number}-the.pdf")


@router.post("/{order_id}/printed", response_model=PrintOrderOut, summary="Xác nhận đã in xong (Tổng Liên đoàn)")
async def mark_printed(order_id: UUID, principal: CurrentPrincipal, session: Session,
                       request: Request) -> PrintOrderOut:
    return order_out(await service(session, request).mark_printed(principal, order_id))


@router.post("/{order_id}/cancel", response_model=PrintOrderOut, summary="Hủy đơn đặt in (trước khi in)")
async def cancel_order(order_id: UUID, body: PrintOrderCancel, principal: CurrentPrincipal, session: Session,
                       request: Request) -> PrintOrderOut:
    return order_out(await service(session, request).cancel(principal, order_id, body.reason))


@router.post("/{order_id}/received", response_model=CardsReceived, summary="Xác nhận đã nhận thẻ")
async def receive_cards(order_id: UUID, body: PrintOrderReceive, principal: CurrentPrincipal, session: Session,
                        request: Request) -> CardsReceived:
    return CardsReceived(received=await service(session, request).receive(principal, order_id, body.unit_id))
