"""All of dues' SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.tables import tree_units
from chassis.views import AggregateView, lock_order
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from pydantic_core import to_json
from sqlalchemy import Row, and_, delete, func, insert, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.tables import (
    dues_arrears,
    dues_arrears_units,
    dues_collections,
    dues_lines,
    dues_payers,
    dues_policies,
    dues_remittances,
)
from dues.domain.model import PAYING_STATUSES, DuesMonth, DuesPolicy, ExemptionReason, Remittance, next_month

_PAYERS = AggregateView(
    dues_payers, ("member_id", "unit_id", "member_code", "full_name", "status", "version", "joined_on")
)
# What the consumer reads of a member event's snapshot: the payers' columns (their spells' among them), no more.
SNAPSHOT_FIELDS = _PAYERS.columns
VIETNAM = timezone(timedelta(hours=7))  # a month ends at midnight in Vietnam

_ADD_SPELLS = text("""
INSERT INTO dues_payer_spells (member_id, version, unit_id, status, valid_from)
SELECT member_id, version, unit_id, status, valid_from
FROM jsonb_to_recordset(CAST(:rows AS jsonb))
     AS incoming(member_id uuid, version integer, unit_id uuid, status text, valid_from timestamptz)
ON CONFLICT DO NOTHING
""")

# The members of a unit at a month's end (any status).
# A spell lasts until the member's next version; the first paying one reaches back to the member's joining.
_AT_MONTH_END = text("""
WITH spells AS (
    SELECT s.member_id, s.unit_id, s.status, s.version, lead(s.valid_from) OVER w AS ends,
           CASE WHEN s.status = ANY(:paying) AND count(*) FILTER (WHERE s.status = ANY(:paying)) OVER w = 1
                THEN '-infinity'::timestamptz ELSE s.valid_from END AS starts
    FROM dues_payer_spells s
    WHERE s.member_id IN (SELECT member_id FROM dues_payer_spells WHERE unit_id = :unit_id)
    WINDOW w AS (PARTITION BY s.member_id ORDER BY s.version)
), at_end AS (
    SELECT DISTINCT ON (member_id) member_id, unit_id, status
    FROM spells WHERE starts < :month_end AND (ends IS NULL OR ends >= :month_end)
    ORDER BY member_id, status = ANY(:paying) DESC, version DESC
)
SELECT e.member_id, e.status, p.full_name, p.member_code
FROM at_end e JOIN dues_payers p ON p.member_id = e.member_id
WHERE e.unit_id = :unit_id AND (p.joined_on IS NULL OR p.joined_on < :month_end_day)
""")

# The salary of each member's latest live line with one before `month`. Read only for the members a month records
# without a salary (left out, or unpaid without one): every line a member has ever had is read, which at a year of
# months and more is most of a month's cost if done for the whole unit.
_LAST_SALARIES = text("""
SELECT m.member_id, last.salary_vnd
FROM unnest(CAST(:ids AS uuid[])) AS m (member_id),
LATERAL (SELECT l.salary_vnd FROM dues_lines l JOIN dues_collections c ON c.collection_id = l.collection_id
         WHERE l.member_id = m.member_id AND c.status = 'recorded' AND c.month < :month AND l.salary_vnd IS NOT NULL
         ORDER BY c.month DESC LIMIT 1) AS last
""")


class DuesPayerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies member events for every unit; no principal is involved")
    async def apply(self, snapshots: Sequence[MemberSnapshot], times: Sequence[datetime]) -> set[UUID]:
        """Keep the view of these members current and their history complete (each snapshot from `times`, its
        event's time); returns those written to the view (stale snapshots are not)."""
        spells = [
            {
                "member_id": str(m.member_id),
                "version": m.version,
                "unit_id": str(m.unit_id),
                "status": m.status,
                "valid_from": at.isoformat(),
            }
            for m, at in zip(snapshots, times, strict=True)
        ]
        if spells:
            await self.session.execute(_ADD_SPELLS, {"rows": to_json(spells).decode()})
        return await _PAYERS.upsert(self.session, snapshots)

    @unscoped("the members of one unit the service checked against the caller's scope just before")
    async def at_month_end(self, unit_id: UUID, month: date) -> list[Row]:
        """Who was in `unit_id` at the end of `month` (in any status), whatever unit they are in now."""
        end = next_month(month)
        return list(
            await self.session.execute(
                _AT_MONTH_END,
                {
                    "unit_id": unit_id,
                    "month": month,
                    "month_end_day": end,
                    "paying": list(PAYING_STATUSES),
                    "month_end": datetime(end.year, end.month, end.day, tzinfo=VIETNAM),
                },
            )
        )

    @unscoped("members of one unit the service checked against the caller's scope just before")
    async def last_salaries(self, member_ids: Sequence[UUID], month: date) -> dict[UUID, int]:
        """The salary of each member's latest recorded month before `month` that has one."""
        if not member_ids:
            return {}
        rows = await self.session.execute(_LAST_SALARIES, {"ids": list(member_ids), "month": month})
        return {row.member_id: row.salary_vnd for row in rows}


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[DuesPolicy]:
        """Every policy, oldest first."""
        return [
            DuesPolicy(
                **dict(row._mapping)
                | {"exemption_reasons": tuple(ExemptionReason(**reason) for reason in row.exemption_reasons)}
            )
            for row in await self.session.execute(select(dues_policies).order_by(dues_policies.c.effective_from))
        ]

    async def add(self, policy: DuesPolicy) -> bool:
        """False when a policy already starts that day (a policy is never edited: a new one takes over)."""
        values = asdict(policy) | {"exemption_reasons": [asdict(reason) for reason in policy.exemption_reasons]}
        del values["created_at"]
        added = await self.session.scalar(
            pg_insert(dues_policies).values(**values).on_conflict_do_nothing().returning(dues_policies.c.effective_from)
        )
        return added is not None

    async def set_exemption_reasons(self, effective_from: date, reasons: tuple[ExemptionReason, ...]) -> None:
        await self.session.execute(
            update(dues_policies)
            .where(dues_policies.c.effective_from == effective_from)
            .values(exemption_reasons=[asdict(reason) for reason in reasons])
        )


# A month's lines in one statement (not one per line: a month has up to 20,000).
_ADD_LINES = text("""
INSERT INTO dues_lines (collection_id, member_id, salary_vnd, norm_vnd, paid_vnd, upper_share_vnd, exemption)
SELECT collection_id, member_id, salary_vnd, norm_vnd, paid_vnd, upper_share_vnd, exemption
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS line(collection_id uuid, member_id uuid, salary_vnd bigint,
     norm_vnd bigint, paid_vnd bigint, upper_share_vnd bigint, exemption text)
""")

# A subtree's live records summed (a month's, or each month's of a year).
_TOTALS = (
    func.count().label("units_reported"),
    func.coalesce(func.sum(dues_collections.c.members_paid), 0).label("members_paid"),
    func.coalesce(func.sum(dues_collections.c.members_exempt), 0).label("members_exempt"),
    func.coalesce(func.sum(dues_collections.c.members_part_paid), 0).label("members_part_paid"),
    func.coalesce(func.sum(dues_collections.c.members_unpaid), 0).label("members_unpaid"),
    func.coalesce(func.sum(dues_collections.c.owed_vnd), 0).label("owed_vnd"),
    func.coalesce(func.sum(dues_collections.c.collected_vnd), 0).label("collected_vnd"),
    func.coalesce(func.sum(dues_collections.c.norm_vnd), 0).label("norm_vnd"),
    func.coalesce(func.sum(dues_collections.c.upper_share_vnd), 0).label("upper_share_vnd"),
    func.coalesce(func.sum(dues_collections.c.grassroots_share_vnd), 0).label("grassroots_share_vnd"),
)


class CollectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("reads the capability of a unit the service checked against the caller's scope just before")
    async def may_collect_dues(self, unit_id: UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(tree_units.c.can_collect_dues).where(
                    tree_units.c.unit_id == unit_id, tree_units.c.status == "active"
                )
            )
        )

    async def live(self, principal: Principal, unit_id: UUID, month: date) -> DuesMonth | None:
        """The month's live record of the unit, locked (a correction and a second recording queue behind it)."""
        query = (
            select(dues_collections)
            .where(
                dues_collections.c.unit_id == unit_id,
                dues_collections.c.month == month,
                dues_collections.c.status == "recorded",
            )
            .with_for_update()
        )
        return _month(
            (
                await self.session.execute(
                    restrict_to_scope(query, principal, Permission.DUES_WRITE, dues_collections.c.unit_id)
                )
            ).one_or_none()
        )

    @unscoped("supersedes the record the service loaded through the caller's scope just before")
    async def supersede(self, collection_id: UUID, at: datetime) -> None:
        await self.session.execute(
            update(dues_collections)
            .where(dues_collections.c.collection_id == collection_id)
            .values(status="superseded", superseded_at=at)
        )

    @unscoped("adds the record of a unit the service checked against the caller's scope just before")
    async def add(self, collection: dict, lines: list[dict]) -> DuesMonth | None:
        """The new live record, or None when another recording of the same unit and month committed first."""
        row = (
            await self.session.execute(
                pg_insert(dues_collections)
                .values(**collection)
                .on_conflict_do_nothing(
                    index_elements=[dues_collections.c.unit_id, dues_collections.c.month],
                    index_where=dues_collections.c.status == "recorded",
                )
                .returning(*dues_collections.c)
            )
        ).one_or_none()
        if row is not None and lines:
            await self.session.execute(_ADD_LINES, {"rows": to_json(lines).decode()})
        return _month(row)

    async def get(self, principal: Principal, collection_id: UUID) -> DuesMonth | None:
        query = select(dues_collections).where(dues_collections.c.collection_id == collection_id)
        return _month(
            (
                await self.session.execute(
                    restrict_to_scope(query, principal, Permission.DUES_READ, dues_collections.c.unit_id)
                )
            ).one_or_none()
        )

    @unscoped("lines of a record the service loaded through the caller's scope just before")
    async def lines(self, collection_id: UUID) -> list[Row]:
        return list(
            await self.session.execute(
                select(dues_lines, dues_payers.c.full_name, dues_payers.c.member_code)
                .join(dues_payers, dues_payers.c.member_id == dues_lines.c.member_id)
                .where(dues_lines.c.collection_id == collection_id)
                .order_by(dues_payers.c.full_name, dues_lines.c.member_id)
            )
        )

    async def page(
        self,
        principal: Principal,
        *,
        unit_id: UUID | None,
        month: date | None,
        include_superseded: bool,
        after: tuple[date, UUID] | None,
        limit: int,
        subtree: bool = True,
    ) -> list[DuesMonth]:
        """Records newest month first, keyset-paged on (month, collection_id); `unit_id` takes its subtree, or only
        itself (`subtree` false)."""
        query = select(dues_collections)
        if unit_id is not None and subtree:
            query = query.where(in_subtree(dues_collections.c.unit_id, unit_id))
        elif unit_id is not None:
            query = query.where(dues_collections.c.unit_id == unit_id)
        if month is not None:
            query = query.where(dues_collections.c.month == month)
        if not include_superseded:
            query = query.where(dues_collections.c.status == "recorded")
        if after is not None:
            at, collection_id = after
            query = query.where(
                or_(
                    dues_collections.c.month < at,
                    and_(dues_collections.c.month == at, dues_collections.c.collection_id < collection_id),
                )
            )
        query = query.order_by(dues_collections.c.month.desc(), dues_collections.c.collection_id.desc())
        return [
            _month(row)
            for row in await self.session.execute(
                restrict_to_scope(query.limit(limit), principal, Permission.DUES_READ, dues_collections.c.unit_id)
            )
        ]

    async def month_totals(self, principal: Principal, unit_id: UUID, month: date) -> dict:
        """The month's live records of every unit in `unit_id`'s subtree, summed."""
        query = select(*_TOTALS).where(
            in_subtree(dues_collections.c.unit_id, unit_id),
            dues_collections.c.month == month,
            dues_collections.c.status == "recorded",
        )
        return dict(
            (
                await self.session.execute(
                    restrict_to_scope(query, principal, Permission.DUES_READ, dues_collections.c.unit_id)
                )
            )
            .one()
            ._mapping
        )

    async def year_totals(self, principal: Principal, unit_id: UUID, year: int) -> dict[date, dict]:
        """The same sums for every month of a year that has live records, in one statement, by month."""
        query = (
            select(dues_collections.c.month, *_TOTALS)
            .where(
                in_subtree(dues_collections.c.unit_id, unit_id),
                dues_collections.c.status == "recorded",
                dues_collections.c.month >= date(year, 1, 1),
                dues_collections.c.month <= date(year, 12, 1),
            )
            .group_by(dues_collections.c.month)
        )
        return {
            row.month: dict(row._mapping)
            for row in await self.session.execute(
                restrict_to_scope(query, principal, Permission.DUES_READ, dues_collections.c.unit_id)
            )
        }

    @unscoped("names a unit the service checked against the caller's scope just before")
    async def unit_name(self, unit_id: UUID) -> str:
        return await self.session.scalar(select(tree_units.c.name).where(tree_units.c.unit_id == unit_id)) or ""

    @unscoped("counts units of a subtree the service checked against the caller's scope just before")
    async def collecting_units(self, unit_id: UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(tree_units)
                .where(
                    in_subtree(tree_units.c.unit_id, unit_id),
                    tree_units.c.can_collect_dues,
                    tree_units.c.status == "active",
                )
            )
        )


# The rows owed of the live records among `{collections}` (a subquery of collection ids), under each member's
# current unit. Exempt lines owe nothing; a suspended member's lines are exempt.
ARREARS_OF_COLLECTIONS = """
INSERT INTO dues_arrears (collection_id, member_id, month, recorded_by_unit_id, unit_id, salary_vnd, norm_vnd,
                          paid_vnd, owed_vnd)
SELECT l.collection_id, l.member_id, c.month, c.unit_id, p.unit_id, l.salary_vnd, l.norm_vnd, l.paid_vnd,
       l.norm_vnd - l.paid_vnd
FROM dues_lines l
JOIN dues_collections c ON c.collection_id = l.collection_id
JOIN dues_payers p ON p.member_id = l.member_id
WHERE l.collection_id IN ({collections}) AND c.status = 'recorded' AND l.exemption IS NULL
  AND l.paid_vnd < l.norm_vnd
"""

# Each unit of `{units}` (a subquery of unit ids): its members' arrears summed again.
REFRESH_UNITS = """
INSERT INTO dues_arrears_units (unit_id, members_owing, months_owed, owed_vnd)
SELECT u.unit_id, count(DISTINCT a.member_id), count(a.member_id), coalesce(sum(a.owed_vnd), 0)
FROM ({units}) AS u (unit_id) LEFT JOIN dues_arrears a ON a.unit_id = u.unit_id
GROUP BY u.unit_id
ON CONFLICT (unit_id) DO UPDATE SET members_owing = EXCLUDED.members_owing,
    months_owed = EXCLUDED.months_owed, owed_vnd = EXCLUDED.owed_vnd
"""
_IDS = "SELECT unnest(CAST(:ids AS uuid[]))"
_ADD_ARREARS = text(ARREARS_OF_COLLECTIONS.format(collections=_IDS))
_REFRESH = text(REFRESH_UNITS.format(units=_IDS))
# Rows of moved members (their arrears follow them), old and new unit.
_MOVE_ARREARS = text("""
WITH moved AS (
    SELECT a.collection_id, a.member_id, a.unit_id AS old_unit, p.unit_id AS new_unit
    FROM dues_arrears a JOIN dues_payers p ON p.member_id = a.member_id
    WHERE a.member_id = ANY(CAST(:ids AS uuid[])) AND a.unit_id <> p.unit_id
), updated AS (
    UPDATE dues_arrears a SET unit_id = m.new_unit FROM moved m
    WHERE a.collection_id = m.collection_id AND a.member_id = m.member_id
)
SELECT DISTINCT unnest(ARRAY[old_unit, new_unit]) FROM moved
""")


class ArrearsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("follows a record the service wrote in the caller's scope just before")
    async def follow_record(self, collection_id: UUID, superseded_id: UUID | None) -> None:
        """The arrears of the month replaced by those of its new record, and the sums of the units concerned."""
        ids = [collection_id] if superseded_id is None else [collection_id, superseded_id]
        units = sorted(
            await self.session.scalars(
                select(dues_payers.c.unit_id)
                .distinct()
                .join(dues_lines, dues_lines.c.member_id == dues_payers.c.member_id)
                .where(dues_lines.c.collection_id.in_(ids))
            ),
            key=lock_order,
        )
        # Locked first (in one order), so that two months recorded at once sum each unit one after the other.
        await self._lock(units)
        if superseded_id is not None:
            await self.session.execute(delete(dues_arrears).where(dues_arrears.c.collection_id == superseded_id))
        await self.session.execute(_ADD_ARREARS, {"ids": [collection_id]})
        await self.session.execute(_REFRESH, {"ids": units})

    @unscoped("the consumer moves the arrears of members who changed unit; no principal is involved")
    async def follow_members(self, member_ids: Sequence[UUID]) -> None:
        if not member_ids:
            return
        units = sorted(await self.session.scalars(_MOVE_ARREARS, {"ids": list(member_ids)}), key=lock_order)
        if units:
            await self._lock(units)
            await self.session.execute(_REFRESH, {"ids": units})

    @unscoped("locks the sums of units the caller has just computed")
    async def _lock(self, units: list[UUID]) -> None:
        if not units:
            return
        await self.session.execute(
            pg_insert(dues_arrears_units)
            .values([{"unit_id": unit, "members_owing": 0, "months_owed": 0, "owed_vnd": 0} for unit in units])
            .on_conflict_do_nothing()
        )
        await self.session.execute(
            select(dues_arrears_units.c.unit_id)
            .where(dues_arrears_units.c.unit_id.in_(units))
            .order_by(dues_arrears_units.c.unit_id)
            .with_for_update()
        )

    async def summary(self, principal: Principal, unit_id: UUID) -> dict:
        """The arrears of the members now in `unit_id`'s subtree."""
        query = select(
            func.coalesce(func.sum(dues_arrears_units.c.members_owing), 0).label("members_owing"),
            func.coalesce(func.sum(dues_arrears_units.c.months_owed), 0).label("months_owed"),
            func.coalesce(func.sum(dues_arrears_units.c.owed_vnd), 0).label("owed_vnd"),
        ).where(in_subtree(dues_arrears_units.c.unit_id, unit_id))
        return dict(
            (
                await self.session.execute(
                    restrict_to_scope(query, principal, Permission.DUES_READ, dues_arrears_units.c.unit_id)
                )
            )
            .one()
            ._mapping
        )

    async def members(
        self, principal: Principal, unit_id: UUID, after: tuple[UUID, UUID] | None, limit: int | None
    ) -> list[Row]:
        """The members now in `unit_id`'s subtree who owe, with their months and amount, by unit then member.

        By unit first: the subtree's units come in id order from the closure index and each unit's rows in member
        order from `dues_arrears_unit`, so a page stops after its members (0.6 ms for a province of 100,000 rows
        owed) instead of grouping the whole subtree to sort it (~200-300 ms)."""
        key = (dues_arrears.c.unit_id, dues_arrears.c.member_id)
        owing = (
            select(
                *key,
                func.count().label("months_owed"),
                func.sum(dues_arrears.c.owed_vnd).label("owed_vnd"),
                func.min(dues_arrears.c.month).label("first_month"),
                func.max(dues_arrears.c.month).label("last_month"),
            )
            .where(in_subtree(dues_arrears.c.unit_id, unit_id))
            .group_by(*key)
        )
        if after is not None:
            owing = owing.where(tuple_(*key) > tuple_(*after))
        owing = restrict_to_scope(
            owing.order_by(*key).limit(limit), principal, Permission.DUES_READ, dues_arrears.c.unit_id
        ).subquery()
        return list(
            await self.session.execute(
                select(owing, dues_payers.c.member_code, dues_payers.c.full_name)
                .join(dues_payers, dues_payers.c.member_id == owing.c.member_id)
                .order_by(owing.c.unit_id, owing.c.member_id)
            )
        )

    async def of_member(self, principal: Principal, member_id: UUID) -> tuple[Row | None, list[Row]]:
        """The member (if in scope) and every month they owe, oldest first, wherever it was recorded."""
        payer = (
            await self.session.execute(
                restrict_to_scope(
                    select(dues_payers).where(dues_payers.c.member_id == member_id),
                    principal,
                    Permission.DUES_READ,
                    dues_payers.c.unit_id,
                )
            )
        ).one_or_none()
        if payer is None:
            return None, []
        months = await self.session.execute(
            restrict_to_scope(
                select(dues_arrears).where(dues_arrears.c.member_id == member_id).order_by(dues_arrears.c.month),
                principal,
                Permission.DUES_READ,
                dues_arrears.c.unit_id,
            )
        )
        return payer, list(months)


# Per group of units (`{groups}`: a subquery of unit ids, each standing for its subtree, or for itself alone when
# `own_only`; `whole`: the line covers all the unit owes upward, its own records and its subtree's): what the unit
# owes its upper level for the live records of the period, and what that unit itself remitted upward for periods
# within it (and confirmed). A grassroots union owes the upper share of its records; a level above owes what
# reaches it from below less the part it keeps (`upper_level_keeps_percent` of each month's policy), once per
# level between it and the grassroots union (`depth` in the closure table). What a level's children remitted to
# it is on their own lines, never on its line: nothing counts twice.
_RECONCILIATION = """
WITH groups AS ({groups}),
due AS (
    SELECT g.group_id, sum(c.collected_vnd) AS collected_vnd,
           sum(floor(c.upper_share_vnd * power((100 - p.upper_level_keeps_percent) / 100.0, t.depth)))::bigint
               AS due_vnd,
           count(*) AS months_recorded
    FROM groups g JOIN tree_closure t ON t.ancestor_id = g.group_id AND (NOT g.own_only OR t.depth = 0)
    JOIN dues_collections c ON c.unit_id = t.descendant_id
    JOIN dues_policies p ON p.effective_from = c.policy_from
    WHERE c.status = 'recorded' AND c.month BETWEEN :month_from AND :month_to
    GROUP BY g.group_id
), remitted AS (
    SELECT g.group_id, sum(r.amount_vnd) AS remitted_vnd,
           sum(r.amount_vnd) FILTER (WHERE r.confirmed_at IS NOT NULL) AS confirmed_vnd
    FROM groups g JOIN dues_remittances r ON r.unit_id = g.group_id AND g.whole
    WHERE r.month_from >= :month_from AND r.month_to <= :month_to
    GROUP BY g.group_id
)
SELECT g.group_id AS unit_id, u.code, u.name, coalesce(d.months_recorded, 0) AS months_recorded,
       coalesce(d.collected_vnd, 0) AS collected_vnd, coalesce(d.due_vnd, 0) AS due_vnd,
       coalesce(r.remitted_vnd, 0) AS remitted_vnd, coalesce(r.confirmed_vnd, 0) AS confirmed_vnd,
       coalesce(d.due_vnd, 0) - coalesce(r.remitted_vnd, 0) AS outstanding_vnd
FROM groups g JOIN tree_units u ON u.unit_id = g.group_id
LEFT JOIN due d ON d.group_id = g.group_id LEFT JOIN remitted r ON r.group_id = g.group_id
ORDER BY u.code
"""
# The unit's children with their subtrees, and the unit's own records when it collects dues itself (a grassroots
# union's own statement; a province that collects for members attached to it directly: that line is its own
# records only, so its remittances, which cover its subtree too, are on its line at its upper level instead).
_LEAF = "NOT EXISTS (SELECT 1 FROM tree_units c WHERE c.parent_id = {unit})"
_CHILDREN = text(
    _RECONCILIATION.format(
        groups=f"""
    SELECT unit_id AS group_id, false AS own_only, true AS whole FROM tree_units WHERE parent_id = :unit_id
    UNION ALL SELECT unit_id, true, {_LEAF.format(unit=":unit_id")}
    FROM tree_units WHERE unit_id = :unit_id AND can_collect_dues"""
    )
)
# Every unit of the subtree that collects dues, its own records each.
_GRASSROOTS = text(
    _RECONCILIATION.format(
        groups=f"""
    SELECT t.descendant_id AS group_id, true AS own_only, {_LEAF.format(unit="t.descendant_id")} AS whole
    FROM tree_closure t JOIN tree_units u ON u.unit_id = t.descendant_id
    WHERE t.ancestor_id = :unit_id AND u.can_collect_dues"""
    )
)
# The unit itself as its upper level sees it: all it owes upward, what it remitted.
_TO_UPPER = text(
    _RECONCILIATION.format(
        groups="SELECT unit_id AS group_id, false AS own_only, true AS whole FROM tree_units "
        "WHERE unit_id = :unit_id AND parent_id IS NOT NULL"
    )
)


class RemittanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("adds a remittance of the unit the service checked the caller may act for just before")
    async def add(self, values: dict) -> Remittance:
        return Remittance(
            **(await self.session.execute(insert(dues_remittances).values(**values).returning(*dues_remittances.c)))
            .one()
            ._mapping
        )

    async def locked(self, principal: Principal, remittance_id: UUID) -> Remittance | None:
        query = select(dues_remittances).where(dues_remittances.c.remittance_id == remittance_id).with_for_update()
        row = (
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.DUES_WRITE, dues_remittances.c.unit_id)
            )
        ).one_or_none()
        return None if row is None else Remittance(**row._mapping)

    @unscoped("confirms the remittance the service loaded through the caller's scope just before")
    async def confirm(self, remittance_id: UUID, values: dict) -> Remittance:
        return Remittance(
            **(
                await self.session.execute(
                    update(dues_remittances)
                    .where(dues_remittances.c.remittance_id == remittance_id)
                    .values(**values)
                    .returning(*dues_remittances.c)
                )
            )
            .one()
            ._mapping
        )

    @unscoped("reads the parent of a unit the service checked against the caller's scope just before")
    async def parent_of(self, unit_id: UUID) -> UUID | None:
        return await self.session.scalar(select(tree_units.c.parent_id).where(tree_units.c.unit_id == unit_id))

    async def page(
        self, principal: Principal, unit_id: UUID, after: tuple[date, UUID] | None, limit: int
    ) -> list[Remittance]:
        """The remittances of `unit_id`'s subtree, newest period first."""
        query = select(dues_remittances).where(in_subtree(dues_remittances.c.unit_id, unit_id))
        if after is not None:
            at, remittance_id = after
            query = query.where(
                or_(
                    dues_remittances.c.month_from < at,
                    and_(dues_remittances.c.month_from == at, dues_remittances.c.remittance_id < remittance_id),
                )
            )
        query = query.order_by(dues_remittances.c.month_from.desc(), dues_remittances.c.remittance_id.desc())
        return [
            Remittance(**row._mapping)
            for row in await self.session.execute(
                restrict_to_scope(query.limit(limit), principal, Permission.DUES_READ, dues_remittances.c.unit_id)
            )
        ]

    async def statement(self, principal: Principal, unit_id: UUID) -> list[Row]:
        """Every remittance of `unit_id`'s subtree with the remitting and the receiving unit's code and name,
        oldest period first (bảng kê nộp cấp trên)."""
        remitter, upper = tree_units.alias("remitter"), tree_units.alias("upper")
        query = (
            select(
                dues_remittances,
                remitter.c.code.label("unit_code"),
                remitter.c.name.label("unit_name"),
                upper.c.name.label("upper_unit_name"),
            )
            .join(remitter, remitter.c.unit_id == dues_remittances.c.unit_id)
            .outerjoin(upper, upper.c.unit_id == dues_remittances.c.upper_unit_id)
            .where(in_subtree(dues_remittances.c.unit_id, unit_id))
            .order_by(dues_remittances.c.month_from, remitter.c.code, dues_remittances.c.transferred_on)
        )
        return list(
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.DUES_READ, dues_remittances.c.unit_id)
            )
        )

    @unscoped("sums the subtree of a unit the service checked against the caller's scope just before")
    async def reconciliation(self, unit_id: UUID, month_from: date, month_to: date, *, children: bool) -> list[Row]:
        """Per child unit (or per grassroots union of the subtree): due, remitted, confirmed, outstanding."""
        return list(
            await self.session.execute(
                _CHILDREN if children else _GRASSROOTS,
                {"unit_id": unit_id, "month_from": month_from, "month_to": month_to},
            )
        )

    @unscoped("sums the subtree of a unit the service checked against the caller's scope just before")
    async def to_upper_level(self, unit_id: UUID, month_from: date, month_to: date) -> Row | None:
        """The unit's own line at its upper level: all it owes upward for the period, remitted, outstanding."""
        return (
            await self.session.execute(_TO_UPPER, {"unit_id": unit_id, "month_from": month_from, "month_to": month_to})
        ).one_or_none()


def _month(row: Row | None) -> DuesMonth | None:
    return None if row is None else DuesMonth(**row._mapping)
