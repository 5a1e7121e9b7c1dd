"""Cards' tables: its view of members (fed by member events) and the cards themselves, with history.

Both carry the member's current unit so the chassis scope helper can filter them; a transfer moves
the member's cards to the new unit, because the new unit now answers for them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    Table,
    Text,
    Uuid,
    func,
    text,
)

metadata = MetaData()

# Order numbers and the national centre's card numbers: never cycle, never reused (a rollback leaves a gap).
print_order_number_seq = Sequence("print_order_number_seq", start=1, maxvalue=999_999, metadata=metadata)
card_number_seq = Sequence("card_number_seq", start=1, maxvalue=9_999_999_999, metadata=metadata)

card_holders = Table(
    "card_holders",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text),
    Column("full_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("card_type", Text),
    Column("version", Integer, nullable=False),
    info={"scoped_by": "unit_id"},
)

cards = Table(
    "cards",
    metadata,
    Column("card_id", Uuid, primary_key=True),
    Column("member_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("card_number", Text, unique=True),
    # The bank that issues a linked card (its partner code); null for a regular card.
    Column("partner", Text),
    Column("verification_code", Text, nullable=False, unique=True),
    Column("replaces_card_id", Uuid, ForeignKey("cards.card_id")),
    # The print order that took the card (set when ordered, kept afterwards; cleared if the order is cancelled).
    Column("order_id", Uuid, ForeignKey("print_orders.order_id")),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    # At most one card on its way per member: concurrent requests cannot both win.
    Index("cards_one_open_per_member", "member_id", unique=True,
          postgresql_where=text("status in ('requested', 'ordered', 'printed')")),
    Index("cards_unit_requested", "unit_id", "requested_at", "card_id"),
    Index("cards_member", "member_id"),
    Index("cards_partner_history", "partner", postgresql_where=text("partner is not null")),
    # What a print order gathers: the requested cards of one kind in a subtree.
    Index("cards_requested", "kind", "unit_id", postgresql_where=text("status = 'requested'")),
    Index("cards_in_order", "order_id", "card_id", postgresql_where=text("order_id is not null")),
    info={"scoped_by": "unit_id"},
)

# Đơn đặt in thẻ: the requested cards of a subtree, gathered by a unit that may order cards, for one supplier.
# Its three moments (placed, printed, cancelled) are columns: an order is never edited otherwise.
print_orders = Table(
    "print_orders",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("order_number", Text, nullable=False, unique=True),
    Column("unit_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("supplier", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("card_count", Integer, nullable=False),
    Column("unit_price_vnd", Integer, nullable=False),
    Column("total_vnd", BigInteger, nullable=False),
    Column("note", Text),
    Column("placed_by", Text, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("printed_by", Text),
    Column("printed_at", DateTime(timezone=True)),
    Column("cancelled_by", Text),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancel_reason", Text),
    Column("version", Integer, nullable=False),
    Index("print_orders_unit_placed", "unit_id", "placed_at", "order_id"),
    info={"scoped_by": "unit_id"},
)

card_history = Table(
    "card_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("card_id", Uuid, ForeignKey("cards.card_id"), nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("note", Text),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
