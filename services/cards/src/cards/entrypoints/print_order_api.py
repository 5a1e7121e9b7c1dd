"""Print orders: `/api/v1/cards/print-orders/...` (đơn đặt in thẻ)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from contracts.events.cards_card_v1 import CardKind
from contracts.events.identity_partner_v1 import PARTNER_CODE_PATTERN
from fastapi import APIRouter, Query, Request, Response

from cards.adapters.repository import PrintOrderRepository
from cards.application.print_orders import PrintOrderService
from cards.domain.model import ORDER_STATUS_VI, PrintOrder, left_out_vi
from cards.entrypoints.schemas import (
    CardsHandedDown,
    CardsReceived,
    DeliveryProgress,
    PrintOrderCancel,
    PrintOrderHandDown,
    PrintOrderLine,
    PrintOrderOut,
    PrintOrderPlace,
    PrintOrderPreview,
    PrintOrderReceive,
    SubunitDelivery,
)

router = APIRouter(prefix="/api/v1/cards/print-orders", tags=["print orders"])
ORDERS_KEYSET = Keyset(datetime, UUID)  # newest first: (placed_at, order_id)
LINES_KEYSET = Keyset(UUID)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def order_out(order: PrintOrder) -> PrintOrderOut:
    return PrintOrderOut(
        **asdict(order), status_vi=ORDER_STATUS_VI[order.status], left_out_vi=left_out_vi(order.left_out_without_photo)
    )


def service(session, request: Request) -> PrintOrderService:
    return PrintOrderService(session, request.app.state.settings)


@router.post("", response_model=PrintOrderOut, status_code=201, summary="Lập đơn đặt in thẻ")
async def place_order(
    body: PrintOrderPlace, principal: CurrentPrincipal, session: Session, request: Request
) -> PrintOrderOut:
    order, _ = await service(session, request).place(
        principal, body.unit_id, body.kind, body.note, body.partner, body.include_without_photo
    )
    return order_out(order)


@router.get("", response_model=Page[PrintOrderOut], summary="Danh sách đơn đặt in")
async def list_orders(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID | None = None,
    status: str | None = Query(None, pattern="^(placed|printed|cancelled)$"),
    kind: CardKind | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[PrintOrderOut]:
    window = ORDERS_KEYSET.window(after, limit)
    rows = await PrintOrderRepository(session).page(
        principal, unit_id=unit_id, status=status, kind=kind, after=window.after, limit=window.fetch
    )
    return window.page(rows, lambda row: (row.placed_at, row.order_id), order_out)


@router.get("/preview", response_model=PrintOrderPreview, summary="Xem trước đơn đặt in: số thẻ sẽ vào đơn")
async def preview_order(
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
    unit_id: UUID,
    kind: CardKind,
    partner: str | None = Query(None, pattern=PARTNER_CODE_PATTERN),
) -> PrintOrderPreview:
    """How many requested cards an order of the unit would take now, and how many of them belong to members with
    no 3×4 photo (left out unless the order includes them)."""
    counts = await service(session, request).preview(principal, unit_id, kind, partner)
    without_photo = counts["without_photo"]
    return PrintOrderPreview(
        unit_id=unit_id,
        kind=kind,
        supplier=counts["supplier"],
        requested=counts["requested"],
        without_photo=without_photo,
        to_order=counts["requested"] - without_photo,
        left_out_vi=left_out_vi(without_photo),
    )


@router.get("/{order_id}", response_model=PrintOrderOut, summary="Một đơn đặt in")
async def get_order(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> PrintOrderOut:
    return order_out(await service(session, request).get(principal, order_id))


@router.get("/{order_id}/cards", response_model=Page[PrintOrderLine], summary="Các thẻ của đơn")
async def order_cards(
    order_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=MAX_PAGE_SIZE),
) -> Page[PrintOrderLine]:
    await service(session, request).get(principal, order_id)
    window = LINES_KEYSET.window(after, limit)
    rows = await PrintOrderRepository(session).lines(order_id, window.after_value, window.fetch)
    return window.page(
        rows, lambda row: (row.card_id,), lambda row: PrintOrderLine.model_validate(row, from_attributes=True)
    )


def attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


@router.get("/{order_id}/list.xlsx", summary="Danh sách thẻ của đơn (.xlsx, cho nơi in)")
async def order_list_xlsx(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    number, content = await service(session, request).list_xlsx(principal, order_id)
    return attachment(content, XLSX, f"{number}.xlsx")


@router.get("/{order_id}/list.pdf", summary="Danh sách thẻ của đơn (PDF, chứng từ thanh toán)")
async def order_list_pdf(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    number, content = await service(session, request).list_pdf(principal, order_id)
    return attachment(content, "application/pdf", f"{number}.pdf")


@router.get("/{order_id}/cards.pdf", summary="Mặt thẻ để in (thẻ thường: mã vạch, mã QR)")
async def order_card_faces(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    number, content = await service(session, request).card_faces(principal, order_id)
    return attachment(content, "application/pdf", f"{number}-the.pdf")


@router.post("/{order_id}/printed", response_model=PrintOrderOut, summary="Xác nhận đã in xong (Tổng Liên đoàn)")
async def mark_printed(
    order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> PrintOrderOut:
    return order_out(await service(session, request).mark_printed(principal, order_id))


@router.post("/{order_id}/cancel", response_model=PrintOrderOut, summary="Hủy đơn đặt in (trước khi in)")
async def cancel_order(
    order_id: UUID, body: PrintOrderCancel, principal: CurrentPrincipal, session: Session, request: Request
) -> PrintOrderOut:
    return order_out(await service(session, request).cancel(principal, order_id, body.reason))


@router.post("/{order_id}/received", response_model=CardsReceived, summary="Xác nhận đã nhận thẻ")
async def receive_cards(
    order_id: UUID, body: PrintOrderReceive, principal: CurrentPrincipal, session: Session, request: Request
) -> CardsReceived:
    return CardsReceived(received=await service(session, request).receive(principal, order_id, body.unit_id))


@router.post("/{order_id}/handed-down", response_model=CardsHandedDown, summary="Bàn giao thẻ xuống cấp dưới")
async def hand_down_cards(
    order_id: UUID, body: PrintOrderHandDown, principal: CurrentPrincipal, session: Session, request: Request
) -> CardsHandedDown:
    count = await service(session, request).hand_down(principal, order_id, body.unit_id, body.to_unit_id)
    return CardsHandedDown(handed_down=count)


@router.get(
    "/{order_id}/delivery",
    response_model=DeliveryProgress,
    summary="Thẻ của đơn trên đường xuống: đơn vị đang giữ, đang chuyển, đã giao (theo đơn vị trực thuộc)",
)
async def delivery(
    order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request, unit_id: UUID
) -> DeliveryProgress:
    mine, subunits = await service(session, request).delivery(principal, order_id, unit_id)
    return DeliveryProgress(
        unit_id=unit_id,
        on_the_way=mine.on_the_way,
        held=mine.held,
        subunits=[SubunitDelivery.model_validate(row, from_attributes=True) for row in subunits],
    )
