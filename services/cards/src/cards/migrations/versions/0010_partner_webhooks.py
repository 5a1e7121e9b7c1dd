"""Signed webhooks per partner: the endpoint and secret, how far the feed was delivered, the parked steps.

Revision ID: 0010
"""

from alembic import op

from cards.adapters.tables import partner_webhooks, webhook_parked

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    bind = op.get_bind()
    partner_webhooks.create(bind, checkfirst=True)
    webhook_parked.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    webhook_parked.drop(bind, checkfirst=True)
    partner_webhooks.drop(bind, checkfirst=True)
