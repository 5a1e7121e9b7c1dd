"""Per-partner Kafka topics: which banks get their feed on `cards.issuance.<partner>.v1`, and how far.

Revision ID: 0011
"""

from alembic import op

from cards.adapters.tables import partner_topics

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    partner_topics.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    partner_topics.drop(op.get_bind(), checkfirst=True)
