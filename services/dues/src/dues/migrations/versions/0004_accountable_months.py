"""Months that account for every member: members' history (spells), unpaid and part-paid counts, the unit's
decision for payments above the norm, lines by member.

Revision ID: 0004

0001 creates a new database's tables from the current metadata, so every step here tolerates what it adds
being there already. Members known before this migration get one spell from the beginning of time.
"""

from alembic import op

from dues.adapters.tables import metadata

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("ALTER TABLE dues_payers ADD COLUMN IF NOT EXISTS joined_on date")
    for column, kind in (("members_part_paid", "integer"), ("members_unpaid", "integer"), ("owed_vnd", "bigint")):
        op.execute(f"ALTER TABLE dues_collections ADD COLUMN IF NOT EXISTS {column} {kind} NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE dues_collections ADD COLUMN IF NOT EXISTS above_norm_decision text")
    op.execute("CREATE INDEX IF NOT EXISTS dues_lines_member ON dues_lines (member_id)")
    metadata.create_all(op.get_bind())
    op.execute("INSERT INTO dues_payer_spells (member_id, version, unit_id, status, valid_from) "
               "SELECT member_id, version, unit_id, status, '-infinity' FROM dues_payers ON CONFLICT DO NOTHING")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
