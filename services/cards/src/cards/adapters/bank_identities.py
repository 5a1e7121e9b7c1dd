"""SQL of what a bank needs to issue a linked card: consented members' identity data, and the steps withheld from
the banks' feed for want of that consent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.views import AggregateView
from contracts.events.members_bank_identity_v1 import BankIdentityShared
from contracts.permissions import Permission
from pydantic_core import to_jsonable_python
from sqlalchemy import ARRAY, Uuid, bindparam, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.tables import card_holders, holder_bank_identities, issuance_withheld

_UUIDS = ("event_id", "card_id", "member_id", "unit_id", "order_id", "replaces_card_id")


def _feed_row(step: dict) -> dict:
    """A withheld step as the feed stores it (its JSON's identifiers and time back to their types)."""
    return (
        step
        | {name: UUID(step[name]) for name in _UUIDS if step.get(name)}
        | {"occurred_at": datetime.fromisoformat(step["occurred_at"])}
    )


IDENTITY_FIELDS = ("id_kind", "id_number", "date_of_birth", "phone", "consent_given_on")
_IDENTITIES = AggregateView(holder_bank_identities, ("member_id", *IDENTITY_FIELDS, "version"))


class BankIdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies members' consent events for every unit; no principal is involved")
    async def apply(self, events: Sequence) -> None:
        """Keep the newest consent of each member: its data while it holds, blanks once withdrawn."""
        await _IDENTITIES.upsert(
            self.session,
            [
                {
                    "member_id": event.member_id,
                    "version": event.version,
                    **{
                        name: getattr(event, name) if isinstance(event, BankIdentityShared) else None
                        for name in IDENTITY_FIELDS
                    },
                }
                for event in events
            ],
        )

    @unscoped("the members were read within the caller's scope just before (card request) or by the consumer")
    async def consenting(self, member_ids: Sequence[UUID]) -> set[UUID]:
        """Those of the members whose consent to share their data with their card's bank holds."""
        if not member_ids:
            return set()
        rows = await self.session.scalars(
            select(holder_bank_identities.c.member_id).where(
                holder_bank_identities.c.member_id == bindparam("ids", list(member_ids), type_=ARRAY(Uuid)).any_(),
                holder_bank_identities.c.consent_given_on.is_not(None),
            )
        )
        return set(rows)

    @unscoped("the consumer records withheld steps of every unit; no principal is involved")
    async def withhold(self, steps: Sequence[dict], reason: str) -> None:
        if steps:
            await self.session.execute(
                pg_insert(issuance_withheld).on_conflict_do_nothing(index_elements=[issuance_withheld.c.event_id]),
                [
                    {name: step[name] for name in ("event_id", "card_id", "member_id", "unit_id", "partner", "status")}
                    | {"reason": reason, "step": to_jsonable_python(step)}
                    for step in steps
                ],
            )

    @unscoped("the consumer releases the withheld steps of members who consented; no principal is involved")
    async def release(self, member_ids: Sequence[UUID]) -> list[dict]:
        """The withheld steps of these members, now consenting, taken out of the withheld list in their order."""
        if not member_ids:
            return []
        rows = await self.session.scalars(
            delete(issuance_withheld)
            .where(
                issuance_withheld.c.member_id == bindparam("ids", list(member_ids), type_=ARRAY(Uuid)).any_(),
                issuance_withheld.c.member_id.in_(
                    select(holder_bank_identities.c.member_id).where(
                        holder_bank_identities.c.consent_given_on.is_not(None)
                    )
                ),
            )
            .returning(issuance_withheld.c.step)
        )
        steps = [_feed_row(step) for step in rows]
        return sorted(steps, key=lambda step: (step["occurred_at"], step["card_version"]))

    async def withheld(self, principal: Principal, unit_id: UUID | None, after: tuple | None, limit: int) -> list[dict]:
        """The withheld steps of the caller's subtree (of `unit_id`'s when given), newest first."""
        held = issuance_withheld
        query = (
            select(held, card_holders.c.full_name, card_holders.c.member_code)
            .outerjoin(card_holders, card_holders.c.member_id == held.c.member_id)
            .order_by(held.c.recorded_at.desc(), held.c.event_id.desc())
            .limit(limit)
        )
        if unit_id is not None:
            query = query.where(in_subtree(held.c.unit_id, unit_id))
        if after is not None:
            query = query.where(tuple_(held.c.recorded_at, held.c.event_id) < tuple_(*after))
        query = restrict_to_scope(query, principal, Permission.CARDS_READ, held.c.unit_id)
        return [dict(row._mapping) for row in await self.session.execute(query)]
