"""The account-wide progressive login delay, and the addresses an account logged in from (exempt from it).

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    # 0001 creates the tables from the current metadata, so on a fresh database the columns exist already.
    op.execute("alter table users add column if not exists login_delay_until timestamptz")
    op.execute("alter table login_failures add column if not exists last_success_at timestamptz")


def downgrade() -> None:
    op.execute("alter table login_failures drop column if exists last_success_at")
    op.execute("alter table users drop column if exists login_delay_until")
