"""Request and response bodies of the cards API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from contracts.events.cards_card_v1 import CardKind, CardReason, CardStatus
from pydantic import BaseModel, ConfigDict, Field, field_validator


class CardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member_ids: list[UUID] = Field(min_length=1, max_length=5000, description="Đoàn viên cần in thẻ")
    reason: CardReason = Field("new", description="new: cấp mới; lost / damaged: cấp lại, thu hồi thẻ cũ")
    kind: CardKind | None = Field(None, description="Loại thẻ; mặc định theo loại thẻ đoàn viên đăng ký")

    @field_validator("member_ids")
    @classmethod
    def _distinct(cls, member_ids: list[UUID]) -> list[UUID]:
        if len(set(member_ids)) != len(member_ids):
            raise ValueError("each member may appear once")
        return member_ids


class CardMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["ordered", "printed", "delivered", "cancelled", "revoked"]
    note: str | None = Field(None, max_length=500)


class CardOut(BaseModel):
    card_id: UUID
    member_id: UUID
    member_code: str
    full_name: str
    unit_id: UUID
    kind: CardKind
    status: CardStatus
    status_vi: str
    reason: CardReason
    card_number: str | None
    partner: str | None = Field(description="The bank issuing a linked card")
    replaces_card_id: UUID | None
    order_id: UUID | None = Field(None, description="Đơn đặt in chứa thẻ (khi đã đặt in)")
    verification_code: str
    verification_url: str
    requested_by: str
    requested_at: datetime
    status_changed_at: datetime


class CardsRequested(BaseModel):
    requested: int
    cards: list[CardOut]


class PublicCard(BaseModel):
    """What anyone holding the card learns by scanning it: enough to trust it, nothing more."""

    full_name: str
    member_code: str
    unit_name: str
    member_status: str
    card_status: CardStatus
    card_status_vi: str
    kind: CardKind
    valid: bool = Field(description="The card is live and its holder an active member")


class IssuanceEvent(BaseModel):
    """One step of a linked card, as its bank follows them: oldest first, `sequence` increasing."""

    sequence: int
    card_id: UUID
    member_id: UUID
    member_code: str
    full_name: str
    unit_id: UUID
    kind: CardKind
    partner: str
    card_number: str | None
    status: CardStatus
    changed_at: datetime


class IssuanceFeed(BaseModel):
    items: list[IssuanceEvent]
    next_cursor: str | None = Field(description="Pass as `after` next time; also when `caught_up` (poll again later)")
    caught_up: bool


class PrintOrderPlace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Đơn vị đặt in (được đặt in thẻ): gom các thẻ đã đề nghị trong đơn vị")
    kind: CardKind = Field(description="regular: in tại Tổng Liên đoàn; linked: ngân hàng phát hành")
    note: str | None = Field(None, max_length=500)


class PrintOrderCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, description="Lý do hủy đơn")


class PrintOrderReceive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Đơn vị xác nhận đã nhận thẻ (các thẻ của đơn vị và cấp dưới)")


class PrintOrderOut(BaseModel):
    order_id: UUID
    order_number: str
    unit_id: UUID
    kind: CardKind
    supplier: str
    status: Literal["placed", "printed", "cancelled"]
    status_vi: str
    card_count: int
    unit_price_vnd: int
    total_vnd: int
    note: str | None
    placed_by: str
    placed_at: datetime
    printed_by: str | None
    printed_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class PrintOrderLine(BaseModel):
    card_id: UUID
    member_id: UUID
    member_code: str
    full_name: str
    unit_id: UUID
    unit_name: str
    kind: CardKind
    status: CardStatus
    card_number: str | None


class CardsReceived(BaseModel):
    received: int = Field(description="Thẻ chuyển sang 'đã giao thẻ'")
