"""ID numbers of ended memberships in their own partial index instead of a second index over every member.

Revision ID: 0004

Search by ID number finds members of any status: members_one_person (every status but removed and rejected)
and members_id_number_closed (removed and rejected) together cover all of them, so the full index on id_number
was a tenth index that every insert and every approval had to update for nothing. 0001 creates tables from the
current `tables.py`, so every step here is idempotent.
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS members_id_number_closed ON members (id_number) "
               "WHERE status IN ('removed', 'rejected')")
    op.execute("DROP INDEX IF EXISTS members_id_number")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
