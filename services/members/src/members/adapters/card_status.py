"""The card status shown on a member (search filter, public lookup), fed by the cards service's events."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from chassis.scope import unscoped
from chassis.views import lock_order
from contracts.events.cards_card_v1 import HOLDER_CARD_STATUS
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Only members whose status changes are written: most card steps (requested → ordered) change nothing here.
_FOLLOW = text("""
UPDATE members SET card_status = wanted.card_status
FROM unnest(CAST(:member_ids AS uuid[]), CAST(:card_statuses AS text[])) AS wanted(member_id, card_status)
WHERE members.member_id = wanted.member_id AND members.card_status <> wanted.card_status
""")


class CardStatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies card events for every unit; no principal is involved")
    async def follow(self, steps: Iterable[tuple[UUID, str]]) -> None:
        """Each member's card status after these card steps (member id, card status), given in event order."""
        # Card events are keyed by member, so they arrive in order: the latest one of each member wins.
        wanted = {member_id: HOLDER_CARD_STATUS[status] for member_id, status in steps}
        if not wanted:
            return
        member_ids = sorted(wanted, key=lock_order)  # two transactions lock shared members in the same order
        await self.session.execute(
            _FOLLOW, {"member_ids": member_ids, "card_statuses": [wanted[m] for m in member_ids]}
        )
