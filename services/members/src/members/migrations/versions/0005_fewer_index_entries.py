"""Fewer index entries for every member imported: no entry for a code not issued yet, no history serial number.

Revision ID: 0005

An imported member costs an entry in every index of `members`, `member_history`, `outbox_events` and the staging
table. Two of them held nothing anyone asks for:
- `members_member_code_key` held a NULL for every pending member. The unique index is now partial (codes that
  exist); `member_code = …` implies `member_code IS NOT NULL`, so lookups by code use it as before.
- `member_history.id`, a serial number that nothing reads: history is read by member and version, which is
  unique already. (member_id, version) becomes the primary key and the serial column goes.
0001 creates tables from the current `tables.py`, so every step here is idempotent.
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS members_member_code ON members (member_code) "
               "WHERE member_code IS NOT NULL")
    op.execute("ALTER TABLE members DROP CONSTRAINT IF EXISTS members_member_code_key")
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_attribute
                       WHERE attrelid = 'member_history'::regclass AND attname = 'id' AND NOT attisdropped) THEN
                ALTER TABLE member_history DROP CONSTRAINT member_history_pkey;
                ALTER TABLE member_history
                    ADD CONSTRAINT member_history_pkey PRIMARY KEY USING INDEX member_history_member_version;
                ALTER TABLE member_history DROP COLUMN id;
            END IF;
        END $$""")


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
