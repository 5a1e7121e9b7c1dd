"""orgtree's own tables. The tree replica tables (`tree_units`, `tree_closure`) come from the chassis."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

unit_types = Table(
    "unit_types",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("can_admit_members", Boolean, nullable=False),
    Column("can_approve_members", Boolean, nullable=False),
    Column("can_collect_dues", Boolean, nullable=False),
    Column("can_order_cards", Boolean, nullable=False),
    Column("can_have_users", Boolean, nullable=False),
    Column("allowed_children", ARRAY(Text), nullable=False),
    Column("abolished_on", Date),
)

units = Table(
    "units",
    metadata,
    Column("unit_id", Uuid, primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("name_search", Text, nullable=False),
    Column("short_name", Text),
    Column("type_code", Text, ForeignKey("unit_types.code"), nullable=False),
    Column("parent_id", Uuid, ForeignKey("units.unit_id")),
    Column("status", Text, nullable=False),
    Column("province_code", Text),
    Column("address", Text),
    Column("employer_name", Text),
    Column("employer_tax_code", Text),
    Column("enterprise_type", Text),
    Column("sector", Text),
    Column("workforce_size", Integer),
    Column("merged_into_id", Uuid),
    Column("successor_unit_id", Uuid),
    Column("effective_from", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("units_parent_code", "parent_id", "code"),
    # Code-prefix search ("CS00123" finds CS001230..CS001239) needs pattern ops under a non-C collation.
    Index("units_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}),
    info={"scoped_by": "unit_id"},
)

# Every version of every unit with the dates it was true: the tree as of any past date.
unit_history = Table(
    "unit_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("unit_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("parent_id", Uuid),
    Column("state", JSONB, nullable=False),
    Column("change", Text, nullable=False),
    Column("changed_by", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("unit_history_unit_version", "unit_id", "version", unique=True),
    Index("unit_history_validity", "valid_from", "valid_to"),
    Index("unit_history_parent", "parent_id", "valid_from"),
    info={"scoped_by": "unit_id"},
)

# Where each member is, from `members.member.v1`: orgtree never reads members otherwise, but dissolving
# a unit needs to know whether it still holds anyone.
member_units = Table(
    "member_units",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Index("member_units_unit", "unit_id", "status"),
    info={"scoped_by": "unit_id"},
)
