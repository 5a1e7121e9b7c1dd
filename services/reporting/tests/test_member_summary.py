"""Reporting's read model fed by member events, read through its HTTP API."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from chassis.database import Database
from contracts.envelope import Envelope
from contracts.events.cards_card_v1 import CardRequested, CardSnapshot, CardStatusChanged
from contracts.events.members_member_v1 import (
    MemberApproved,
    MemberCreated,
    MemberSnapshot,
    MemberStatusChanged,
    MemberTransferred,
)
from contracts.wellknown import NATIONAL_CENTRE_ID
from reporting.config import ReportingSettings
from reporting.entrypoints.api import create_app
from reporting.entrypoints.consumers import (
    apply_card_change,
    apply_card_changes,
    apply_member_change,
    apply_member_changes,
)

from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal, replicate_unit

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "reporting" / "migrations"


@pytest.fixture(scope="module")
async def reporting(pg_server_url):
    url = await migrated_database(pg_server_url, "reporting", MIGRATIONS)
    database = Database(url, 2)
    await replicate_unit(database, "TLD", None, "national_centre", can_admit=False, unit_id=NATIONAL_CENTRE_ID)
    province = await replicate_unit(database, "HNI", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    unit_a = await replicate_unit(database, "HNI-A", province)
    unit_b = await replicate_unit(database, "HNI-B", province)
    settings = ReportingSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield {"http": http, "db": database, "province": province, "a": unit_a, "b": unit_b}


def snapshot(member_id, unit_id, status="active", gender="female", version=1) -> MemberSnapshot:
    return MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id,
        status=status,
        full_name="Đoàn viên",
        gender=gender,
        date_of_birth=date(1990, 1, 1),
        version=version,
    )


async def deliver(database: Database, event, at: datetime | None = None) -> None:
    """The event as the consumer gets it, written to the outbox at `at` (now by default)."""
    envelope = Envelope.wrap(event, "/services/members")
    if at is not None:
        envelope = dataclasses.replace(envelope, time=at)
    async with database.transaction() as session:
        await apply_member_change(session, event, envelope)


async def summary(reporting, unit_id, subtree=True):
    response = await reporting["http"].get(
        f"/api/v1/reporting/units/{unit_id}/member-summary",
        params={"subtree": str(subtree).lower()},
        headers=headers_for(principal("report_viewer", NATIONAL_CENTRE_ID)),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_counts_follow_creation_transfer_and_status_changes(reporting):
    db, a, b = reporting["db"], reporting["a"], reporting["b"]
    first, second = uuid.uuid4(), uuid.uuid4()
    await deliver(db, MemberCreated(member_id=first, member=snapshot(first, a)))
    await deliver(db, MemberCreated(member_id=second, member=snapshot(second, a, gender="male", status="pending")))
    assert (await summary(reporting, a, subtree=False))["members"] == 1
    assert (await summary(reporting, a, subtree=False))["by_status"] == {"active": 1, "pending": 1}

    await deliver(
        db, MemberTransferred(member_id=first, member=snapshot(first, b, version=2), from_unit_id=a, to_unit_id=b)
    )
    assert (await summary(reporting, a, subtree=False))["members"] == 0
    assert (await summary(reporting, b, subtree=False))["members"] == 1
    province = await summary(reporting, reporting["province"])
    assert (province["members"], province["female"]) == (1, 1)

    await deliver(
        db,
        MemberStatusChanged(
            member_id=first, member=snapshot(first, b, status="removed", version=3), old_status="active"
        ),
    )
    assert (await summary(reporting, reporting["province"]))["members"] == 0


async def test_a_stale_or_repeated_event_changes_nothing(reporting):
    db, a = reporting["db"], reporting["a"]
    member = uuid.uuid4()
    before = (await summary(reporting, a, subtree=False))["by_status"].get("active", 0)
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, version=2)))
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, version=2)))
    await deliver(db, MemberCreated(member_id=member, member=snapshot(member, a, status="pending", version=1)))
    assert (await summary(reporting, a, subtree=False))["by_status"].get("active", 0) == before + 1


async def test_viewer_of_another_unit_cannot_read_figures(reporting):
    response = await reporting["http"].get(
        f"/api/v1/reporting/units/{reporting['a']}/member-summary",
        headers=headers_for(principal("report_viewer", reporting["b"])),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out-of-scope"


async def movements(reporting, unit_id, first: str, last: str, viewer=NATIONAL_CENTRE_ID):
    return await reporting["http"].get(
        f"/api/v1/reporting/units/{unit_id}/movements",
        params={"from": first, "to": last},
        headers=headers_for(principal("report_viewer", viewer)),
    )


async def test_a_period_starts_and_ends_with_the_members_counted_and_what_moved_between(reporting):
    db = reporting["db"]
    p = await replicate_unit(db, "P", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    x, y = await replicate_unit(db, "P-X", p), await replicate_unit(db, "P-Y", p)
    z = await replicate_unit(
        db, "Q-Z", await replicate_unit(db, "Q", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    )
    m1, m2, m3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def on(day: int, hour: int = 3, month: int = 10) -> datetime:
        return datetime(2025, month, day, hour, tzinfo=UTC)

    await deliver(db, MemberCreated(member_id=m1, member=snapshot(m1, x, status="pending")), on(1))
    for member, unit in ((m1, x), (m2, x), (m3, z)):
        await deliver(db, MemberApproved(member_id=member, member=snapshot(member, unit, version=2)), on(1))
    await deliver(
        db, MemberTransferred(member_id=m2, member=snapshot(m2, y, version=3), from_unit_id=x, to_unit_id=y), on(10)
    )
    await deliver(
        db, MemberTransferred(member_id=m3, member=snapshot(m3, x, version=3), from_unit_id=z, to_unit_id=x), on(15)
    )
    await deliver(
        db,
        MemberStatusChanged(member_id=m1, member=snapshot(m1, x, status="suspended", version=3), old_status="active"),
        on(20),
    )
    await deliver(
        db,
        MemberStatusChanged(member_id=m1, member=snapshot(m1, x, status="removed", version=4), old_status="suspended"),
        on(25),
    )
    # 23:30 UTC on 31 October is 06:30 on 1 November in Hà Nội: a November movement.
    await deliver(
        db,
        MemberStatusChanged(member_id=m2, member=snapshot(m2, y, status="retired", version=4), old_status="active"),
        on(31, hour=23),
    )

    october = await movements(reporting, p, "2025-10-01", "2025-10-31")
    assert october.status_code == 200, october.text
    figures = {k: v for k, v in october.json().items() if k not in ("unit_id", "from", "to")}
    # m2's move from X to Y stays inside the province: not a movement of the province.
    assert figures == {
        "members_at_start": 0,
        "admitted": 2,
        "transferred_in": 1,
        "transferred_out": 0,
        "suspended": 1,
        "resumed": 0,
        "retired": 0,
        "removed": 1,
        "left": 0,
        "members_at_end": 2,
    }
    november = (await movements(reporting, p, "2025-11-01", "2025-11-30")).json()
    assert (november["members_at_start"], november["retired"], november["members_at_end"]) == (2, 1, 1)
    unit_x = (await movements(reporting, x, "2025-10-01", "2025-10-31")).json()
    assert (unit_x["admitted"], unit_x["transferred_out"], unit_x["transferred_in"], unit_x["members_at_end"]) == (
        2,
        1,
        1,
        1,
    )
    assert (await movements(reporting, z, "2025-10-14", "2025-10-15")).json()["transferred_out"] == 1
    assert (await movements(reporting, p, "2025-10-15", "2025-10-20")).json()["members_at_start"] == 2

    reversed_period = await movements(reporting, p, "2025-10-31", "2025-10-01")
    assert reversed_period.status_code == 422 and reversed_period.json()["code"] == "period-reversed"
    assert reversed_period.json()["field"] == "from"
    outsider = await movements(reporting, p, "2025-10-01", "2025-10-31", viewer=z)
    assert outsider.status_code == 403 and outsider.json()["code"] == "out-of-scope"
    bad_day = await movements(reporting, p, "2025-10-32", "2025-11-01")
    assert bad_day.status_code == 422 and bad_day.json()["errors"][0]["field"] == "from"


def card_event(member_id, unit_id, status: str, version: int):
    card = CardSnapshot(
        card_id=uuid.uuid5(uuid.NAMESPACE_OID, str(member_id)),
        member_id=member_id,
        unit_id=unit_id,
        member_code="0100000001",
        kind="regular",
        status=status,
        reason="new",
        version=version,
    )
    if status == "requested":
        return CardRequested(member_id=member_id, card=card)
    return CardStatusChanged(member_id=member_id, card=card, old_status="requested")


async def deliver_card(database: Database, event) -> None:
    async with database.transaction() as session:
        await apply_card_change(session, event, Envelope.wrap(event, "/services/cards"))


async def test_card_progress_follows_each_card_whichever_topic_arrives_first(reporting):
    db = reporting["db"]
    province = await replicate_unit(db, "C", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    first_unit, second_unit = await replicate_unit(db, "C-1", province), await replicate_unit(db, "C-2", province)
    early, late, unlucky = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    await deliver(db, MemberApproved(member_id=early, member=snapshot(early, first_unit, version=2)))
    await deliver_card(db, card_event(early, first_unit, "requested", 1))
    assert (await summary(reporting, province))["cards"] == {"requested": 1, "printed": 0, "delivered": 0}
    await deliver_card(db, card_event(early, first_unit, "printed", 3))
    # The card's event came before the member's approval reached reporting: it waits for the member.
    await deliver_card(db, card_event(late, first_unit, "requested", 1))
    assert (await summary(reporting, province))["cards"] == {"requested": 0, "printed": 1, "delivered": 0}
    await deliver(db, MemberApproved(member_id=late, member=snapshot(late, first_unit, version=2)))
    await deliver(db, MemberApproved(member_id=unlucky, member=snapshot(unlucky, second_unit, version=2)))
    await deliver_card(db, card_event(unlucky, second_unit, "delivered", 4))
    await deliver_card(db, card_event(unlucky, second_unit, "revoked", 5))
    assert (await summary(reporting, province))["cards"] == {"requested": 1, "printed": 1, "delivered": 0}

    await deliver(
        db,
        MemberTransferred(
            member_id=early,
            member=snapshot(early, second_unit, version=3),
            from_unit_id=first_unit,
            to_unit_id=second_unit,
        ),
    )
    assert (await summary(reporting, second_unit, subtree=False))["cards"]["printed"] == 1
    assert (await summary(reporting, first_unit, subtree=False))["cards"] == {
        "requested": 1,
        "printed": 0,
        "delivered": 0,
    }
    await deliver(
        db,
        MemberStatusChanged(
            member_id=late, member=snapshot(late, first_unit, "removed", version=3), old_status="active"
        ),
    )
    assert (await summary(reporting, province))["cards"] == {"requested": 0, "printed": 1, "delivered": 0}


async def test_member_counts_of_several_units_cover_their_subtrees_and_refuse_units_out_of_scope(reporting):
    db = reporting["db"]
    p = await replicate_unit(db, "MC", NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
    x, y = await replicate_unit(db, "MC-X", p), await replicate_unit(db, "MC-Y", p)
    for status, unit in (("active", x), ("suspended", x), ("pending", x), ("active", y), ("removed", y)):
        member = uuid.uuid4()
        await deliver(db, MemberCreated(member_id=member, member=snapshot(member, unit, status=status)))
    viewer = headers_for(principal("report_viewer", p))
    response = await reporting["http"].get(
        "/api/v1/reporting/member-counts",
        params=[("unit_id", str(p)), ("unit_id", str(x)), ("unit_id", str(y))],
        headers=viewer,
    )
    assert response.status_code == 200, response.text
    assert [(row["members"], row["pending"]) for row in response.json()] == [(3, 1), (2, 1), (1, 0)]

    outside = await reporting["http"].get(
        "/api/v1/reporting/member-counts",
        params=[("unit_id", str(x)), ("unit_id", str(reporting["a"]))],
        headers=viewer,
    )
    assert outside.status_code == 403


def a_month_of_changes(x, y) -> list:
    """Three members' events of October in event order, a stale repeat among them, and their card steps."""
    m1, m2, m3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def on(day: int) -> datetime:
        return datetime(2025, 10, day, 3, tzinfo=UTC)

    return [
        (MemberCreated(member_id=m1, member=snapshot(m1, x, status="pending")), on(1)),
        (MemberCreated(member_id=m2, member=snapshot(m2, x, gender="male")), on(1)),
        (MemberApproved(member_id=m1, member=snapshot(m1, x, version=2)), on(2)),
        (card_event(m1, x, "requested", 1), on(3)),
        (MemberCreated(member_id=m3, member=snapshot(m3, y, status="pending")), on(3)),
        (
            MemberStatusChanged(
                member_id=m1, member=snapshot(m1, x, status="suspended", version=3), old_status="active"
            ),
            on(5),
        ),
        (
            MemberStatusChanged(
                member_id=m2, member=snapshot(m2, x, status="removed", gender="male", version=2), old_status="active"
            ),
            on(6),
        ),
        (MemberApproved(member_id=m3, member=snapshot(m3, y, version=2)), on(7)),
        (card_event(m1, x, "printed", 2), on(8)),
        (MemberStatusChanged(member_id=m1, member=snapshot(m1, x, version=4), old_status="suspended"), on(9)),
        (MemberCreated(member_id=m3, member=snapshot(m3, y, status="pending")), on(10)),  # stale: a replay
        (MemberTransferred(member_id=m1, member=snapshot(m1, y, version=5), from_unit_id=x, to_unit_id=y), on(12)),
    ]


async def test_a_poll_applied_at_once_gives_the_figures_of_its_events_applied_one_by_one(reporting):
    db = reporting["db"]
    figures = []
    for code, at_once in (("PA", True), ("PB", False)):
        province = await replicate_unit(db, code, NATIONAL_CENTRE_ID, "provincial_federation", can_admit=False)
        x, y = await replicate_unit(db, f"{code}-X", province), await replicate_unit(db, f"{code}-Y", province)
        changes = a_month_of_changes(x, y)
        envelopes = [dataclasses.replace(Envelope.wrap(event, "/services/test"), time=at) for event, at in changes]
        if at_once:  # as the consumer's batch mode hands them over: each topic's run in one transaction
            async with db.transaction() as session:
                paired = [(event, envelope) for (event, _), envelope in zip(changes, envelopes, strict=True)]
                members = [(e, env) for e, env in paired if e.topic_name == "members.member.v1"]
                cards = [(e, env) for e, env in paired if e.topic_name == "cards.card.v1"]
                await apply_card_changes(session, [e for e, _ in cards[:1]], [env for _, env in cards[:1]])
                await apply_member_changes(session, [e for e, _ in members], [env for _, env in members])
                await apply_card_changes(session, [e for e, _ in cards[1:]], [env for _, env in cards[1:]])
        else:
            for (event, _), envelope in zip(changes, envelopes, strict=True):
                async with db.transaction() as session:
                    handler = apply_card_change if event.topic_name == "cards.card.v1" else apply_member_change
                    await handler(session, event, envelope)
        period = (await movements(reporting, province, "2025-10-01", "2025-10-31")).json()
        figures.append(
            (
                {k: v for k, v in period.items() if k != "unit_id"},
                {unit: await summary(reporting, unit, subtree=False) for unit in (x, y)},
            )
        )

    (period_at_once, units_at_once), (period_one_by_one, units_one_by_one) = figures
    assert period_at_once == period_one_by_one
    assert period_at_once["admitted"] == 3 and period_at_once["removed"] == 1 and period_at_once["members_at_end"] == 2
    assert [{k: v for k, v in s.items() if k != "unit_id"} for s in units_at_once.values()] == [
        {k: v for k, v in s.items() if k != "unit_id"} for s in units_one_by_one.values()
    ]
