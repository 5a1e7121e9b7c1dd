"""What reporting consumes: the union tree (replica), every member change and every card step (read model)."""

from __future__ import annotations

from chassis.consumer import Handler
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import cards_card_v1, members_member_v1
from contracts.wellknown import vietnamese_date
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.repository import MemberFactRepository


async def apply_member_change(session: AsyncSession, event: members_member_v1._MemberEvent,
                              envelope: Envelope) -> None:
    # The day the change happened (the envelope's time, written with the change), not the day it arrived.
    await MemberFactRepository(session).apply(event.member, envelope.id, vietnamese_date(envelope.time))


async def apply_card_change(session: AsyncSession, event: cards_card_v1._CardEvent, _: Envelope) -> None:
    await MemberFactRepository(session).follow_card(event.member_id, event.card.status)


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {**tree_handlers(), **{event: apply_member_change for event in members_member_v1.EVENTS},
            **{event: apply_card_change for event in cards_card_v1.EVENTS}}
