"""A partner's signed webhook: its endpoint (and secret, shown once), the parked deliveries, retry and replay."""

from __future__ import annotations

from typing import Annotated, Literal

from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from contracts.events.identity_partner_v1 import PARTNER_CODE_PATTERN
from fastapi import APIRouter, Body, Path, Query, Request
from sqlalchemy import Row

from cards.application.partner_webhooks import PartnerWebhookService
from cards.entrypoints.schemas import (
    ParkedDelivery,
    PartnerTopicConfig,
    PartnerTopicOut,
    WebhookConfig,
    WebhookOut,
    WebhookReplay,
)

router = APIRouter(prefix="/api/v1/cards/partners/{partner}/webhook", tags=["issuance"])
topic_router = APIRouter(prefix="/api/v1/cards/partners/{partner}/topic", tags=["issuance"])
PartnerCode = Annotated[str, Path(pattern=PARTNER_CODE_PATTERN, description="Mã đối tác (ngân hàng), vd. CTG")]
PARKED_KEYSET = Keyset(int)


def webhook_out(hook: Row, parked: int, secret: str | None = None) -> WebhookOut:
    return WebhookOut(
        partner=hook.partner,
        url=hook.url,
        active=hook.active,
        position=hook.position,
        parked=parked,
        updated_by=hook.updated_by,
        updated_at=hook.updated_at,
        secret=secret,
    )


@router.put("", response_model=WebhookOut, summary="Đăng ký webhook có chữ ký của ngân hàng đối tác")
async def configure(
    partner: PartnerCode, principal: CurrentPrincipal, session: Session, request: Request, body: WebhookConfig = Body()
) -> WebhookOut:
    """The national centre's card office sets where the partner's feed is POSTed. The secret (HMAC-SHA256) is
    returned once: when the endpoint is first registered, and when `rotate_secret` is set."""
    service = PartnerWebhookService(session)
    hook, secret = await service.configure(
        principal, partner, str(body.url), body.active, body.rotate_secret, request.app.state.settings.environment
    )
    return webhook_out(hook, await service.hooks.waiting_count(partner), secret)


@router.get("", response_model=WebhookOut, summary="Webhook của ngân hàng đối tác")
async def get(partner: PartnerCode, principal: CurrentPrincipal, session: Session) -> WebhookOut:
    hook, parked = await PartnerWebhookService(session).get(principal, partner)
    return webhook_out(hook, parked)


@router.get("/parked", response_model=Page[ParkedDelivery], summary="Các lần gửi webhook bị tạm giữ")
async def parked(
    partner: PartnerCode,
    principal: CurrentPrincipal,
    session: Session,
    state: Literal["parked", "retrying", "delivered"] | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[ParkedDelivery]:
    """Steps the endpoint did not acknowledge after every retry, in feed order (by default those still waiting:
    parked or retrying), each with its attempts and last error."""
    window = PARKED_KEYSET.window(after, limit)
    states = [state] if state else ["parked", "retrying"]
    rows = await PartnerWebhookService(session).parked(principal, partner, states, window.after, window.fetch)
    return window.page(
        rows, lambda row: (row.position,), lambda row: ParkedDelivery.model_validate(row, from_attributes=True)
    )


@router.post(
    "/parked/{position}/retry",
    response_model=ParkedDelivery,
    status_code=202,
    summary="Gửi lại một lần gửi webhook bị tạm giữ",
)
async def retry(
    partner: PartnerCode, position: Annotated[int, Path(ge=1)], principal: CurrentPrincipal, session: Session
) -> ParkedDelivery:
    row = await PartnerWebhookService(session).retry(principal, partner, position)
    return ParkedDelivery.model_validate(row, from_attributes=True)


@router.post("/replay", response_model=WebhookOut, summary="Gửi lại webhook từ một vị trí của luồng phát hành")
async def replay(
    partner: PartnerCode, principal: CurrentPrincipal, session: Session, body: WebhookReplay = Body()
) -> WebhookOut:
    service = PartnerWebhookService(session)
    hook = await service.replay(principal, partner, body.after)
    return webhook_out(hook, await service.hooks.waiting_count(partner))


@topic_router.put("", response_model=PartnerTopicOut, summary="Kênh Kafka riêng của ngân hàng đối tác")
async def configure_topic(
    partner: PartnerCode, principal: CurrentPrincipal, session: Session, body: PartnerTopicConfig = Body()
) -> PartnerTopicOut:
    """The partner's feed is published on `cards.issuance.<partner>.v1` (one partition, feed order), from its
    beginning; `active: false` pauses it, keeping the position."""
    row = await PartnerWebhookService(session).configure_topic(principal, partner, body.active)
    return PartnerTopicOut.model_validate(row, from_attributes=True)


@topic_router.get("", response_model=PartnerTopicOut, summary="Kênh Kafka riêng của ngân hàng đối tác")
async def get_topic(partner: PartnerCode, principal: CurrentPrincipal, session: Session) -> PartnerTopicOut:
    row = await PartnerWebhookService(session).topic(principal, partner)
    return PartnerTopicOut.model_validate(row, from_attributes=True)


@topic_router.post("/replay", response_model=PartnerTopicOut, summary="Phát lại kênh Kafka từ một vị trí")
async def replay_topic(
    partner: PartnerCode, principal: CurrentPrincipal, session: Session, body: WebhookReplay = Body()
) -> PartnerTopicOut:
    row = await PartnerWebhookService(session).replay_topic(principal, partner, body.after)
    return PartnerTopicOut.model_validate(row, from_attributes=True)
