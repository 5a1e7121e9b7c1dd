"""The verification code of the member's issued card, so the public lookup can open the digital card.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    # Nullable without a default: a catalogue change only, however many members the table holds.
    op.execute("ALTER TABLE members ADD COLUMN IF NOT EXISTS card_verification_code text")


def downgrade() -> None:
    op.execute("ALTER TABLE members DROP COLUMN IF EXISTS card_verification_code")
