"""What orgtree consumes: where members are, so that it can refuse to dissolve a unit that still holds some.

orgtree owns the tree, so it keeps no tree replica and consumes no unit events.
"""

from __future__ import annotations

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import members_member_v1
from sqlalchemy.ext.asyncio import AsyncSession

from orgtree.adapters.repository import SNAPSHOT_FIELDS, MemberLocationRepository


async def apply_member_locations(
    session: AsyncSession, events: list[members_member_v1.MemberEvent], _: list[Envelope]
) -> None:
    await MemberLocationRepository(session).apply([event.member for event in events])


apply_member_location = batched(apply_member_locations, reads={"member": SNAPSHOT_FIELDS})


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return dict.fromkeys(members_member_v1.EVENTS, apply_member_location)
