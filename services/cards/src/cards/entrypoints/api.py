"""HTTP endpoints of cards: `/api/v1/cards/...`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated
from uuid import UUID

from chassis.database import Database
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from contracts.events.cards_card_v1 import CardKind, CardStatus
from fastapi import APIRouter, Depends, FastAPI, Query, Request

from cards.adapters.repository import CardRepository
from cards.application.card_faces import CardFaceWorker
from cards.application.partner_topics import PartnerTopicPublisher
from cards.application.service import CardService
from cards.application.webhooks import WebhookSender
from cards.config import CardsSettings
from cards.domain.model import STATUS_VI, Card
from cards.entrypoints import face_api, fee_api, issuance_api, print_order_api, public_api, webhook_api
from cards.entrypoints.schemas import CardCorrection, CardHandOver, CardOut, CardRequest, CardsRequested

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])
CARDS_KEYSET = Keyset(datetime, UUID)  # newest first: (requested_at, card_id)


def verify_base(request: Request) -> str:
    return request.app.state.settings.public_verify_base_url


VerifyBase = Annotated[str, Depends(verify_base)]


def card_out(card: Card, base: str) -> CardOut:
    return CardOut(**asdict(card), status_vi=STATUS_VI[card.status], verification_url=base + card.verification_code)


@router.post("/requests", response_model=CardsRequested, status_code=201, summary="Đề nghị in thẻ")
async def request_cards(
    body: CardRequest, principal: CurrentPrincipal, session: Session, base: VerifyBase, request: Request
) -> CardsRequested:
    cards = await CardService(session).request(principal, body.member_ids, body.reason, body.kind)
    return CardsRequested(requested=len(cards), cards=[card_out(card, base) for card in cards])


@router.get("/cards", response_model=Page[CardOut], summary="Danh sách thẻ")
async def list_cards(
    principal: CurrentPrincipal,
    session: Session,
    base: VerifyBase,
    unit_id: UUID | None = None,
    subtree: bool = True,
    status: CardStatus | None = None,
    kind: CardKind | None = None,
    member_id: UUID | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[CardOut]:
    window = CARDS_KEYSET.window(after, limit)
    rows = await CardRepository(session).page(
        principal,
        unit_id=unit_id,
        subtree=subtree,
        status=status,
        kind=kind,
        member_id=member_id,
        after=window.after,
        limit=window.fetch,
    )
    return window.page(rows, lambda row: (row.requested_at, row.card_id), lambda row: card_out(row, base))


@router.get("/cards/{card_id}", response_model=CardOut, summary="Một thẻ")
async def get_card(card_id: UUID, principal: CurrentPrincipal, session: Session, base: VerifyBase) -> CardOut:
    return card_out(await CardService(session).get(principal, card_id), base)


@router.post("/cards/{card_id}/status", response_model=CardOut, summary="Điều chỉnh thẻ: rút đề nghị hoặc thu hồi")
async def correct_card(
    card_id: UUID, body: CardCorrection, principal: CurrentPrincipal, session: Session, base: VerifyBase
) -> CardOut:
    """Only corrections, each with its reason in the card's history (and the write in the audit trail): a
    requested card withdrawn (`cancelled`), a printed or delivered card revoked. Ordered, printed and delivered
    come only from the card's print order (placed, printed, received)."""
    return card_out(await CardService(session).move(principal, card_id, body.status, body.reason), base)


@router.post("/cards/{card_id}/handed-over", response_model=CardOut, summary="Trao thẻ cho đoàn viên")
async def hand_over_card(
    card_id: UUID, body: CardHandOver, principal: CurrentPrincipal, session: Session, base: VerifyBase
) -> CardOut:
    """The member's unit records the day it handed the delivered card to its member (once; not to a member who has
    left: revoke the card instead)."""
    return card_out(await CardService(session).hand_over(principal, card_id, body.handed_over_on), base)


def create_app(settings: CardsSettings, database: Database) -> FastAPI:
    routers = [
        router,
        print_order_api.router,
        fee_api.router,
        face_api.router,
        issuance_api.router,
        webhook_api.router,
        webhook_api.topic_router,
        public_api.router,
    ]
    # Background workers (to the partners, the card faces) live as long as the app: started after the chassis'
    # startup, stopped before the database is disposed.
    running: list[WebhookSender | PartnerTopicPublisher | CardFaceWorker] = []
    if settings.webhooks_enabled:
        running.append(WebhookSender(database, settings))
    if settings.partner_topics_enabled:
        running.append(PartnerTopicPublisher(database, settings))
    if settings.faces_worker_enabled:
        running.append(CardFaceWorker(database, settings))

    async def start() -> None:
        for worker in running:
            worker.start()

    async def stop() -> None:
        for worker in running:
            await worker.stop()

    return create_service_app(
        settings, database, routers, title="Cards service (Thẻ đoàn viên)", on_startup=[start], on_shutdown=[stop]
    )
