"""HTTP endpoints of cards: `/api/v1/cards/...`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import MAX_PAGE_SIZE, Page, cursor_values, encode_cursor, page_of
from contracts.events.cards_card_v1 import CardKind, CardStatus
from fastapi import APIRouter, Depends, FastAPI, Query, Request

from cards.adapters.repository import CardRepository
from cards.application.service import CardService
from cards.config import CardsSettings
from cards.domain.model import STATUS_VI
from cards.entrypoints import issuance_api, print_order_api, public_api
from cards.entrypoints.schemas import CardMove, CardOut, CardRequest, CardsRequested

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])


def verify_base(request: Request) -> str:
    return request.app.state.settings.public_verify_base_url


VerifyBase = Annotated[str, Depends(verify_base)]


def card_out(card, base: str) -> CardOut:
    values = card if isinstance(card, dict) else dict(card._mapping)
    return CardOut(**values, status_vi=STATUS_VI[values["status"]],
                   verification_url=base + values["verification_code"])


@router.post("/requests", response_model=CardsRequested, status_code=201, summary="Đề nghị in thẻ")
async def request_cards(body: CardRequest, principal: CurrentPrincipal, session: Session, base: VerifyBase,
                        request: Request) -> CardsRequested:
    cards = await CardService(session).request(principal, body.member_ids, body.reason, body.kind,
                                               request.app.state.settings.linked_card_partner)
    return CardsRequested(requested=len(cards), cards=[card_out(card, base) for card in cards])


@router.get("/cards", response_model=Page[CardOut], summary="Danh sách thẻ")
async def list_cards(
    principal: CurrentPrincipal, session: Session, base: VerifyBase,
    unit_id: UUID | None = None, subtree: bool = True, status: CardStatus | None = None,
    kind: CardKind | None = None, member_id: UUID | None = None,
    after: str | None = None, limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[CardOut]:
    rows = await CardRepository(session).page(
        principal, unit_id=unit_id, subtree=subtree, status=status, kind=kind, member_id=member_id,
        after=cursor_values(after, datetime.fromisoformat, UUID), limit=limit,
    )
    page = page_of(rows, limit, lambda row: encode_cursor(row.requested_at.isoformat(), str(row.card_id)))
    return Page[CardOut](items=[card_out(row, base) for row in page.items], next_cursor=page.next_cursor)


@router.get("/cards/{card_id}", response_model=CardOut, summary="Một thẻ")
async def get_card(card_id: UUID, principal: CurrentPrincipal, session: Session, base: VerifyBase) -> CardOut:
    return card_out(await CardService(session).get(principal, card_id), base)


@router.post("/cards/{card_id}/status", response_model=CardOut, summary="Chuyển trạng thái thẻ")
async def move_card(card_id: UUID, body: CardMove, principal: CurrentPrincipal, session: Session,
                    base: VerifyBase) -> CardOut:
    return card_out(await CardService(session).move(principal, card_id, body.status, body.note), base)


def create_app(settings: CardsSettings, database: Database) -> FastAPI:
    routers = [router, print_order_api.router, issuance_api.router, public_api.router]
    return create_service_app(settings, database, routers, title="Cards service (Thẻ đoàn viên)")
