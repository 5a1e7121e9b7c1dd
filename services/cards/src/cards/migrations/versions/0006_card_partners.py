"""Which bank issues whose linked cards: cards' view of identity's partner catalogue, VietinBank for all.

Revision ID: 0006

identity registers VietinBank in its own migration with the same id and version, and publishes it; this row
lets a linked card be requested before that event has arrived (the view ignores a version it already holds).
"""

from alembic import op
from contracts.wellknown import NATIONAL_CENTRE_ID, VIETINBANK_NAME, VIETINBANK_PARTNER_CODE, VIETINBANK_PARTNER_ID
from sqlalchemy.dialects.postgresql import insert

from cards.adapters.tables import card_partners

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    connection = op.get_bind()
    card_partners.create(connection, checkfirst=True)
    connection.execute(insert(card_partners).values(
        partner_id=VIETINBANK_PARTNER_ID, partner_code=VIETINBANK_PARTNER_CODE, name=VIETINBANK_NAME,
        linked_cards_unit_id=NATIONAL_CENTRE_ID, status="active", version=1).on_conflict_do_nothing())


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
