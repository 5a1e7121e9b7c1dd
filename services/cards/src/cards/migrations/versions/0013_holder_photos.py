"""Whether each card holder has a 3×4 photo in members (`has_photo` of `members.member.v1`), to flag cards without.

Holders written before keep false until their member's next event (or a replay of `members.member.v1`).

Revision ID: 0013
"""

from alembic import op

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    # Earlier migrations create tables from today's metadata: a new database has the column already.
    op.execute("ALTER TABLE card_holders ADD COLUMN IF NOT EXISTS has_photo boolean NOT NULL DEFAULT false")


def downgrade() -> None:
    op.execute("ALTER TABLE card_holders DROP COLUMN IF EXISTS has_photo")
