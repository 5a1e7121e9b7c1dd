"""What the tests of figures and period reports share: units and members delivered as the consumer gets them."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy
from chassis.database import Database
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import MemberApproved, MemberSnapshot, MemberStatusChanged
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitState
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from reporting.adapters.figures import FigureRepository
from reporting.entrypoints.consumers import apply_member_change, apply_unit_change

from tests.support.services import headers_for, principal

START = date(2025, 1, 1)


def national() -> dict[str, str]:
    """A national report viewer's headers, made when asked: an internal token made at import would expire
    before a long suite reaches the test."""
    return headers_for(principal("report_viewer", NATIONAL_CENTRE_ID))


def state(unit_id, code, parent_id, type_code="grassroots_union", version=1, effective_from=START, **fields):
    return UnitState(
        unit_id=unit_id,
        code=code,
        name=f"Công đoàn {code}",
        type_code=type_code,
        parent_id=parent_id,
        effective_from=effective_from,
        version=version,
        **fields,
    )


async def deliver(database: Database, event_type, unit: UnitState, day: date, **fields) -> None:
    event = event_type(unit_id=unit.unit_id, unit=unit, **fields)
    async with database.transaction() as session:
        await apply_unit_change(session, event, Envelope.wrap(event, "/services/orgtree"))


async def admit(
    database: Database, unit_id, day: date, gender="female", born=1990, version=2, status="active", **fields
) -> uuid.UUID:
    member_id = uuid.uuid4()
    await change(
        database,
        MemberApproved,
        member_id,
        unit_id,
        day,
        gender=gender,
        born=born,
        version=version,
        status=status,
        **fields,
    )
    return member_id


async def change(
    database: Database,
    event_type,
    member_id,
    unit_id,
    day: date,
    *,
    gender="female",
    born=1990,
    version=2,
    status="active",
    event_fields: dict | None = None,
    **fields,
) -> None:
    snapshot = MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id,
        status=status,
        full_name="Đoàn viên",
        gender=gender,
        date_of_birth=date(born, 5, 1),
        version=version,
        **fields,
    )
    extra = {"old_status": "active"} if event_type is MemberStatusChanged else {}
    event = event_type(member_id=member_id, member=snapshot, **extra, **(event_fields or {}))
    envelope = dataclasses.replace(
        Envelope.wrap(event, "/services/members"), time=datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    )
    async with database.transaction() as session:
        await apply_member_change(session, event, envelope)


async def tree(reporting, name: str) -> dict[str, uuid.UUID]:
    """Two provinces, a grassroots union in each, created at the start."""
    units = {key: uuid.uuid4() for key in ("p1", "p2", "g1", "g2")}
    db = reporting["db"]
    await deliver(db, UnitCreated, state(units["p1"], f"{name}-P1", NATIONAL_CENTRE_ID, "provincial_federation"), START)
    await deliver(db, UnitCreated, state(units["p2"], f"{name}-P2", NATIONAL_CENTRE_ID, "provincial_federation"), START)
    await deliver(
        db,
        UnitCreated,
        state(
            units["g1"],
            f"{name}-G1",
            units["p1"],
            enterprise_type="foreign_invested",
            sector="Dệt may",
            workforce_size=500,
        ),
        START,
    )
    await deliver(
        db,
        UnitCreated,
        state(units["g2"], f"{name}-G2", units["p2"], enterprise_type="state_owned", workforce_size=50),
        START,
    )
    return units


async def assert_bands_are_the_walk(database: Database) -> int:
    """The grassroots unions by members rolled up on write (migration 0009) equal the walk down the tree's history
    for every unit, on every day a union's own figures changed, the day before each and today; the number of
    (unit, day) pairs compared."""
    viewer = principal("report_viewer", NATIONAL_CENTRE_ID)
    now = vietnamese_today()
    compared = 0
    async with database.transaction() as session:
        repository = FigureRepository(session)
        units = (await session.execute(sqlalchemy.text("SELECT unit_id FROM tree_units ORDER BY code"))).scalars()
        changed = await session.execute(
            sqlalchemy.text(
                "SELECT DISTINCT day FROM subtree_figure_days WHERE dimension IN ('status', 'unit_type') ORDER BY 1"
            )
        )
        days = sorted({now} | {day for (day,) in changed for day in (day, day - timedelta(days=1)) if day <= now})
        for unit in list(units):
            for day in days:
                rolled = await repository.grassroots_sizes(viewer, unit, day, now)
                walked = await repository.grassroots_sizes_walked(viewer, unit, day, now)
                assert rolled == walked, (unit, day)
                compared += 1
    return compared
