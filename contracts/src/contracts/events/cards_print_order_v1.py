"""Topic `cards.print_order.v1`: print orders (đơn đặt in thẻ), keyed by order id.

A unit that may order cards (a province, usually) gathers the cards requested in its subtree into one
order: regular cards to the national centre's print shop, linked cards to the bank that issues them.
A bank follows the orders addressed to it (`supplier` is its partner code) and each card's own steps on
`cards.card.v1` (every card of an order carries `order_id`). No personal data travels here.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent
from contracts.events.cards_card_v1 import CardKind

TOPIC = "cards.print_order.v1"

PrintOrderStatus = Literal["placed", "printed", "cancelled"]
NATIONAL_PRINT_SHOP = "national_centre"


class PrintOrderSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    order_id: UUID
    order_number: str = Field(description="Số đơn: DI-<year>-<6 digits>, unique, never reused")
    unit_id: UUID = Field(description="The unit that placed the order and pays for it")
    kind: CardKind
    supplier: str = Field(
        description=f"'{NATIONAL_PRINT_SHOP}' for regular cards, the bank's partner code for linked cards"
    )
    status: PrintOrderStatus
    card_count: int = Field(ge=0)
    unit_price_vnd: int = Field(ge=0)
    total_vnd: int = Field(ge=0)
    placed_at: datetime
    version: int = Field(ge=1, description="Aggregate version of the order, increases by one with every change")


class PrintOrderEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "order_id"

    order_id: UUID
    order: PrintOrderSnapshot


class PrintOrderPlaced(PrintOrderEvent):
    """The requested cards of a subtree were gathered into an order; each of them is now `ordered`."""

    event_type: ClassVar[str] = "cards.print_order.placed"


class PrintOrderPrinted(PrintOrderEvent):
    """The supplier printed every card of the order; each of them is now `printed`."""

    event_type: ClassVar[str] = "cards.print_order.printed"


class PrintOrderCancelled(PrintOrderEvent):
    """The order was withdrawn before printing (its cards are `requested` again, free for another order), or its bank
    rejected every card of it (they are `cancelled`)."""

    event_type: ClassVar[str] = "cards.print_order.cancelled"

    reason: str


EVENTS: tuple[type[IntegrationEvent], ...] = (PrintOrderPlaced, PrintOrderPrinted, PrintOrderCancelled)
