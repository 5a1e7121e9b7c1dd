"""Initial schema: the chassis tables (the service's own tables come in 0002).

Revision ID: 0001
"""

from alembic import op

from chassis.migrations import create_chassis_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    connection = op.get_bind()
    create_chassis_tables(connection)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
