"""All of dues' SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.tables import tree_units
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from sqlalchemy import Row, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.tables import dues_collections, dues_lines, dues_payers, dues_policies
from dues.domain.model import DuesPolicy


class DuesPayerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies member events for every unit; no principal is involved")
    async def apply(self, snapshot: MemberSnapshot) -> bool:
        """Keep the view of one member current. False for a stale event."""
        payer = {"unit_id": snapshot.unit_id, "member_code": snapshot.member_code, "full_name": snapshot.full_name,
                 "status": snapshot.status, "version": snapshot.version}
        applied = await self.session.scalar(
            pg_insert(dues_payers).values(member_id=snapshot.member_id, **payer)
            .on_conflict_do_update(index_elements=[dues_payers.c.member_id], set_=payer,
                                   where=dues_payers.c.version < snapshot.version)
            .returning(dues_payers.c.member_id))
        return applied is not None

    async def of_unit(self, principal: Principal, unit_id: UUID, member_ids: Sequence[UUID]) -> list[Row]:
        """Those of `member_ids` who belong to `unit_id` itself (dues are recorded by the member's own unit)."""
        query = select(dues_payers).where(dues_payers.c.unit_id == unit_id, dues_payers.c.member_id.in_(member_ids))
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.DUES_WRITE, dues_payers.c.unit_id)))


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[Row]:
        return list(await self.session.execute(select(dues_policies).order_by(dues_policies.c.effective_from)))

    async def rules(self) -> list[DuesPolicy]:
        return [DuesPolicy(row.effective_from, row.rate_permille, row.base_salary_vnd, row.cap_percent_of_base,
                           row.grassroots_share_percent) for row in await self.all()]

    async def add(self, values: dict) -> bool:
        """False when a policy already starts that day (a policy is never edited: a new one takes over)."""
        added = await self.session.scalar(
            pg_insert(dues_policies).values(**values).on_conflict_do_nothing()
            .returning(dues_policies.c.effective_from))
        return added is not None


class CollectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("reads the capability of a unit the service checked against the caller's scope just before")
    async def may_collect_dues(self, unit_id: UUID) -> bool:
        return bool(await self.session.scalar(
            select(tree_units.c.can_collect_dues).where(tree_units.c.unit_id == unit_id,
                                                        tree_units.c.status == "active")))

    async def live(self, principal: Principal, unit_id: UUID, month: date) -> Row | None:
        """The month's live record of the unit, locked (a correction and a second recording queue behind it)."""
        query = (select(dues_collections)
                 .where(dues_collections.c.unit_id == unit_id, dues_collections.c.month == month,
                        dues_collections.c.status == "recorded")
                 .with_for_update())
        return (await self.session.execute(
            restrict_to_scope(query, principal, Permission.DUES_WRITE, dues_collections.c.unit_id))).one_or_none()

    @unscoped("supersedes the record the service loaded through the caller's scope just before")
    async def supersede(self, collection_id: UUID, at: datetime) -> None:
        await self.session.execute(update(dues_collections).where(dues_collections.c.collection_id == collection_id)
                                   .values(status="superseded", superseded_at=at))

    @unscoped("adds the record of a unit the service checked against the caller's scope just before")
    async def add(self, collection: dict, lines: list[dict]) -> Row | None:
        """The new live record, or None when another recording of the same unit and month committed first."""
        row = (await self.session.execute(
            pg_insert(dues_collections).values(**collection)
            .on_conflict_do_nothing(index_elements=[dues_collections.c.unit_id, dues_collections.c.month],
                                    index_where=dues_collections.c.status == "recorded")
            .returning(*dues_collections.c))).one_or_none()
        if row is not None and lines:
            await self.session.execute(insert(dues_lines), lines)
        return row

    async def get(self, principal: Principal, collection_id: UUID) -> Row | None:
        query = select(dues_collections).where(dues_collections.c.collection_id == collection_id)
        return (await self.session.execute(
            restrict_to_scope(query, principal, Permission.DUES_READ, dues_collections.c.unit_id))).one_or_none()

    @unscoped("lines of a record the service loaded through the caller's scope just before")
    async def lines(self, collection_id: UUID) -> list[Row]:
        return list(await self.session.execute(
            select(dues_lines, dues_payers.c.full_name, dues_payers.c.member_code)
            .join(dues_payers, dues_payers.c.member_id == dues_lines.c.member_id)
            .where(dues_lines.c.collection_id == collection_id).order_by(dues_payers.c.full_name,
                                                                         dues_lines.c.member_id)))

    async def page(self, principal: Principal, *, unit_id: UUID | None, month: date | None,
                   include_superseded: bool, after: tuple[date, UUID] | None, limit: int) -> list[Row]:
        """Records newest month first, keyset-paged on (month, collection_id); `unit_id` takes its subtree."""
        query = select(dues_collections)
        if unit_id is not None:
            query = query.where(in_subtree(dues_collections.c.unit_id, unit_id))
        if month is not None:
            query = query.where(dues_collections.c.month == month)
        if not include_superseded:
            query = query.where(dues_collections.c.status == "recorded")
        if after is not None:
            at, collection_id = after
            query = query.where(or_(dues_collections.c.month < at, and_(
                dues_collections.c.month == at, dues_collections.c.collection_id < collection_id)))
        query = query.order_by(dues_collections.c.month.desc(), dues_collections.c.collection_id.desc())
        return list(await self.session.execute(
            restrict_to_scope(query.limit(limit + 1), principal, Permission.DUES_READ, dues_collections.c.unit_id)))

    async def month_totals(self, principal: Principal, unit_id: UUID, month: date) -> Row:
        """The month's live records of every unit in `unit_id`'s subtree, summed."""
        query = select(
            func.count().label("units_reported"),
            func.coalesce(func.sum(dues_collections.c.members_paid), 0).label("members_paid"),
            func.coalesce(func.sum(dues_collections.c.members_exempt), 0).label("members_exempt"),
            func.coalesce(func.sum(dues_collections.c.collected_vnd), 0).label("collected_vnd"),
            func.coalesce(func.sum(dues_collections.c.norm_vnd), 0).label("norm_vnd"),
            func.coalesce(func.sum(dues_collections.c.upper_share_vnd), 0).label("upper_share_vnd"),
            func.coalesce(func.sum(dues_collections.c.grassroots_share_vnd), 0).label("grassroots_share_vnd"),
        ).where(in_subtree(dues_collections.c.unit_id, unit_id), dues_collections.c.month == month,
                dues_collections.c.status == "recorded")
        return (await self.session.execute(
            restrict_to_scope(query, principal, Permission.DUES_READ, dues_collections.c.unit_id))).one()

    @unscoped("counts units of a subtree the service checked against the caller's scope just before")
    async def collecting_units(self, unit_id: UUID) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(tree_units)
            .where(in_subtree(tree_units.c.unit_id, unit_id), tree_units.c.can_collect_dues,
                   tree_units.c.status == "active")))
