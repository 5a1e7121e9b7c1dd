"""What the members service consumes: the union tree (replica, members follow closures) and card statuses."""

from __future__ import annotations

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from chassis.tree import apply_unit_state, tree_handlers
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import cards_card_v1
from contracts.events.orgtree_unit_v1 import UnitDissolved, UnitMerged
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.card_status import CardStatusRepository
from members.application.unit_closure import members_follow_closed_unit


async def on_unit_merged(session: AsyncSession, event: UnitMerged, _envelope: Envelope) -> None:
    await apply_unit_state(session, event.unit)
    await members_follow_closed_unit(session, event.unit_id, event.target_unit_id, "unit merged")


async def on_unit_dissolved(session: AsyncSession, event: UnitDissolved, _envelope: Envelope) -> None:
    await apply_unit_state(session, event.unit)
    if event.successor_unit_id is not None:
        await members_follow_closed_unit(session, event.unit_id, event.successor_unit_id, "unit dissolved")


async def on_cards_changed(
    session: AsyncSession, events: list[cards_card_v1.CardEvent], _envelopes: list[Envelope]
) -> None:
    await CardStatusRepository(session).follow(
        (event.member_id, event.card.status, event.card.verification_code) for event in events
    )


on_card_changed = batched(on_cards_changed)


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {
        **tree_handlers(),
        UnitMerged: on_unit_merged,
        UnitDissolved: on_unit_dissolved,
        **dict.fromkeys(cards_card_v1.EVENTS, on_card_changed),
    }
