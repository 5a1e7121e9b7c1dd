"""The SQL of the dues figures: written by the consumer of dues.collection.v1, read by the API."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from contracts.permissions import Permission
from pydantic_core import to_json
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import subtree_dues
from reporting.domain.dues import AMOUNTS, DuesKey, DuesMonth

_COLUMNS = ", ".join(AMOUNTS)
_RECORD = ", ".join(f"{name} bigint" for name in AMOUNTS)


class DuesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def lock_months(self, keys: Sequence[DuesKey]) -> dict[DuesKey, DuesMonth]:
        """The units' stored months, locked (in key order)."""
        rows = await self.session.execute(
            _LOCK, {"keys": to_json([{"unit_id": unit, "month": month} for unit, month in sorted(set(keys))]).decode()}
        )
        return {(row.unit_id, row.month): DuesMonth(**{name: getattr(row, name) for name in AMOUNTS}) for row in rows}

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def write(self, latest: Mapping[DuesKey, DuesMonth], changes: Mapping[DuesKey, DuesMonth]) -> None:
        """The units' latest months, and the changes added to each unit and every unit above it."""

        def rows(months: Mapping[DuesKey, DuesMonth]) -> str:
            return to_json(
                [
                    {"unit_id": unit, "month": month, **dataclasses.asdict(values)}
                    for (unit, month), values in sorted(months.items())
                ]
            ).decode()

        if latest:
            await self.session.execute(_SET_MONTHS, {"rows": rows(latest)})
            await self.session.execute(_ADD_SUBTREES, {"rows": rows(changes)})

    async def months(self, principal: Principal, unit_id: UUID, first: date, last: date) -> list[Row]:
        """The subtree's dues of each month from `first` to `last` (first days of months) that has any."""
        d = subtree_dues
        query = select(d).where(d.c.unit_id == unit_id, d.c.month.between(first, last)).order_by(d.c.month)
        return list(
            await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, d.c.unit_id))
        )


_LOCK = text(f"""
SELECT stored.unit_id, stored.month, {", ".join("stored." + name for name in AMOUNTS)}
FROM jsonb_to_recordset(CAST(:keys AS jsonb)) AS wanted(unit_id uuid, month date)
JOIN dues_months stored ON stored.unit_id = wanted.unit_id AND stored.month = wanted.month
ORDER BY stored.unit_id, stored.month
FOR UPDATE OF stored
""")

_SET_MONTHS = text(f"""
INSERT INTO dues_months (unit_id, month, {_COLUMNS})
SELECT unit_id, month, {_COLUMNS} FROM jsonb_to_recordset(CAST(:rows AS jsonb))
    AS incoming(unit_id uuid, month date, {_RECORD})
ON CONFLICT (unit_id, month) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in AMOUNTS)}
""")

# In key order: every poll adds to the country's month.
_ADD_SUBTREES = text(f"""
INSERT INTO subtree_dues (unit_id, month, {_COLUMNS})
SELECT link.ancestor_id, change.month, {", ".join(f"sum(change.{name})" for name in AMOUNTS)}
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS change(unit_id uuid, month date, {_RECORD})
JOIN tree_closure link ON link.descendant_id = change.unit_id
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (unit_id, month) DO UPDATE
SET {", ".join(f"{name} = subtree_dues.{name} + EXCLUDED.{name}" for name in AMOUNTS)}
""")
