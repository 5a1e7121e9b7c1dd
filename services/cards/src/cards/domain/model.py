"""A membership card's life and its print orders, free of frameworks: which moves are allowed, the QR code.

requested → ordered → printed → delivered (the grassroots unit confirmed receipt);
requested/ordered → cancelled; printed/delivered → revoked (lost, damaged, or the member left).
A member has at most one card on its way (requested, ordered or printed); a replacement for a lost
or damaged card revokes the delivered one in the same step.

Print orders (đơn đặt in thẻ): placed → printed, or placed → cancelled. Placing one moves the requested cards
of a subtree to `ordered` (regular cards get their national card number, which the print shop prints on them);
printing moves them to `printed`; cancelling gives them back as `requested`, without a number. While its
order is placed a card moves only with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

OPEN_STATUSES = frozenset({"requested", "ordered", "printed"})
# Statuses whose QR code is on a physical card that someone may show.
ISSUED_STATUSES = frozenset({"printed", "delivered", "revoked"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"ordered", "cancelled"}),
    "ordered": frozenset({"printed", "cancelled"}),
    "printed": frozenset({"delivered", "revoked"}),
    "delivered": frozenset({"revoked"}),
    "cancelled": frozenset(),
    "revoked": frozenset(),
}
# What an officer may do to a card outside its print order, with a reason: withdraw a request, revoke a card.
CORRECTIONS = frozenset({"cancelled", "revoked"})
STATUS_VI = {
    "requested": "đã đề nghị in thẻ",
    "ordered": "đã đặt in",
    "printed": "đã in thẻ",
    "delivered": "đã giao thẻ",
    "cancelled": "đã hủy đề nghị",
    "revoked": "thẻ đã bị thu hồi",
}
REASON_VI = {"new": "cấp mới", "lost": "cấp lại do mất thẻ", "damaged": "cấp lại do hỏng thẻ"}

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from a card is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VERIFICATION_CODE_LENGTH = 16  # 80 random bits: guessing a live code is hopeless at any rate limit


def new_verification_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


def normalise_verification_code(text: str) -> str | None:
    """The code as typed or scanned, or None when it cannot be one (the caller answers 'no match')."""
    code = "".join(text.split()).upper().replace("-", "")
    code = code.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(code) != VERIFICATION_CODE_LENGTH or any(c not in _ALPHABET for c in code):
        return None
    return code


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


@dataclass(frozen=True)
class Card:
    card_id: UUID
    member_id: UUID
    unit_id: UUID
    member_code: str
    kind: str  # regular | linked
    status: str
    reason: str  # new | lost | damaged
    verification_code: str
    requested_by: str
    requested_at: datetime
    status_changed_at: datetime
    version: int
    card_number: str | None = None
    partner: str | None = None  # the bank issuing a linked card
    replaces_card_id: UUID | None = None
    order_id: UUID | None = None
    delivery_unit_id: UUID | None = None
    delivery_state: str | None = None  # on_the_way | held
    handed_over_on: date | None = None
    handed_over_by: str | None = None
    # Read with the card where the question needs them: the holder's name and status, the bank's answer.
    full_name: str | None = None
    member_status: str | None = None
    answered: str | None = None


ORDER_STATUS_VI = {"placed": "đã đặt in", "printed": "đã in xong", "cancelled": "đã hủy đơn"}
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    "placed": frozenset({"printed", "cancelled"}),
    "printed": frozenset(),
    "cancelled": frozenset(),
}
KIND_VI = {"regular": "thẻ thường", "linked": "thẻ liên kết ngân hàng"}


@dataclass(frozen=True)
class PrintOrder:
    order_id: UUID
    order_number: str
    unit_id: UUID
    kind: str
    supplier: str  # the national print shop, or the bank's partner code
    status: str
    card_count: int
    unit_price_vnd: int
    total_vnd: int
    placed_by: str
    placed_at: datetime
    version: int
    note: str | None = None
    printed_by: str | None = None
    printed_at: datetime | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    include_without_photo: bool = False
    left_out_without_photo: int = 0
    # The fee breakdown per card from the schedule in force on the order's day (`domain/fees.py`).
    fee_schedule_from: date | None = None
    blank_vnd: int = 0
    printing_vnd: int = 0
    linked_vnd: int = 0
    waived_count: int = 0
    waived_vnd: int = 0


def left_out_vi(left_out_without_photo: int) -> str | None:
    """Why cards that were requested are not in an order (or would not be): their members have no photo."""
    if not left_out_without_photo:
        return None
    count = f"{left_out_without_photo:,}".replace(",", ".")  # 1.234: Vietnamese thousands
    return (
        f"{count} thẻ không được đặt in vì đoàn viên chưa có ảnh 3×4 trong hồ sơ; các thẻ này vẫn chờ đặt in "
        "(bổ sung ảnh rồi lập đơn sau, hoặc chọn đặt in cả thẻ chưa có ảnh)"
    )


def order_number(year: int, serial: int) -> str:
    """Số đơn đặt in: DI-2026-000123 (serial from a sequence that never cycles)."""
    return f"DI-{year}-{serial:06d}"


def can_move_order(old: str, new: str) -> bool:
    return new in ORDER_TRANSITIONS.get(old, frozenset())
