"""Card fees' SQL: the schedule, the units paying salaries through the bank, each order's lines per unit and the
fee statement summed from them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from chassis.tables import tree_closure, tree_units
from contracts.permissions import Permission
from sqlalchemy import BigInteger, Row, and_, case, cast, func, insert, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from cards.adapters.tables import (
    card_fee_schedules,
    cards,
    print_order_fee_lines,
    print_orders,
    salary_through_bank,
)
from cards.domain.fees import FeeSchedule

lines, orders, schedules = print_order_fee_lines, print_orders, card_fee_schedules


def _amounts() -> dict:
    """A statement line's sums: card counts per kind and amounts per component, what the members' units and the
    ordering unit pay (the schedule's payers; orders from before the schedule: the members' units)."""
    count = cast(lines.c.card_count, BigInteger)
    blank, printing = count * orders.c.blank_vnd, count * orders.c.printing_vnd
    linked = count * orders.c.linked_vnd
    waived = cast(lines.c.waived_count, BigInteger) * orders.c.linked_vnd

    def by_members_unit(payer, amount):
        return case((func.coalesce(payer, "member_unit") == "member_unit", amount), else_=0)

    members_pay = (
        by_members_unit(schedules.c.blank_paid_by, blank)
        + by_members_unit(schedules.c.printing_paid_by, printing)
        + by_members_unit(schedules.c.linked_paid_by, linked - waived)
    )
    sums = {
        "regular_cards": case((orders.c.kind == "regular", count), else_=0),
        "linked_cards": case((orders.c.kind == "linked", count), else_=0),
        "waived_cards": cast(lines.c.waived_count, BigInteger),
        "blank_vnd": blank,
        "printing_vnd": printing,
        "linked_vnd": linked,
        "waived_vnd": waived,
        "payable_vnd": blank + printing + linked - waived,
        "members_units_pay_vnd": members_pay,
        "ordering_unit_pays_vnd": blank + printing + linked - waived - members_pay,
    }
    return {name: cast(func.coalesce(func.sum(value), 0), BigInteger).label(name) for name, value in sums.items()}


class FeeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def schedules(self) -> list[FeeSchedule]:
        rows = await self.session.execute(select(schedules).order_by(schedules.c.effective_from))
        return [FeeSchedule(**row._mapping) for row in rows]

    async def add_schedule(self, values: dict) -> bool:
        """False when a schedule already starts on that day (schedules are never edited)."""
        added = await self.session.execute(
            pg_insert(schedules).values(**values).on_conflict_do_nothing().returning(schedules.c.effective_from)
        )
        return added.first() is not None

    @unscoped("records the flag of a unit the service checked against the caller's scope (its parent) just before")
    async def set_salary_through_bank(self, values: dict) -> None:
        statement = pg_insert(salary_through_bank).values(**values, set_at=func.now())
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[salary_through_bank.c.unit_id],
                set_={name: statement.excluded[name] for name in ("pays_through_bank", "commitment", "set_by")}
                | {"set_at": func.now()},
            )
        )

    async def salary_units(self, principal: Principal, unit_id: UUID) -> list[Row]:
        """The units of the subtree with a recorded salary flag, by name."""
        query = (
            select(salary_through_bank, tree_units.c.name.label("unit_name"))
            .join(tree_units, tree_units.c.unit_id == salary_through_bank.c.unit_id)
            .where(in_subtree(salary_through_bank.c.unit_id, unit_id))
            .order_by(tree_units.c.name)
        )
        return list(
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.CARDS_READ, salary_through_bank.c.unit_id)
            )
        )

    @unscoped("the lines of an order the service placed in this transaction, from the cards the order took")
    async def record_lines(self, order_id: UUID, kind: str) -> tuple[int, int]:
        """Each unit's cards in the order, and how many of them are free: linked cards of a unit that (or whose unit
        above) pays salaries through the bank. Returns the order's card count and waived count."""
        waived_unit = (
            select(literal(1))
            .select_from(
                tree_closure.join(salary_through_bank, salary_through_bank.c.unit_id == tree_closure.c.ancestor_id)
            )
            .where(tree_closure.c.descendant_id == cards.c.unit_id, salary_through_bank.c.pays_through_bank)
            .exists()
        )
        waived = func.count().filter(waived_unit) if kind == "linked" else literal(0)
        rows = await self.session.execute(
            insert(lines)
            .from_select(
                ["order_id", "unit_id", "card_count", "waived_count"],
                select(cards.c.order_id, cards.c.unit_id, func.count(), waived)
                .where(cards.c.order_id == order_id)
                .group_by(cards.c.order_id, cards.c.unit_id),
            )
            .returning(lines.c.card_count, lines.c.waived_count)
        )
        counted = rows.all()
        return sum(row.card_count for row in counted), sum(row.waived_count for row in counted)

    def _statement_lines(self, principal: Principal, unit_id: UUID, start: datetime, end: datetime):
        query = (
            select()
            .select_from(
                lines.join(orders, orders.c.order_id == lines.c.order_id).outerjoin(
                    schedules, schedules.c.effective_from == orders.c.fee_schedule_from
                )
            )
            .where(
                in_subtree(lines.c.unit_id, unit_id),
                orders.c.status != "cancelled",
                orders.c.placed_at >= start,
                orders.c.placed_at < end,
            )
        )
        return restrict_to_scope(query, principal, Permission.CARDS_READ, lines.c.unit_id)

    async def statement_orders(self, principal: Principal, unit_id: UUID, start: datetime, end: datetime) -> list[Row]:
        """Per order placed in [start, end): the subtree's cards in it and their amounts."""
        ordering = aliased(tree_units)
        query = (
            self._statement_lines(principal, unit_id, start, end)
            .add_columns(
                orders.c.order_id,
                orders.c.order_number,
                orders.c.placed_at,
                orders.c.kind,
                orders.c.supplier,
                orders.c.status,
                func.coalesce(ordering.c.name, "").label("ordering_unit_name"),
                *_amounts().values(),
            )
            .outerjoin(ordering, ordering.c.unit_id == orders.c.unit_id)
            .group_by(orders.c.order_id, ordering.c.name)
            .order_by(orders.c.placed_at, orders.c.order_number)
        )
        return list(await self.session.execute(query))

    async def statement_subunits(
        self, principal: Principal, unit_id: UUID, start: datetime, end: datetime
    ) -> list[Row]:
        """Per unit directly below `unit_id` (and the unit itself, for its own members' cards): its subtree's cards
        in the period's orders and their amounts."""
        below = aliased(tree_units)
        query = (
            self._statement_lines(principal, unit_id, start, end)
            .add_columns(
                below.c.unit_id, below.c.code.label("unit_code"), below.c.name.label("unit_name"), *_amounts().values()
            )
            .join(tree_closure, tree_closure.c.descendant_id == lines.c.unit_id)
            .join(below, below.c.unit_id == tree_closure.c.ancestor_id)
            .where(or_(below.c.parent_id == unit_id, and_(below.c.unit_id == unit_id, tree_closure.c.depth == 0)))
            .group_by(below.c.unit_id)
            .order_by(below.c.unit_id != unit_id, below.c.name)
        )
        return list(await self.session.execute(query))
