"""Print orders (đơn đặt in thẻ): the orders, the card's order, card numbers issued by the national centre.

Revision ID: 0003

0002 creates tables from the current `tables.py`, so on a fresh database everything here exists already:
every step is idempotent.
"""

from alembic import op

from cards.adapters.tables import metadata

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    metadata.create_all(op.get_bind())  # the new table and sequences, if missing
    op.execute("ALTER TABLE cards ADD COLUMN IF NOT EXISTS order_id uuid REFERENCES print_orders (order_id)")
    op.execute("CREATE INDEX IF NOT EXISTS cards_requested ON cards (kind, unit_id) WHERE status = 'requested'")
    op.execute("CREATE INDEX IF NOT EXISTS cards_in_order ON cards (order_id, card_id) WHERE order_id IS NOT NULL")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
