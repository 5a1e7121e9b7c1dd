"""Events written by set-based SQL must be exactly what the contracts say: each kind is parsed here."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from chassis.tables import outbox_events
from contracts.events.members_member_v1 import (
    TOPIC,
    MemberApproved,
    MemberRejected,
    MemberStatusChanged,
    MemberTransferred,
)
from contracts.topics import EVENT_TYPES
from contracts.wellknown import vietnamese_today
from members.adapters.repository import MemberRepository
from members.application.lifecycle import resume_due_suspensions
from sqlalchemy import select

from services.members.tests.conftest import add_unit, unit_state
from services.members.tests.test_unit_closure import deliver
from tests.support.services import principal


async def last_event(registry, member_id):
    async with registry.db.transaction() as session:
        row = (
            await session.execute(
                select(outbox_events)
                .where(outbox_events.c.message_key == str(member_id))
                .order_by(outbox_events.c.id.desc())
                .limit(1)
            )
        ).one()
        admin = principal("national_admin", registry.units["TLD"])
        member = await MemberRepository(session).get(admin, UUID(str(member_id)), "members.read")
    assert row.topic == TOPIC
    event = EVENT_TYPES[row.event_type].model_validate_json(row.payload)
    assert event.member == member.snapshot()
    return event


async def test_approval_and_rejection_events(registry):
    approved = await registry.approved("HNI-1")
    event = await last_event(registry, approved["member_id"])
    assert isinstance(event, MemberApproved) and event.member.member_code == approved["member_code"]
    created = await registry.create("HNI-1")
    await registry.http.post(
        f"/api/v1/members/members/{created['member_id']}/decision",
        json={"decision": "reject", "reason": "Không đủ điều kiện"},
        headers=registry.as_("approver", "HNI"),
    )
    event = await last_event(registry, created["member_id"])
    assert isinstance(event, MemberRejected) and event.reason == "Không đủ điều kiện"


async def test_suspension_end_and_unit_closure_events(registry):
    member = await registry.approved("HCM-1")
    until = vietnamese_today() + timedelta(days=2)
    await registry.http.post(
        f"/api/v1/members/members/{member['member_id']}/suspension",
        json={"reason": "Ốm nặng", "until": until.isoformat()},
        headers=registry.as_("data_entry", "HCM-1"),
    )
    async with registry.db.transaction() as session:
        await resume_due_suspensions(session, until)
    event = await last_event(registry, member["member_id"])
    assert isinstance(event, MemberStatusChanged) and (event.old_status, event.member.status) == ("suspended", "active")
    closing = await add_unit(registry.db, "HCM-CLOSE", registry.units["HCM"], "grassroots_union", admit=True)
    registry.units["HCM-CLOSE"] = closing
    moving = await registry.approved("HCM-CLOSE")
    from contracts.events.orgtree_unit_v1 import UnitMerged

    state = unit_state(closing, "HCM-CLOSE", registry.units["HCM"], "grassroots_union", version=2, status="merged")
    await deliver(registry, UnitMerged(unit_id=closing, unit=state, target_unit_id=registry.units["HCM-1"]))
    event = await last_event(registry, moving["member_id"])
    assert isinstance(event, MemberTransferred)
    assert (event.from_unit_id, event.to_unit_id) == (closing, registry.units["HCM-1"])
