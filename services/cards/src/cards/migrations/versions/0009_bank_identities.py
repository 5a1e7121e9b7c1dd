"""What a bank needs to issue a linked card (consented members' ID number, date of birth, phone), and the steps kept
out of the banks' feed for want of consent.

Revision ID: 0009
"""

from alembic import op

from cards.adapters.tables import holder_bank_identities, issuance_withheld

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    bind = op.get_bind()
    holder_bank_identities.create(bind, checkfirst=True)
    issuance_withheld.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    issuance_withheld.drop(bind, checkfirst=True)
    holder_bank_identities.drop(bind, checkfirst=True)
