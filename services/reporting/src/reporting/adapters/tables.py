"""Reporting's read model: one fact row per member, running counts per unit, and the movements ledger.

Counts are kept per unit only; a subtree's figure is the sum over the tree
replica's closure table at query time, so moving or merging units never
rewrites a count. The ledger holds every movement with its day and its change in the unit's count: the
members of a subtree on a past day are its members now less the deltas since that day (the opening balance
that migration 0002 wrote for the members known then makes the ledger add up to the counts).

The figures (`subtree_figures`, `subtree_figure_days`) are rolled up on write to every unit above the member, in
the tree of the day: a subtree's figure as of any day reads its own rows, a few hundred for the whole country,
never its members. `unit_versions` is the tree's history with the dates each version was in force.
"""

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
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    Uuid,
    func,
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
    # What the figures count the member by (domain/figures.py); NULL: not known. The unit's part (enterprise
    # type, sector, employer size) is the unit's when the member was last applied or the unit last changed.
    Column("birth_year", SmallInteger),
    Column("nationality", Text),
    Column("ethnicity", Text),
    Column("religion", Text),
    Column("education", Text),
    Column("is_officer", Boolean, nullable=False, server_default=text("false")),
    Column("has_photo", Boolean),
    Column("has_id_number", Boolean),
    Column("has_phone", Boolean),
    Column("enterprise_type", Text),
    Column("sector", Text),
    Column("employer_size", Text),
    # A unit whose profile changes re-counts its own members.
    Index("member_facts_unit", "unit_id"),
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
    Index(
        "membership_movements_unit_day", "unit_id", "occurred_on", postgresql_include=["delta", "kind", "other_unit_id"]
    ),
    Index("membership_movements_day", "occurred_on", postgresql_include=["unit_id", "delta", "kind", "other_unit_id"]),
    info={"scoped_by": "unit_id"},
)

# Members of each unit's whole subtree by dimension and value, now: the figures as of today. `unit_id` is the
# unit the figure is for (every unit above the member, and the member's own), not the member's unit.
subtree_figures = Table(
    "subtree_figures",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("dimension", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "dimension", "value"),
    info={"scoped_by": "unit_id"},
)

# The change of each of those figures per day (Vietnamese calendar): the figure as of day D is the figure now
# less the changes after D (or the changes up to D, whichever is fewer rows). A unit moved with effect from
# day E takes its subtree's changes from E on with it (`FigureRepository.move_subtree`).
subtree_figure_days = Table(
    "subtree_figure_days",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("dimension", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("value", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "dimension", "day", "value"),
    info={"scoped_by": "unit_id"},
)

# How many members moved (domain.movements.MOVEMENT_KINDS) out of or into each unit's whole subtree per day,
# women apart: a transfer between two units of a subtree is not a movement of that subtree, so it is added only to
# the units above one side and not the other.
subtree_movement_days = Table(
    "subtree_movement_days",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("female", Boolean, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "day", "kind", "female"),
    info={"scoped_by": "unit_id"},
)

# The same changes and movements summed per month (the month's first day), kept by triggers on the day tables
# (migration 0008), so no writer can forget them: a period's sum reads a row a month for its whole months and days
# only at its edges. A country's year is ~12 rows per figure instead of ~365.
subtree_figure_months = Table(
    "subtree_figure_months",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("dimension", Text, nullable=False),
    Column("month", Date, nullable=False),
    Column("value", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "dimension", "month", "value"),
    info={"scoped_by": "unit_id"},
)
subtree_movement_months = Table(
    "subtree_movement_months",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("female", Boolean, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "month", "kind", "female"),
    info={"scoped_by": "unit_id"},
)

# Each grassroots union's band of members (domain.units.SIZE_BANDS' lower bound; NULL: not an active grassroots union)
# from each day its own figures changed: what the rolled-up `grassroots_members` figures say of it, kept by a trigger
# on `subtree_figure_days` (migration 0009) that compares a union's bands recounted from its rows with these.
grassroots_bands = Table(
    "grassroots_bands",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("band", Integer),
    PrimaryKeyConstraint("unit_id", "day"),
)

# The same summed per year (its first day), kept by triggers on the month tables (migration 0009): a year's report
# reads a row per figure for its whole years, months only for the months outside them, days only at its edges.
subtree_figure_years = Table(
    "subtree_figure_years",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("dimension", Text, nullable=False),
    Column("year", Date, nullable=False),
    Column("value", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "dimension", "year", "value"),
    info={"scoped_by": "unit_id"},
)
subtree_movement_years = Table(
    "subtree_movement_years",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("year", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("female", Boolean, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "year", "kind", "female"),
    info={"scoped_by": "unit_id"},
)

# Figure changes and movements of members in units the tree replica does not hold yet (the member's event
# overtook the unit's): they go up the tree when the unit arrives.
unplaced_figures = Table(
    "unplaced_figures",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("dimension", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("members", BigInteger, nullable=False),
    PrimaryKeyConstraint("unit_id", "day", "dimension", "value"),
)
unplaced_movements = Table(
    "unplaced_movements",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("other_unit_id", Uuid),
    Column("day", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("female", Boolean, nullable=False),
    Column("members", BigInteger, nullable=False),
    Index("unplaced_movements_unit", "unit_id"),
)

# The first day the figures know: a figure before it cannot be answered. One row; NULL until the first change.
figure_ledger = Table(
    "figure_ledger",
    metadata,
    Column("opened_on", Date),
)

# Every version of every unit with the days it was in force, [valid_from, valid_to): the tree of any past day.
unit_versions = Table(
    "unit_versions",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),  # NULL: in force now
    Column("parent_id", Uuid),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("type_code", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("enterprise_type", Text),
    Column("sector", Text),
    Column("workforce_size", Integer),
    PrimaryKeyConstraint("unit_id", "version"),
    Index("unit_versions_parent", "parent_id", "valid_from"),
    Index("unit_versions_current", "unit_id", postgresql_where=text("valid_to IS NULL"), unique=True),
    info={"scoped_by": "unit_id"},
)

# Each unit's latest dues record of each month (dues.collection.v1; a correction replaces it).
_DUES_AMOUNTS = (
    "members_paid",
    "members_exempt",
    "collected_vnd",
    "norm_vnd",
    "upper_share_vnd",
    "grassroots_share_vnd",
    "units_reporting",
)
dues_months = Table(
    "dues_months",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in _DUES_AMOUNTS),
    PrimaryKeyConstraint("unit_id", "month"),
    info={"scoped_by": "unit_id"},
)

# The dues of each unit's whole subtree per month, rolled up on write like the figures; `units_reporting` counts
# the units below that recorded the month; `remitted_vnd` and `confirmed_vnd` what the collecting units below
# remitted of their upper share for periods ending in the month, and of it what their upper level confirmed.
subtree_dues = Table(
    "subtree_dues",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in _DUES_AMOUNTS),
    Column("remitted_vnd", BigInteger, nullable=False, server_default="0"),
    Column("confirmed_vnd", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("unit_id", "month"),
    info={"scoped_by": "unit_id"},
)

# Each remittance of the upper share (dues.collection.v1), its latest state: counted in the month ending its period.
dues_remittances = Table(
    "dues_remittances",
    metadata,
    Column("remittance_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("month", Date, nullable=False),
    Column("amount_vnd", BigInteger, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Index("dues_remittances_unit", "unit_id"),
    info={"scoped_by": "unit_id"},
)

# Member-development targets (chỉ tiêu phát triển đoàn viên) a level sets for the units below it, per term: the
# only data reporting owns rather than reads from events; they exist for reports alone.
member_targets = Table(
    "member_targets",
    metadata,
    Column("unit_id", Uuid, nullable=False),
    Column("term", Text, nullable=False),  # nhiệm kỳ, e.g. 2023-2028
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("members", BigInteger, nullable=False),  # members at the end of the term
    Column("admissions", BigInteger, nullable=False),  # members admitted during the term
    Column("set_by", Text, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("unit_id", "term"),
    info={"scoped_by": "unit_id"},
)
