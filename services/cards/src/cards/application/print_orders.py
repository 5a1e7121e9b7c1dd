"""Print orders (đơn đặt in thẻ): gather requested cards up the tree, print them, cancel, confirm receipt.

A unit that may order cards (its type says so: provinces and sector unions) gathers the requested cards of
one kind in its subtree into one order: regular cards go to the national centre's print shop, linked cards
to the bank that issues them. Every card moves with one set-based statement and gets its history row and
its own event on `cards.card.v1` (banks and the members service follow cards there); the order has its
events on `cards.print_order.v1`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from chassis import audit
from chassis.errors import InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.cards_card_v1 import CardStatusChanged
from contracts.events.cards_print_order_v1 import (
    NATIONAL_PRINT_SHOP,
    PrintOrderCancelled,
    PrintOrderPlaced,
    PrintOrderPrinted,
    PrintOrderSnapshot,
)
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_date
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.order_documents import OrderHeading, card_faces_pdf, order_pdf, order_xlsx
from cards.adapters.repository import PartnerRepository, PrintOrderRepository
from cards.application.fees import FeeService
from cards.application.service import snapshot_of
from cards.config import CardsSettings
from cards.domain.model import ORDER_STATUS_VI, PrintOrder, can_move_order, left_out_vi, order_number

LINES_PER_QUERY = 5000  # an order's lines are read for its documents in batches of this many


def order_snapshot(order: PrintOrder) -> PrintOrderSnapshot:
    return PrintOrderSnapshot(**{name: getattr(order, name) for name in PrintOrderSnapshot.model_fields})


def order_not_found(order_id: UUID) -> NotFound:
    return NotFound(
        f"Không tìm thấy đơn đặt in {order_id} trong phạm vi quản lý của bạn",
        f"No print order {order_id} within your scope",
        code="print-order-not-found",
        field="order_id",
    )


class PrintOrderService:
    def __init__(self, session: AsyncSession, settings: CardsSettings) -> None:
        self.session, self.settings = session, settings
        self.orders = PrintOrderRepository(session)

    async def _may_order(self, principal: Principal, unit_id: UUID) -> None:
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, unit_id)
        if not await self.orders.may_order_cards(unit_id):
            raise RuleViolation(
                "Đơn vị này không được đặt in thẻ; đơn đặt in do cấp tỉnh, ngành (hoặc tương đương) "
                "lập cho các thẻ đã đề nghị trong đơn vị mình",
                "This unit may not order cards; orders are placed by units whose type may order "
                "cards (provinces, sector unions)",
                code="unit-cannot-order-cards",
                field="unit_id",
            )

    async def preview(self, principal: Principal, unit_id: UUID, kind: str, partner: str | None) -> dict:
        """What an order of the unit would take now: the requested cards, those of members without a photo (left
        out unless the order includes them), and the bank or print shop it would go to."""
        await self._may_order(principal, unit_id)
        supplier = NATIONAL_PRINT_SHOP if kind == "regular" else await self._bank(unit_id, partner)
        return {"supplier": supplier} | await self.orders.orderable_counts(principal, unit_id, kind, supplier)

    async def place(
        self,
        principal: Principal,
        unit_id: UUID,
        kind: str,
        note: str | None,
        partner: str | None = None,
        include_without_photo: bool = False,
    ) -> tuple[PrintOrder, int]:
        await self._may_order(principal, unit_id)
        supplier = NATIONAL_PRINT_SHOP if kind == "regular" else await self._bank(unit_id, partner)
        now = datetime.now(UTC)
        fees = FeeService(self.session, self.settings)
        # The schedule in force on the order's day gives its prices; the order keeps them whatever comes later.
        schedule, prices = await fees.prices_for(kind, vietnamese_date(now))
        price = sum(prices.values())
        order = {
            "order_id": uuid7(),
            "order_number": order_number(vietnamese_date(now).year, await self.orders.next_order_serial()),
            "unit_id": unit_id,
            "kind": kind,
            "supplier": supplier,
            "status": "placed",
            "card_count": 0,
            "unit_price_vnd": price,
            "total_vnd": 0,
            "note": note,
            "placed_by": principal.username,
            "placed_at": now,
            "version": 1,
            "include_without_photo": include_without_photo,
            "fee_schedule_from": schedule.effective_from,
            **prices,
        }
        await self.orders.add(order)
        moved = await self.orders.gather(principal, order, principal.username, now)
        # What is still requested after the gather (same transaction) and has no photo is what it left out.
        left_out = 0
        if not include_without_photo:
            left_out = (await self.orders.orderable_counts(principal, unit_id, kind, supplier))["without_photo"]
        if not moved and left_out:
            raise RuleViolation(
                f"Không tạo đơn: {left_out_vi(left_out)}",
                f"No order was placed: the {left_out} requested cards of this kind belong to members with no photo; "
                "add their photos, or include cards without a photo",
                code="only-cards-without-photo",
                field="include_without_photo",
            )
        if not moved:
            raise RuleViolation(
                "Không có thẻ nào đang chờ đặt in (đã đề nghị) thuộc loại này trong đơn vị; không tạo đơn",
                "No requested cards of this kind in the unit's subtree; no order was placed",
                code="no-cards-to-order",
                field="unit_id",
            )
        # Counted after the gather, in the same transaction: the order is exactly the cards it took, each unit's
        # part of them is a line of the fee statement, and linked cards of units paying salaries through the bank
        # are free.
        _, waived = await fees.record_lines(order["order_id"], kind)
        waived_vnd = waived * prices["linked_vnd"]
        placed = await self.orders.set(
            order["order_id"],
            new_version=False,
            card_count=len(moved),
            total_vnd=len(moved) * price - waived_vnd,
            waived_count=waived,
            waived_vnd=waived_vnd,
            left_out_without_photo=left_out,
        )
        await self._record(
            placed,
            moved,
            "requested",
            f"order {placed.order_number}",
            PrintOrderPlaced(order_id=placed.order_id, order=order_snapshot(placed)),
        )
        return placed, len(moved)

    async def _bank(self, unit_id: UUID, partner: str | None) -> str:
        """The bank a linked-card order goes to: the one asked for, else the one issuing the unit's linked cards."""
        partners = PartnerRepository(self.session)
        if partner is not None:
            if not await partners.is_active(partner):
                raise InvalidInput(
                    f"Mã ngân hàng '{partner}' không có trong danh mục đối tác",
                    f"'{partner}' is not an active partner",
                    code="unknown-partner",
                    field="partner",
                )
            return partner
        issuer = (await partners.issuers_of([unit_id])).get(unit_id)
        if issuer is None:
            raise RuleViolation(
                "Chưa có ngân hàng phát hành thẻ liên kết cho đơn vị này",
                "No bank issues linked cards for this unit",
                code="no-linked-card-partner",
                field="unit_id",
            )
        return issuer

    async def mark_printed(self, principal: Principal, order_id: UUID) -> PrintOrder:
        # The national centre's print shop prints regular cards and receives the bank's word for linked ones.
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, NATIONAL_CENTRE_ID)
        order = await self._movable(principal, order_id, "printed")
        now = datetime.now(UTC)
        moved = await self.orders.move_cards(
            order_id, "ordered", "printed", f"order {order.order_number}", principal.username, now
        )
        await self.orders.start_delivery(order_id, order.unit_id)
        printed = await self.orders.set(order_id, status="printed", printed_by=principal.username, printed_at=now)
        await self._record(
            printed,
            moved,
            "ordered",
            f"order {order.order_number}",
            PrintOrderPrinted(order_id=order_id, order=order_snapshot(printed)),
        )
        return printed

    async def cancel(self, principal: Principal, order_id: UUID, reason: str) -> PrintOrder:
        order = await self._movable(principal, order_id, "cancelled")
        now = datetime.now(UTC)
        note = f"order {order.order_number} cancelled: {reason}"
        moved = await self.orders.move_cards(order_id, "ordered", "requested", note, principal.username, now)
        cancelled = await self.orders.set(
            order_id, status="cancelled", cancelled_by=principal.username, cancelled_at=now, cancel_reason=reason
        )
        await self._record(
            cancelled,
            moved,
            "ordered",
            note,
            PrintOrderCancelled(order_id=order_id, order=order_snapshot(cancelled), reason=reason),
        )
        return cancelled

    async def receive(self, principal: Principal, order_id: UUID, unit_id: UUID) -> int:
        """Xác nhận đã nhận thẻ, for `unit_id`'s own part: the order's cards on their way to it (from the printer for
        the ordering unit, handed down from above for the others). Its own members' cards are delivered; the rest it
        holds until it hands them down."""
        order = await self._held_in(principal, order_id, unit_id)
        if order.status != "printed":
            raise RuleViolation(
                f"Đơn {order.order_number} chưa in xong ({ORDER_STATUS_VI[order.status]}); chưa thể xác nhận nhận thẻ",
                f"Order {order.order_number} is {order.status}, not printed: nothing to receive",
                code="order-not-printed",
                field="order_id",
            )
        note = f"order {order.order_number} received"
        held, delivered = await self.orders.receive(order_id, unit_id, note, principal.username, datetime.now(UTC))
        if not held and not delivered:
            raise RuleViolation(
                "Không có thẻ nào của đơn đang được chuyển đến đơn vị này (cấp trên chưa bàn giao, "
                "hoặc đơn vị đã xác nhận nhận rồi)",
                "No card of the order is on its way to this unit (not handed down yet, or received already)",
                code="nothing-to-receive",
                field="unit_id",
            )
        await self.orders.log_handoff(
            {
                "order_id": order_id,
                "unit_id": unit_id,
                "step": "received",
                "card_count": held + len(delivered),
                "confirmed_by": principal.username,
            }
        )
        await record_events(
            self.session,
            [
                CardStatusChanged(member_id=card.member_id, card=snapshot_of(card), old_status="printed", note=note)
                for card in delivered
            ],
        )
        return held + len(delivered)

    async def hand_down(self, principal: Principal, order_id: UUID, unit_id: UUID, to_unit_id: UUID) -> int:
        """Bàn giao xuống cấp dưới: the cards `unit_id` holds for `to_unit_id`'s subtree go on their way to it."""
        await self._held_in(principal, order_id, unit_id)
        if not await self.orders.is_below(unit_id, to_unit_id):
            raise InvalidInput(
                "Chỉ bàn giao thẻ cho đơn vị cấp dưới của đơn vị mình",
                "Cards are handed down to a unit below the unit only",
                code="not-below",
                field="to_unit_id",
            )
        count = await self.orders.hand_down(order_id, unit_id, to_unit_id)
        if not count:
            raise RuleViolation(
                "Đơn vị không giữ thẻ nào của đơn cho đơn vị cấp dưới này (chưa xác nhận nhận thẻ, hoặc đã bàn giao)",
                "The unit holds no card of the order for that unit (not received yet, or handed down already)",
                code="nothing-to-hand-down",
                field="to_unit_id",
            )
        await self.orders.log_handoff(
            {
                "order_id": order_id,
                "unit_id": unit_id,
                "step": "handed_down",
                "to_unit_id": to_unit_id,
                "card_count": count,
                "confirmed_by": principal.username,
            }
        )
        return count

    async def delivery(self, principal: Principal, order_id: UUID, unit_id: UUID) -> tuple[Row, list[Row]]:
        await ensure_in_scope(self.session, principal, Permission.CARDS_READ, unit_id)
        if await self.orders.holding_cards_of(order_id, unit_id) is None:
            raise order_not_found(order_id)
        return await self.orders.delivery_progress(order_id, unit_id)

    async def _held_in(self, principal: Principal, order_id: UUID, unit_id: UUID) -> PrintOrder:
        """The order, locked, if `unit_id` (in the caller's scope for ordering cards) holds some of its cards."""
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, unit_id)
        # A grassroots unit sees the province's order through its own cards in it.
        order = await self.orders.holding_cards_of(order_id, unit_id, for_update=True)
        if order is None:
            raise order_not_found(order_id)
        return order

    async def get(self, principal: Principal, order_id: UUID) -> PrintOrder:
        order = await self.orders.get(principal, order_id, Permission.CARDS_READ)
        if order is None:
            raise order_not_found(order_id)
        return order

    async def list_xlsx(self, principal: Principal, order_id: UUID) -> tuple[str, bytes]:
        """The order's list for the print shop: its number (the file's name) and the workbook."""
        heading, lines = await self._document_parts(principal, order_id)
        return heading.order_number, order_xlsx(heading, lines)

    async def list_pdf(self, principal: Principal, order_id: UUID) -> tuple[str, bytes]:
        """The order's list as the payment voucher: its number and the PDF."""
        heading, lines = await self._document_parts(principal, order_id)
        return heading.order_number, order_pdf(heading, lines, self.settings.pdf_font_path)

    async def card_faces(self, principal: Principal, order_id: UUID) -> tuple[str, bytes]:
        """The fronts of a regular order's cards for the national centre's print shop; a bank prints linked cards."""
        heading, lines = await self._document_parts(principal, order_id)
        if heading.kind != "regular":
            raise RuleViolation(
                "Thẻ liên kết do ngân hàng in; Tổng Liên đoàn chỉ in thẻ thường",
                "Linked cards are printed by the bank; only regular cards are printed here",
                code="not-printed-here",
                field="order_id",
            )
        return heading.order_number, card_faces_pdf(
            lines, self.settings.public_verify_base_url, self.settings.pdf_font_path
        )

    async def _document_parts(self, principal: Principal, order_id: UUID) -> tuple[OrderHeading, list[Row]]:
        order = await self.get(principal, order_id)
        unit_name = await self.orders.unit_name(order.unit_id)
        heading = OrderHeading(
            order.order_number,
            unit_name,
            order.kind,
            order.supplier,
            order.status,
            order.card_count,
            order.unit_price_vnd,
            order.total_vnd,
            order.placed_at,
            order.placed_by,
            order.blank_vnd,
            order.printing_vnd,
            order.linked_vnd,
            order.waived_count,
            order.waived_vnd,
        )
        lines, after = [], None
        while batch := await self.orders.lines(order_id, after, LINES_PER_QUERY):
            lines += batch
            after = batch[-1].card_id
        return heading, lines

    async def _movable(self, principal: Principal, order_id: UUID, status: str) -> PrintOrder:
        order = await self.orders.get(principal, order_id, Permission.CARDS_ORDER, for_update=True)
        if order is None:
            raise order_not_found(order_id)
        audit.note_unit(order.unit_id)
        if not can_move_order(order.status, status):
            raise RuleViolation(
                f"Đơn {order.order_number} đang ở trạng thái '{ORDER_STATUS_VI[order.status]}', không thể chuyển "
                f"sang '{ORDER_STATUS_VI[status]}'",
                f"An order that is {order.status} cannot become {status}",
                code="invalid-order-transition",
                field="order_id",
            )
        return order

    async def _record(self, order: PrintOrder, cards: list[Row], old_status: str, note: str, order_event) -> None:
        await record_events(
            self.session,
            [
                CardStatusChanged(member_id=card.member_id, card=snapshot_of(card), old_status=old_status, note=note)
                for card in cards
            ]
            + [order_event],
        )
