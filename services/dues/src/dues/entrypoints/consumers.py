"""What dues consumes: the union tree (replica) and every member change (its view of dues payers)."""

from __future__ import annotations

from chassis.consumer import Handler
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import members_member_v1
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.repository import DuesPayerRepository


async def apply_member_change(session: AsyncSession, event: members_member_v1._MemberEvent, _: Envelope) -> None:
    await DuesPayerRepository(session).apply(event.member)


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {**tree_handlers(), **{event: apply_member_change for event in members_member_v1.EVENTS}}
