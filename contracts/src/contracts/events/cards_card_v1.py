"""Topic `cards.card.v1`: every membership card's life, keyed by member id.

Keyed by member so that a member's cards (a lost card revoked, its replacement requested)
arrive in order. Banks and provincial apps read this topic for the cards they issue
(`kind == "linked"`): a snapshot carries what they need to follow a card, never the
member's ID number. The verification code (printed as the card's QR, which anyone holding the card
shows) lets members link the member's own lookup to their digital card.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent

TOPIC = "cards.card.v1"

CardKind = Literal["regular", "linked"]
CardStatus = Literal["requested", "ordered", "printed", "delivered", "cancelled", "revoked"]
CardReason = Literal["new", "lost", "damaged"]
# What a card's status means for its holder: a card they have, one they wait for, or none. Members shows it on
# the member; reporting counts card progress with it.
HOLDER_CARD_STATUS: dict[str, str] = {
    "requested": "requested",
    "ordered": "requested",
    "printed": "printed",
    "delivered": "delivered",
    "cancelled": "none",
    "revoked": "none",
}


class CardSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    card_id: UUID
    member_id: UUID
    unit_id: UUID
    member_code: str
    kind: CardKind
    status: CardStatus
    reason: CardReason
    card_number: str | None = None
    partner: str | None = Field(None, description="The bank issuing a linked card (partner code); null if regular")
    replaces_card_id: UUID | None = None
    order_id: UUID | None = Field(None, description="The print order the card was ordered in (cards.print_order.v1)")
    verification_code: str | None = Field(
        None,
        description=(
            "The code of the card's QR (public verification, the digital card); absent from events before it was added"
        ),
    )
    version: int = Field(ge=1, description="Aggregate version of the card, increases by one with every change")


class CardEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "member_id"

    member_id: UUID
    card: CardSnapshot


class CardRequested(CardEvent):
    """A grassroots unit asked for a card (đề nghị in thẻ): a first card or a replacement."""

    event_type: ClassVar[str] = "cards.card.requested"


class CardStatusChanged(CardEvent):
    """The card moved on: ordered, printed, delivered to its unit, cancelled, or revoked."""

    event_type: ClassVar[str] = "cards.card.status_changed"

    old_status: CardStatus
    note: str | None = None


EVENTS: tuple[type[IntegrationEvent], ...] = (CardRequested, CardStatusChanged)
