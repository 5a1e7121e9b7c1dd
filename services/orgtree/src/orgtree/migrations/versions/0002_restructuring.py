"""Restructuring: successor units, abolished unit types, the member-location replica, faster tree walks.

Revision ID: 0002

0001 creates tables from the current `tables.py`, so on a fresh database the new
columns and tables already exist when this runs: every step here is idempotent.
"""

from datetime import date

from alembic import op
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import member_units, unit_types
from orgtree.domain.catalogue import CATALOGUE

revision = "0002"
down_revision = "0001"

# The confederation's founding day (28/7/1929): the root must exist in every past tree a report asks for.
CENTRE_FOUNDED = date(1929, 7, 28)


def upgrade() -> None:
    connection = op.get_bind()
    op.execute("ALTER TABLE units ADD COLUMN IF NOT EXISTS successor_unit_id uuid")
    op.execute("ALTER TABLE unit_types ADD COLUMN IF NOT EXISTS abolished_on date")
    op.execute("DROP INDEX IF EXISTS units_parent")
    op.execute("CREATE INDEX IF NOT EXISTS units_parent_code ON units (parent_id, code)")
    op.execute("CREATE INDEX IF NOT EXISTS units_code_pattern ON units (code text_pattern_ops)")
    op.execute("CREATE INDEX IF NOT EXISTS unit_history_parent ON unit_history (parent_id, valid_from)")
    member_units.create(connection, checkfirst=True)

    rows = [
        {
            "code": t.code, "name_vi": t.name_vi, "name_en": t.name_en, "level": t.level,
            "can_admit_members": t.can_admit_members, "can_approve_members": t.can_approve_members,
            "can_collect_dues": t.can_collect_dues, "can_order_cards": t.can_order_cards,
            "can_have_users": t.can_have_users, "allowed_children": list(t.allowed_children),
            "abolished_on": t.abolished_on,
        }
        for t in CATALOGUE
    ]
    upsert = pg_insert(unit_types).values(rows)
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=[unit_types.c.code],
            set_={column: upsert.excluded[column] for column in rows[0] if column != "code"},
        )
    )
    connection.execute(
        text("UPDATE unit_history SET valid_from = :founded WHERE unit_id = :centre AND version = 1"),
        {"founded": CENTRE_FOUNDED, "centre": NATIONAL_CENTRE_ID},
    )
    connection.execute(
        text("UPDATE units SET effective_from = :founded WHERE unit_id = :centre AND version = 1"),
        {"founded": CENTRE_FOUNDED, "centre": NATIONAL_CENTRE_ID},
    )


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
