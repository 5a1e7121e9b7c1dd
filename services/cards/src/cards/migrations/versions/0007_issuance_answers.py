"""The banks' answers for their linked cards (issued or rejected), one per card.

Revision ID: 0007
"""

from alembic import op

from cards.adapters.tables import issuance_answers

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    issuance_answers.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
