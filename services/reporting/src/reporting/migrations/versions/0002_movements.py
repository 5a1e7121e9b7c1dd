"""The movements ledger, opened with a balance for every member counted today.

Revision ID: 0002

What happened before the ledger existed is not known here: each member counted at upgrade time gets one
`opening` row (+1, today), so that the members of any subtree on any day from now on add up.
"""

from alembic import op

from reporting.adapters.tables import metadata

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    op.execute("""
        INSERT INTO membership_movements (event_id, unit_id, member_id, occurred_on, kind, delta)
        SELECT gen_random_uuid(), f.unit_id, f.member_id, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 'opening', 1
        FROM member_facts f
        WHERE f.status IN ('active', 'suspended')
          AND NOT EXISTS (SELECT 1 FROM membership_movements m WHERE m.member_id = f.member_id)""")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
