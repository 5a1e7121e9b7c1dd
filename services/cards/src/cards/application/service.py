"""Cards' use cases: request cards for members, move a card along its life, list and verify cards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from chassis import audit
from chassis.errors import FieldError, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from contracts.events.cards_card_v1 import CardRequested, CardSnapshot, CardStatusChanged
from contracts.permissions import Permission
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.repository import CardHolderRepository, CardRepository
from cards.domain.model import OPEN_STATUSES, STATUS_VI, can_move, new_verification_code

SOURCE = "/services/cards"


def snapshot_of(card: Row | dict) -> CardSnapshot:
    values = card if isinstance(card, dict) else card._mapping
    return CardSnapshot(**{name: values[name] for name in CardSnapshot.model_fields})


def _refusal(member_id: UUID, holder: Row | None, reason: str) -> tuple[str, str, str] | None:
    """Why a card cannot be requested for this member (code, Vietnamese, English), or None."""
    if holder is None:
        return ("member-not-found", f"Không tìm thấy đoàn viên {member_id} trong phạm vi quản lý của bạn",
                f"No member {member_id} within your scope")
    if holder.status != "active" or holder.member_code is None:
        return ("member-not-active", f"Đoàn viên {holder.full_name} chưa được phê duyệt hoặc không còn sinh hoạt",
                f"Member {member_id} is not an approved, active member")
    if holder.card_status in OPEN_STATUSES:
        return ("card-already-requested",
                f"Đoàn viên {holder.full_name} đã có thẻ đang chờ in ({STATUS_VI[holder.card_status]})",
                f"Member {member_id} already has a card on its way ({holder.card_status})")
    if reason == "new" and holder.card_status == "delivered":
        return ("card-already-issued",
                f"Đoàn viên {holder.full_name} đã có thẻ; hãy đề nghị cấp lại (mất hoặc hỏng thẻ)",
                f"Member {member_id} already has a card; request a replacement (lost or damaged) instead")
    if reason != "new" and holder.card_status != "delivered":
        return ("no-card-to-replace", f"Đoàn viên {holder.full_name} chưa có thẻ đã giao để cấp lại",
                f"Member {member_id} has no delivered card to replace")
    return None


class CardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.holders = CardHolderRepository(session)
        self.cards = CardRepository(session)

    async def request(
        self, principal: Principal, member_ids: Sequence[UUID], reason: str, kind: str | None, linked_partner: str
    ) -> list[dict]:
        """Đề nghị in thẻ for every member at once, or for none: any refusal names the member and the rule."""
        holders = {row.member_id: row for row in await self.holders.with_current_cards(principal, member_ids)}
        errors = []
        for index, member_id in enumerate(member_ids):
            refusal = _refusal(member_id, holders.get(member_id), reason)
            if refusal is not None:
                errors.append(FieldError(f"member_ids[{index}]", *refusal))
        if errors:
            first = errors[0]
            raise RuleViolation(
                f"Không thể đề nghị in thẻ cho {len(errors)} đoàn viên; không có đề nghị nào được tạo. "
                f"{first.message_vi}",
                f"Cards cannot be requested for {len(errors)} member(s); nothing was requested. {first.message_en}",
                code="card-request-refused", field=first.field, errors=errors,
            )
        units = {holder.unit_id for holder in holders.values()}
        if len(units) == 1:
            audit.note_unit(next(iter(units)))
        now = datetime.now(UTC)
        events = []
        if reason != "new":
            for holder in holders.values():
                note = f"replaced: {reason}"
                revoked = await self.cards.move(holder.card_id, "revoked", note, principal.username, now)
                events.append(CardStatusChanged(member_id=holder.member_id, card=snapshot_of(revoked),
                                                old_status="delivered", note=note))
        rows = []
        for holder in (holders[member_id] for member_id in member_ids):
            card_kind = kind or holder.card_type or "regular"
            rows.append({
                "card_id": uuid7(), "member_id": holder.member_id, "unit_id": holder.unit_id,
                "member_code": holder.member_code, "kind": card_kind,
                "partner": linked_partner if card_kind == "linked" else None,
                "status": "requested", "reason": reason, "card_number": None,
                "verification_code": new_verification_code(),
                "replaces_card_id": holder.card_id if reason != "new" else None,
                "order_id": None,
                "requested_by": principal.username, "requested_at": now, "status_changed_at": now, "version": 1,
            })
        await self.cards.add_many(rows, principal.username)
        events += [CardRequested(member_id=row["member_id"], card=snapshot_of(row)) for row in rows]
        await record_events(self.session, events, SOURCE)
        return [row | {"full_name": holders[row["member_id"]].full_name} for row in rows]

    async def move(self, principal: Principal, card_id: UUID, status: str, note: str | None) -> dict:
        card = await self.cards.get(principal, Permission.CARDS_ORDER, card_id, lock=True)
        if card is None:
            raise card_not_found(card_id)
        audit.note_unit(card.unit_id)
        if card.order_id is not None and card.status == "ordered":
            raise RuleViolation(
                "Thẻ nằm trong một đơn đặt in: thẻ được in hoặc trả lại cùng với đơn (in xong hoặc hủy đơn)",
                "The card is in a print order: it is printed or released with its order (printed or cancelled)",
                code="card-in-print-order", field="card_id",
            )
        if not can_move(card.status, status):
            raise RuleViolation(
                f"Thẻ đang ở trạng thái '{STATUS_VI[card.status]}', không thể chuyển sang '{STATUS_VI[status]}'",
                f"A card that is {card.status} cannot become {status}",
                code="invalid-card-transition", field="status",
            )
        moved = await self.cards.move(card_id, status, note, principal.username, datetime.now(UTC))
        event = CardStatusChanged(member_id=moved.member_id, card=snapshot_of(moved), old_status=card.status, note=note)
        await record_events(self.session, [event], SOURCE)
        return dict(moved._mapping) | {"full_name": card.full_name}

    async def get(self, principal: Principal, card_id: UUID) -> Row:
        card = await self.cards.get(principal, Permission.CARDS_READ, card_id)
        if card is None:
            raise card_not_found(card_id)
        return card


def card_not_found(card_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy thẻ {card_id} trong phạm vi quản lý của bạn",
                    f"No card {card_id} within your scope", code="card-not-found", field="card_id")
