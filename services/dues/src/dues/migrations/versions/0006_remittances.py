"""Remittances of the upper share and their confirmation.

Revision ID: 0006
"""

from alembic import op

from dues.adapters.tables import metadata

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
