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
    Table,
    Text,
    Uuid,
    func,
    text,
)

metadata = MetaData()

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
