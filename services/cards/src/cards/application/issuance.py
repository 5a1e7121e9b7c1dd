"""The bank answers for its linked cards: issued (its own card number and the date) or rejected (why).

Only a client speaking for the card's bank (its partner code) with `cards.issuance:answer` on the card's unit may
answer, once per card, while the card waits in a placed order (`ordered`). Issued moves the card to `printed`,
rejected to `cancelled` (the unit may request a new card). When the last card of the order is answered the order
is done: printed if the bank issued any of its cards, cancelled if it rejected them all. Answers of one order queue
on the order's row, so the last one always sees the others.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from chassis import audit
from chassis.errors import Conflict, Forbidden, InvalidInput
from chassis.outbox import record_events
from chassis.principal import Principal
from contracts.events.cards_card_v1 import CardStatusChanged
from contracts.events.cards_print_order_v1 import PrintOrderCancelled, PrintOrderPrinted
from contracts.wellknown import vietnamese_date
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.repository import CardRepository, IssuanceFeedRepository, PrintOrderRepository
from cards.application.print_orders import order_snapshot
from cards.application.service import card_not_found, snapshot_of
from cards.domain.model import Card

ALL_REJECTED = "the bank rejected every card of the order"


class IssuanceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cards, self.orders = CardRepository(session), PrintOrderRepository(session)

    async def feed(self, principal: Principal, partner: str | None, after: int | None, limit: int) -> list[Row]:
        """The steps of linked cards after position `after`. A bank's client follows its own cards only, whatever
        it asks; a person holding the permission may pick a bank (`partner`) or see all."""
        if principal.partner is not None:
            if partner not in (None, principal.partner):
                raise Forbidden(
                    f"Ứng dụng này chỉ được xem thẻ của đối tác {principal.partner}",
                    f"This client may only follow the cards of partner {principal.partner}",
                    code="other-partner",
                    field="partner",
                )
            partner = principal.partner
        return await IssuanceFeedRepository(self.session).page(principal, partner, after, limit)

    async def answer(
        self,
        principal: Principal,
        card_id: UUID,
        outcome: str,
        *,
        bank_card_number: str | None = None,
        issued_on: date | None = None,
        reason: str | None = None,
    ) -> Card:
        if principal.partner is None:
            raise Forbidden(
                "Chỉ ứng dụng của ngân hàng phát hành thẻ mới báo kết quả phát hành",
                "Only the issuing bank's client answers for a card",
                code="partner-required",
            )
        # Another bank's card is answered like an unknown one: a bank learns nothing of other banks' cards.
        card = await self.cards.awaiting_answer(principal, card_id, principal.partner)
        if card is None:
            raise card_not_found(card_id)
        audit.note_unit(card.unit_id)
        if card.answered is not None:
            raise Conflict(
                f"Thẻ {card_id} đã có kết quả phát hành ({card.answered}); không trả lời lần hai",
                f"Card {card_id} has been answered already ({card.answered})",
                code="already-answered",
                field="card_id",
            )
        if card.status != "ordered" or card.order_id is None:
            raise Conflict(
                f"Thẻ {card_id} không ở trong đơn đặt in đang chờ ngân hàng",
                f"Card {card_id} is not waiting for the bank in a placed order",
                code="card-not-ordered",
                field="card_id",
            )
        now = datetime.now(UTC)
        if outcome == "issued":
            if issued_on > vietnamese_date(now):
                raise InvalidInput(
                    "Ngày phát hành không thể sau hôm nay",
                    "The issue date cannot be in the future",
                    code="issued-on-in-future",
                    field="issued_on",
                )
            status, note = (
                "printed",
                (f"issued by {principal.partner} on {issued_on:%d/%m/%Y} (bank card …{bank_card_number[-4:]})"),
            )
        else:
            status, note = "cancelled", f"rejected by {principal.partner}: {reason}"
        order = await self.orders.lock(card.order_id)
        await self.cards.add_answer(
            {
                "card_id": card_id,
                "partner": principal.partner,
                "outcome": outcome,
                "bank_card_number": bank_card_number,
                "issued_on": issued_on,
                "reason": reason,
                "answered_by": principal.username,
                "answered_at": now,
            }
        )
        moved = await self.cards.move(card_id, status, note, principal.username, now)
        if status == "printed":
            await self.orders.start_delivery(order.order_id, order.unit_id)  # on its way to the ordering unit
        events: list = [
            CardStatusChanged(member_id=moved.member_id, card=snapshot_of(moved), old_status="ordered", note=note)
        ]
        progress = await self.cards.order_progress(order.order_id)
        if progress.waiting == 0 and order.status == "placed":
            if progress.issued:
                done = await self.orders.set(
                    order.order_id, status="printed", printed_by=principal.username, printed_at=now
                )
                events.append(PrintOrderPrinted(order_id=done.order_id, order=order_snapshot(done)))
            else:
                done = await self.orders.set(
                    order.order_id,
                    status="cancelled",
                    cancelled_by=principal.username,
                    cancelled_at=now,
                    cancel_reason=ALL_REJECTED,
                )
                events.append(
                    PrintOrderCancelled(order_id=done.order_id, order=order_snapshot(done), reason=ALL_REJECTED)
                )
        await record_events(self.session, events)
        return moved
