"""One reporting consumer poll of member events, timed at realistic sizes (issue 12). A script, not a test:
`flock /tmp/heavy.lock uv run python tests/benchmarks/bench_follower_poll.py [--unions 1000] [--poll 2000]
[--polls 4] [--variants join,linear] [--statements] [--keep]`

For each variant, a reporting database migrated to head (`fresh12_bench_poll_<variant>` on the test PostgreSQL
server; `--keep` leaves them, otherwise dropped at the end) gets a province of `--unions` grassroots unions, then
`--polls` polls of `--poll` member events each, as the consumer applies them (`read_model.apply_member_changes`, one
transaction a poll; the envelopes' decoding is not timed): members imported (pending), the same approved (active), the
same suspended. Members are spread over the unions, with birth years, education and ethnicity varied, so a poll
touches every union's and every ancestor's figures of the day. Per phase: wall time a poll and a member event, of
which the domain's fold (`domain.facts.apply_member_changes`, Python) and the rest (PostgreSQL and the driver).

`--statements` also times each SQL statement of the timed polls (SQLAlchemy's cursor events: the driver's round trip
and PostgreSQL's execution, triggers included) and prints each statement's share of a phase's polls, largest first.

Variants: `linear` the code as it is; `join` the same with the month and year rollups' update triggers as
migrations 0008 and 0009 made them (old rows joined to new rows), to compare with migration 0010's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from chassis import migrations  # noqa: E402
from chassis.database import Database  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today  # noqa: E402
from reporting.application import read_model  # noqa: E402
from reporting.domain import facts  # noqa: E402
from reporting.domain.facts import MemberChange  # noqa: E402

from services.reporting.tests.figures_support import state  # noqa: E402
from services.reporting.tests.test_member_summary import MIGRATIONS  # noqa: E402
from tests.support.infra import drop_databases, fresh_database, postgres_url  # noqa: E402

PREFIX = "fresh12_bench_poll_"
PHASES = (("import", "pending", 2), ("approval", "active", 3), ("suspension", "suspended", 4))
_ROLLUPS = (
    ("subtree_figure_days", "subtree_figure_months", ("dimension", "value"), "day", "month"),
    ("subtree_movement_days", "subtree_movement_months", ("kind", "female"), "day", "month"),
    ("subtree_figure_months", "subtree_figure_years", ("dimension", "value"), "month", "year"),
    ("subtree_movement_months", "subtree_movement_years", ("kind", "female"), "month", "year"),
)


def joined_rollup(source: str, target: str, keys: tuple[str, ...], column: str, into: str) -> str:
    """The update trigger's function as migrations 0008 and 0009 made it: the old rows joined to the new ones."""
    columns = ", ".join(keys)
    new_keys = ", ".join(f"new_rows.{key}" for key in keys)
    joined = " AND ".join(f"old_rows.{key} = new_rows.{key}" for key in ("unit_id", column, *keys))
    upsert = f"ON CONFLICT (unit_id, {into}, {columns}) DO UPDATE SET members = {target}.members + EXCLUDED.members"
    return f"""
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


def unit(unit_id, code, parent_id, type_code):
    return state(
        unit_id,
        code,
        parent_id,
        type_code,
        effective_from=vietnamese_today(),
        enterprise_type="non_state_domestic",
        workforce_size=300,
    )


async def prepare(database: Database, unions: int) -> list[uuid.UUID]:
    province = uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(unions)]
    states = [
        unit(NATIONAL_CENTRE_ID, "TLD", None, "national_centre"),
        unit(province, "BP", NATIONAL_CENTRE_ID, "provincial_federation"),
        *(unit(unit_id, f"BP-{n}", province, "grassroots_union") for n, unit_id in enumerate(ids)),
    ]
    async with database.transaction() as session:
        await read_model.apply_unit_changes(session, states)
    return ids


def polls(unions: list[uuid.UUID], size: int, count: int, status: str, version: int, seed: int):
    chance = random.Random(seed)
    today = vietnamese_today()
    for number in range(count):
        members = random.Random(number)  # the same members in every phase
        yield [
            MemberChange(
                uuid.uuid4(),
                today,
                uuid.UUID(int=members.getrandbits(128), version=4),
                unions[(number * size + i) % len(unions)],
                status,
                chance.choice(("female", "male")),
                chance.random() < 0.01,
                version,
                birth_year=chance.randint(1965, 2006),
                nationality="VN",
                ethnicity=chance.choice(("Kinh",) * 8 + ("Tày", "Mường")),
                religion=chance.choice(("", "", "", "Phật giáo", "Công giáo")),
                education=chance.choice(("12/12", "Trung cấp", "Cao đẳng", "Đại học")),
                is_officer=chance.random() < 0.05,
                has_photo=chance.random() < 0.7,
                has_id_number=True,
                has_phone=chance.random() < 0.9,
            )
            for i in range(size)
        ]


class StatementClock:
    """Wall time of each statement the engine runs while `on`, by the statement's first words (`--statements`)."""

    def __init__(self, database: Database) -> None:
        self.on = False
        self.spent: dict[str, float] = {}
        self._started: list[float] = []
        engine = database.engine.sync_engine
        sqlalchemy.event.listen(engine, "before_cursor_execute", self._before)
        sqlalchemy.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        took = time.perf_counter() - self._started.pop()
        if self.on:
            label = " ".join(statement.split())[:90]
            self.spent[label] = self.spent.get(label, 0.0) + took

    def report(self, polls: int, events: int, wall: float) -> None:
        for label, spent in sorted(self.spent.items(), key=lambda item: -item[1]):
            print(f"    {spent / wall * 100:5.1f}%  {spent / polls * 1000:7.1f} ms a poll  {label}", flush=True)
        self.spent = {}


async def time_phase(
    database: Database, name: str, batches: list[list[MemberChange]], clock: StatementClock | None = None
) -> dict[str, float]:
    walls, folds = [], []
    for changes in batches:
        started = time.perf_counter()
        if clock is not None:
            clock.on = True
        async with database.transaction() as session:
            await read_model.apply_member_changes(session, changes)
        walls.append(time.perf_counter() - started)
        if clock is not None:
            clock.on = False
        # The fold alone, on the facts the poll found (re-read outside the timing).
        folds.append(await fold_time(database, changes))
    per = len(batches[0])
    wall, fold = statistics.median(walls), statistics.median(folds)
    print(
        f"  {name}: {wall * 1000:.0f} ms a poll (median of {len(walls)}; max {max(walls) * 1000:.0f}), "
        f"{wall / per * 1e6:.0f} µs an event, of which fold {fold / per * 1e6:.1f} µs, "
        f"rest {(wall - fold) / per * 1e6:.0f} µs",
        flush=True,
    )
    if clock is not None:
        clock.report(len(batches), per * len(batches), sum(walls))
    return {"wall": wall / per, "fold": fold / per}


async def fold_time(database: Database, changes: list[MemberChange]) -> float:
    """The domain's fold of `changes` as the poll would have folded them (on the facts before it: the version guard
    is lowered by one so every change applies again)."""
    from reporting.adapters.figures import FigureRepository
    from reporting.adapters.repository import MemberFactRepository

    async with database.transaction() as session:
        repository = MemberFactRepository(session)
        ids = list({change.member_id for change in changes})
        known = await repository.lock_facts(ids)
        known = {member_id: _older(fact) for member_id, fact in known.items()}
        cards = await repository.lock_card_statuses(ids)
        units = await FigureRepository(session).unit_profiles(change.unit_id for change in changes)
        await session.rollback()
    started = time.perf_counter()
    facts.apply_member_changes(known, cards, changes, units)
    return time.perf_counter() - started


def _older(fact: facts.Fact) -> facts.Fact:
    import dataclasses

    return dataclasses.replace(fact, version=fact.version - 1)


async def variant(server: str, name: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    url = await fresh_database(server, f"{PREFIX}{name}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
    database = Database(url, 2)
    try:
        if name == "join":
            async with database.transaction() as session:
                for rollup in _ROLLUPS:
                    await session.execute(sqlalchemy.text(joined_rollup(*rollup)))
        unions = await prepare(database, args.unions)
        clock = StatementClock(database) if args.statements else None
        print(f"{name}: {args.unions} unions, {args.polls} polls of {args.poll} member events a phase", flush=True)
        results = {}
        for phase, status, version in PHASES:
            batches = list(polls(unions, args.poll, args.polls, status, version, seed=version))
            results[phase] = await time_phase(database, f"{name}, {phase}", batches, clock)
        return results
    finally:
        await database.dispose()


async def run(args: argparse.Namespace, server: str) -> None:
    try:
        for name in args.variants:
            await variant(server, name, args)
    finally:
        if not args.keep:
            await drop_databases(server, prefix=PREFIX)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unions", type=int, default=1000)
    parser.add_argument("--poll", type=int, default=2000, help="member events a poll (the consumers' batch size)")
    parser.add_argument("--polls", type=int, default=4, help="polls a phase")
    parser.add_argument("--variants", type=lambda s: s.split(","), default=["join", "linear"])
    parser.add_argument("--statements", action="store_true", help="time each SQL statement of the polls")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    server = postgres_url()  # may start an embedded server; it runs its own event loop
    asyncio.run(run(args, server))


if __name__ == "__main__":
    main()
