"""Statement triggers that keep a coarser table of sums (months, years) of a finer one (days, months): every
statement that inserts or updates rows of the finer table adds the same amounts to the coarser one, in key order
(several consumers write the national centre's rows), in the same transaction. Migrations 0008 and 0009 made
them; 0010 replaced the functions with today's form."""

from __future__ import annotations


def rollup_function(source: str, target: str, keys: tuple[str, ...], column: str, into: str) -> str:
    """The trigger function summing `source` (period column `column`) into `target` (period column `into`, the
    first day of its `date_trunc` unit of the same name); `keys`: the other columns besides the unit.

    An update adds its new rows and subtracts its old ones, each transition table read once: no join of the two
    (which grew far faster than the rows, migration 0010)."""
    columns = ", ".join(keys)
    upsert = f"ON CONFLICT (unit_id, {into}, {columns}) DO UPDATE SET members = {target}.members + EXCLUDED.members"
    changed = f"""INSERT INTO {target} (unit_id, {into}, {columns}, members)
        SELECT unit_id, date_trunc('{into}', {column})::date, {columns}, sum(members) FROM {{rows}}
        GROUP BY 1, 2, {columns} HAVING sum(members) <> 0 ORDER BY 1, 2, {columns}
        {upsert};"""
    both = f"""(SELECT unit_id, {column}, {columns}, members FROM new_rows
               UNION ALL SELECT unit_id, {column}, {columns}, -members FROM old_rows) AS changed"""
    return f"""
CREATE OR REPLACE FUNCTION {source}_into_{into}s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {changed.format(rows="new_rows")}
    ELSE
        {changed.format(rows=both)}
    END IF;
    RETURN NULL;
END $$"""


def rollup_statements(source: str, target: str, keys: tuple[str, ...], column: str, into: str) -> list[str]:
    """The function (`rollup_function`) and the statement triggers that call it."""
    return [
        rollup_function(source, target, keys, column, into),
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
