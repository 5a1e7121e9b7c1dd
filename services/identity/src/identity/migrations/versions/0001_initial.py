"""Initial schema: chassis tables, users, role grants, delegations, signing keys, refresh tokens, the first admin.

Revision ID: 0001
"""

from alembic import op

from chassis.migrations import create_chassis_tables
from identity.adapters.tables import metadata

revision = "0001"
down_revision = None


def upgrade() -> None:
    connection = op.get_bind()
    create_chassis_tables(connection)
    metadata.create_all(connection)
    _create_bootstrap_admin(connection)


def _create_bootstrap_admin(connection) -> None:
    """From IDENTITY_BOOTSTRAP_ADMIN_USERNAME / _PASSWORD; national_admin on the national centre."""
    from identity.application.bootstrap import create_bootstrap_admin
    from identity.config import IdentitySettings

    create_bootstrap_admin(connection, IdentitySettings())


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
