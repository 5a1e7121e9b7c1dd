"""Approval, lifecycle, transfers and imports: member codes, new member columns, new tables.

Revision ID: 0002

0001 creates tables from the current `tables.py`, so on a fresh database the new
columns and tables already exist when this runs: every step here is idempotent.
"""

from alembic import op

from members.adapters.tables import metadata
from members.domain.member_codes import MEMBER_CODE_FUNCTION_SQL

revision = "0002"
down_revision = "0001"

NEW_MEMBER_COLUMNS = {
    "id_issued_on": "date", "id_issued_place": "text", "education": "text", "employer": "text",
    "contract_months": "integer", "card_status": "text NOT NULL DEFAULT 'none'", "status_reason": "text",
    "suspended_until": "date", "approved_at": "timestamptz", "approved_by": "text", "import_id": "uuid",
}


def upgrade() -> None:
    for name, kind in NEW_MEMBER_COLUMNS.items():
        op.execute(f"ALTER TABLE members ADD COLUMN IF NOT EXISTS {name} {kind}")
    op.execute("ALTER TABLE member_history ADD COLUMN IF NOT EXISTS details jsonb")
    op.execute('ALTER TABLE members ALTER COLUMN name_search TYPE text COLLATE "C"')
    metadata.create_all(op.get_bind(), checkfirst=True)
    op.execute("CREATE INDEX IF NOT EXISTS members_id_number ON members (id_number)")
    op.execute("CREATE INDEX IF NOT EXISTS members_name_order ON members (name_search, member_id) INCLUDE (unit_id)")
    op.execute("CREATE INDEX IF NOT EXISTS members_phone ON members (phone) WHERE phone IS NOT NULL")
    op.execute("CREATE INDEX IF NOT EXISTS members_pending ON members (unit_id, created_at) WHERE status = 'pending'")
    op.execute(
        "CREATE INDEX IF NOT EXISTS members_suspension_due ON members (suspended_until) WHERE status = 'suspended'"
    )
    op.execute(MEMBER_CODE_FUNCTION_SQL)
    # Scoped queries bind the principal's units as parameters. After five runs of a prepared statement
    # PostgreSQL may switch to a generic plan that hashes every unit of the tree: an ID-number search went
    # from 2 ms to 300 ms. Custom plans for every execution cost ~1 ms of planning and keep index plans.
    op.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', "
               "current_database()); END $$")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
