"""Cards: the member view, cards with their verification codes, and card history.

Revision ID: 0002
"""

from alembic import op

from cards.adapters.tables import metadata

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    op.execute(
        "CREATE TRIGGER card_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON card_history "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
    )


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
