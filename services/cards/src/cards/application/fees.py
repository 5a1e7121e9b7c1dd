"""Card fees (phí thẻ): the effective-dated schedule, the units paying salaries through the bank, what an order's
cards cost, and the fee statement of a unit and period (the payment voucher list, seed 004)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from chassis import tree
from chassis.errors import Conflict, InvalidInput, NotFound, RuleViolation
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID, VIETNAM_TIME, vietnamese_today
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.fee_documents import statement_pdf, statement_xlsx
from cards.adapters.fees import FeeRepository
from cards.config import CardsSettings
from cards.domain.fees import FeeSchedule, in_force

MAX_PERIOD_DAYS = 366  # a statement covers at most a year: a longer one is a slip of the date picker
AMOUNTS = (
    "regular_cards",
    "linked_cards",
    "waived_cards",
    "blank_vnd",
    "printing_vnd",
    "linked_vnd",
    "waived_vnd",
    "payable_vnd",
    "members_units_pay_vnd",
    "ordering_unit_pays_vnd",
)


@dataclass(frozen=True)
class FeeStatement:
    unit_id: UUID
    unit_name: str
    date_from: date
    date_to: date
    orders: list[Row]
    subunits: list[Row]
    totals: dict[str, int]


class FeeService:
    def __init__(self, session: AsyncSession, settings: CardsSettings) -> None:
        self.session, self.settings = session, settings
        self.fees = FeeRepository(session)

    async def schedules(self) -> list[FeeSchedule]:
        return await self.fees.schedules()

    async def add_schedule(self, principal: Principal, values: dict, today: date | None = None) -> FeeSchedule:
        """A new schedule from a day after today; schedules in force or past are never changed."""
        await ensure_in_scope(self.session, principal, Permission.CARDS_SET_FEES, NATIONAL_CENTRE_ID)
        today = today or vietnamese_today()
        day = values["effective_from"]
        if day <= today:
            raise InvalidInput(
                f"Biểu phí mới chỉ áp dụng từ một ngày sau hôm nay ({today:%d/%m/%Y}); "
                "không sửa được biểu phí đã áp dụng",
                f"A new schedule starts after today ({today}); schedules in force or past are never changed",
                code="schedule-not-in-future",
                field="effective_from",
            )
        if not await self.fees.add_schedule(values | {"created_by": principal.username}):
            raise Conflict(
                f"Đã có biểu phí áp dụng từ {day:%d/%m/%Y}; biểu phí không sửa được, hãy chọn ngày khác",
                f"A schedule already starts on {day}; schedules are never edited",
                code="schedule-exists",
                field="effective_from",
            )
        return next(schedule for schedule in await self.fees.schedules() if schedule.effective_from == day)

    async def prices_for(self, kind: str, day: date) -> tuple[FeeSchedule, dict[str, int]]:
        """The schedule in force on the order's day and what one card of the kind costs under it."""
        schedule = in_force(await self.fees.schedules(), day)
        if schedule is None:  # migration 0016 seeds a schedule from 2019: only a database without it lands here
            raise RuleViolation(
                f"Chưa có biểu phí thẻ áp dụng vào ngày {day:%d/%m/%Y}",
                f"No card fee schedule is in force on {day}",
                code="no-fee-schedule",
                field="kind",
            )
        return schedule, schedule.prices(kind)

    async def record_lines(self, order_id: UUID, kind: str) -> tuple[int, int]:
        return await self.fees.record_lines(order_id, kind)

    async def set_salary_through_bank(
        self, principal: Principal, unit_id: UUID, pays_through_bank: bool, commitment: str
    ) -> None:
        """Record whether a unit pays salaries through the bank: an officer of the unit above it decides (the
        unit's own officers would waive their own fees)."""
        unit = await tree.get_unit(self.session, unit_id)
        if unit is None:
            raise NotFound(
                f"Không tìm thấy đơn vị {unit_id}", f"No unit {unit_id}", code="unit-not-found", field="unit_id"
            )
        if unit.parent_id is None:
            raise RuleViolation(
                "Đơn vị cao nhất không có cấp trên xác nhận chi lương qua ngân hàng",
                "The top unit has no unit above it to confirm salaries paid through the bank",
                code="no-upper-level",
                field="unit_id",
            )
        await ensure_in_scope(self.session, principal, Permission.CARDS_ORDER, unit.parent_id)
        await self.fees.set_salary_through_bank(
            {
                "unit_id": unit_id,
                "pays_through_bank": pays_through_bank,
                "commitment": commitment,
                "set_by": principal.username,
            }
        )

    async def salary_units(self, principal: Principal, unit_id: UUID) -> list[Row]:
        await ensure_in_scope(self.session, principal, Permission.CARDS_READ, unit_id)
        return await self.fees.salary_units(principal, unit_id)

    async def statement(self, principal: Principal, unit_id: UUID, date_from: date, date_to: date) -> FeeStatement:
        """The unit's subtree's cards in the orders placed from `date_from` to `date_to` (Vietnamese days, both
        included, cancelled orders left out): per order, per unit directly below, and the totals."""
        if date_to < date_from:
            raise InvalidInput(
                f"Ngày kết thúc ({date_to:%d/%m/%Y}) trước ngày bắt đầu ({date_from:%d/%m/%Y})",
                f"The period ends ({date_to}) before it starts ({date_from})",
                code="reversed-period",
                field="date_to",
            )
        if (date_to - date_from).days >= MAX_PERIOD_DAYS:
            raise InvalidInput(
                f"Bảng kê phí thẻ lập cho tối đa {MAX_PERIOD_DAYS} ngày",
                f"A fee statement covers at most {MAX_PERIOD_DAYS} days",
                code="period-too-long",
                field="date_to",
            )
        await ensure_in_scope(self.session, principal, Permission.CARDS_READ, unit_id)
        start = datetime.combine(date_from, time(), VIETNAM_TIME)
        end = datetime.combine(date_to + timedelta(days=1), time(), VIETNAM_TIME)
        orders = await self.fees.statement_orders(principal, unit_id, start, end)
        subunits = await self.fees.statement_subunits(principal, unit_id, start, end)
        unit = await tree.get_unit(self.session, unit_id)
        totals = {name: sum(getattr(row, name) for row in subunits) for name in AMOUNTS}
        return FeeStatement(unit_id, unit.name if unit else str(unit_id), date_from, date_to, orders, subunits, totals)

    async def statement_file(
        self, principal: Principal, unit_id: UUID, date_from: date, date_to: date, kind: str
    ) -> tuple[str, bytes]:
        """The statement as .xlsx or PDF and its file name (bang-ke-phi-the-<from>-<to>)."""
        statement = await self.statement(principal, unit_id, date_from, date_to)
        name = f"bang-ke-phi-the-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{kind}"
        if kind == "xlsx":
            return name, await asyncio.to_thread(statement_xlsx, statement)
        return name, await asyncio.to_thread(statement_pdf, statement, self.settings.pdf_font_path)
