"""Tables every service has: the outbox (its event history), the inbox and the tree replica."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("trace_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Index("outbox_events_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    Index("outbox_events_occurred_at", "occurred_at"),
)

inbox_events = Table(
    "inbox_events",
    metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("outcome", Text, nullable=False, server_default=text("'processed'")),
    Column("detail", Text),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
)

tree_units = Table(
    "tree_units",
    metadata,
    Column("unit_id", Uuid, primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("type_code", Text, nullable=False),
    Column("parent_id", Uuid),
    Column("status", Text, nullable=False),
    Column("province_code", Text),
    Column("enterprise_type", Text),
    Column("can_admit_members", Boolean, nullable=False, server_default=text("false")),
    Column("can_approve_members", Boolean, nullable=False, server_default=text("false")),
    Column("can_collect_dues", Boolean, nullable=False, server_default=text("false")),
    Column("can_order_cards", Boolean, nullable=False, server_default=text("false")),
    Column("can_have_users", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("tree_units_parent", "parent_id"),
)

# Closure table: one row per (ancestor, descendant) pair, the unit itself at depth 0.
tree_closure = Table(
    "tree_closure",
    metadata,
    Column("ancestor_id", Uuid, nullable=False),
    Column("descendant_id", Uuid, nullable=False),
    Column("depth", Integer, nullable=False),
    PrimaryKeyConstraint("ancestor_id", "descendant_id"),
    Index("tree_closure_descendant", "descendant_id", "ancestor_id"),
)

# Append-only record of every write: a trigger refuses UPDATE, DELETE and TRUNCATE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("service", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("unit_id", Uuid),
    Column("user_id", Uuid),
    Column("username", Text),
    Column("acting_for", Uuid),
    Column("delegation_id", Uuid),
    Column("status", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("request_id", Text),
    Column("client_ip", Text),
    Column("trace_id", Text),
    Index("audit_log_unit_time", "unit_id", "occurred_at"),
    info={"scoped_by": "unit_id"},
)
