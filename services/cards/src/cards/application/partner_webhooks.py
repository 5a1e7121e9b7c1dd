"""Configuring a partner's signed webhook, and what its deliveries left parked: the national centre's card office
configures and retries; the partner's own client may look at its endpoint and parked steps."""

from __future__ import annotations

from chassis.errors import Conflict, InvalidInput, NotFound
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.cards_issuance_v1 import partner_topic
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.repository import PartnerRepository
from cards.adapters.webhooks import PartnerTopicRepository, WebhookRepository
from cards.application.webhooks import new_secret, url_refusal


def webhook_not_found(partner: str) -> NotFound:
    return NotFound(
        f"Đối tác {partner} chưa đăng ký webhook",
        f"Partner {partner} has no webhook",
        code="webhook-not-found",
        field="partner",
    )


class PartnerWebhookService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.hooks = WebhookRepository(session)

    async def _known(self, partner: str) -> None:
        if not await PartnerRepository(self.session).is_active(partner):
            raise NotFound(
                f"Không có đối tác {partner}", f"No partner {partner}", code="unknown-partner", field="partner"
            )

    async def _may_manage(self, principal: Principal) -> None:
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, NATIONAL_CENTRE_ID)

    async def _may_read(self, principal: Principal, partner: str) -> None:
        if principal.partner is not None:  # a bank's client sees its own endpoint only, like an unknown one
            if principal.partner != partner:
                raise webhook_not_found(partner)
            return
        await ensure_in_scope(self.session, principal, Permission.CARDS_READ, NATIONAL_CENTRE_ID)

    async def configure(
        self, principal: Principal, partner: str, url: str, active: bool, rotate_secret: bool, environment: str
    ) -> tuple[Row, str | None]:
        """Set the endpoint; a new endpoint gets a secret, shown once (again only when rotated)."""
        await self._may_manage(principal)
        await self._known(partner)
        refusal = url_refusal(url, environment)
        if refusal is not None:
            raise InvalidInput(
                "Địa chỉ webhook không được phép: môi trường thật chỉ dùng https, môi trường thử chỉ gửi đến máy này",
                f"This webhook address is not allowed: {refusal}",
                code="webhook-url-not-allowed",
                field="url",
            )
        existing = await self.hooks.get(partner)
        secret = new_secret() if existing is None or rotate_secret else None
        values = {"partner": partner, "url": url, "active": active, "updated_by": principal.username}
        saved = await self.hooks.save(values | ({"secret": secret} if secret else {"secret": existing.secret}))
        return saved, secret

    async def get(self, principal: Principal, partner: str) -> tuple[Row, int]:
        await self._may_read(principal, partner)
        hook = await self.hooks.get(partner)
        if hook is None:
            raise webhook_not_found(partner)
        return hook, await self.hooks.waiting_count(partner)

    async def parked(
        self, principal: Principal, partner: str, states: list[str], after: tuple | None, limit: int
    ) -> list[Row]:
        await self.get(principal, partner)
        return await self.hooks.parked(partner, states, after, limit)

    async def retry(self, principal: Principal, partner: str, position: int) -> Row:
        """Send a parked step again (the sender takes it on its next round, before the new steps)."""
        await self._may_manage(principal)
        await self.get(principal, partner)
        parked = await self.hooks.lock_parked(partner, position)
        if parked is None:
            raise NotFound(
                f"Không có lần gửi bị tạm giữ ở vị trí {position}",
                f"No parked delivery at {position}",
                code="parked-delivery-not-found",
                field="position",
            )
        if parked.state != "parked":
            raise Conflict(
                f"Lần gửi ở vị trí {position} không bị tạm giữ (trạng thái {parked.state})",
                f"The delivery at {position} is not parked ({parked.state})",
                code="not-parked",
                field="position",
            )
        return await self.hooks.request_retry(partner, position, principal.username)

    async def replay(self, principal: Principal, partner: str, after: int) -> Row:
        """Deliver the partner's feed again from the step after position `after` (0: from the beginning)."""
        await self._may_manage(principal)
        await self.get(principal, partner)
        return await self.hooks.set_position(partner, after, principal.username)

    async def configure_topic(self, principal: Principal, partner: str, active: bool) -> Row:
        """Publish the partner's feed on its own topic (from its beginning), or pause it (its position is kept)."""
        await self._may_manage(principal)
        await self._known(partner)
        return await PartnerTopicRepository(self.session).save(
            partner, partner_topic(partner), active, principal.username
        )

    async def topic(self, principal: Principal, partner: str) -> Row:
        await self._may_read(principal, partner)
        found = await PartnerTopicRepository(self.session).get(partner)
        if found is None:
            raise NotFound(
                f"Đối tác {partner} chưa có kênh Kafka riêng",
                f"Partner {partner} has no topic",
                code="topic-not-found",
                field="partner",
            )
        return found

    async def replay_topic(self, principal: Principal, partner: str, after: int) -> Row:
        await self._may_manage(principal)
        await self.topic(principal, partner)
        return await PartnerTopicRepository(self.session).set_position(partner, after, principal.username)
