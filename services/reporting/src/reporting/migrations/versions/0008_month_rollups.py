"""The figures' day changes and the movements summed per month, kept by triggers on the day tables.

Revision ID: 0008

A report over a period sums the days between its ends; at national scale a year of a province's changes is tens of
thousands of day rows. The month tables hold the same sums a row per month, so a period reads its whole months
there and only its edge days in the day tables. Triggers, not the writers, keep them: every statement that inserts
or updates day rows (a poll's changes, a unit's move, units placed late) adds the same amounts to their months in
the same transaction, in key order like the day rows (several consumers write the national centre's rows).
"""

from alembic import op

from reporting.adapters.tables import metadata
from reporting.migrations.rollups import backfill, rollup_statements

revision = "0008"
down_revision = "0007"

# (day table, month table, key columns besides the unit and the day/month)
_ROLLUPS = (
    ("subtree_figure_days", "subtree_figure_months", ("dimension", "value")),
    ("subtree_movement_days", "subtree_movement_months", ("kind", "female")),
)


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    for days, months, keys in _ROLLUPS:
        op.execute(backfill(days, months, keys, "day", "month"))
        for statement in rollup_statements(days, months, keys, "day", "month"):
            op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
