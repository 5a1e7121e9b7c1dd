"""The card status shown on a member (search filter, public lookup), fed by the cards service's events."""

from __future__ import annotations

from uuid import UUID

from chassis.scope import unscoped
from contracts.events.cards_card_v1 import HOLDER_CARD_STATUS
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import members


class CardStatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies card events for every unit; no principal is involved")
    async def follow(self, member_id: UUID, card_status: str) -> None:
        # Card events are keyed by member, so they arrive in order: the latest one wins.
        wanted = HOLDER_CARD_STATUS[card_status]
        await self.session.execute(
            update(members).where(members.c.member_id == member_id, members.c.card_status != wanted)
            .values(card_status=wanted)
        )
