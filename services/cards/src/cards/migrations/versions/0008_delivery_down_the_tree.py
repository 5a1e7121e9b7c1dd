"""Delivery down the tree: where each printed card is on its way, each level's confirmations, the hand-over.

Revision ID: 0008

Cards printed before this are on their way to the unit that ordered them.
"""

from alembic import op

from cards.adapters.tables import card_handoffs

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute("ALTER TABLE cards ADD COLUMN IF NOT EXISTS delivery_unit_id uuid")
    op.execute("ALTER TABLE cards ADD COLUMN IF NOT EXISTS delivery_state text")
    op.execute("ALTER TABLE cards ADD COLUMN IF NOT EXISTS handed_over_on date")
    op.execute("ALTER TABLE cards ADD COLUMN IF NOT EXISTS handed_over_by text")
    op.execute("CREATE INDEX IF NOT EXISTS cards_on_their_way ON cards (order_id, delivery_unit_id) "
               "WHERE status = 'printed'")
    card_handoffs.create(op.get_bind(), checkfirst=True)
    op.execute("UPDATE cards SET delivery_unit_id = print_orders.unit_id, delivery_state = 'on_the_way' "
               "FROM print_orders WHERE print_orders.order_id = cards.order_id AND cards.status = 'printed' "
               "AND cards.delivery_unit_id IS NULL")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
