"""The SQL of the dues figures: written by the consumer of dues.collection.v1, read by the API."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import tree_units
from contracts.permissions import Permission
from pydantic_core import to_json
from sqlalchemy import Date, Row, func, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import subtree_dues
from reporting.domain.dues import AMOUNTS, FIRST_HOP_TYPES, REMITTED, DuesKey, DuesMonth, Remittance

_COLUMNS = ", ".join(AMOUNTS)
_ALL_NAMES = (*AMOUNTS, *REMITTED)
_ALL = ", ".join(_ALL_NAMES)
FIRST_HOP = ", ".join(f"'{type_code}'" for type_code in FIRST_HOP_TYPES)
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
    async def write(
        self,
        latest: Mapping[DuesKey, DuesMonth],
        changes: Mapping[DuesKey, DuesMonth],
        remittances: Mapping[UUID, Remittance],
        remitted: Mapping[DuesKey, tuple[int, int]],
    ) -> None:
        """The units' latest months and remittances, and the changes of both added to each unit and every unit above
        it, in one statement (in key order, so two consumers never wait on each other in a circle)."""
        if latest:
            await self.session.execute(
                _SET_MONTHS,
                {
                    "rows": to_json(
                        [
                            {"unit_id": unit, "month": month, **dataclasses.asdict(values)}
                            for (unit, month), values in sorted(latest.items())
                        ]
                    ).decode()
                },
            )
        if remittances:
            await self.session.execute(
                _SET_REMITTANCES,
                {
                    "rows": to_json(
                        [
                            {"remittance_id": key, **dataclasses.asdict(state)}
                            for key, state in sorted(remittances.items())
                        ]
                    ).decode()
                },
            )
        nothing = dict.fromkeys((*AMOUNTS, *REMITTED), 0)
        rows = [
            {**nothing, "unit_id": unit, "month": month, "remittance": False, **dataclasses.asdict(values)}
            for (unit, month), values in changes.items()
        ] + [
            {**nothing, "unit_id": unit, "month": month, "remittance": True, "remitted_vnd": money, "confirmed_vnd": ok}
            for (unit, month), (money, ok) in remitted.items()
        ]
        if rows:
            await self.session.execute(_ADD_SUBTREES, {"rows": to_json(rows).decode()})

    @unscoped("the consumer applies events for every unit; no principal is involved")
    async def lock_remittances(self, remittance_ids: Sequence[UUID]) -> dict[UUID, Remittance]:
        """The remittances stored, locked (in id order)."""
        rows = await self.session.execute(_LOCK_REMITTANCES, {"ids": sorted(set(remittance_ids))})
        return {row.remittance_id: Remittance(row.unit_id, row.month, row.amount_vnd, row.confirmed) for row in rows}

    async def months_and_sums(
        self, principal: Principal, unit_id: UUID, unit_ids: Sequence[UUID], first: date, last: date
    ) -> tuple[dict[date, dict], dict[UUID, dict]]:
        """The subtree's dues of each month from `first` to `last` (first days of months) that has any, and each of
        `unit_ids`' subtree summed over those months, in one statement (month → sums, unit → sums)."""
        d = subtree_dues
        names = (*AMOUNTS, *REMITTED)
        months = restrict_to_scope(
            select(d.c.unit_id, d.c.month, *(d.c[name] for name in names)).where(
                d.c.unit_id == unit_id, d.c.month.between(first, last)
            ),
            principal,
            Permission.REPORTS_READ,
            d.c.unit_id,
        )
        sums = restrict_to_scope(
            select(d.c.unit_id, literal(None, Date), *(func.sum(d.c[name]).label(name) for name in names))
            .where(d.c.unit_id.in_(unit_ids), d.c.month.between(first, last))
            .group_by(d.c.unit_id),
            principal,
            Permission.REPORTS_READ,
            d.c.unit_id,
        )
        by_month: dict[date, dict] = {}
        by_unit: dict[UUID, dict] = {}
        for row in await self.session.execute(union_all(months, sums)):
            values = {name: int(getattr(row, name)) for name in names}
            if row.month is None:
                by_unit[row.unit_id] = values
            else:
                by_month[row.month] = values
        return by_month, by_unit

    async def children_with_dues(self, principal: Principal, unit_id: UUID, first: date, last: date) -> list[Row]:
        """The units directly under the unit now whose subtrees have dues in the months from `first` to `last`: dues
        go up the tree of the day they are recorded, so a unit created after the months it records is here too."""
        d, t = subtree_dues, tree_units
        query = (
            select(t.c.unit_id, t.c.code, t.c.name)
            .where(
                t.c.parent_id == unit_id,
                select(d.c.unit_id).where(d.c.unit_id == t.c.unit_id, d.c.month.between(first, last)).exists(),
            )
            .order_by(t.c.code)
        )
        return list(
            await self.session.execute(restrict_to_scope(query, principal, Permission.REPORTS_READ, t.c.unit_id))
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

# In key order: every poll adds to the country's month. A remittance counts only when a grassroots union made it: a
# level above forwarding the upper share is not counted a second time.
_ADD_SUBTREES = text(f"""
INSERT INTO subtree_dues (unit_id, month, {_ALL})
SELECT link.ancestor_id, change.month, {", ".join(f"sum(change.{name})" for name in _ALL_NAMES)}
FROM jsonb_to_recordset(CAST(:rows AS jsonb))
    AS change(unit_id uuid, month date, remittance boolean, {_RECORD}, remitted_vnd bigint, confirmed_vnd bigint)
JOIN tree_closure link ON link.descendant_id = change.unit_id
WHERE NOT change.remittance
   OR EXISTS (SELECT 1 FROM tree_units remitter
              WHERE remitter.unit_id = change.unit_id AND remitter.type_code IN ({FIRST_HOP}))
GROUP BY 1, 2
ORDER BY 1, 2
ON CONFLICT (unit_id, month) DO UPDATE
SET {", ".join(f"{name} = subtree_dues.{name} + EXCLUDED.{name}" for name in _ALL_NAMES)}
""")

_LOCK_REMITTANCES = text("""
SELECT remittance_id, unit_id, month, amount_vnd, confirmed FROM dues_remittances
WHERE remittance_id = ANY(CAST(:ids AS uuid[]))
ORDER BY remittance_id
FOR UPDATE
""")

_SET_REMITTANCES = text("""
INSERT INTO dues_remittances (remittance_id, unit_id, month, amount_vnd, confirmed)
SELECT remittance_id, unit_id, month, amount_vnd, confirmed FROM jsonb_to_recordset(CAST(:rows AS jsonb))
    AS incoming(remittance_id uuid, unit_id uuid, month date, amount_vnd bigint, confirmed boolean)
ON CONFLICT (remittance_id) DO UPDATE
SET unit_id = EXCLUDED.unit_id, month = EXCLUDED.month, amount_vnd = EXCLUDED.amount_vnd, confirmed = EXCLUDED.confirmed
""")
