"""All of reporting's SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.views import AggregateView, lock_order
from contracts.permissions import Permission
from pydantic_core import to_json
from sqlalchemy import Row, and_, func, not_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.figures import FigureRepository
from reporting.adapters.tables import member_cards, member_facts, membership_movements, unit_member_counts
from reporting.domain.facts import Effects, Fact
from reporting.domain.movements import COUNTED_STATUSES


class MemberFactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Member and card events come on two topics and may be applied by two consumers at once: both lock the
    # members' rows of member_cards first, then of member_facts, each in member order and in one statement.
    @unscoped("the consumer's own bookkeeping for every unit; no principal is involved")
    async def lock_card_statuses(self, member_ids: Sequence[UUID]) -> dict[UUID, str]:
        """The members' card statuses ("none" for a member without card events), their rows locked."""
        ids = {"member_ids": _ids_document(member_ids)}
        await self.session.execute(_LOCK_CARD_STATUSES, ids)
        rows = await self.session.execute(_CARD_STATUSES, ids)
        return {member_id: card_status for member_id, card_status in rows}

    @unscoped("the consumer's own bookkeeping for every unit; no principal is involved")
    async def set_card_statuses(self, card_statuses: Mapping[UUID, str]) -> None:
        member_ids = sorted(card_statuses, key=lock_order)
        await self.session.execute(
            _SET_CARD_STATUSES, {"member_ids": member_ids, "card_statuses": [card_statuses[m] for m in member_ids]}
        )

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def lock_facts(self, member_ids: Sequence[UUID]) -> dict[UUID, Fact]:
        rows = await self.session.execute(_LOCK_FACTS, {"member_ids": _ids_document(member_ids)})
        return {row.member_id: Fact(**row._mapping) for row in rows}

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def write_member_changes(self, effects: Effects) -> None:
        """The new facts (newer versions of the members), ledger entries and count changes of a poll."""
        if effects.facts:
            await _FACTS.upsert(self.session, effects.facts.values())
        await self._write_ledger_and_counts(effects)

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def write_card_changes(self, effects: Effects) -> None:
        """The facts whose card status moved (the member's version did not) and the count changes of a poll."""
        if effects.facts:
            changed = sorted(effects.facts.values(), key=lambda fact: lock_order(fact.member_id))
            await self.session.execute(
                _SET_FACT_CARD_STATUSES,
                {
                    "member_ids": [fact.member_id for fact in changed],
                    "card_statuses": [fact.card_status for fact in changed],
                },
            )
        await self._write_ledger_and_counts(effects)

    @unscoped("part of a write: the consumer's own bookkeeping")
    async def _write_ledger_and_counts(self, effects: Effects) -> None:
        if effects.ledger:
            await self.session.execute(_ADD_MOVEMENTS, {"entries": to_json(effects.ledger).decode()})
        if effects.figures:
            await FigureRepository(self.session).add_figures(effects.figures)
        if effects.movements:
            await FigureRepository(self.session).add_movements(effects.movements)
        if effects.counts:
            # In key order: two consumers adding to shared counts lock them in the same order.
            changes = [
                {
                    "unit_id": unit_id,
                    "status": status,
                    "gender": gender,
                    "is_foreign": is_foreign,
                    "card_status": card_status,
                    "members": delta,
                }
                for (unit_id, status, gender, is_foreign, card_status), delta in sorted(
                    effects.counts.items(), key=lambda item: (lock_order(item[0][0]), item[0][1:])
                )
            ]
            await self.session.execute(_ADD_COUNTS, {"changes": to_json(changes).decode()})

    async def counts(self, principal: Principal, unit_id: UUID) -> list[Row]:
        """Member counts of the unit itself (not its subtree) by status, gender, nationality and card status."""
        query = (
            select(
                unit_member_counts.c.status,
                unit_member_counts.c.gender,
                unit_member_counts.c.is_foreign,
                unit_member_counts.c.card_status,
                func.sum(unit_member_counts.c.members).label("members"),
            )
            .where(unit_member_counts.c.unit_id == unit_id)
            .group_by(
                unit_member_counts.c.status,
                unit_member_counts.c.gender,
                unit_member_counts.c.is_foreign,
                unit_member_counts.c.card_status,
            )
        )
        query = restrict_to_scope(query, principal, Permission.REPORTS_READ, unit_member_counts.c.unit_id)
        return list(await self.session.execute(query))

    async def members_on(self, principal: Principal, unit_id: UUID, day: date) -> int:
        """Members of the subtree at the end of `day`: the members counted now less what moved in since. Both
        are kept by `apply` in one transaction, so they agree; and a recent day reads only recent movements
        rather than every member's opening row."""
        c, m = unit_member_counts, membership_movements
        now = select(func.coalesce(func.sum(c.c.members), 0)).where(
            in_subtree(c.c.unit_id, unit_id), c.c.status.in_(COUNTED_STATUSES)
        )
        since = select(func.coalesce(func.sum(m.c.delta), 0)).where(
            in_subtree(m.c.unit_id, unit_id), m.c.occurred_on > day
        )
        counted = await self.session.scalar(restrict_to_scope(now, principal, Permission.REPORTS_READ, c.c.unit_id))
        moved = await self.session.scalar(restrict_to_scope(since, principal, Permission.REPORTS_READ, m.c.unit_id))
        return int(counted) - int(moved)

    async def movements_between(self, principal: Principal, unit_id: UUID, first: date, last: date) -> dict[str, int]:
        """Movements of the subtree from `first` to `last` (days included) by kind; a transfer between two units
        of the subtree is not a movement of the subtree."""
        m = membership_movements
        within = and_(m.c.kind.in_(("transferred_in", "transferred_out")), in_subtree(m.c.other_unit_id, unit_id))
        query = (
            select(m.c.kind, func.count().label("members"))
            .where(
                in_subtree(m.c.unit_id, unit_id),
                m.c.occurred_on.between(first, last),
                m.c.kind != "opening",
                not_(within),
            )
            .group_by(m.c.kind)
        )
        rows = await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, m.c.unit_id))
        return {row.kind: row.members for row in rows}


_FACTS = AggregateView(member_facts, tuple(column.name for column in member_facts.columns))


def _ids_document(member_ids: Sequence[UUID]) -> str:
    # One JSON text of a poll's ids, read by PostgreSQL, costs less than an array bound id by id.
    return to_json(list(member_ids)).decode()


_IDS = "(SELECT CAST(id AS uuid) FROM json_array_elements_text(CAST(:member_ids AS json)) AS ids(id))"

# Inserts the members' rows that are missing and locks them all, in member order; `WHERE false` locks the existing
# rows without writing a new version of each.
_LOCK_CARD_STATUSES = text(f"""
INSERT INTO member_cards (member_id, card_status)
SELECT member_id, 'none' FROM {_IDS} AS locked(member_id) ORDER BY 1
ON CONFLICT (member_id) DO UPDATE SET card_status = member_cards.card_status WHERE false
""")

_CARD_STATUSES = text(f"SELECT member_id, card_status FROM member_cards WHERE member_id IN {_IDS}").columns(
    member_cards.c.member_id, member_cards.c.card_status
)

_LOCK_FACTS = text(f"SELECT * FROM member_facts WHERE member_id IN {_IDS} ORDER BY member_id FOR UPDATE").columns(
    *member_facts.columns
)

_SET_CARD_STATUSES = text("""
INSERT INTO member_cards (member_id, card_status)
SELECT * FROM unnest(CAST(:member_ids AS uuid[]), CAST(:card_statuses AS text[]))
ON CONFLICT (member_id) DO UPDATE SET card_status = EXCLUDED.card_status
""")

_SET_FACT_CARD_STATUSES = text("""
UPDATE member_facts SET card_status = changed.card_status
FROM unnest(CAST(:member_ids AS uuid[]), CAST(:card_statuses AS text[])) AS changed(member_id, card_status)
WHERE member_facts.member_id = changed.member_id
""")

_ADD_MOVEMENTS = text("""
INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta, other_unit_id)
SELECT event_id, unit_id, member_id, occurred_on, kind, delta, other_unit_id
FROM json_to_recordset(CAST(:entries AS json)) AS entry(
    event_id uuid, unit_id uuid, member_id uuid, occurred_on date, kind text, delta smallint, other_unit_id uuid)
""")

_ADD_COUNTS = text("""
INSERT INTO unit_member_counts (unit_id, status, gender, is_foreign, card_status, members)
SELECT unit_id, status, gender, is_foreign, card_status, members
FROM jsonb_to_recordset(CAST(:changes AS jsonb)) AS change(
    unit_id uuid, status text, gender text, is_foreign boolean, card_status text, members bigint)
ON CONFLICT (unit_id, status, gender, is_foreign, card_status)
DO UPDATE SET members = unit_member_counts.members + EXCLUDED.members
""")
