"""A service's own view of another service's aggregates: cards' card holders, dues' payers, orgtree's member
locations, reporting's member facts. Each service keeps its own table; this is the one way to write it.

One row per aggregate, keyed by its id, with the version of the event that wrote it. Events of one aggregate
arrive in order, but a redelivery, a replay or a second consumer's poll brings old ones again: a version not
newer than the stored one never overwrites it. A consumer's poll is written with one statement, the events of
each aggregate collapsed to the newest first (a statement may not change one row twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter, itemgetter
from typing import Any
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

VERSION = "version"


class AggregateView:
    """Version-guarded, set-based upserts into `table` of the given columns (the key and `version` included).

    Rows are pydantic models or mappings whose fields carry the columns' names (a member snapshot fits every
    view of members as it is); other fields are ignored.
    """

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        (key,) = table.primary_key.columns
        self.key = str(key.name)
        missing = {self.key, VERSION} - set(columns)
        if missing:
            raise ValueError(f"a view's columns include its key and version: {sorted(missing)} missing")
        # Plain strings: SQLAlchemy's column names (`quoted_name`) as JSON keys cost pydantic's serialiser an
        # attribute lookup each (most of reporting's Python time per poll).
        self.columns = tuple(str(name) for name in columns)
        dialect = postgresql.dialect()
        record = ", ".join(f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in columns)
        names = ", ".join(columns)
        changed = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns if name != self.key)
        # One JSON document per poll of the view's columns only, serialised by pydantic's Rust core: cheaper than
        # an array per column, whose elements asyncpg encodes one by one in Python (see chassis.tree). Read as
        # json, not jsonb: PostgreSQL then parses it once, not into a jsonb value first (docs/BENCHMARKS.md,
        # read models: 2,000 member snapshots 12-25 ms as whole jsonb, 4 ms as the view's columns in json).
        self._upsert = text(f"""
INSERT INTO {table.name} ({names})
SELECT {names} FROM json_to_recordset(CAST(:rows AS json)) AS incoming({record})
ON CONFLICT ({self.key}) DO UPDATE SET {changed}
WHERE {table.name}.{VERSION} < EXCLUDED.{VERSION}
RETURNING {self.key}
""")

    async def upsert(self, session: AsyncSession, rows: Iterable[Any]) -> set[UUID]:
        """Write the newest of `rows` for each aggregate; returns the ids written (new, or newer than stored)."""
        newest = latest_versions(rows, self.key)
        if not newest:
            return set()
        # In key order: two transactions writing overlapping rows lock them in the same order.
        ordered = [newest[key] for key in sorted(newest, key=lock_order)]
        columns = self.columns
        read = itemgetter(*columns) if isinstance(ordered[0], Mapping) else attrgetter(*columns)
        document = to_json([dict(zip(columns, read(row), strict=True)) for row in ordered])
        written = await session.execute(self._upsert, {"rows": document.decode()})
        return set(written.scalars())


def latest_versions(rows: Iterable[Any], key: str) -> dict[Any, Any]:
    """The row of the highest version of each aggregate (of equal versions, the last)."""
    rows = list(rows)
    if not rows:
        return {}
    read = itemgetter if isinstance(rows[0], Mapping) else attrgetter
    key_of, version_of = read(key), read(VERSION)
    newest: dict[Any, Any] = {}
    for row in rows:
        aggregate = key_of(row)
        kept = newest.get(aggregate)
        if kept is None or version_of(row) >= version_of(kept):
            newest[aggregate] = row
    return newest


def lock_order(aggregate_id: UUID) -> int:
    """The order in which a transaction locks rows of several aggregates: PostgreSQL's order of their uuids (as
    `sorted` of UUIDs gives it, without a Python-level comparison per pair)."""
    return aggregate_id.int
