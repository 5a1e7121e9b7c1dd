"""Dues' tables: its view of members, the effective-dated policy, and each unit's recorded months.

A month is recorded once per unit; a correction records the month again and marks the earlier record
`superseded` (kept, with who and when): nothing is edited or deleted.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
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

metadata = MetaData()

# Fed by members.member.v1: who pays dues where, and whether they are active.
dues_payers = Table(
    "dues_payers",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("member_code", Text),
    Column("full_name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Index("dues_payers_unit", "unit_id"),
    info={"scoped_by": "unit_id"},
)

dues_policies = Table(
    "dues_policies",
    metadata,
    Column("effective_from", Date, primary_key=True),
    Column("rate_permille", Integer, nullable=False),
    Column("base_salary_vnd", BigInteger, nullable=False),
    Column("cap_percent_of_base", Integer, nullable=False),
    Column("grassroots_share_percent", Integer, nullable=False),
    Column("decision", Text, nullable=False),  # the decision that set it, e.g. "61/QĐ-TLĐ"
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

dues_collections = Table(
    "dues_collections",
    metadata,
    Column("collection_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    Column("status", Text, nullable=False),  # recorded | superseded
    Column("policy_from", Date, ForeignKey("dues_policies.effective_from"), nullable=False),
    Column("members_paid", Integer, nullable=False),
    Column("members_exempt", Integer, nullable=False),
    Column("collected_vnd", BigInteger, nullable=False),
    Column("norm_vnd", BigInteger, nullable=False),
    Column("upper_share_vnd", BigInteger, nullable=False),
    Column("grassroots_share_vnd", BigInteger, nullable=False),
    Column("corrects_id", Uuid, ForeignKey("dues_collections.collection_id")),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("superseded_at", DateTime(timezone=True)),
    # One live record per unit and month; corrections supersede it.
    Index("dues_collections_one_per_month", "unit_id", "month", unique=True,
          postgresql_where=text("status = 'recorded'")),
    Index("dues_collections_month_unit", "month", "unit_id"),
    info={"scoped_by": "unit_id"},
)

dues_lines = Table(
    "dues_lines",
    metadata,
    Column("collection_id", Uuid, ForeignKey("dues_collections.collection_id"), nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("salary_vnd", BigInteger),
    Column("norm_vnd", BigInteger, nullable=False),
    Column("paid_vnd", BigInteger, nullable=False),
    Column("upper_share_vnd", BigInteger, nullable=False),
    Column("exemption", Text),
    PrimaryKeyConstraint("collection_id", "member_id"),
    info={"scoped_by": "collection_id -> dues_collections.unit_id"},
)
