"""The banks' side: the feed of the linked cards they issue, and their answers (issued, rejected).

A bank's client (OAuth2 client credentials, scope `cards.issuance:read`) carries its partner code;
the feed is limited to that bank's cards in the client's subtree, whatever the query asks. A person
holding the permission (the national administrator) may pick a bank or see all.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from fastapi import APIRouter, Body, Query

from cards.adapters.bank_identities import BankIdentityRepository
from cards.application.issuance import IssuanceService
from cards.entrypoints.schemas import (
    IssuanceAnswer,
    IssuanceAnswered,
    IssuanceEvent,
    IssuanceFeed,
    IssuanceWithheld,
)

router = APIRouter(prefix="/api/v1/cards", tags=["issuance"])
FEED_KEYSET = Keyset(int)  # the feed position of the last step seen
WITHHELD_KEYSET = Keyset(datetime, UUID)  # newest first: (recorded_at, event_id)
WITHHELD_VI = {"no-bank-consent": "Đoàn viên chưa đồng ý chia sẻ số định danh, ngày sinh, số điện thoại với ngân hàng"}


@router.get("/issuance", response_model=IssuanceFeed, summary="Theo dõi phát hành thẻ liên kết (ngân hàng)")
async def issuance(
    principal: CurrentPrincipal,
    session: Session,
    partner: str | None = Query(None, max_length=20),
    after: str | None = None,
    limit: int = Query(200, ge=1, le=MAX_PAGE_SIZE),
) -> IssuanceFeed:
    window = FEED_KEYSET.window(after, limit)
    rows, has_more = window.split(
        await IssuanceService(session).feed(principal, partner, window.after_value, window.fetch)
    )
    items = [IssuanceEvent.model_validate(row, from_attributes=True) for row in rows]
    # A feed never ends: the cursor always points after the last step seen, so the bank polls from there.
    cursor = FEED_KEYSET.encode(items[-1].sequence) if items else after
    return IssuanceFeed(items=items, next_cursor=cursor, caught_up=not has_more)


@router.post(
    "/issuance/cards/{card_id}/answer",
    response_model=IssuanceAnswered,
    summary="Ngân hàng báo kết quả phát hành thẻ liên kết (đã phát hành / từ chối)",
)
async def answer(
    card_id: UUID, principal: CurrentPrincipal, session: Session, body: IssuanceAnswer = Body()
) -> IssuanceAnswered:
    """Once per card, by the client of the card's bank (scope `cards.issuance:answer`), while the card waits in a
    placed order. Another bank's card is answered like an unknown one (404 `card-not-found`); a second answer is
    409 `already-answered`; a card not waiting in an order is 409 `card-not-ordered`."""
    moved = await IssuanceService(session).answer(
        principal, card_id, body.outcome, **body.model_dump(exclude={"outcome"})
    )
    return IssuanceAnswered(
        card_id=moved.card_id, outcome=body.outcome, status=moved.status, version=moved.version, order_id=moved.order_id
    )


@router.get(
    "/issuance/withheld",
    response_model=Page[IssuanceWithheld],
    summary="Các bước của thẻ liên kết không gửi ngân hàng và lý do",
)
async def withheld(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[IssuanceWithheld]:
    """Steps of linked cards of the caller's subtree that no bank received, newest first: a member who has not
    consented (or withdrew) to share ID number, date of birth and phone with the bank (`no-bank-consent`)."""
    window = WITHHELD_KEYSET.window(after, limit)
    rows = await BankIdentityRepository(session).withheld(principal, unit_id, window.after, window.fetch)
    return window.page(
        rows,
        lambda row: (row["recorded_at"], row["event_id"]),
        lambda row: IssuanceWithheld(**row, reason_vi=WITHHELD_VI.get(row["reason"], row["reason"])),
    )
