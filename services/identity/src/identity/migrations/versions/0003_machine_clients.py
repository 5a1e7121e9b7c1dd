"""Machine clients (OAuth2 client credentials) of banks and provincial apps.

Revision ID: 0003
"""

from alembic import op

from identity.adapters.tables import machine_clients

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # 0001 creates the tables from the current metadata, so on a fresh database the table exists already.
    machine_clients.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise RuntimeError("history is kept: machine clients are never dropped")
