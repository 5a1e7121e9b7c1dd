"""Remittances of the upper share in the dues figures: each remittance's latest state, and what the collecting units
of each subtree remitted and had confirmed per month.

Revision ID: 0007
"""

from alembic import op

from reporting.adapters.tables import metadata

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    # Earlier migrations create the tables from today's metadata: a new database has the columns already.
    for name in ("remitted_vnd", "confirmed_vnd"):
        op.execute(f"ALTER TABLE subtree_dues ADD COLUMN IF NOT EXISTS {name} bigint NOT NULL DEFAULT 0")
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
