"""The card shown on a member (search filter, public lookup), fed by the cards service's events."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from chassis.scope import unscoped
from chassis.views import lock_order
from contracts.events.cards_card_v1 import HOLDER_CARD_STATUS
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Only members whose card status or code changes are written: most card steps (requested → ordered) change nothing.
_FOLLOW = text("""
UPDATE members SET card_status = wanted.card_status, card_verification_code = wanted.code
FROM unnest(CAST(:member_ids AS uuid[]), CAST(:card_statuses AS text[]), CAST(:codes AS text[]))
    AS wanted(member_id, card_status, code)
WHERE members.member_id = wanted.member_id
  AND (members.card_status <> wanted.card_status OR members.card_verification_code IS DISTINCT FROM wanted.code)
""")
# A card its holder has in hand: its verification code opens their digital card from the public lookup.
_CARD_IN_HAND = frozenset({"printed", "delivered"})


class CardStatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies card events for every unit; no principal is involved")
    async def follow(self, steps: Iterable[tuple[UUID, str, str | None]]) -> None:
        """Each member's card after these card steps (member id, card status, verification code), in event order."""
        # Card events are keyed by member, so they arrive in order: the latest one of each member wins.
        wanted: dict[UUID, tuple[str, str | None]] = {}
        for member_id, status, code in steps:
            holder_status = HOLDER_CARD_STATUS[status]
            wanted[member_id] = (holder_status, code if holder_status in _CARD_IN_HAND else None)
        if not wanted:
            return
        member_ids = sorted(wanted, key=lock_order)  # two transactions lock shared members in the same order
        await self.session.execute(
            _FOLLOW,
            {
                "member_ids": member_ids,
                "card_statuses": [wanted[m][0] for m in member_ids],
                "codes": [wanted[m][1] for m in member_ids],
            },
        )
