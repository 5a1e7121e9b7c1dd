"""Webhook senders claim a partner by a lease (owner, until) instead of holding its row locked while they wait on
the partner's endpoint.

Revision ID: 0014
"""

from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    # Earlier migrations create tables from today's metadata: a new database has the columns already.
    op.execute("ALTER TABLE partner_webhooks ADD COLUMN IF NOT EXISTS lease_owner text")
    op.execute("ALTER TABLE partner_webhooks ADD COLUMN IF NOT EXISTS lease_until timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE partner_webhooks DROP COLUMN IF EXISTS lease_until")
    op.execute("ALTER TABLE partner_webhooks DROP COLUMN IF EXISTS lease_owner")
