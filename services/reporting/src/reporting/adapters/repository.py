"""All of reporting's SQL."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, subtree_of, unscoped
from contracts.events.cards_card_v1 import HOLDER_CARD_STATUS
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from sqlalchemy import Row, and_, func, insert, not_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import member_cards, member_facts, membership_movements, unit_member_counts
from reporting.domain.movements import COUNTED_STATUSES, movements


class MemberFactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def apply(self, snapshot: MemberSnapshot, event_id: UUID, occurred_on: date) -> bool:
        """Move the member's contribution from its old bucket to its new one and write the movements to the
        ledger. False for a stale event."""
        card_status = await self._lock_card_status(snapshot.member_id)
        previous = (
            await self.session.execute(
                select(member_facts).where(member_facts.c.member_id == snapshot.member_id).with_for_update()
            )
        ).one_or_none()
        if previous is not None and previous.version >= snapshot.version:
            return False
        fact = {
            "unit_id": snapshot.unit_id, "status": snapshot.status, "gender": snapshot.gender,
            "is_foreign": snapshot.is_foreign, "card_status": card_status, "version": snapshot.version,
        }
        await self.session.execute(
            pg_insert(member_facts)
            .values(member_id=snapshot.member_id, **fact)
            .on_conflict_do_update(index_elements=[member_facts.c.member_id], set_=fact)
        )
        if previous is not None:
            await self._add(_bucket(previous._mapping), -1)
        await self._add(_bucket(fact), 1)
        moved = movements((previous.unit_id, previous.status) if previous is not None else None,
                          snapshot.unit_id, snapshot.status)
        if moved:
            await self.session.execute(insert(membership_movements), [
                {"event_id": event_id, "unit_id": m.unit_id, "member_id": snapshot.member_id,
                 "occurred_on": occurred_on, "kind": m.kind, "delta": m.delta, "other_unit_id": m.other_unit_id}
                for m in moved])
        return True

    @unscoped("the consumer applies card events for every unit; no principal is involved")
    async def follow_card(self, member_id: UUID, card_status: str) -> None:
        """The member's card moved: its bucket moves with it (once the member is known)."""
        wanted = HOLDER_CARD_STATUS[card_status]
        await self.session.execute(
            pg_insert(member_cards).values(member_id=member_id, card_status=wanted)
            .on_conflict_do_update(index_elements=[member_cards.c.member_id], set_={"card_status": wanted}))
        fact = (await self.session.execute(
            select(member_facts).where(member_facts.c.member_id == member_id).with_for_update())).one_or_none()
        if fact is None or fact.card_status == wanted:
            return
        await self.session.execute(
            update(member_facts).where(member_facts.c.member_id == member_id).values(card_status=wanted))
        await self._add(_bucket(fact._mapping), -1)
        await self._add(_bucket(fact._mapping) | {"card_status": wanted}, 1)

    @unscoped("part of apply: the consumer's own bookkeeping")
    async def _lock_card_status(self, member_id: UUID) -> str:
        # The member's row in member_cards, created if need be and locked: the card consumer takes it first too.
        await self.session.execute(
            pg_insert(member_cards).values(member_id=member_id, card_status="none").on_conflict_do_nothing())
        return await self.session.scalar(
            select(member_cards.c.card_status).where(member_cards.c.member_id == member_id).with_for_update())

    @unscoped("part of apply: the consumer's own bookkeeping")
    async def _add(self, key: dict, delta: int) -> None:
        if delta < 0:
            await self.session.execute(
                update(unit_member_counts)
                .where(*(unit_member_counts.c[name] == value for name, value in key.items()))
                .values(members=unit_member_counts.c.members + delta)
            )
            return
        await self.session.execute(
            pg_insert(unit_member_counts)
            .values(**key, members=delta)
            .on_conflict_do_update(
                index_elements=list(key), set_={"members": unit_member_counts.c.members + delta}
            )
        )

    async def counts(self, principal: Principal, unit_id: UUID, subtree: bool) -> list[Row]:
        """Member counts by status, gender, nationality and card status for the unit or its whole subtree."""
        if subtree:
            units = subtree_of(unit_id)
            where = unit_member_counts.c.unit_id.in_(units)
        else:
            where = unit_member_counts.c.unit_id == unit_id
        query = (
            select(
                unit_member_counts.c.status, unit_member_counts.c.gender, unit_member_counts.c.is_foreign,
                unit_member_counts.c.card_status, func.sum(unit_member_counts.c.members).label("members"),
            )
            .where(where)
            .group_by(unit_member_counts.c.status, unit_member_counts.c.gender, unit_member_counts.c.is_foreign,
                      unit_member_counts.c.card_status)
        )
        query = restrict_to_scope(query, principal, Permission.REPORTS_READ, unit_member_counts.c.unit_id)
        return list(await self.session.execute(query))

    async def members_on(self, principal: Principal, unit_id: UUID, day: date) -> int:
        """Members of the subtree at the end of `day`: the members counted now less what moved in since. Both
        are kept by `apply` in one transaction, so they agree; and a recent day reads only recent movements
        rather than every member's opening row."""
        c, m = unit_member_counts, membership_movements
        now = select(func.coalesce(func.sum(c.c.members), 0)).where(
            in_subtree(c.c.unit_id, unit_id), c.c.status.in_(COUNTED_STATUSES))
        since = select(func.coalesce(func.sum(m.c.delta), 0)).where(in_subtree(m.c.unit_id, unit_id),
                                                                     m.c.occurred_on > day)
        counted = await self.session.scalar(restrict_to_scope(now, principal, Permission.REPORTS_READ, c.c.unit_id))
        moved = await self.session.scalar(restrict_to_scope(since, principal, Permission.REPORTS_READ, m.c.unit_id))
        return int(counted) - int(moved)

    async def movements_between(self, principal: Principal, unit_id: UUID, first: date, last: date) -> dict[str, int]:
        """Movements of the subtree from `first` to `last` (days included) by kind; a transfer between two units
        of the subtree is not a movement of the subtree."""
        m = membership_movements
        within = and_(m.c.kind.in_(("transferred_in", "transferred_out")), in_subtree(m.c.other_unit_id, unit_id))
        query = (select(m.c.kind, func.count().label("members"))
                 .where(in_subtree(m.c.unit_id, unit_id), m.c.occurred_on.between(first, last),
                        m.c.kind != "opening", not_(within))
                 .group_by(m.c.kind))
        rows = await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, m.c.unit_id))
        return {row.kind: row.members for row in rows}


def _bucket(fact) -> dict:
    """The key of the count a member fact belongs to."""
    return {name: fact[name] for name in ("unit_id", "status", "gender", "is_foreign", "card_status")}
