"""Faster imports and approvals: time-ordered ids in SQL, progress of imports checked chunk by chunk, byte-order
comparison for member codes, ID numbers and phones.

Revision ID: 0003

0001 creates tables from the current `tables.py`, so on a fresh database the new column already
exists when this runs: every step here is idempotent.
"""

import sqlalchemy as sa
from alembic import op

from chassis.ids import UUID_V7_FUNCTION_SQL

revision = "0003"
down_revision = "0002"


# Byte-order ("C") comparison for the identifier columns: only equality is asked of them, and the locale's
# strcoll() in every b-tree descent was a visible share of an import's inserts. Changing the collation keeps the
# table as it is but rebuilds the indexes on these columns (a few minutes at 10 M members, table locked).
C_COLUMNS = ("member_code", "id_number", "phone")


def upgrade() -> None:
    op.execute(UUID_V7_FUNCTION_SQL)
    op.execute("ALTER TABLE member_imports ADD COLUMN IF NOT EXISTS staged_through integer NOT NULL DEFAULT 0")
    changes = op.get_bind().execute(sa.text(
        "SELECT a.attname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
        "WHERE a.attrelid = 'members'::regclass AND a.attname = ANY(:names) AND c.collname <> 'C' "
        "ORDER BY a.attnum"), {"names": list(C_COLUMNS)}).scalars().all()
    if changes:
        op.execute("ALTER TABLE members " + ", ".join(f'ALTER COLUMN {name} TYPE text COLLATE "C"'
                                                      for name in changes))


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
