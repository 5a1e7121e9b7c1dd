"""The month and year tables stay the day tables' sums, and the figures stay the facts' counts, when polls update
many rolled-up rows at once: members moved between units and statuses, several times within one poll and across
polls of the same days (migration 0010's update triggers)."""

from __future__ import annotations

import random
import uuid
from datetime import date

import sqlalchemy
from contracts.events.orgtree_unit_v1 import UnitCreated
from reporting.application.read_model import apply_member_changes
from reporting.domain.facts import MemberChange

from services.reporting.tests.figures_support import deliver, state, tree

_STATUSES = ("active", "suspended", "retired", "removed")
_DAYS = (date(2025, 5, 30), date(2025, 5, 31), date(2025, 6, 1), date(2026, 1, 2))


async def _rows(session, query: str, **params) -> list[tuple]:
    return sorted(map(tuple, (await session.execute(sqlalchemy.text(query), params)).all()))


async def test_polls_moving_members_between_units_and_statuses_keep_every_rollup_equal(reporting):
    db = reporting["db"]
    units = await tree(reporting, "ROLL")
    extra = [uuid.uuid4() for _ in range(4)]
    for i, unit_id in enumerate(extra):
        parent = units["p1"] if i % 2 else units["p2"]
        await deliver(db, UnitCreated, state(unit_id, f"ROLL-G{i + 3}", parent), _DAYS[0])
    grassroots = [units["g1"], units["g2"], *extra]
    chance = random.Random(12)
    versions = {uuid.uuid4(): 1 for _ in range(120)}
    where = {member_id: (grassroots[0], "active") for member_id in versions}

    def poll(day: date) -> list[MemberChange]:
        # Each member changes two or three times in the poll: a transfer or a change of status (an event is one).
        changes = []
        for member_id in versions:
            for _ in range(chance.choice((2, 3))):
                unit_id, status = where[member_id]
                if chance.random() < 0.5:
                    unit_id = chance.choice(grassroots)
                else:
                    status = chance.choice(_STATUSES)
                where[member_id] = unit_id, status
                versions[member_id] += 1
                changes.append(
                    MemberChange(
                        uuid.uuid4(),
                        day,
                        member_id,
                        unit_id,
                        status,
                        chance.choice(("female", "male")),
                        False,
                        versions[member_id],
                        birth_year=chance.choice((1970, 1985, 2000)),
                        education=chance.choice(("12/12", "Đại học")),
                    )
                )
        # Different members' events interleave freely within a poll; each member's stay in order.
        chance.shuffle(changes)
        return sorted(changes, key=lambda change: change.version)

    for day in (*_DAYS, *_DAYS):  # every day twice: the second polls update the rows the first inserted
        async with db.transaction() as session:
            await apply_member_changes(session, poll(day))

    async with db.transaction() as session:
        for finer, coarser, keys, column, into in (
            ("subtree_figure_days", "subtree_figure_months", "dimension, value", "day", "month"),
            ("subtree_movement_days", "subtree_movement_months", "kind, female", "day", "month"),
            ("subtree_figure_months", "subtree_figure_years", "dimension, value", "month", "year"),
            ("subtree_movement_months", "subtree_movement_years", "kind, female", "month", "year"),
        ):
            summed = await _rows(
                session,
                f"SELECT unit_id, date_trunc('{into}', {column})::date, {keys}, sum(members) FROM {finer}"
                f" GROUP BY 1, 2, {keys} HAVING sum(members) <> 0",
            )
            kept = await _rows(session, f"SELECT unit_id, {into}, {keys}, members FROM {coarser} WHERE members <> 0")
            assert len(summed) > 20, finer
            assert kept == summed, (finer, coarser)

        # Every unit's members by status, counted from the facts of its subtree, is the figure now and the sum of
        # its days, months and years.
        ours = [*grassroots, units["p1"], units["p2"]]
        counted = await _rows(
            session,
            """SELECT link.ancestor_id, fact.status, count(*) FROM member_facts fact
               JOIN tree_closure link ON link.descendant_id = fact.unit_id
               WHERE fact.member_id = ANY(:members) AND link.ancestor_id = ANY(:units) GROUP BY 1, 2""",
            members=list(versions),
            units=ours,
        )
        assert {status for _, status, _ in counted} == set(_STATUSES)
        for table in ("subtree_figures", "subtree_figure_days", "subtree_figure_months", "subtree_figure_years"):
            figures = await _rows(
                session,
                f"""SELECT unit_id, value, sum(members) FROM {table}
                    WHERE dimension = 'status' AND unit_id = ANY(:units)
                    GROUP BY 1, 2 HAVING sum(members) <> 0""",
                units=ours,
            )
            assert figures == counted, table
