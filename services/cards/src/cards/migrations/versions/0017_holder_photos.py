"""Card holders' 3×4 photos (`members.photo.v1`), drawn on the card faces.

Photos stored in members before are sent once by `python -m members.entrypoints.photo_republish`.

Revision ID: 0017
"""

from alembic import op

from cards.adapters.tables import holder_photos

revision = "0017"
# 0016 is the card-fee migration of a branch merged alongside: this one follows it.
down_revision = "0015"


def upgrade() -> None:
    holder_photos.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    holder_photos.drop(op.get_bind(), checkfirst=True)
