"""Request and response bodies of the cards API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from contracts.events.cards_card_v1 import CardKind, CardReason, CardStatus
from contracts.events.cards_issuance_v1 import IssuanceStep
from contracts.events.identity_partner_v1 import PARTNER_CODE_PATTERN
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from cards.domain.fees import MAX_PRICE_VND


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


class CardCorrection(BaseModel):
    """A correction outside the order flow: withdraw a request, or revoke a card that exists (lost, the member left).
    A card is ordered, printed and delivered only through its print order."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["cancelled", "revoked"] = Field(
        description="cancelled: rút đề nghị in (thẻ chưa vào đơn); revoked: thu hồi thẻ đã in hoặc đã giao"
    )
    reason: str = Field(min_length=3, max_length=500, description="Lý do điều chỉnh (ghi vào lịch sử thẻ)")


class CardHandOver(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handed_over_on: date = Field(description="Ngày trao thẻ cho đoàn viên (không sau hôm nay)")


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
    handed_over_on: date | None = Field(None, description="Ngày công đoàn cơ sở trao thẻ cho đoàn viên")


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


class IssuanceEvent(IssuanceStep):
    """One step of a linked card, as its bank follows them: in commit order, `sequence` increasing (with gaps);
    the bank-facing contract `cards.issuance.v1` (ID number, date of birth, phone only with the member's consent)."""


class IssuanceWithheld(BaseModel):
    """A step of a linked card kept out of its bank's feed, and why (`no-bank-consent`)."""

    event_id: UUID
    card_id: UUID
    member_id: UUID
    member_code: str | None
    full_name: str | None
    unit_id: UUID
    partner: str
    status: CardStatus
    reason: str = Field(description="no-bank-consent: đoàn viên chưa đồng ý chia sẻ thông tin với ngân hàng")
    reason_vi: str
    recorded_at: datetime


class IssuanceFeed(BaseModel):
    items: list[IssuanceEvent]
    next_cursor: str | None = Field(description="Pass as `after` next time; also when `caught_up` (poll again later)")
    caught_up: bool


class CardIssued(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["issued"]
    bank_card_number: str = Field(pattern=r"^[0-9]{6,19}$", description="Số thẻ do ngân hàng cấp")
    issued_on: date = Field(description="Ngày ngân hàng phát hành thẻ")


class CardRejected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["rejected"]
    reason: str = Field(min_length=3, max_length=500, description="Lý do ngân hàng từ chối phát hành")


IssuanceAnswer = Annotated[CardIssued | CardRejected, Field(discriminator="outcome")]


class IssuanceAnswered(BaseModel):
    card_id: UUID
    outcome: Literal["issued", "rejected"]
    status: CardStatus = Field(description="The card's status now: printed (issued) or cancelled (rejected)")
    version: int
    order_id: UUID | None


class PrintOrderPlace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Đơn vị đặt in (được đặt in thẻ): gom các thẻ đã đề nghị trong đơn vị")
    kind: CardKind = Field(description="regular: in tại Tổng Liên đoàn; linked: ngân hàng phát hành")
    partner: str | None = Field(
        None,
        pattern=PARTNER_CODE_PATTERN,
        description="Thẻ liên kết: mã ngân hàng; mặc định ngân hàng phát hành của đơn vị",
    )
    note: str | None = Field(None, max_length=500)
    include_without_photo: bool = Field(
        False,
        description="Đặt in cả thẻ của đoàn viên chưa có ảnh 3×4; mặc định các thẻ này không được đặt in (vẫn chờ)",
    )


class PrintOrderCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, description="Lý do hủy đơn")


class PrintOrderReceive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(
        description="Đơn vị xác nhận đã nhận các thẻ đang chuyển đến mình (từ nơi in cho đơn vị đặt "
        "in, từ cấp trên cho các đơn vị khác)"
    )


class PrintOrderHandDown(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UUID = Field(description="Đơn vị bàn giao (đang giữ thẻ)")
    to_unit_id: UUID = Field(description="Đơn vị cấp dưới nhận bàn giao: các thẻ của đơn vị đó và cấp dưới của nó")


class CardsHandedDown(BaseModel):
    handed_down: int = Field(description="Thẻ chuyển xuống đơn vị cấp dưới (đang trên đường)")


class SubunitDelivery(BaseModel):
    unit_id: UUID
    code: str
    name: str
    waiting_here: int = Field(description="Thẻ của đơn vị trực thuộc còn ở đơn vị này (đang đến hoặc đang giữ)")
    on_the_way: int = Field(description="Đã bàn giao xuống, cấp dưới chưa xác nhận nhận")
    held: int = Field(description="Cấp dưới đã nhận, đang giữ chờ bàn giao tiếp")
    delivered: int = Field(description="Đã đến đơn vị của đoàn viên (đã giao thẻ)")


class DeliveryProgress(BaseModel):
    unit_id: UUID
    on_the_way: int = Field(description="Thẻ đang chuyển đến đơn vị này, chưa xác nhận nhận")
    held: int = Field(description="Thẻ đơn vị này đã nhận, chưa bàn giao xuống")
    subunits: list[SubunitDelivery]


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
    include_without_photo: bool = Field(description="Đơn vị đã chọn đặt in cả thẻ của đoàn viên chưa có ảnh")
    left_out_without_photo: int = Field(description="Số thẻ đã đề nghị không vào đơn vì đoàn viên chưa có ảnh")
    left_out_vi: str | None = Field(description="Vì sao có thẻ không vào đơn (tiếng Việt), hoặc null")
    fee_schedule_from: date | None = Field(description="Biểu phí áp dụng (từ ngày); null: đơn lập trước biểu phí")
    blank_vnd: int = Field(description="Phôi thẻ, mỗi thẻ thường (đ)")
    printing_vnd: int = Field(description="In thẻ, mỗi thẻ thường (đ)")
    linked_vnd: int = Field(description="Phí thẻ liên kết, mỗi thẻ (đ)")
    waived_count: int = Field(description="Số thẻ liên kết miễn phí (đơn vị chi lương qua ngân hàng)")
    waived_vnd: int = Field(description="Số tiền được miễn (đ); total_vnd là số phải trả sau khi miễn")


class PrintOrderPreview(BaseModel):
    """What an order of the unit would take if placed now."""

    unit_id: UUID
    kind: CardKind
    supplier: str = Field(description="Nơi in: national_centre (xưởng in Tổng Liên đoàn) hoặc mã ngân hàng phát hành")
    requested: int = Field(description="Số thẻ loại này đã đề nghị trong đơn vị và các đơn vị trực thuộc")
    without_photo: int = Field(description="Trong đó: thẻ của đoàn viên chưa có ảnh 3×4")
    to_order: int = Field(description="Số thẻ sẽ vào đơn nếu không chọn đặt in cả thẻ chưa có ảnh")
    left_out_vi: str | None = Field(description="Vì sao có thẻ sẽ không vào đơn (tiếng Việt), hoặc null")


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
    has_photo: bool = Field(
        False, description="Đoàn viên đã có ảnh 3×4 (false: thẻ được đánh dấu chưa có ảnh trên đơn và mặt thẻ)"
    )


class CardsReceived(BaseModel):
    received: int = Field(description="Thẻ đơn vị xác nhận đã nhận (của đoàn viên đơn vị mình: 'đã giao thẻ')")


class WebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(description="Địa chỉ nhận webhook của ngân hàng (https trong môi trường thật)")
    active: bool = Field(True, description="false: tạm dừng gửi (vị trí được giữ nguyên)")
    rotate_secret: bool = Field(False, description="Cấp khóa ký mới (khóa cũ hết hiệu lực ngay)")


class WebhookOut(BaseModel):
    partner: str
    url: str
    active: bool
    position: int = Field(description="Mọi bước đến vị trí này đã được ngân hàng xác nhận (2xx) hoặc bị tạm giữ")
    parked: int = Field(description="Số lần gửi đang bị tạm giữ")
    updated_by: str
    updated_at: datetime
    secret: str | None = Field(None, description="Khóa ký HMAC-SHA256: chỉ trả về một lần, khi đăng ký hoặc cấp mới")


class ParkedDelivery(BaseModel):
    partner: str
    position: int = Field(description="Vị trí của bước trong luồng phát hành (sequence)")
    event_id: UUID
    state: Literal["parked", "retrying", "delivered"]
    attempts: int
    last_error: str
    parked_at: datetime
    retry_requested_by: str | None
    delivered_at: datetime | None


class WebhookReplay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(ge=0, description="Gửi lại từ bước sau vị trí này (0: từ đầu)")


class PartnerTopicConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(True, description="false: tạm dừng (vị trí được giữ nguyên)")


class PartnerTopicOut(BaseModel):
    partner: str
    topic: str = Field(description="cards.issuance.<mã đối tác>.v1: một phân vùng, theo thứ tự của luồng phát hành")
    active: bool
    position: int = Field(description="Mọi bước đến vị trí này đã được Kafka xác nhận")
    topic_ready_at: datetime | None = Field(description="Khi kênh sẵn sàng (một phân vùng): ngân hàng có thể đăng ký")
    updated_by: str
    updated_at: datetime


class FacePart(BaseModel):
    part: int
    cards: int
    bytes: int


class FaceJobOut(BaseModel):
    job_id: UUID
    order_id: UUID
    state: Literal["queued", "running", "ready", "failed"] = Field(
        description="queued: chờ; running: đang tạo; ready: tải được; failed: lỗi (xem error)"
    )
    total: int = Field(description="Số thẻ của đơn")
    done: int = Field(description="Số thẻ đã tạo mặt")
    progress: float = Field(description="done / total, từ 0 đến 1")
    part_size: int
    parts: list[FacePart]
    error: str | None
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    download: str | None = Field(description="Đường dẫn tải (zip các phần PDF) khi đã xong")


Payer = Literal["member_unit", "ordering_unit"]
Price = Annotated[int, Field(ge=0, le=MAX_PRICE_VND)]


class FeeScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_from: date = Field(description="Ngày bắt đầu áp dụng (sau hôm nay)")
    blank_vnd: Price = Field(description="Phôi thẻ thường, mỗi thẻ (đ)")
    printing_vnd: Price = Field(description="In thẻ thường, mỗi thẻ (đ)")
    linked_vnd: Price = Field(description="Thẻ liên kết, mỗi thẻ (đ); miễn khi đơn vị chi lương qua ngân hàng")
    blank_paid_by: Payer = Field("member_unit", description="Ai chi phôi: member_unit (cấp cơ sở) / ordering_unit")
    printing_paid_by: Payer = Field("member_unit", description="Ai chi tiền in")
    linked_paid_by: Payer = Field("member_unit", description="Ai chi phí thẻ liên kết")
    decision: str = Field(min_length=3, max_length=300, description="Văn bản quy định giá")


class FeeScheduleOut(BaseModel):
    effective_from: date
    blank_vnd: int
    printing_vnd: int
    linked_vnd: int
    blank_paid_by: Payer
    printing_paid_by: Payer
    linked_paid_by: Payer
    decision: str
    created_by: str
    created_at: datetime
    state: Literal["past", "in_force", "upcoming"] = Field(description="Đã hết hiệu lực / đang áp dụng / sắp áp dụng")


class SalaryThroughBankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pays_through_bank: bool = Field(description="Đơn vị chi lương cho đoàn viên qua ngân hàng: thẻ liên kết miễn phí")
    commitment: str = Field(min_length=3, max_length=300, description="Văn bản cam kết chi lương qua thẻ")


class SalaryThroughBankOut(BaseModel):
    unit_id: UUID
    unit_name: str
    pays_through_bank: bool
    commitment: str
    set_by: str
    set_at: datetime


class FeeAmounts(BaseModel):
    regular_cards: int
    linked_cards: int
    waived_cards: int = Field(description="Thẻ liên kết miễn phí")
    blank_vnd: int
    printing_vnd: int
    linked_vnd: int
    waived_vnd: int = Field(description="Được miễn (ngân hàng chịu)")
    payable_vnd: int = Field(description="Phải trả")
    members_units_pay_vnd: int = Field(description="Phần do đơn vị của đoàn viên chi (cấp nào cấp đó chi)")
    ordering_unit_pays_vnd: int = Field(description="Phần do đơn vị đặt in chi")


class FeeStatementOrder(FeeAmounts):
    order_id: UUID
    order_number: str
    placed_at: datetime
    kind: CardKind
    supplier: str
    status: Literal["placed", "printed"]
    ordering_unit_name: str


class FeeStatementSubunit(FeeAmounts):
    unit_id: UUID
    unit_code: str
    unit_name: str


class FeeStatementOut(BaseModel):
    unit_id: UUID
    unit_name: str
    date_from: date
    date_to: date
    orders: list[FeeStatementOrder] = Field(description="Theo đơn đặt in (chỉ thẻ của đơn vị và cấp dưới)")
    subunits: list[FeeStatementSubunit] = Field(description="Theo đơn vị trực thuộc (và chính đơn vị)")
    totals: FeeAmounts
