"""All of cards' SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, subtree_of, unscoped
from chassis.tables import tree_closure, tree_units
from chassis.views import AggregateView
from contracts.events.cards_card_v1 import CardSnapshot
from contracts.events.cards_issuance_v1 import IssuanceStep
from contracts.events.members_member_v1 import MemberSnapshot
from contracts.permissions import Permission
from sqlalchemy import ARRAY, Row, Uuid, and_, bindparam, func, insert, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.tables import (
    card_handoffs,
    card_history,
    card_holders,
    card_number_seq,
    card_partners,
    cards,
    holder_bank_identities,
    issuance_answers,
    issuance_feed,
    print_order_number_seq,
    print_orders,
)
from cards.domain.model import ISSUED_STATUSES, OPEN_STATUSES, Card, PrintOrder

CARD_COLUMNS = (*cards.c, card_holders.c.full_name)
_PARTNERS = AggregateView(
    card_partners, ("partner_id", "partner_code", "name", "linked_cards_unit_id", "status", "version")
)
_HOLDERS = AggregateView(
    card_holders,
    ("member_id", "unit_id", "member_code", "full_name", "status", "card_type", "has_photo", "version"),
)
# What the consumer reads of a member event's snapshot: the card holders' columns, no more.
SNAPSHOT_FIELDS = _HOLDERS.columns


class CardHolderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies member events for every unit; no principal is involved")
    async def apply(self, snapshots: Sequence[MemberSnapshot]) -> set[UUID]:
        """Keep the view of these members current; their cards follow them to a new unit. Returns the members
        written (stale snapshots are not)."""
        written = await _HOLDERS.upsert(self.session, snapshots)
        if written:
            await self.session.execute(
                update(cards)
                .where(
                    cards.c.member_id == card_holders.c.member_id,
                    card_holders.c.member_id == func.any(bindparam("written", list(written), type_=ARRAY(Uuid))),
                    cards.c.unit_id != card_holders.c.unit_id,
                )
                .values(unit_id=card_holders.c.unit_id)
            )
        return written

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


class PartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies identity's partner catalogue; no principal is involved")
    async def apply(self, snapshots: Sequence) -> None:
        await _PARTNERS.upsert(self.session, snapshots)

    @unscoped("which bank issues a unit's linked cards is national configuration, not member data")
    async def issuers_of(self, unit_ids: Sequence[UUID]) -> dict[UUID, str]:
        """The partner code of the bank issuing the linked cards of each unit: the active partner registered for
        the nearest unit above it (itself included). Units no partner covers are left out."""
        query = (
            select(tree_closure.c.descendant_id, card_partners.c.partner_code)
            .join(card_partners, card_partners.c.linked_cards_unit_id == tree_closure.c.ancestor_id)
            .where(
                tree_closure.c.descendant_id == func.any(bindparam("units", list(unit_ids), type_=ARRAY(Uuid))),
                card_partners.c.status == "active",
            )
            .order_by(tree_closure.c.descendant_id, tree_closure.c.depth)
            .ext(distinct_on(tree_closure.c.descendant_id))
        )
        return dict((await self.session.execute(query)).all())

    @unscoped("the partner catalogue is national configuration")
    async def is_active(self, partner_code: str) -> bool:
        return bool(
            await self.session.scalar(
                select(func.count()).where(
                    card_partners.c.partner_code == partner_code, card_partners.c.status == "active"
                )
            )
        )


class CardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("writes rows the service checked against the caller's scope just before")
    async def add_many(self, rows: list[dict], changed_by: str) -> None:
        await self.session.execute(insert(cards), rows)
        await self.session.execute(
            insert(card_history),
            [
                {"card_id": row["card_id"], "status": row["status"], "note": row["reason"], "changed_by": changed_by}
                for row in rows
            ],
        )

    @unscoped("moves a card the service loaded through the caller's scope just before")
    async def move(self, card_id: UUID, status: str, note: str | None, changed_by: str, at: datetime) -> Card:
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
        return _card(row)

    @unscoped("records the hand-over of a card the service loaded through the caller's scope just before")
    async def hand_over(self, card_id: UUID, on: date, note: str, by: str) -> Card:
        row = (
            await self.session.execute(
                update(cards)
                .where(cards.c.card_id == card_id)
                .values(handed_over_on=on, handed_over_by=by)
                .returning(*cards.c)
            )
        ).one()
        await self.session.execute(
            insert(card_history).values(card_id=card_id, status=row.status, note=note, changed_by=by)
        )
        return _card(row)

    async def get(
        self, principal: Principal, card_id: UUID, permission: Permission, *, for_update: bool = False
    ) -> Card | None:
        query = (
            select(*CARD_COLUMNS, card_holders.c.status.label("member_status"))
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .where(cards.c.card_id == card_id)
        )
        if for_update:
            query = query.with_for_update(of=cards)
        query = restrict_to_scope(query, principal, permission, cards.c.unit_id)
        return _card((await self.session.execute(query)).one_or_none())

    async def page(
        self,
        principal: Principal,
        *,
        unit_id: UUID | None,
        subtree: bool,
        status: str | None,
        kind: str | None,
        member_id: UUID | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[Card]:
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
        query = newest_first(query, cards.c.requested_at, cards.c.card_id, after, limit)
        query = restrict_to_scope(query, principal, Permission.CARDS_READ, cards.c.unit_id)
        return [_card(row) for row in await self.session.execute(query)]

    async def awaiting_answer(self, principal: Principal, card_id: UUID, partner: str) -> Card | None:
        """The bank's card, locked, with the answer it already has (if any); None if no such card of this bank is in
        the client's subtree."""
        query = (
            select(*cards.c, issuance_answers.c.outcome.label("answered"))
            .outerjoin(issuance_answers, issuance_answers.c.card_id == cards.c.card_id)
            .where(cards.c.card_id == card_id, cards.c.partner == partner)
            .with_for_update(of=cards)
        )
        query = restrict_to_scope(query, principal, Permission.CARDS_ANSWER_ISSUANCE, cards.c.unit_id)
        return _card((await self.session.execute(query)).one_or_none())

    @unscoped("records the answer for a card the service loaded through the caller's scope just before")
    async def add_answer(self, values: dict) -> None:
        await self.session.execute(insert(issuance_answers).values(**values))

    @unscoped("counts the cards of an order the service loaded through the caller's scope just before")
    async def order_progress(self, order_id: UUID) -> Row:
        """How many of the order's cards still wait for the bank, and how many it issued."""
        return (
            await self.session.execute(
                select(
                    func.count().filter(cards.c.status == "ordered").label("waiting"),
                    func.count().filter(cards.c.status.in_(ISSUED_STATUSES)).label("issued"),
                ).where(cards.c.order_id == order_id)
            )
        ).one()

    @unscoped("public verification: the unguessable code printed on the card is the credential; a few fields return")
    async def verify(self, verification_code: str) -> Row | None:
        query = (
            select(
                card_holders.c.full_name,
                cards.c.member_code,
                tree_units.c.name.label("unit_name"),
                card_holders.c.status.label("member_status"),
                cards.c.status,
                cards.c.kind,
                cards.c.status_changed_at,
            )
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .join(tree_units, tree_units.c.unit_id == cards.c.unit_id)
            .where(cards.c.verification_code == verification_code, cards.c.status.in_(ISSUED_STATUSES))
        )
        return (await self.session.execute(query)).one_or_none()


def newest_first(query, moment, key, after: tuple[datetime, UUID] | None, limit: int):
    """A list newest first, keyset-paged on (`moment`, `key`): the rows after the cursor's (moment, key)."""
    if after is not None:
        at, last = after
        query = query.where(or_(moment < at, and_(moment == at, key < last)))
    return query.order_by(moment.desc(), key.desc()).limit(limit)


# Whoever appends to the banks' feed holds this lock until its transaction commits (see `tables.issuance_feed`).
ISSUANCE_FEED_LOCK = 0x0CA2D_0001


class IssuanceFeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer appends the steps of every bank's cards; no principal is involved")
    async def append(self, steps: Sequence[dict]) -> None:
        """Append steps in the order given, numbered after the last committed position. The lock serialises
        appenders (several consumer processes, a replay) until they commit, so positions become visible in
        their order; a step already in the feed (its event id) is not added again."""
        if not steps:
            return
        await self.session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": ISSUANCE_FEED_LOCK})
        last = await self.session.scalar(select(func.coalesce(func.max(issuance_feed.c.position), 0)))
        await self.session.execute(
            pg_insert(issuance_feed).on_conflict_do_nothing(index_elements=[issuance_feed.c.event_id]),
            [step | {"position": last + number} for number, step in enumerate(steps, start=1)],
        )

    async def page(
        self,
        principal: Principal,
        partner: str | None,
        after: int | None,
        limit: int,
        positions: Sequence[int] | None = None,
    ) -> list[IssuanceStep]:
        """The steps of linked cards (of one bank when `partner` is given) after position `after` (or at
        `positions`), in feed order, as the banks receive them."""
        feed, unit, delivery = issuance_feed, tree_units.alias("unit"), tree_units.alias("delivery")
        identity = holder_bank_identities  # read when served: a withdrawn consent takes the data out of every page
        query = (
            select(
                feed.c.position.label("sequence"),
                feed.c.event_id,
                feed.c.card_id,
                feed.c.member_id,
                feed.c.unit_id,
                feed.c.card_version.label("version"),
                feed.c.status,
                feed.c.old_status,
                feed.c.kind,
                feed.c.partner,
                feed.c.reason,
                feed.c.card_number,
                feed.c.order_id,
                feed.c.replaces_card_id,
                feed.c.note,
                feed.c.occurred_at.label("changed_at"),
                cards.c.member_code,
                cards.c.verification_code,
                card_holders.c.full_name,
                unit.c.code.label("unit_code"),
                unit.c.name.label("unit_name"),
                print_orders.c.unit_id.label("delivery_unit_id"),
                delivery.c.name.label("delivery_unit_name"),
                identity.c.consent_given_on.label("bank_consent_on"),
                identity.c.id_kind,
                identity.c.id_number,
                identity.c.date_of_birth,
                identity.c.phone,
            )
            .join(cards, cards.c.card_id == feed.c.card_id)
            .join(card_holders, card_holders.c.member_id == feed.c.member_id)
            .outerjoin(unit, unit.c.unit_id == feed.c.unit_id)
            .outerjoin(print_orders, print_orders.c.order_id == feed.c.order_id)
            .outerjoin(delivery, delivery.c.unit_id == print_orders.c.unit_id)
            .outerjoin(identity, (identity.c.member_id == feed.c.member_id) & identity.c.consent_given_on.is_not(None))
            .order_by(feed.c.position)
            .limit(limit)
        )
        if partner is not None:
            query = query.where(feed.c.partner == partner)
        if after is not None:
            query = query.where(feed.c.position > after)
        if positions is not None:
            query = query.where(feed.c.position.in_(positions))
        query = restrict_to_scope(query, principal, Permission.CARDS_READ_ISSUANCE, feed.c.unit_id)
        return [IssuanceStep(**row._mapping) for row in await self.session.execute(query)]


# What a moved card's events need (CardSnapshot), nothing more: 100,000 of them come back from an order.
_SNAPSHOT_COLUMNS = [cards.c[name] for name in CardSnapshot.model_fields]
# The national centre's number printed on a regular card (mã thẻ, distinct from the member code): 10 digits.
_NEXT_CARD_NUMBER = func.to_char(card_number_seq.next_value(), "FM0000000000")


class PrintOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("reads the capability of a unit the service checked against the caller's scope just before")
    async def may_order_cards(self, unit_id: UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(tree_units.c.can_order_cards).where(
                    tree_units.c.unit_id == unit_id, tree_units.c.status == "active"
                )
            )
        )

    @unscoped("the name of the unit of an order the service loaded through the caller's scope just before")
    async def unit_name(self, unit_id: UUID) -> str:
        return await self.session.scalar(select(tree_units.c.name).where(tree_units.c.unit_id == unit_id)) or ""

    @unscoped("adds the order of a unit the service checked against the caller's scope just before")
    async def add(self, values: dict) -> None:
        await self.session.execute(insert(print_orders).values(**values))

    async def next_order_serial(self) -> int:
        return int(await self.session.scalar(select(print_order_number_seq.next_value())))

    async def get(
        self, principal: Principal, order_id: UUID, permission: Permission, *, for_update: bool = False
    ) -> PrintOrder | None:
        query = select(print_orders).where(print_orders.c.order_id == order_id)
        if for_update:
            query = query.with_for_update()
        return _order(
            (
                await self.session.execute(restrict_to_scope(query, principal, permission, print_orders.c.unit_id))
            ).one_or_none()
        )

    async def page(
        self,
        principal: Principal,
        *,
        unit_id: UUID | None,
        status: str | None,
        kind: str | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[PrintOrder]:
        """Orders newest first, keyset-paged on (placed_at, order_id); `unit_id` takes its whole subtree."""
        query = select(print_orders)
        if unit_id is not None:
            query = query.where(print_orders.c.unit_id.in_(subtree_of(unit_id)))
        if status is not None:
            query = query.where(print_orders.c.status == status)
        if kind is not None:
            query = query.where(print_orders.c.kind == kind)
        query = newest_first(query, print_orders.c.placed_at, print_orders.c.order_id, after, limit)
        return [
            _order(row)
            for row in await self.session.execute(
                restrict_to_scope(query, principal, Permission.CARDS_READ, print_orders.c.unit_id)
            )
        ]

    @staticmethod
    def _orderable(unit_id: UUID, kind: str, supplier: str) -> list:
        """The requested cards of the kind (and bank) in the unit's subtree: what an order of that unit takes."""
        conditions = [cards.c.status == "requested", cards.c.kind == kind, cards.c.unit_id.in_(subtree_of(unit_id))]
        if kind == "linked":
            conditions.append(cards.c.partner == supplier)
        return conditions

    async def orderable_counts(self, principal: Principal, unit_id: UUID, kind: str, supplier: str) -> dict:
        """How many cards an order of the unit would take, and how many of them belong to members with no photo."""
        without_photo = func.count().filter(card_holders.c.has_photo.is_(False))
        query = restrict_to_scope(
            select(func.count().label("requested"), without_photo.label("without_photo"))
            .select_from(cards.join(card_holders, card_holders.c.member_id == cards.c.member_id))
            .where(*self._orderable(unit_id, kind, supplier)),
            principal,
            Permission.CARDS_ORDER,
            cards.c.unit_id,
        )
        row = (await self.session.execute(query)).one()
        return {"requested": row.requested, "without_photo": row.without_photo}

    async def gather(self, principal: Principal, order: dict, changed_by: str, at: datetime) -> list[Row]:
        """Every requested card of the order's kind (and bank) in the subtree of the order's unit becomes `ordered`
        in this order, with its history row; a regular card gets its national number now, since the print shop
        prints it on the card. Cards of members with no photo only if the order includes them. Returns the cards
        as they are now. A card requested concurrently by two orders is taken by the first: the second's UPDATE
        re-reads it as `ordered` and leaves it."""
        conditions = self._orderable(order["unit_id"], order["kind"], order["supplier"])
        if not order["include_without_photo"]:
            with_photo = select(card_holders.c.member_id).where(card_holders.c.has_photo)
            conditions.append(cards.c.member_id.in_(with_photo))
        statement = restrict_to_scope(
            update(cards).where(*conditions), principal, Permission.CARDS_ORDER, cards.c.unit_id
        )
        values = {"order_id": order["order_id"]}
        if order["kind"] == "regular":
            values["card_number"] = _NEXT_CARD_NUMBER
        return await self._move_and_log(statement, "ordered", values, f"order {order['order_number']}", changed_by, at)

    @unscoped("moves the cards of an order the service loaded through the caller's scope just before")
    async def move_cards(
        self, order_id: UUID, from_status: str, to_status: str, note: str, changed_by: str, at: datetime
    ) -> list[Row]:
        """The order's cards in `from_status` move to `to_status`, each with its history row. Cancelling takes them
        out of the order and gives their numbers up (never reused: the next order numbers them again)."""
        conditions = [cards.c.order_id == order_id, cards.c.status == from_status]
        values: dict = {}
        if to_status == "requested":
            values |= {"order_id": None, "card_number": None}
        return await self._move_and_log(update(cards).where(*conditions), to_status, values, note, changed_by, at)

    @unscoped("runs the UPDATE its caller built: gather() restricts it to the caller's scope, move_cards() is unscoped")
    async def _move_and_log(
        self, statement, status: str, values: dict, note: str, changed_by: str, at: datetime
    ) -> list[Row]:
        """One statement: the UPDATE, and INSERT … SELECT of a history row for each card it moved."""
        moved = (
            statement.values(status=status, status_changed_at=at, version=cards.c.version + 1, **values)
            .returning(*_SNAPSHOT_COLUMNS)
            .cte("moved")
        )
        logged = (
            insert(card_history)
            .from_select(
                ["card_id", "status", "note", "changed_by"],
                select(moved.c.card_id, moved.c.status, literal(note), literal(changed_by)),
            )
            .cte("logged")
        )
        return list(await self.session.execute(select(moved).add_cte(logged)))

    @unscoped("locks the order of a card the service loaded through the caller's scope just before")
    async def lock(self, order_id: UUID) -> PrintOrder:
        return _order(
            (
                await self.session.execute(
                    select(print_orders).where(print_orders.c.order_id == order_id).with_for_update()
                )
            ).one()
        )

    @unscoped("updates an order the service loaded through the caller's scope just before")
    async def set(self, order_id: UUID, *, new_version: bool = True, **values) -> PrintOrder:
        if new_version:
            values["version"] = print_orders.c.version + 1
        return _order(
            (
                await self.session.execute(
                    update(print_orders)
                    .where(print_orders.c.order_id == order_id)
                    .values(**values)
                    .returning(*print_orders.c)
                )
            ).one()
        )

    @unscoped("starts the way down of an order the service loaded through the caller's scope just before")
    async def start_delivery(self, order_id: UUID, unit_id: UUID) -> None:
        """The order's printed cards not yet on their way are on their way to the unit that ordered them."""
        await self.session.execute(
            update(cards)
            .where(cards.c.order_id == order_id, cards.c.status == "printed", cards.c.delivery_unit_id.is_(None))
            .values(delivery_unit_id=unit_id, delivery_state="on_the_way")
        )

    @unscoped("the caller's scope over `unit_id` was checked just before")
    async def receive(
        self, order_id: UUID, unit_id: UUID, note: str, changed_by: str, at: datetime
    ) -> tuple[int, list[Row]]:
        """`unit_id` confirms the order's cards on their way to it: the cards of its own members are delivered (with
        their history rows), the others are held there until it hands them down. Returns (held, delivered)."""
        arriving = [
            cards.c.order_id == order_id,
            cards.c.status == "printed",
            cards.c.delivery_unit_id == unit_id,
            cards.c.delivery_state == "on_the_way",
        ]
        held = (
            await self.session.execute(
                update(cards).where(*arriving, cards.c.unit_id != unit_id).values(delivery_state="held")
            )
        ).rowcount
        delivered = await self._move_and_log(
            update(cards).where(*arriving, cards.c.unit_id == unit_id),
            "delivered",
            {"delivery_state": "held"},
            note,
            changed_by,
            at,
        )
        return held, delivered

    @unscoped("the caller's scope over `unit_id` was checked just before; `to_unit_id` is below it")
    async def hand_down(self, order_id: UUID, unit_id: UUID, to_unit_id: UUID) -> int:
        """The cards `unit_id` holds for `to_unit_id`'s subtree are on their way to `to_unit_id`."""
        return (
            await self.session.execute(
                update(cards)
                .where(
                    cards.c.order_id == order_id,
                    cards.c.status == "printed",
                    cards.c.delivery_unit_id == unit_id,
                    cards.c.delivery_state == "held",
                    cards.c.unit_id.in_(subtree_of(to_unit_id)),
                )
                .values(delivery_unit_id=to_unit_id, delivery_state="on_the_way")
            )
        ).rowcount

    @unscoped("records a confirmation the service checked against the caller's scope just before")
    async def log_handoff(self, values: dict) -> None:
        await self.session.execute(insert(card_handoffs).values(**values))

    @unscoped("the caller's scope over `unit_id` was checked just before")
    async def is_below(self, unit_id: UUID, other_id: UUID) -> bool:
        """`other_id` is in `unit_id`'s subtree, and not `unit_id` itself."""
        return bool(
            await self.session.scalar(
                select(func.count()).where(
                    tree_closure.c.ancestor_id == unit_id,
                    tree_closure.c.descendant_id == other_id,
                    tree_closure.c.depth > 0,
                )
            )
        )

    @unscoped("the caller's scope over `unit_id` was checked just before")
    async def delivery_progress(self, order_id: UUID, unit_id: UUID) -> tuple[Row, list[Row]]:
        """Where the order's cards of `unit_id`'s subtree are: what is on its way to the unit and what it holds, then
        for each unit directly below it, what still waits at the unit, is on its way down, is held below, and has
        reached its members' units (delivered)."""
        mine = (
            await self.session.execute(
                select(
                    func.count().filter(cards.c.delivery_state == "on_the_way").label("on_the_way"),
                    func.count().filter(cards.c.delivery_state == "held").label("held"),
                ).where(cards.c.order_id == order_id, cards.c.status == "printed", cards.c.delivery_unit_id == unit_id)
            )
        ).one()
        child = tree_units.alias("child")
        below = tree_closure.alias("below")
        printed_below = and_(cards.c.status == "printed", cards.c.delivery_unit_id != unit_id)
        rows = (
            await self.session.execute(
                select(
                    child.c.unit_id,
                    child.c.code,
                    child.c.name,
                    func.count()
                    .filter(and_(cards.c.status == "printed", cards.c.delivery_unit_id == unit_id))
                    .label("waiting_here"),
                    func.count()
                    .filter(and_(printed_below, cards.c.delivery_state == "on_the_way"))
                    .label("on_the_way"),
                    func.count().filter(and_(printed_below, cards.c.delivery_state == "held")).label("held"),
                    func.count().filter(cards.c.status == "delivered").label("delivered"),
                )
                .join(below, below.c.ancestor_id == child.c.unit_id)
                .join(cards, and_(cards.c.unit_id == below.c.descendant_id, cards.c.order_id == order_id))
                .where(child.c.parent_id == unit_id)
                .group_by(child.c.unit_id, child.c.code, child.c.name)
                .order_by(child.c.code)
            )
        ).all()
        return mine, rows

    @unscoped("the caller's scope over `unit_id` was checked just before; the order shows only if it holds its cards")
    async def holding_cards_of(self, order_id: UUID, unit_id: UUID, *, for_update: bool = False) -> PrintOrder | None:
        """The order, if some of its cards belong to `unit_id`'s subtree (locked: confirmations of one order queue)."""
        subtree = subtree_of(unit_id)
        holds = select(cards.c.card_id).where(cards.c.order_id == order_id, cards.c.unit_id.in_(subtree)).exists()
        query = select(print_orders).where(print_orders.c.order_id == order_id, holds)
        return _order((await self.session.execute(query.with_for_update() if for_update else query)).one_or_none())

    @unscoped("lines of an order the service loaded through the caller's scope just before")
    async def lines(self, order_id: UUID, after: UUID | None, limit: int) -> list[Row]:
        """The order's cards with the holder's name and unit, in card id order (keyset)."""
        query = (
            select(
                cards.c.card_id,
                cards.c.member_id,
                cards.c.member_code,
                card_holders.c.full_name,
                card_holders.c.has_photo,
                cards.c.unit_id,
                tree_units.c.name.label("unit_name"),
                cards.c.kind,
                cards.c.status,
                cards.c.card_number,
                cards.c.verification_code,
            )
            .join(card_holders, card_holders.c.member_id == cards.c.member_id)
            .join(tree_units, tree_units.c.unit_id == cards.c.unit_id)
            .where(cards.c.order_id == order_id)
            .order_by(cards.c.card_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(cards.c.card_id > after)
        return list(await self.session.execute(query))


def _card(row: Row | None) -> Card | None:
    return None if row is None else Card(**row._mapping)


def _order(row: Row | None) -> PrintOrder | None:
    return None if row is None else PrintOrder(**row._mapping)
