"""Statistics on the tree replica's closure that tell the planner each unit's subtree size.

Revision ID: 0003

See `chassis.migrations.tune_tree_statistics`. New databases get it from 0001; this is for existing ones.
"""

from alembic import op

from chassis.migrations import tune_tree_statistics

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    tune_tree_statistics(op.get_bind())


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
