"""A Vpoint code has one holder nationally, in the database (until now only the upload path checked it).

Revision ID: 0007

0001 creates tables from the current `tables.py`, so a fresh database has the index already (IF NOT EXISTS).
Codes already held twice stop the migration with the list of them: which member keeps a code is a decision
for the people who gave them out, not for a migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

LIVE = "vpoint_code IS NOT NULL AND status NOT IN ('removed', 'rejected')"


def upgrade() -> None:
    doubles = op.get_bind().execute(sa.text(
        f"SELECT vpoint_code, array_agg(member_id::text) FROM members WHERE {LIVE} "
        "GROUP BY vpoint_code HAVING count(*) > 1 ORDER BY vpoint_code LIMIT 50")).all()
    if doubles:
        listed = "; ".join(f"{code}: {', '.join(holders)}" for code, holders in doubles)
        raise RuntimeError(f"Vpoint codes held by more than one member, resolve them first: {listed}")
    op.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS members_vpoint_code ON members (vpoint_code) WHERE {LIVE}")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS members_vpoint_code")
