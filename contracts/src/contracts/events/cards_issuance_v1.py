"""`cards.issuance.v1`: what a bank receives for each step of the linked cards it issues (the bank-facing contract).

The same message reaches a bank three ways, in the order of the banks' feed (`position`): the pull feed
(`GET /api/v1/cards/issuance`), a signed webhook per partner, and the partner's own Kafka topic. It is not on a
shared topic: each bank gets only its own cards. ID number, date of birth and phone are there only when the member
consented to share them with that bank (`bank_consent_on`); a card step of a member who did not consent never
reaches the bank. Adding an optional field is the compatible change; anything else is `cards.issuance.v2`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events.cards_card_v1 import CardKind, CardReason, CardStatus

CHANNEL = "cards.issuance.v1"
# A partner's own topic (one partition, the feed's order; key: card id; CloudEvents headers as on every topic).
PARTNER_TOPIC = "cards.issuance.{partner}.v1"


def partner_topic(partner_code: str) -> str:
    return PARTNER_TOPIC.format(partner=partner_code.lower())


# The webhook's headers: the signature is hex HMAC-SHA256 over `<timestamp>.<body>` with the partner's secret.
SIGNATURE_HEADER = "X-Congdoan-Signature"
TIMESTAMP_HEADER = "X-Congdoan-Timestamp"
EVENT_ID_HEADER = "X-Congdoan-Event-Id"


class IssuanceStep(BaseModel):
    """One step of a linked card, as its bank receives it: once per `event_id`, in feed order (`sequence`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type: ClassVar[str] = "cards.issuance.step"

    sequence: int = Field(description="Position in the feed: every step is delivered once, in commit order")
    event_id: UUID = Field(description="The step's event id (cards.card.v1): the key to drop a step seen twice")
    card_id: UUID
    version: int = Field(description="The card's version after this step: one more than the step before it")
    member_id: UUID
    member_code: str
    full_name: str
    unit_id: UUID
    unit_code: str | None = Field(description="Đơn vị của đoàn viên khi thẻ chuyển bước")
    unit_name: str | None
    delivery_unit_id: UUID | None = Field(description="Đơn vị đặt in, nơi ngân hàng giao thẻ (khi thẻ đã vào đơn)")
    delivery_unit_name: str | None
    kind: CardKind
    partner: str
    reason: CardReason = Field(description="new: cấp mới; lost / damaged: cấp lại thẻ `replaces_card_id`")
    replaces_card_id: UUID | None
    order_id: UUID | None = Field(description="Đơn đặt in chứa thẻ (cards.print_order.v1)")
    card_number: str | None
    verification_code: str = Field(description="Mã xác thực in trên mã QR của thẻ")
    status: CardStatus
    old_status: CardStatus | None = Field(description="The status before this step; null for the request")
    note: str | None
    changed_at: datetime
    # For opening the account, only while the member's consent to share them with this bank holds.
    bank_consent_on: date | None = Field(None, description="Ngày đoàn viên đồng ý chia sẻ thông tin với ngân hàng")
    id_kind: str | None = Field(None, description="cccd, cmnd or passport")
    id_number: str | None = Field(None, description="Số định danh (CCCD/CMND/hộ chiếu), nếu đoàn viên đồng ý")
    date_of_birth: date | None = Field(None, description="Ngày sinh, nếu đoàn viên đồng ý")
    phone: str | None = Field(None, description="Số điện thoại, nếu đoàn viên đồng ý")


class IssuanceDelivery(BaseModel):
    """The body of one webhook call: steps of the partner's cards, in feed order (one per call today)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    event_type: ClassVar[str] = "cards.issuance.delivery"

    partner: str
    items: list[IssuanceStep]


MESSAGES: tuple[type[BaseModel], ...] = (IssuanceStep, IssuanceDelivery)
