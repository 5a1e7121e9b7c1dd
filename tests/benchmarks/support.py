"""What the service benchmarks share: a fresh database of their own, the national tree, the results table.

The national tree: 34 provinces, 1,190 upper unions and 130,000 grassroots unions (which admit members and
collect dues), with the closure table the replica keeps, written straight into a service's tree replica by
COPY. Ids are derived from names, so every run and every service agree.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from chassis import migrations
from contracts.wellknown import NATIONAL_CENTRE_ID

from tests.support.infra import fresh_database as empty_database

results: list[tuple[str, str, str]] = []


def record(what: str, measured: str, note: str = "") -> None:
    results.append((what, measured, note))
    print(f"  {what}: {measured} {note}", flush=True)


def print_results() -> None:
    """The figures as a Markdown table for docs/BENCHMARKS.md."""
    print("\n| what | measured | note |\n|---|---|---|")
    for row in results:
        print("| " + " | ".join(row) + " |")


async def fresh_database(server: str, name: str, migrations_dir: Path) -> str:
    """Database `name` on the server, dropped and created again, with the service's migrations applied."""
    url = await empty_database(server, name)
    await asyncio.to_thread(migrations.upgrade, url, migrations_dir)
    return url


PROVINCES, UPPERS, GRASSROOTS = 34, 1_190, 130_000


def unit_id(kind: str, number: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_OID, f"bench-{kind}-{number}")


async def write_national_tree(connection) -> None:
    """Fill `tree_units` and `tree_closure` of the database `connection` (asyncpg) is open on."""
    units = [(NATIONAL_CENTRE_ID, "TLD", "national_centre", None, False)]
    units += [
        (unit_id("p", p), f"P{p:02d}", "provincial_federation", NATIONAL_CENTRE_ID, False) for p in range(PROVINCES)
    ]
    units += [
        (unit_id("u", u), f"U{u:04d}", "industrial_zone_union", unit_id("p", u % PROVINCES), False)
        for u in range(UPPERS)
    ]
    units += [
        (unit_id("g", g), f"G{g:06d}", "grassroots_union", unit_id("u", g % UPPERS), True) for g in range(GRASSROOTS)
    ]
    # Grassroots unions admit members and collect dues; the units above them approve.
    await connection.copy_records_to_table(
        "tree_units",
        records=[
            (u, code, f"Đơn vị {code}", kind, parent, grassroots, grassroots, not grassroots, "active", 1)
            for u, code, kind, parent, grassroots in units
        ],
        columns=[
            "unit_id",
            "code",
            "name",
            "type_code",
            "parent_id",
            "can_admit_members",
            "can_collect_dues",
            "can_approve_members",
            "status",
            "version",
        ],
    )
    parents = {u[0]: u[3] for u in units}
    closure = []
    for unit in parents:
        ancestor, depth = unit, 0
        while ancestor is not None:
            closure.append((ancestor, unit, depth))
            ancestor, depth = parents[ancestor], depth + 1
    await connection.copy_records_to_table(
        "tree_closure", records=closure, columns=["ancestor_id", "descendant_id", "depth"]
    )
