"""Statement triggers that keep a coarser table of sums (months, years) of a finer one (days, months): every
statement that inserts or updates rows of the finer table adds the same amounts to the coarser one, in key order
(several consumers write the national centre's rows), in the same transaction. Migrations 0008 and 0009."""

from __future__ import annotations


def rollup_statements(source: str, target: str, keys: tuple[str, ...], column: str, into: str) -> list[str]:
    """The function and triggers summing `source` (period column `column`) into `target` (period column `into`,
    the first day of its `date_trunc` unit of the same name); `keys`: the other columns besides the unit."""
    columns = ", ".join(keys)
    new_keys = ", ".join(f"new_rows.{key}" for key in keys)
    joined = " AND ".join(f"old_rows.{key} = new_rows.{key}" for key in ("unit_id", column, *keys))
    upsert = f"ON CONFLICT (unit_id, {into}, {columns}) DO UPDATE SET members = {target}.members + EXCLUDED.members"
    function = f"""
CREATE OR REPLACE FUNCTION {source}_into_{into}s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {target} (unit_id, {into}, {columns}, members)
        SELECT unit_id, date_trunc('{into}', {column})::date, {columns}, sum(members) FROM new_rows
        GROUP BY 1, 2, {columns} HAVING sum(members) <> 0 ORDER BY 1, 2, {columns}
        {upsert};
    ELSE
        INSERT INTO {target} (unit_id, {into}, {columns}, members)
        SELECT new_rows.unit_id, date_trunc('{into}', new_rows.{column})::date, {new_keys},
               sum(new_rows.members - old_rows.members)
        FROM new_rows JOIN old_rows ON {joined}
        GROUP BY 1, 2, {new_keys} HAVING sum(new_rows.members - old_rows.members) <> 0 ORDER BY 1, 2, {new_keys}
        {upsert};
    END IF;
    RETURN NULL;
END $$"""
    return [
        function,
        f"DROP TRIGGER IF EXISTS {source}_inserted ON {source}",
        f"""CREATE TRIGGER {source}_inserted AFTER INSERT ON {source} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {source}_into_{into}s()""",
        f"DROP TRIGGER IF EXISTS {source}_updated ON {source}",
        f"""CREATE TRIGGER {source}_updated AFTER UPDATE ON {source}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {source}_into_{into}s()""",
    ]


def backfill(source: str, target: str, keys: tuple[str, ...], column: str, into: str) -> str:
    """The sums of the rows `source` already holds, into `target`."""
    columns = ", ".join(keys)
    return f"""
        INSERT INTO {target} (unit_id, {into}, {columns}, members)
        SELECT unit_id, date_trunc('{into}', {column})::date, {columns}, sum(members) FROM {source}
        GROUP BY 1, 2, {columns} HAVING sum(members) <> 0
        ON CONFLICT DO NOTHING"""
