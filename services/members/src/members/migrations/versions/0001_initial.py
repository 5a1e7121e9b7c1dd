"""Initial schema: chassis tables, the member registry and its history.

Revision ID: 0001
"""

from alembic import op

from chassis.migrations import create_chassis_tables
from members.adapters.tables import metadata

revision = "0001"
down_revision = None


def upgrade() -> None:
    connection = op.get_bind()
    create_chassis_tables(connection)
    metadata.create_all(connection)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX members_name_search_trgm ON members USING gin (name_search gin_trgm_ops)")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
