"""The banks' feed in commit order (`issuance_feed`), filled from the card events already in the outbox.

Revision ID: 0005

The outbox holds every card event ever recorded; those of linked cards become the feed's first rows, in outbox
order (all committed by now, and a card's events are in its own order there), and the consumer's inbox learns
that it has applied them, so reading `cards.card.v1` from its beginning adds nothing twice.
"""

from alembic import op

from cards.adapters.tables import metadata

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    op.execute("""
        WITH linked AS (
            SELECT id, event_id, event_type, topic, occurred_at, payload::jsonb AS event
            FROM outbox_events
            WHERE topic = 'cards.card.v1' AND payload::jsonb -> 'card' ->> 'partner' IS NOT NULL
        ), fed AS (
            INSERT INTO issuance_feed (position, event_id, partner, card_id, member_id, unit_id, card_version, status,
                                       old_status, kind, reason, card_number, order_id, replaces_card_id, note,
                                       occurred_at)
            SELECT row_number() OVER (ORDER BY id), event_id, event -> 'card' ->> 'partner',
                   (event -> 'card' ->> 'card_id')::uuid, (event -> 'card' ->> 'member_id')::uuid,
                   (event -> 'card' ->> 'unit_id')::uuid, (event -> 'card' ->> 'version')::int,
                   event -> 'card' ->> 'status', event ->> 'old_status', event -> 'card' ->> 'kind',
                   event -> 'card' ->> 'reason', event -> 'card' ->> 'card_number',
                   (event -> 'card' ->> 'order_id')::uuid, (event -> 'card' ->> 'replaces_card_id')::uuid,
                   event ->> 'note', occurred_at
            FROM linked
            RETURNING event_id
        )
        INSERT INTO inbox_events (consumer, event_id, event_type, topic)
        SELECT 'cards', linked.event_id, linked.event_type, linked.topic FROM linked JOIN fed USING (event_id)
        ON CONFLICT DO NOTHING
    """)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
