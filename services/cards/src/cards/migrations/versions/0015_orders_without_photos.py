"""Print orders leave out cards whose member has no photo unless the unit includes them, and say how many they left.

Orders placed before took every card: they keep `include_without_photo` true and nothing left out.

Revision ID: 0015
"""

from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    # Earlier migrations create tables from today's metadata: a new database has the columns already.
    op.execute("ALTER TABLE print_orders ADD COLUMN IF NOT EXISTS include_without_photo boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE print_orders ALTER COLUMN include_without_photo SET DEFAULT false")
    op.execute("ALTER TABLE print_orders ADD COLUMN IF NOT EXISTS left_out_without_photo integer NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE print_orders DROP COLUMN IF EXISTS left_out_without_photo")
    op.execute("ALTER TABLE print_orders DROP COLUMN IF EXISTS include_without_photo")
