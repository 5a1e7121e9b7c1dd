"""Card faces of large orders made in the background, a part at a time.

Revision ID: 0012
"""

from alembic import op

from cards.adapters.tables import face_jobs, face_parts

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    bind = op.get_bind()
    face_jobs.create(bind, checkfirst=True)
    face_parts.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    face_parts.drop(bind, checkfirst=True)
    face_jobs.drop(bind, checkfirst=True)
