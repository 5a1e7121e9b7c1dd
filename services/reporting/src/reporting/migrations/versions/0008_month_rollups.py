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

revision = "0008"
down_revision = "0007"

# (day table, month table, key columns besides the unit and the day/month)
_ROLLUPS = (
    ("subtree_figure_days", "subtree_figure_months", ("dimension", "value")),
    ("subtree_movement_days", "subtree_movement_months", ("kind", "female")),
)


def _statements(days: str, months: str, keys: tuple[str, ...]) -> list[str]:
    columns = ", ".join(keys)
    new_keys = ", ".join(f"new_rows.{key}" for key in keys)
    joined = " AND ".join(f"old_rows.{key} = new_rows.{key}" for key in ("unit_id", "day", *keys))
    target = f"(unit_id, month, {columns})"
    upsert = f"ON CONFLICT {target} DO UPDATE SET members = {months}.members + EXCLUDED.members"
    function = f"""
CREATE OR REPLACE FUNCTION {days}_into_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {months} (unit_id, month, {columns}, members)
        SELECT unit_id, date_trunc('month', day)::date, {columns}, sum(members) FROM new_rows
        GROUP BY 1, 2, {columns} HAVING sum(members) <> 0 ORDER BY 1, 2, {columns}
        {upsert};
    ELSE
        INSERT INTO {months} (unit_id, month, {columns}, members)
        SELECT new_rows.unit_id, date_trunc('month', new_rows.day)::date, {new_keys},
               sum(new_rows.members - old_rows.members)
        FROM new_rows JOIN old_rows ON {joined}
        GROUP BY 1, 2, {new_keys} HAVING sum(new_rows.members - old_rows.members) <> 0 ORDER BY 1, 2, {new_keys}
        {upsert};
    END IF;
    RETURN NULL;
END $$"""
    return [
        function,
        f"DROP TRIGGER IF EXISTS {days}_inserted ON {days}",
        f"""CREATE TRIGGER {days}_inserted AFTER INSERT ON {days} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {days}_into_months()""",
        f"DROP TRIGGER IF EXISTS {days}_updated ON {days}",
        f"""CREATE TRIGGER {days}_updated AFTER UPDATE ON {days} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {days}_into_months()""",
    ]


def upgrade() -> None:
    metadata.create_all(op.get_bind())
    for days, months, keys in _ROLLUPS:
        columns = ", ".join(keys)
        op.execute(f"""
            INSERT INTO {months} (unit_id, month, {columns}, members)
            SELECT unit_id, date_trunc('month', day)::date, {columns}, sum(members) FROM {days}
            GROUP BY 1, 2, {columns} HAVING sum(members) <> 0
            ON CONFLICT DO NOTHING""")
        for statement in _statements(days, months, keys):
            op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("history is kept: this migration is not reversible")
