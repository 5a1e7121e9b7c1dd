"""Writing a generated tree straight into orgtree's tables with COPY: the national tree in seconds.

One transaction: units, their first history rows, the tree tables (closure rows
computed here from the parent links) and one `orgtree.unit.created` event per
unit, so the relay announces every unit and other services' replicas fill up.
This is an operator's tool (demo data, benchmarks): there is no principal, so
nothing here filters by scope.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from chassis.database import asyncpg_dsn
from chassis.outbox import prebuilt, record_prebuilt_events
from contracts.events.orgtree_unit_v1 import UnitCreated

from orgtree.adapters.repository import unit_row
from orgtree.domain.model import Unit


class TreeNotLoadable(ValueError):
    """The database already holds some of the codes, or a parent is nowhere to be found."""


@dataclass
class LoadReport:
    units: int = 0
    closure_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


async def load_tree(database_url: str, tree: list[Unit], changed_by: str = "bulk-load") -> LoadReport:
    """Load `tree` (parents before children) under units that already exist; all or nothing."""
    report = LoadReport(units=len(tree))
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with connection.transaction():
            started = time.perf_counter()
            closure = await _closure(connection, tree)
            report.closure_rows = len(closure)
            report.seconds["check"] = time.perf_counter() - started
            await _copy(connection, report, "units", [unit_row(unit) for unit in tree])
            await _copy(
                connection,
                report,
                "unit_history",
                [
                    {
                        "unit_id": u.unit_id,
                        "version": u.version,
                        "valid_from": u.effective_from,
                        "parent_id": u.parent_id,
                        "state": json.dumps(u.snapshot(), ensure_ascii=False),
                        "change": "created",
                        "changed_by": changed_by,
                    }
                    for u in tree
                ],
            )
            await _copy(connection, report, "tree_units", [_tree_unit(unit) for unit in tree])
            await _copy(connection, report, "tree_closure", closure)
            started = time.perf_counter()
            await record_prebuilt_events(
                connection, [prebuilt(UnitCreated(unit_id=unit.unit_id, unit=unit.state())) for unit in tree]
            )
            report.seconds["outbox_events"] = time.perf_counter() - started
        # Outside the transaction (VACUUM cannot run in one): fresh statistics for the planner, and a visibility
        # map so that scope filters read the closure index alone instead of visiting 600,000 heap rows.
        started = time.perf_counter()
        for table in ("units", "unit_history", "tree_units", "tree_closure"):
            await connection.execute(f"VACUUM (ANALYZE) {table}")
        report.seconds["vacuum"] = time.perf_counter() - started
    finally:
        await connection.close()
    return report


async def _closure(connection: asyncpg.Connection, tree: list[Unit]) -> list[dict]:
    """Every (ancestor, descendant, depth) of the new units, borrowing the ancestors of existing parents."""
    codes = [unit.code for unit in tree]
    taken = await connection.fetch("SELECT code FROM units WHERE code = ANY($1::text[]) LIMIT 5", codes)
    if taken:
        raise TreeNotLoadable("codes already exist: " + ", ".join(row["code"] for row in taken))
    new = {unit.unit_id for unit in tree}
    outside = list({unit.parent_id for unit in tree if unit.parent_id not in new and unit.parent_id is not None})
    ancestors: dict[UUID, list[tuple[UUID, int]]] = {}
    for row in await connection.fetch(
        "SELECT descendant_id, ancestor_id, depth FROM tree_closure WHERE descendant_id = ANY($1::uuid[])", outside
    ):
        ancestors.setdefault(row["descendant_id"], []).append((row["ancestor_id"], row["depth"]))
    missing = [str(parent) for parent in outside if parent not in ancestors]
    if missing:
        raise TreeNotLoadable("parents not in the tree: " + ", ".join(missing[:5]))
    rows = []
    for unit in tree:
        if unit.parent_id not in ancestors:
            raise TreeNotLoadable(f"unit {unit.code} comes before its parent")
        chain = [(unit.unit_id, 0), *((ancestor, depth + 1) for ancestor, depth in ancestors[unit.parent_id])]
        ancestors[unit.unit_id] = chain
        rows += [{"ancestor_id": ancestor, "descendant_id": unit.unit_id, "depth": depth} for ancestor, depth in chain]
    return rows


async def _copy(connection: asyncpg.Connection, report: LoadReport, table: str, rows: list[dict]) -> None:
    started = time.perf_counter()
    columns = list(rows[0])
    await connection.copy_records_to_table(
        table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
    )
    report.seconds[table] = time.perf_counter() - started


def _tree_unit(unit: Unit) -> dict:
    state = unit.state()
    return {
        "unit_id": unit.unit_id,
        "code": unit.code,
        "name": unit.name,
        "type_code": unit.type.code,
        "parent_id": unit.parent_id,
        "status": unit.status,
        "province_code": unit.province_code,
        "enterprise_type": unit.employer.enterprise_type,
        "version": unit.version,
        **state.capabilities.model_dump(),
    }
