"""The banks' feed: every step of the linked cards they issue, for their machine clients to poll.

A bank's client (OAuth2 client credentials, scope `cards.issuance:read`) carries its partner code;
the feed is limited to that bank's cards in the client's subtree, whatever the query asks. A person
holding the permission (the national administrator) may pick a bank or see all.
"""

from __future__ import annotations

from chassis.errors import Forbidden
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, cursor_values, encode_cursor
from fastapi import APIRouter, Query

from cards.adapters.repository import CardRepository
from cards.entrypoints.schemas import IssuanceEvent, IssuanceFeed

router = APIRouter(prefix="/api/v1/cards", tags=["issuance"])


@router.get("/issuance", response_model=IssuanceFeed, summary="Theo dõi phát hành thẻ liên kết (ngân hàng)")
async def issuance(principal: CurrentPrincipal, session: Session, partner: str | None = Query(None, max_length=20),
                   after: str | None = None, limit: int = Query(200, ge=1, le=MAX_PAGE_SIZE)) -> IssuanceFeed:
    if principal.partner is not None:
        if partner not in (None, principal.partner):
            raise Forbidden(f"Ứng dụng này chỉ được xem thẻ của đối tác {principal.partner}",
                            f"This client may only follow the cards of partner {principal.partner}",
                            code="other-partner", field="partner")
        partner = principal.partner
    position = cursor_values(after, int)
    rows = await CardRepository(session).issuance(principal, partner, position[0] if position else None, limit)
    items = [IssuanceEvent(**row._mapping) for row in rows[:limit]]
    # A feed never ends: the cursor always points after the last step seen, so the bank polls from there.
    cursor = encode_cursor(items[-1].sequence) if items else after
    return IssuanceFeed(items=items, next_cursor=cursor, caught_up=len(rows) <= limit)
