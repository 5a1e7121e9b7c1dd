"""Failed logins per account and address (the lockout no longer locks an account for everyone).

Revision ID: 0006
"""

from alembic import op

from identity.adapters.tables import login_failures

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # 0001 creates the tables from the current metadata, so on a fresh database the table exists already.
    login_failures.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    login_failures.drop(op.get_bind())
