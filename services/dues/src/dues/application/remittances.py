"""Remittance to the upper level (nộp kinh phí cấp trên): a unit, a grassroots union or an upper level, records what
it transferred to its own upper level for a period, that upper level confirms receipt; statements of due, remitted
and outstanding per unit."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from uuid import UUID

from chassis.errors import Conflict, Forbidden, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.dues_collection_v1 import DuesRemittanceConfirmed, DuesRemitted, RemittanceSnapshot
from contracts.permissions import Permission
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.repository import RemittanceRepository
from dues.domain.model import Remittance, today_in_vietnam


def _snapshot(remittance: Remittance) -> RemittanceSnapshot:
    return RemittanceSnapshot(**asdict(remittance), confirmed=remittance.confirmed)


def _period_problem(month_from: date, month_to: date, today: date) -> RuleViolation | None:
    if month_to < month_from:
        return RuleViolation(
            "Tháng cuối của kỳ đứng trước tháng đầu",
            "The period ends before it begins",
            code="period-reversed",
            field="month_to",
        )
    if month_to > today.replace(day=1):
        return RuleViolation(
            "Kỳ nộp có tháng chưa đến",
            "The period includes a month that has not begun",
            code="month-in-future",
            field="month_to",
        )
    return None


class RemittanceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.remittances = RemittanceRepository(session)

    async def record(self, principal: Principal, values: dict, today: date | None = None) -> Remittance:
        """A unit records ITS OWN transfer to its upper level: an officer of the upper level cannot record one for a
        unit below."""
        unit_id, today = values["unit_id"], today or today_in_vietnam()
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, unit_id)
        if unit_id not in principal.scope_roots(Permission.DUES_WRITE):
            raise Forbidden(
                "Chỉ chính công đoàn cơ sở ghi nhận số đã nộp cấp trên của mình",
                "A unit records only its own remittances, not another unit's",
                code="remittance-for-another-unit",
                field="unit_id",
            )
        # Any level remits to its own upper level: a grassroots union its upper share, a district or a province
        # what it owes above it. The national centre has no upper level.
        upper = await self.remittances.parent_of(unit_id)
        if upper is None:
            raise RuleViolation(
                "Đơn vị không có cấp trên để nộp",
                "The unit has no upper level to remit to",
                code="no-upper-level",
                field="unit_id",
            )
        if (problem := _period_problem(values["month_from"], values["month_to"], today)) is not None:
            raise problem
        if values["transferred_on"] > today:
            raise RuleViolation(
                "Ngày chuyển tiền chưa đến",
                "The transfer date is in the future",
                code="date-in-future",
                field="transferred_on",
            )
        row = await self.remittances.add(
            values
            | {
                "remittance_id": uuid7(),
                "upper_unit_id": upper,
                "recorded_by": principal.username,
                "recorded_at": datetime.now(UTC),
            }
        )
        await record_events(self.session, [DuesRemitted(unit_id=unit_id, remittance=_snapshot(row))])
        return row

    async def confirm(
        self, principal: Principal, remittance_id: UUID, received_on: date, today: date | None = None
    ) -> Remittance:
        """The upper level the transfer went to (dues.write on it) confirms receipt, once."""
        row = await self.remittances.locked(principal, remittance_id)
        if row is None:
            raise NotFound(
                f"Không tìm thấy khoản nộp cấp trên {remittance_id} trong phạm vi quản lý của bạn",
                f"No remittance {remittance_id} within your scope",
                code="remittance-not-found",
                field="remittance_id",
            )
        upper = row.upper_unit_id or await self.remittances.parent_of(row.unit_id)
        if upper is None:
            raise RuleViolation(
                "Đơn vị nộp không có cấp trên",
                "The remitting unit has no upper level",
                code="no-upper-level",
                field="remittance_id",
            )
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, upper)
        if row.confirmed_at is not None:
            raise Conflict(
                f"Khoản nộp đã được {row.confirmed_by} xác nhận ngày {row.confirmed_at:%d/%m/%Y}",
                f"The remittance was confirmed already by {row.confirmed_by}",
                code="remittance-already-confirmed",
                field="remittance_id",
            )
        if received_on > (today or today_in_vietnam()) or received_on < row.transferred_on:
            raise RuleViolation(
                f"Ngày nhận phải từ ngày chuyển ({row.transferred_on:%d/%m/%Y}) đến hôm nay",
                "The date received must lie between the transfer date and today",
                code="received-on-out-of-range",
                field="received_on",
            )
        confirmed = await self.remittances.confirm(
            remittance_id,
            {"received_on": received_on, "confirmed_by": principal.username, "confirmed_at": datetime.now(UTC)},
        )
        await record_events(
            self.session,
            [DuesRemittanceConfirmed(unit_id=row.unit_id, remittance=_snapshot(confirmed), confirmed_by_unit_id=upper)],
        )
        return confirmed

    async def reconciliation(
        self, principal: Principal, unit_id: UUID, month_from: date, month_to: date, *, children: bool
    ) -> tuple[list[Row], Row | None]:
        """Per child (or per grassroots union) what was due, remitted, outstanding; and the unit's own position
        towards its upper level (None for the national centre)."""
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        if (problem := _period_problem(month_from, month_to, date.max)) is not None:
            raise problem
        return (
            await self.remittances.reconciliation(unit_id, month_from, month_to, children=children),
            await self.remittances.to_upper_level(unit_id, month_from, month_to),
        )

    async def page(self, principal: Principal, unit_id: UUID, after, limit: int) -> list[Remittance]:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        return await self.remittances.page(principal, unit_id, after, limit)

    async def statement(self, principal: Principal, unit_id: UUID) -> list[Row]:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        return await self.remittances.statement(principal, unit_id)
