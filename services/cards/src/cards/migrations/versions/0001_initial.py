"""Initial schema: chassis tables (the service's own tables come with its issue).

Revision ID: 0001
"""

from alembic import op

from chassis.migrations import create_chassis_tables
from cards.adapters.tables import metadata

revision = "0001"
down_revision = None


def upgrade() -> None:
    connection = op.get_bind()
    create_chassis_tables(connection)
    metadata.create_all(connection)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
