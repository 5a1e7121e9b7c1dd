"""What dues consumes: the union tree (replica) and every member change (its view of dues payers)."""

from __future__ import annotations

from datetime import UTC, datetime

from chassis.consumer import Handler, batched
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent
from contracts.envelope import Envelope
from contracts.events import members_member_v1
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.repository import SNAPSHOT_FIELDS, ArrearsRepository, DuesPayerRepository


async def apply_member_changes(
    session: AsyncSession, events: list[members_member_v1.MemberEvent], envelopes: list[Envelope | None]
) -> None:
    # The event's time is when the member's change took effect (a transfer, a suspension): the history of who
    # was in which unit that recorded months are checked against.
    now = datetime.now(UTC)
    written = await DuesPayerRepository(session).apply(
        [event.member for event in events], [envelope.time if envelope else now for envelope in envelopes]
    )
    await ArrearsRepository(session).follow_members(list(written))


apply_member_change = batched(apply_member_changes, reads={"member": SNAPSHOT_FIELDS})


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return {**tree_handlers(), **dict.fromkeys(members_member_v1.EVENTS, apply_member_change)}
