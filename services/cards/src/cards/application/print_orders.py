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
from chassis.errors import NotFound, RuleViolation
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

from cards.adapters.repository import PrintOrderRepository
from cards.application.service import SOURCE, snapshot_of
from cards.config import CardsSettings
from cards.domain.model import ORDER_STATUS_VI, can_move_order, order_number


def order_snapshot(order: Row) -> PrintOrderSnapshot:
    return PrintOrderSnapshot(**{name: order._mapping[name] for name in PrintOrderSnapshot.model_fields})


def order_not_found(order_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy đơn đặt in {order_id} trong phạm vi quản lý của bạn",
                    f"No print order {order_id} within your scope", code="print-order-not-found", field="order_id")


class PrintOrderService:
    def __init__(self, session: AsyncSession, settings: CardsSettings) -> None:
        self.session, self.settings = session, settings
        self.orders = PrintOrderRepository(session)

    async def place(self, principal: Principal, unit_id: UUID, kind: str, note: str | None) -> tuple[Row, int]:
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, unit_id)
        if not await self.orders.may_order_cards(unit_id):
            raise RuleViolation("Đơn vị này không được đặt in thẻ; đơn đặt in do cấp tỉnh, ngành (hoặc tương đương) "
                                "lập cho các thẻ đã đề nghị trong đơn vị mình",
                                "This unit may not order cards; orders are placed by units whose type may order "
                                "cards (provinces, sector unions)", code="unit-cannot-order-cards", field="unit_id")
        now = datetime.now(UTC)
        price = self.settings.regular_card_price_vnd if kind == "regular" else self.settings.linked_card_price_vnd
        order = {
            "order_id": uuid7(),
            "order_number": order_number(vietnamese_date(now).year, await self.orders.next_order_serial()),
            "unit_id": unit_id, "kind": kind,
            "supplier": NATIONAL_PRINT_SHOP if kind == "regular" else self.settings.linked_card_partner,
            "status": "placed", "card_count": 0, "unit_price_vnd": price, "total_vnd": 0, "note": note,
            "placed_by": principal.username, "placed_at": now, "version": 1,
        }
        await self.orders.add(order)
        moved = await self.orders.gather(principal, order, principal.username, now)
        if not moved:
            raise RuleViolation("Không có thẻ nào đang chờ đặt in (đã đề nghị) thuộc loại này trong đơn vị; "
                                "không tạo đơn", "No requested cards of this kind in the unit's subtree; no order "
                                "was placed", code="no-cards-to-order", field="unit_id")
        # Counted after the gather, in the same transaction: the order is exactly the cards it took.
        placed = await self.orders.set(order["order_id"], new_version=False, card_count=len(moved),
                                       total_vnd=len(moved) * price)
        await self._record(placed, moved, "requested", f"order {placed.order_number}",
                           PrintOrderPlaced(order_id=placed.order_id, order=order_snapshot(placed)))
        return placed, len(moved)

    async def mark_printed(self, principal: Principal, order_id: UUID) -> Row:
        # The national centre's print shop prints regular cards and receives the bank's word for linked ones.
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, NATIONAL_CENTRE_ID)
        order = await self._movable(principal, order_id, "printed")
        now = datetime.now(UTC)
        moved = await self.orders.move_cards(order_id, "ordered", "printed", f"order {order.order_number}",
                                             principal.username, now)
        printed = await self.orders.set(order_id, status="printed", printed_by=principal.username, printed_at=now)
        await self._record(printed, moved, "ordered", f"order {order.order_number}",
                           PrintOrderPrinted(order_id=order_id, order=order_snapshot(printed)))
        return printed

    async def cancel(self, principal: Principal, order_id: UUID, reason: str) -> Row:
        order = await self._movable(principal, order_id, "cancelled")
        now = datetime.now(UTC)
        note = f"order {order.order_number} cancelled: {reason}"
        moved = await self.orders.move_cards(order_id, "ordered", "requested", note, principal.username, now)
        cancelled = await self.orders.set(order_id, status="cancelled", cancelled_by=principal.username,
                                          cancelled_at=now, cancel_reason=reason)
        await self._record(cancelled, moved, "ordered", note,
                           PrintOrderCancelled(order_id=order_id, order=order_snapshot(cancelled), reason=reason))
        return cancelled

    async def receive(self, principal: Principal, order_id: UUID, unit_id: UUID) -> int:
        """Xác nhận đã nhận thẻ: the printed cards of the order held by `unit_id`'s subtree become `delivered`."""
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, unit_id)
        # A grassroots unit sees the province's order through its own cards in it.
        order = await self.orders.holding_cards_of(order_id, unit_id)
        if order is None:
            raise order_not_found(order_id)
        if order.status != "printed":
            raise RuleViolation(f"Đơn {order.order_number} chưa in xong ({ORDER_STATUS_VI[order.status]}); "
                                "chưa thể xác nhận nhận thẻ",
                                f"Order {order.order_number} is {order.status}, not printed: nothing to receive",
                                code="order-not-printed", field="order_id")
        moved = await self.orders.move_cards(order_id, "printed", "delivered", f"order {order.order_number} received",
                                             principal.username, datetime.now(UTC), within_unit=unit_id)
        await record_events(self.session, [
            CardStatusChanged(member_id=card.member_id, card=snapshot_of(card), old_status="printed",
                              note=f"order {order.order_number} received") for card in moved], SOURCE)
        return len(moved)

    async def get(self, principal: Principal, order_id: UUID) -> Row:
        order = await self.orders.get(principal, Permission.CARDS_READ, order_id)
        if order is None:
            raise order_not_found(order_id)
        return order

    async def _movable(self, principal: Principal, order_id: UUID, status: str) -> Row:
        order = await self.orders.get(principal, Permission.CARDS_ORDER, order_id, lock=True)
        if order is None:
            raise order_not_found(order_id)
        audit.note_unit(order.unit_id)
        if not can_move_order(order.status, status):
            raise RuleViolation(
                f"Đơn {order.order_number} đang ở trạng thái '{ORDER_STATUS_VI[order.status]}', không thể chuyển "
                f"sang '{ORDER_STATUS_VI[status]}'", f"An order that is {order.status} cannot become {status}",
                code="invalid-order-transition", field="order_id")
        return order

    async def _record(self, order: Row, cards: list[Row], old_status: str, note: str, order_event) -> None:
        await record_events(self.session, [
            CardStatusChanged(member_id=card.member_id, card=snapshot_of(card), old_status=old_status, note=note)
            for card in cards] + [order_event], SOURCE)
