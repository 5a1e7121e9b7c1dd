"""Reporting's read model: one fact row per member, running counts per unit, and the movements ledger.

Counts are kept per unit only; a subtree's figure is the sum over the tree
replica's closure table at query time, so moving or merging units never
rewrites a count. The ledger holds every movement with its day and its change in the unit's count: the
members of a subtree on a past day are its members now less the deltas since that day (the opening balance
that migration 0002 wrote for the members known then makes the ledger add up to the counts).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    Uuid,
    text,
)

metadata = MetaData()

member_facts = Table(
    "member_facts",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("is_foreign", Boolean, nullable=False),
    # What the member holds or waits for (none, requested, printed, delivered), from cards.card.v1.
    Column("card_status", Text, nullable=False, server_default=text("'none'")),
    Column("version", Integer, nullable=False),
    info={"scoped_by": "unit_id"},
)

# The latest card status of each member, as card events report it. Member and card events come on two topics
# and either may arrive first: both handlers lock this row first, so they apply one after the other.
member_cards = Table(
    "member_cards",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("card_status", Text, nullable=False),
)

unit_member_counts = Table(
    "unit_member_counts",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("is_foreign", Boolean, nullable=False),
    Column("card_status", Text, nullable=False, server_default=text("'none'")),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "status", "gender", "is_foreign", "card_status"),
    info={"scoped_by": "unit_id"},
)

membership_movements = Table(
    "membership_movements",
    metadata,
    Column("event_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("occurred_on", Date, nullable=False),  # Vietnamese calendar day
    Column("kind", Text, nullable=False),  # opening, or one of domain.movements.MOVEMENT_KINDS
    Column("delta", SmallInteger, nullable=False),
    Column("other_unit_id", Uuid),  # the other side of a transfer
    PrimaryKeyConstraint("event_id", "unit_id"),
    # Both read without touching the table: a subtree's movements unit by unit, or a period's movements day by
    # day (the whole country, a province: the planner picks).
    Index("membership_movements_unit_day", "unit_id", "occurred_on",
          postgresql_include=["delta", "kind", "other_unit_id"]),
    Index("membership_movements_day", "occurred_on", postgresql_include=["unit_id", "delta", "kind", "other_unit_id"]),
    info={"scoped_by": "unit_id"},
)
