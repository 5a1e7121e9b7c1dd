"""Cards' use cases: request cards for members, move a card along its life, list and verify cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID

from chassis import audit
from chassis.errors import Conflict, FieldError, InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from contracts.events.cards_card_v1 import CardRequested, CardSnapshot, CardStatusChanged
from contracts.permissions import Permission
from contracts.wellknown import vietnamese_date
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.bank_identities import BankIdentityRepository
from cards.adapters.repository import CardHolderRepository, CardRepository, PartnerRepository
from cards.domain.model import CORRECTIONS, OPEN_STATUSES, STATUS_VI, Card, can_move, new_verification_code


def snapshot_of(card: Card | Row) -> CardSnapshot:
    """The card as its events carry it (a `Card`, or a row of cards moved set-based)."""
    return CardSnapshot(**{name: getattr(card, name) for name in CardSnapshot.model_fields})


def _refusal(member_id: UUID, holder: Row | None, reason: str) -> tuple[str, str, str] | None:
    """Why a card cannot be requested for this member (code, Vietnamese, English), or None."""
    if holder is None:
        return (
            "member-not-found",
            f"Không tìm thấy đoàn viên {member_id} trong phạm vi quản lý của bạn",
            f"No member {member_id} within your scope",
        )
    if holder.status != "active" or holder.member_code is None:
        return (
            "member-not-active",
            f"Đoàn viên {holder.full_name} chưa được phê duyệt hoặc không còn sinh hoạt",
            f"Member {member_id} is not an approved, active member",
        )
    if holder.card_status in OPEN_STATUSES:
        return (
            "card-already-requested",
            f"Đoàn viên {holder.full_name} đã có thẻ đang chờ in ({STATUS_VI[holder.card_status]})",
            f"Member {member_id} already has a card on its way ({holder.card_status})",
        )
    if reason == "new" and holder.card_status == "delivered":
        return (
            "card-already-issued",
            f"Đoàn viên {holder.full_name} đã có thẻ; hãy đề nghị cấp lại (mất hoặc hỏng thẻ)",
            f"Member {member_id} already has a card; request a replacement (lost or damaged) instead",
        )
    if reason != "new" and holder.card_status != "delivered":
        return (
            "no-card-to-replace",
            f"Đoàn viên {holder.full_name} chưa có thẻ đã giao để cấp lại",
            f"Member {member_id} has no delivered card to replace",
        )
    return None


def _kind(kind: str | None, holder: Row) -> str:
    """The kind asked for, else the one the member registered for, else a regular card."""
    return kind or holder.card_type or "regular"


class CardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.holders = CardHolderRepository(session)
        self.cards = CardRepository(session)

    async def request(
        self, principal: Principal, member_ids: Sequence[UUID], reason: str, kind: str | None
    ) -> list[Card]:
        """Đề nghị in thẻ for every member at once, or for none: any refusal names the member and the rule. A linked
        card goes to the bank registered for the nearest unit above the member (identity's partner catalogue)."""
        holders = {row.member_id: row for row in await self.holders.with_current_cards(principal, member_ids)}
        issuers = await PartnerRepository(self.session).issuers_of({holder.unit_id for holder in holders.values()})
        consenting = await BankIdentityRepository(self.session).consenting(list(holders))
        errors = []
        for index, member_id in enumerate(member_ids):
            holder = holders.get(member_id)
            refusal = _refusal(member_id, holder, reason)
            if refusal is None and _kind(kind, holder) == "linked" and holder.unit_id not in issuers:
                refusal = (
                    "no-linked-card-partner",
                    f"Chưa có ngân hàng phát hành thẻ liên kết cho đơn vị của đoàn viên {holder.full_name}",
                    f"No bank issues linked cards for member {member_id}'s unit",
                )
            elif refusal is None and _kind(kind, holder) == "linked" and member_id not in consenting:
                refusal = (
                    "no-bank-consent",
                    f"Đoàn viên {holder.full_name} chưa đồng ý chia sẻ số định danh, ngày sinh, số điện thoại "
                    "với ngân hàng phát hành thẻ liên kết (ghi nhận sự đồng ý trong hồ sơ đoàn viên)",
                    f"Member {member_id} has not consented to share their ID number, date of birth and phone "
                    "with the bank issuing linked cards (record the consent on the member)",
                )
            if refusal is not None:
                errors.append(FieldError(f"member_ids[{index}]", *refusal))
        if errors:
            first = errors[0]
            raise RuleViolation(
                f"Không thể đề nghị in thẻ cho {len(errors)} đoàn viên; không có đề nghị nào được tạo. "
                f"{first.message_vi}",
                f"Cards cannot be requested for {len(errors)} member(s); nothing was requested. {first.message_en}",
                code="card-request-refused",
                field=first.field,
                errors=errors,
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
                events.append(
                    CardStatusChanged(
                        member_id=holder.member_id, card=snapshot_of(revoked), old_status="delivered", note=note
                    )
                )
        rows = []
        for holder in (holders[member_id] for member_id in member_ids):
            card_kind = _kind(kind, holder)
            rows.append(
                {
                    "card_id": uuid7(),
                    "member_id": holder.member_id,
                    "unit_id": holder.unit_id,
                    "member_code": holder.member_code,
                    "kind": card_kind,
                    "partner": issuers[holder.unit_id] if card_kind == "linked" else None,
                    "status": "requested",
                    "reason": reason,
                    "card_number": None,
                    "verification_code": new_verification_code(),
                    "replaces_card_id": holder.card_id if reason != "new" else None,
                    "order_id": None,
                    "requested_by": principal.username,
                    "requested_at": now,
                    "status_changed_at": now,
                    "version": 1,
                }
            )
        await self.cards.add_many(rows, principal.username)
        requested = [Card(**row, full_name=holders[row["member_id"]].full_name) for row in rows]
        events += [CardRequested(member_id=card.member_id, card=snapshot_of(card)) for card in requested]
        await record_events(self.session, events)
        return requested

    async def move(self, principal: Principal, card_id: UUID, status: str, reason: str) -> Card:
        """A correction with its reason: withdraw a request or revoke a card. The print order is the one way to
        ordered, printed and delivered (`print_orders.py`)."""
        if status not in CORRECTIONS:
            raise InvalidInput(
                f"Thẻ chỉ chuyển sang '{STATUS_VI.get(status, status)}' qua đơn đặt in",
                f"A card becomes {status} only through its print order",
                code="invalid-input",
                field="status",
            )
        note = reason
        card = await self.cards.get(principal, card_id, Permission.CARDS_ORDER, for_update=True)
        if card is None:
            raise card_not_found(card_id)
        audit.note_unit(card.unit_id)
        if card.order_id is not None and card.status == "ordered":
            raise RuleViolation(
                "Thẻ nằm trong một đơn đặt in: thẻ được in hoặc trả lại cùng với đơn (in xong hoặc hủy đơn)",
                "The card is in a print order: it is printed or released with its order (printed or cancelled)",
                code="card-in-print-order",
                field="card_id",
            )
        if not can_move(card.status, status):
            raise RuleViolation(
                f"Thẻ đang ở trạng thái '{STATUS_VI[card.status]}', không thể chuyển sang '{STATUS_VI[status]}'",
                f"A card that is {card.status} cannot become {status}",
                code="invalid-card-transition",
                field="status",
            )
        moved = await self.cards.move(card_id, status, note, principal.username, datetime.now(UTC))
        event = CardStatusChanged(member_id=moved.member_id, card=snapshot_of(moved), old_status=card.status, note=note)
        await record_events(self.session, [event])
        return replace(moved, full_name=card.full_name)

    async def hand_over(self, principal: Principal, card_id: UUID, on: date) -> Card:
        """Trao thẻ cho đoàn viên: the member's unit records the day it handed the delivered card to its member."""
        card = await self.cards.get(principal, card_id, Permission.CARDS_ORDER, for_update=True)
        if card is None:
            raise card_not_found(card_id)
        audit.note_unit(card.unit_id)
        if card.status != "delivered":
            raise RuleViolation(
                f"Thẻ chưa về đến đơn vị ({STATUS_VI[card.status]}): chưa thể trao cho đoàn viên",
                f"The card is {card.status}, not delivered to its unit: it cannot be handed over",
                code="card-not-delivered",
                field="card_id",
            )
        if card.handed_over_on is not None:
            raise Conflict(
                f"Thẻ đã trao cho đoàn viên ngày {card.handed_over_on:%d/%m/%Y}",
                f"The card was handed over on {card.handed_over_on.isoformat()}",
                code="already-handed-over",
                field="card_id",
            )
        if card.member_status != "active":
            raise RuleViolation(
                f"Đoàn viên {card.full_name} không còn sinh hoạt: không trao thẻ (hãy thu hồi thẻ)",
                f"Member {card.member_id} is no longer active: revoke the card instead",
                code="member-not-active",
                field="card_id",
            )
        if on > vietnamese_date(datetime.now(UTC)):
            raise InvalidInput(
                "Ngày trao thẻ không thể sau hôm nay",
                "The hand-over date cannot be in the future",
                code="handed-over-in-future",
                field="handed_over_on",
            )
        moved = await self.cards.hand_over(card_id, on, f"handed to the member on {on:%d/%m/%Y}", principal.username)
        return replace(moved, full_name=card.full_name)

    async def get(self, principal: Principal, card_id: UUID) -> Card:
        card = await self.cards.get(principal, card_id, Permission.CARDS_READ)
        if card is None:
            raise card_not_found(card_id)
        return card


def card_not_found(card_id: UUID) -> NotFound:
    return NotFound(
        f"Không tìm thấy thẻ {card_id} trong phạm vi quản lý của bạn",
        f"No card {card_id} within your scope",
        code="card-not-found",
        field="card_id",
    )
