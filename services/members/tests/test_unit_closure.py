"""Members follow orgtree: a merged or dissolved unit's members move to the receiver, set-based."""

from __future__ import annotations

import uuid

from contracts.envelope import Envelope
from contracts.events.orgtree_unit_v1 import UnitDissolved, UnitMerged
from members.config import MembersSettings
from members.entrypoints.consumers import handlers

from services.members.tests.conftest import add_unit, unit_state


async def deliver(registry, event):
    handler = handlers(MembersSettings())[type(event)]
    async with registry.db.transaction() as session:
        await handler(session, event, Envelope.wrap(event, "/services/orgtree"))


async def test_members_of_a_merged_unit_move_to_the_target(registry):
    closing = await add_unit(registry.db, "HNI-OLD", registry.units["HNI"], "grassroots_union", admit=True)
    registry.units["HNI-OLD"] = closing
    members = [await registry.approved("HNI-OLD") for _ in range(3)] + [await registry.create("HNI-OLD")]
    transfer = await registry.http.post(
        f"/api/v1/members/members/{members[0]['member_id']}/transfers",
        json={"to_unit_id": str(registry.units["HCM-1"])},
        headers=registry.as_("data_entry", "HNI-OLD"),
    )
    assert transfer.status_code == 201
    state = unit_state(
        closing, "HNI-OLD", registry.units["HNI"], "grassroots_union", admit=True, version=2, status="merged"
    )
    await deliver(registry, UnitMerged(unit_id=closing, unit=state, target_unit_id=registry.units["HNI-2"]))
    for member in members:
        row = await registry.row(member["member_id"])
        assert row["unit_id"] == registry.units["HNI-2"]
        assert (await registry.events_of(member["member_id"]))[-1] == "members.member.transferred"
    assert (await registry.row(members[3]["member_id"]))["status"] == "pending"
    # The replica was applied too, and the open transfer now leaves from the receiver.
    async with registry.db.transaction() as session:
        from chassis.tree import get_unit

        assert (await get_unit(session, closing)).status == "merged"
    seen = await registry.http.get(
        f"/api/v1/members/transfers/{transfer.json()['transfer_id']}", headers=registry.as_("data_entry", "HNI-2")
    )
    assert seen.json()["from_unit_id"] == str(registry.units["HNI-2"])


async def test_members_of_a_dissolved_unit_move_to_the_successor(registry):
    closing = await add_unit(registry.db, "HCM-OLD", registry.units["HCM"], "grassroots_union", admit=True)
    registry.units["HCM-OLD"] = closing
    member = await registry.approved("HCM-OLD")
    state = unit_state(closing, "HCM-OLD", registry.units["HCM"], "grassroots_union", version=2, status="dissolved")
    await deliver(registry, UnitDissolved(unit_id=closing, unit=state, successor_unit_id=registry.units["HCM-1"]))
    assert (await registry.row(member["member_id"]))["unit_id"] == registry.units["HCM-1"]


async def test_an_empty_dissolution_without_successor_only_updates_the_replica(registry):
    closing = await add_unit(registry.db, "HCM-EMPTY", registry.units["HCM"], "grassroots_union", admit=True)
    before = await registry.counts()
    state = unit_state(closing, "HCM-EMPTY", registry.units["HCM"], "grassroots_union", version=2, status="dissolved")
    await deliver(registry, UnitDissolved(unit_id=closing, unit=state, successor_unit_id=None))
    assert await registry.counts() == before
    assert uuid.UUID(str(closing))
