"""A member's consent to share ID number, date of birth and phone with the bank issuing their linked card.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute("ALTER TABLE members ADD COLUMN IF NOT EXISTS bank_consent_on date")


def downgrade() -> None:
    op.execute("ALTER TABLE members DROP COLUMN IF EXISTS bank_consent_on")
