"""The member registry's tables. The tree replica tables come from the chassis."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

members = Table(
    "members",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("member_code", Text, unique=True),
    Column("full_name", Text, nullable=False),
    Column("name_search", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("id_kind", Text, nullable=False),
    Column("id_number", Text, nullable=False),
    Column("joined_on", Date),
    Column("position", Text),
    Column("phone", Text),
    Column("email", Text),
    Column("hometown", Text),
    Column("ethnicity", Text),
    Column("religion", Text),
    Column("occupation", Text),
    Column("nationality", Text, nullable=False, server_default=text("'VN'")),
    Column("card_type", Text),
    Column("vpoint_code", Text),
    Column("has_photo", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # One person is one member nationally, unless that membership ended.
    Index("members_one_person", "id_number", unique=True,
          postgresql_where=text("status NOT IN ('removed', 'rejected')")),
    Index("members_unit_name", "unit_id", "name_search", "member_id"),
    info={"scoped_by": "unit_id"},
)

# Every version of every member: who changed what, when, acting for whom, and why.
member_history = Table(
    "member_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("member_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("change", Text, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("reason", Text),
    Column("changed_by", Text),
    Column("acting_for", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("member_history_member_version", "member_id", "version", unique=True),
    info={"scoped_by": "member_id -> members.unit_id"},
)
