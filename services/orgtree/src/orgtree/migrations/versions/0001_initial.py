"""Initial schema: chassis tables, unit types from the catalogue, units with history, the national centre.

Revision ID: 0001
"""

from datetime import date

from alembic import op

from chassis.migrations import create_chassis_tables
from orgtree.adapters.tables import metadata, unit_types
from orgtree.domain.catalogue import CATALOGUE

revision = "0001"
down_revision = None


def upgrade() -> None:
    connection = op.get_bind()
    create_chassis_tables(connection)
    metadata.create_all(connection)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX units_name_search_trgm ON units USING gin (name_search gin_trgm_ops)")
    op.bulk_insert(
        unit_types,
        [
            {
                "code": t.code, "name_vi": t.name_vi, "name_en": t.name_en, "level": t.level,
                "can_admit_members": t.can_admit_members, "can_approve_members": t.can_approve_members,
                "can_collect_dues": t.can_collect_dues, "can_order_cards": t.can_order_cards,
                "can_have_users": t.can_have_users, "allowed_children": list(t.allowed_children),
            }
            for t in CATALOGUE
        ],
    )
    _create_national_centre(connection)


def _create_national_centre(connection) -> None:
    """The root every other unit hangs from, announced like any other unit."""
    from orgtree.application.bootstrap import create_national_centre

    create_national_centre(connection, date(2025, 7, 1))


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
