"""Reporting's read model: one fact row per member and running counts per unit.

Counts are kept per unit only; a subtree's figure is the sum over the tree
replica's closure table at query time, so moving or merging units never
rewrites a count.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, PrimaryKeyConstraint, Table, Text, Uuid

metadata = MetaData()

member_facts = Table(
    "member_facts",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("is_foreign", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    info={"scoped_by": "unit_id"},
)

unit_member_counts = Table(
    "unit_member_counts",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("is_foreign", Boolean, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "status", "gender", "is_foreign"),
    info={"scoped_by": "unit_id"},
)
