"""Card holders' 3×4 photos (`members.photo.v1`), drawn on the card faces; the partner topics' publisher lease.

Photos stored in members before are sent once by `python -m members.entrypoints.photo_republish`.

Revision ID: 0017
"""

from alembic import op

from cards.adapters.tables import holder_photos

revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    holder_photos.create(op.get_bind(), checkfirst=True)
    # Earlier migrations create tables from today's metadata: a new database has the columns already.
    op.execute("ALTER TABLE partner_topics ADD COLUMN IF NOT EXISTS lease_owner text")
    op.execute("ALTER TABLE partner_topics ADD COLUMN IF NOT EXISTS lease_until timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE partner_topics DROP COLUMN IF EXISTS lease_until")
    op.execute("ALTER TABLE partner_topics DROP COLUMN IF EXISTS lease_owner")
    holder_photos.drop(op.get_bind(), checkfirst=True)
