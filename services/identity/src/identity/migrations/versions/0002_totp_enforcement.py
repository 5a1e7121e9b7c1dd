"""TOTP enforcement: the administrator-set enrolment flag and the hashed recovery codes.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # 0001 creates the tables from the current metadata, so on a fresh database the columns exist already.
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_enrolment_required boolean NOT NULL DEFAULT false")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS totp_recovery_codes text[] NOT NULL DEFAULT '{}'")


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS totp_recovery_codes")
    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS totp_enrolment_required")
