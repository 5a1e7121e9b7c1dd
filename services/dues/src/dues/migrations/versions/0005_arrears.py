"""Arrears: a row per member and month owed (from the live records), and their sum per unit.

Revision ID: 0005
"""

from alembic import op

from dues.adapters.repository import ARREARS_OF_COLLECTIONS, REFRESH_UNITS
from dues.adapters.tables import metadata

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    op.execute(ARREARS_OF_COLLECTIONS.format(
        collections="SELECT collection_id FROM dues_collections WHERE status = 'recorded'") +
        " ON CONFLICT DO NOTHING")
    op.execute(REFRESH_UNITS.format(units="SELECT DISTINCT unit_id FROM dues_arrears"))


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
