"""Card progress: each member's card status in the facts and the counts, and the card events' own view.

Revision ID: 0004

Existing members start at `none`: card events consumed before this version were not kept. Reset the consumer
group's offsets of `cards.card.v1` to the beginning to count the cards issued before (the handler is idempotent:
the latest status of each member wins).
"""

from alembic import op

from reporting.adapters.tables import metadata

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    metadata.create_all(op.get_bind())  # member_cards
    op.execute("ALTER TABLE member_facts ADD COLUMN IF NOT EXISTS card_status text NOT NULL DEFAULT 'none'")
    op.execute("ALTER TABLE unit_member_counts ADD COLUMN IF NOT EXISTS card_status text NOT NULL DEFAULT 'none'")
    op.execute("""
        DO $$
        BEGIN
            IF (SELECT count(*) FROM pg_attribute a JOIN pg_index i ON a.attrelid = i.indrelid
                AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'unit_member_counts'::regclass AND i.indisprimary) = 4
            THEN
                ALTER TABLE unit_member_counts DROP CONSTRAINT unit_member_counts_pkey;
                ALTER TABLE unit_member_counts
                    ADD PRIMARY KEY (unit_id, status, gender, is_foreign, card_status);
            END IF;
        END $$""")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
