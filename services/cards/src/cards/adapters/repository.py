"""All of cards' SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, subtree_of, unscoped
from chassis.tables import tree_units
from contracts.events.cards_card_v1 import CardSnapshot
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from sqlalchemy import Row, and_, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.tables import (
    card_history,
    card_holders,
    card_number_seq,
    cards,
    print_order_number_seq,
    print_orders,
)
from cards.domain.model import ISSUED_STATUSES, OPEN_STATUSES

CARD_COLUMNS = (*cards.c, card_holders.c.full_name)


class CardHolderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies member events for every unit; no principal is involved")
    async def apply(self, snapshot: MemberSnapshot) -> bool:
        """Keep the view of one member current; its cards follow it to a new unit. False for a stale event."""
        holder = {
            "unit_id": snapshot.unit_id, "member_code": snapshot.member_code, "full_name": snapshot.full_name,
            "status": snapshot.status, "card_type": snapshot.card_type, "version": snapshot.version,
        }
        applied = await self.session.scalar(
            pg_insert(card_holders)
            .values(member_id=snapshot.member_id, **holder)
            .on_conflict_do_update(
                index_elements=[card_holders.c.member_id], set_=holder,
                where=card_holders.c.version < snapshot.version,
            )
            .returning(card_holders.c.member_id)
        )
        if applied is None:
            return False
        await self.session.execute(
            update(cards)
            .where(cards.c.member_id == snapshot.member_id, cards.c.unit_id != snapshot.unit_id)
            .values(unit_id=snapshot.unit_id)
        )
        return True

    async def with_current_cards(self, principal: Principal, member_ids: Sequence[UUID]) -> list[Row]:
        """The members among `member_ids` the caller may order cards for, each with its open or delivered card."""
        current = and_(
            cards.c.member_id == card_holders.c.member_id,
            cards.c.status.in_(OPEN_STATUSES | {"delivered"}),
        )
        query = (
            select(card_holders, cards.c.card_id, cards.c.status.label("card_status"))
            .outerjoin(cards, current)
            .where(card_holders.c.member_id.in_(member_ids))
            .order_by(card_holders.c.member_id)  # two requests lock shared members in the same order
            .with_for_update(of=card_holders)
        )
        query = restrict_to_scope(query, principal, Permission.CARDS_ORDER, card_holders.c.unit_id)
        return list(await self.session.execute(query))


class CardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("writes rows the service checked against the caller's scope just before")
    async def add_many(self, rows: list[dict], changed_by: str) -> None:
        await self.session.execute(insert(cards), rows)
        await self.session.execute(
            insert(card_history),
            [{"card_id": row["card_id"], "status": row["status"], "note": row["reason"], "changed_by": changed_by}
             for row in rows],
        )

    @unscoped("moves a card the service loaded through the caller's scope just before")
    async def move(self, card_id: UUID, status: str, note: str | None, changed_by: str, at: datetime) -> Row:
        row = (
            await self.session.execute(
                update(cards)
                .where(cards.c.card_id == card_id)
                .values(status=status, status_changed_at=at, version=cards.c.version + 1)
                .returning(*cards.c)
            )
        ).one()
        await self.session.execute(
            insert(card_history).values(card_id=card_id, status=status, note=note, changed_by=changed_by)
        )
        return row

    async def get(
        self, principal: Principal, permission: Permission, card_id: UUID, *, lock: bool = False
    ) -> Row | None:
        query = (
            select(*CARD_COLUMNS)
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .where(cards.c.card_id == card_id)
        )
        if lock:
            query = query.with_for_update(of=cards)
        query = restrict_to_scope(query, principal, permission, cards.c.unit_id)
        return (await self.session.execute(query)).one_or_none()

    async def page(
        self, principal: Principal, *, unit_id: UUID | None, subtree: bool, status: str | None, kind: str | None,
        member_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int,
    ) -> list[Row]:
        """Cards newest first, keyset-paged on (requested_at, card_id)."""
        query = select(*CARD_COLUMNS).join(card_holders, card_holders.c.member_id == cards.c.member_id)
        if unit_id is not None:
            units = subtree_of(unit_id)
            query = query.where(cards.c.unit_id.in_(units) if subtree else cards.c.unit_id == unit_id)
        if status is not None:
            query = query.where(cards.c.status == status)
        if kind is not None:
            query = query.where(cards.c.kind == kind)
        if member_id is not None:
            query = query.where(cards.c.member_id == member_id)
        if after is not None:
            at, card_id = after
            query = query.where(
                or_(cards.c.requested_at < at, and_(cards.c.requested_at == at, cards.c.card_id < card_id))
            )
        query = query.order_by(cards.c.requested_at.desc(), cards.c.card_id.desc()).limit(limit + 1)
        query = restrict_to_scope(query, principal, Permission.CARDS_READ, cards.c.unit_id)
        return list(await self.session.execute(query))

    async def issuance(self, principal: Principal, partner: str | None, after: int | None, limit: int) -> list[Row]:
        """Every step of linked cards (of one bank when `partner` is given) after `after`, oldest first."""
        query = (
            select(card_history.c.id.label("sequence"), card_history.c.status, card_history.c.changed_at,
                   cards.c.card_id, cards.c.member_id, cards.c.member_code, card_holders.c.full_name,
                   cards.c.unit_id, cards.c.kind, cards.c.partner, cards.c.card_number)
            .join(cards, cards.c.card_id == card_history.c.card_id)
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .where(cards.c.partner.is_not(None))
            .order_by(card_history.c.id)
            .limit(limit + 1)
        )
        if partner is not None:
            query = query.where(cards.c.partner == partner)
        if after is not None:
            query = query.where(card_history.c.id > after)
        query = restrict_to_scope(query, principal, Permission.CARDS_READ_ISSUANCE, cards.c.unit_id)
        return list(await self.session.execute(query))

    @unscoped("public verification: the unguessable code printed on the card is the credential; a few fields return")
    async def verify(self, verification_code: str) -> Row | None:
        query = (
            select(card_holders.c.full_name, cards.c.member_code, tree_units.c.name.label("unit_name"),
                   card_holders.c.status.label("member_status"), cards.c.status, cards.c.kind,
                   cards.c.status_changed_at)
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .join(tree_units, tree_units.c.unit_id == cards.c.unit_id)
            .where(cards.c.verification_code == verification_code, cards.c.status.in_(ISSUED_STATUSES))
        )
        return (await self.session.execute(query)).one_or_none()


# What a moved card's events need (CardSnapshot), nothing more: 100,000 of them come back from an order.
_SNAPSHOT_COLUMNS = [cards.c[name] for name in CardSnapshot.model_fields]
# The national centre's number printed on a regular card (mã thẻ, distinct from the member code): 10 digits.
_NEXT_CARD_NUMBER = func.to_char(card_number_seq.next_value(), "FM0000000000")


class PrintOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("reads the capability of a unit the service checked against the caller's scope just before")
    async def may_order_cards(self, unit_id: UUID) -> bool:
        return bool(await self.session.scalar(
            select(tree_units.c.can_order_cards).where(tree_units.c.unit_id == unit_id,
                                                       tree_units.c.status == "active")))

    @unscoped("the name of the unit of an order the service loaded through the caller's scope just before")
    async def unit_name(self, unit_id: UUID) -> str:
        return await self.session.scalar(select(tree_units.c.name).where(tree_units.c.unit_id == unit_id)) or ""

    @unscoped("adds the order of a unit the service checked against the caller's scope just before")
    async def add(self, values: dict) -> None:
        await self.session.execute(insert(print_orders).values(**values))

    async def next_order_serial(self) -> int:
        return int(await self.session.scalar(select(print_order_number_seq.next_value())))

    async def get(self, principal: Principal, permission: Permission, order_id: UUID, *,
                  lock: bool = False) -> Row | None:
        query = select(print_orders).where(print_orders.c.order_id == order_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(
            restrict_to_scope(query, principal, permission, print_orders.c.unit_id))).one_or_none()

    async def page(self, principal: Principal, *, unit_id: UUID | None, status: str | None, kind: str | None,
                   after: tuple[datetime, UUID] | None, limit: int) -> list[Row]:
        """Orders newest first, keyset-paged on (placed_at, order_id); `unit_id` takes its whole subtree."""
        query = select(print_orders)
        if unit_id is not None:
            query = query.where(print_orders.c.unit_id.in_(
                subtree_of(unit_id)))
        if status is not None:
            query = query.where(print_orders.c.status == status)
        if kind is not None:
            query = query.where(print_orders.c.kind == kind)
        if after is not None:
            at, order_id = after
            query = query.where(or_(print_orders.c.placed_at < at,
                                    and_(print_orders.c.placed_at == at, print_orders.c.order_id < order_id)))
        query = query.order_by(print_orders.c.placed_at.desc(), print_orders.c.order_id.desc()).limit(limit + 1)
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.CARDS_READ, print_orders.c.unit_id)))

    async def gather(self, principal: Principal, order: dict, changed_by: str, at: datetime) -> list[Row]:
        """Every requested card of the order's kind (and bank) in the subtree of the order's unit becomes `ordered`
        in this order, with its history row; a regular card gets its national number now, since the print shop
        prints it on the card. Returns the cards as they are now. A card requested concurrently by two orders is
        taken by the first: the second's UPDATE re-reads it as `ordered` and leaves it."""
        subtree = subtree_of(order["unit_id"])
        conditions = [cards.c.status == "requested", cards.c.kind == order["kind"], cards.c.unit_id.in_(subtree)]
        if order["kind"] == "linked":
            conditions.append(cards.c.partner == order["supplier"])
        statement = restrict_to_scope(update(cards).where(*conditions), principal, Permission.CARDS_ORDER,
                                      cards.c.unit_id)
        values = {"order_id": order["order_id"]}
        if order["kind"] == "regular":
            values["card_number"] = _NEXT_CARD_NUMBER
        return await self._move_and_log(statement, "ordered", values, f"order {order['order_number']}", changed_by, at)

    @unscoped("moves the cards of an order the service loaded through the caller's scope just before")
    async def move_cards(self, order_id: UUID, from_status: str, to_status: str, note: str, changed_by: str,
                         at: datetime, within_unit: UUID | None = None) -> list[Row]:
        """The order's cards in `from_status` (of `within_unit`'s subtree, when given) move to `to_status`, each
        with its history row. Cancelling takes them out of the order and gives their numbers up (never reused:
        the next order numbers them again)."""
        conditions = [cards.c.order_id == order_id, cards.c.status == from_status]
        if within_unit is not None:
            conditions.append(cards.c.unit_id.in_(subtree_of(within_unit)))
        values: dict = {}
        if to_status == "requested":
            values |= {"order_id": None, "card_number": None}
        return await self._move_and_log(update(cards).where(*conditions), to_status, values, note, changed_by, at)

    @unscoped("runs the UPDATE its caller built: gather() restricts it to the caller's scope, move_cards() is unscoped")
    async def _move_and_log(self, statement, status: str, values: dict, note: str, changed_by: str,
                            at: datetime) -> list[Row]:
        """One statement: the UPDATE, and INSERT … SELECT of a history row for each card it moved."""
        moved = (statement.values(status=status, status_changed_at=at, version=cards.c.version + 1, **values)
                 .returning(*_SNAPSHOT_COLUMNS).cte("moved"))
        logged = insert(card_history).from_select(
            ["card_id", "status", "note", "changed_by"],
            select(moved.c.card_id, moved.c.status, literal(note), literal(changed_by)),
        ).cte("logged")
        return list(await self.session.execute(select(moved).add_cte(logged)))

    @unscoped("updates an order the service loaded through the caller's scope just before")
    async def set(self, order_id: UUID, *, new_version: bool = True, **values) -> Row:
        if new_version:
            values["version"] = print_orders.c.version + 1
        return (await self.session.execute(
            update(print_orders).where(print_orders.c.order_id == order_id)
            .values(**values).returning(*print_orders.c))).one()

    @unscoped("the caller's scope over `unit_id` was checked just before; the order shows only if it holds its cards")
    async def holding_cards_of(self, order_id: UUID, unit_id: UUID) -> Row | None:
        """The order, if some of its cards belong to `unit_id`'s subtree (locked: receipts of one order queue)."""
        subtree = subtree_of(unit_id)
        holds = select(cards.c.card_id).where(cards.c.order_id == order_id, cards.c.unit_id.in_(subtree)).exists()
        return (await self.session.execute(
            select(print_orders).where(print_orders.c.order_id == order_id, holds).with_for_update())).one_or_none()

    @unscoped("lines of an order the service loaded through the caller's scope just before")
    async def lines(self, order_id: UUID, after: UUID | None, limit: int) -> list[Row]:
        """The order's cards with the holder's name and unit, in card id order (keyset)."""
        query = (
            select(cards.c.card_id, cards.c.member_id, cards.c.member_code, card_holders.c.full_name,
                   cards.c.unit_id, tree_units.c.name.label("unit_name"), cards.c.kind, cards.c.status,
                   cards.c.card_number, cards.c.verification_code)
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .join(tree_units, tree_units.c.unit_id == cards.c.unit_id)
            .where(cards.c.order_id == order_id)
            .order_by(cards.c.card_id).limit(limit)
        )
        if after is not None:
            query = query.where(cards.c.card_id > after)
        return list(await self.session.execute(query))
