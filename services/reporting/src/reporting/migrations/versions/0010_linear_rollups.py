"""The month and year rollups' update triggers read each transition table once.

Revision ID: 0010

The functions of migrations 0008 and 0009 joined a statement's old rows to its new ones, and that join grew far
faster than the rows: a poll approving 2,000 members of 1,000 grassroots unions (every figure of every union and of
its ancestors updated) took 41 s with it and 1.5 s without (`tests/benchmarks/bench_follower_poll.py`,
docs/BENCHMARKS.md). The new form adds the new rows and subtracts the old ones, grouped once
(`rollups.rollup_function`): the same sums, each transition table read once.
"""

from alembic import op

from reporting.migrations.rollups import rollup_function

revision = "0010"
down_revision = "0009"

# (finer table, coarser table, key columns besides the unit and the period, period column, coarser period)
_ROLLUPS = (
    ("subtree_figure_days", "subtree_figure_months", ("dimension", "value"), "day", "month"),
    ("subtree_movement_days", "subtree_movement_months", ("kind", "female"), "day", "month"),
    ("subtree_figure_months", "subtree_figure_years", ("dimension", "value"), "month", "year"),
    ("subtree_movement_months", "subtree_movement_years", ("kind", "female"), "month", "year"),
)


def upgrade() -> None:
    for rollup in _ROLLUPS:
        op.execute(rollup_function(*rollup))


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
