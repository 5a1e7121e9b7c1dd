"""Merging and dissolving units: children move first, the unit closes, history and events follow."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from chassis.tables import outbox_events, tree_closure, tree_units
from contracts.events.members_member_v1 import MemberSnapshot, MemberTransferred
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import member_units, unit_history, units
from orgtree.entrypoints.consumers import apply_member_location
from sqlalchemy import select

from services.orgtree.tests.helpers import ADMIN, assert_problem

PROVINCE, ZONE, GRASSROOTS = "provincial_federation", "industrial_zone_union", "grassroots_union"


async def events_after(orgtree, last_id: int) -> list[tuple[str, dict]]:
    rows = await orgtree.all(
        select(outbox_events.c.event_type, outbox_events.c.payload)
        .where(outbox_events.c.id > last_id)
        .order_by(outbox_events.c.id)
    )
    return [(row.event_type, json.loads(row.payload)) for row in rows]


async def last_event_id(orgtree) -> int:
    return await orgtree.scalar(select(outbox_events.c.id).order_by(outbox_events.c.id.desc()).limit(1))


async def test_merge_moves_every_child_first_then_closes_the_unit(orgtree):
    source = await orgtree.unit("MG-A", "Liên đoàn Lao động tỉnh Hà Giang", PROVINCE, NATIONAL_CENTRE_ID)
    target = await orgtree.unit("MG-B", "Liên đoàn Lao động tỉnh Tuyên Quang", PROVINCE, NATIONAL_CENTRE_ID)
    zone = await orgtree.unit("MG-Z", "Công đoàn khu công nghiệp Bình Vàng", ZONE, source)
    leaf = await orgtree.unit("MG-Z1", "Công đoàn cơ sở Công ty Chè Hà Giang", GRASSROOTS, zone)
    direct = await orgtree.unit("MG-C", "Công đoàn cơ sở Bệnh viện Đa khoa Hà Giang", GRASSROOTS, source)
    mark = await last_event_id(orgtree)

    response = await orgtree.post(f"/units/{source}/merge", {"target_unit_id": target, "effective_from": "2025-07-01"})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["merged_into_id"]) == ("merged", target)

    events = await events_after(orgtree, mark)
    assert [(kind, body["unit_id"]) for kind, body in events] == [
        ("orgtree.unit.moved", direct),
        ("orgtree.unit.moved", zone),
        ("orgtree.unit.merged", source),
    ]
    assert all(body["old_parent_id"] == source and body["new_parent_id"] == target for _, body in events[:2])
    assert events[2][1]["target_unit_id"] == target and events[2][1]["unit"]["status"] == "merged"

    ancestors = {
        row.ancestor_id
        for row in await orgtree.all(
            select(tree_closure.c.ancestor_id).where(tree_closure.c.descendant_id == UUID(leaf))
        )
    }
    assert UUID(target) in ancestors and UUID(source) not in ancestors
    path = await orgtree.get(f"/units/{leaf}/ancestors")
    assert [u["code"] for u in path.json()["items"]] == ["TLD", "MG-B", "MG-Z", "MG-Z1"]
    assert await orgtree.scalar(select(tree_units.c.status).where(tree_units.c.unit_id == UUID(source))) == "merged"

    before = await orgtree.get(f"/units/{source}/tree", as_of="2025-06-30")
    assert [u["code"] for u in before.json()["items"]] == ["MG-A", "MG-C", "MG-Z", "MG-Z1"]
    after = await orgtree.get(f"/units/{target}/tree", as_of="2025-07-01")
    assert [u["code"] for u in after.json()["items"]] == ["MG-B", "MG-C", "MG-Z", "MG-Z1"]
    history = await orgtree.all(
        select(unit_history.c.version, unit_history.c.valid_to, unit_history.c.change)
        .where(unit_history.c.unit_id == UUID(source))
        .order_by(unit_history.c.version)
    )
    assert [(h.version, h.valid_to, h.change) for h in history] == [
        (1, date(2025, 7, 1), "created"),
        (2, None, "merged"),
    ]


async def test_merge_refusals_name_the_rule_and_change_nothing(orgtree):
    source = await orgtree.unit("MR-A", "Liên đoàn Lao động tỉnh Nguồn", PROVINCE, NATIONAL_CENTRE_ID)
    zone = await orgtree.unit("MR-Z", "Công đoàn khu công nghiệp Nguồn", ZONE, source)
    corporation = await orgtree.unit("MR-T", "Công đoàn Tập đoàn Đích", "corporation_union", NATIONAL_CENTRE_ID)
    before = await orgtree.fingerprint()

    itself = await orgtree.post(f"/units/{source}/merge", {"target_unit_id": source})
    assert_problem(itself, 422, "merge-into-itself", "target_unit_id", "vào chính nó", "into itself")
    below = await orgtree.post(f"/units/{source}/merge", {"target_unit_id": zone})
    assert_problem(
        below,
        422,
        "move-creates-cycle",
        "target_unit_id",
        "đơn vị cấp dưới MR-Z của nó",
        "cannot go under itself or its own descendant MR-Z",
    )
    wrong_type = await orgtree.post(f"/units/{source}/merge", {"target_unit_id": corporation})
    assert_problem(
        wrong_type,
        422,
        "child-type-not-allowed",
        "target_unit_id",
        "Đơn vị MR-Z loại 'Công đoàn khu công nghiệp' không được đặt dưới đơn vị MR-T",
        "Unit MR-Z of type 'industrial_zone_union' is not allowed under unit MR-T",
    )
    assert await orgtree.fingerprint() == before


async def test_dissolving_an_empty_unit(orgtree):
    province = await orgtree.unit("DS-P", "Liên đoàn Lao động tỉnh Giải Thể", PROVINCE, NATIONAL_CENTRE_ID)
    empty = await orgtree.unit("DS-E", "Công đoàn cơ sở Công ty Đã Đóng Cửa", GRASSROOTS, province)
    await orgtree.add_members(empty, 2, status="removed")  # removed members stay in history, not in the unit
    mark = await last_event_id(orgtree)
    response = await orgtree.post(f"/units/{empty}/dissolve", {"effective_from": "2025-01-31"})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["successor_unit_id"]) == ("dissolved", None)
    [(kind, body)] = await events_after(orgtree, mark)
    assert (kind, body["successor_unit_id"], body["unit"]["status"]) == ("orgtree.unit.dissolved", None, "dissolved")


async def test_dissolving_a_unit_with_children_needs_a_successor(orgtree):
    province = await orgtree.unit("DC-P", "Liên đoàn Lao động tỉnh Còn Con", PROVINCE, NATIONAL_CENTRE_ID)
    await orgtree.unit("DC-1", "Công đoàn cơ sở Còn Hoạt Động", GRASSROOTS, province)
    before = await orgtree.fingerprint()
    response = await orgtree.post(f"/units/{province}/dissolve", {})
    body = assert_problem(
        response,
        422,
        "unit-not-empty",
        "successor_unit_id",
        "Đơn vị DC-P còn 1 đơn vị trực thuộc và 0 đoàn viên",
        "Unit DC-P still holds 1 child units and 0 members",
    )
    assert (body["child_units"], body["members"]) == (1, 0)
    assert await orgtree.fingerprint() == before


async def test_dissolving_a_unit_that_holds_members_needs_a_successor(orgtree):
    province = await orgtree.unit("DM-P", "Liên đoàn Lao động tỉnh Đoàn Viên", PROVINCE, NATIONAL_CENTRE_ID)
    holding = await orgtree.unit("DM-1", "Công đoàn cơ sở Còn Đoàn Viên", GRASSROOTS, province)
    other = await orgtree.unit("DM-2", "Công đoàn cơ sở Tiếp Nhận", GRASSROOTS, province)
    [moving, staying] = await orgtree.add_members(holding, 2)
    before = await orgtree.fingerprint()
    refused = await orgtree.post(f"/units/{holding}/dissolve", {})
    assert_problem(
        refused,
        422,
        "unit-not-empty",
        "successor_unit_id",
        "0 đơn vị trực thuộc và 2 đoàn viên",
        "still holds 0 child units and 2 members",
    )
    assert await orgtree.fingerprint() == before

    # The members service transfers both; orgtree learns it from the events, an old one arriving late.
    async with orgtree.database.transaction() as session:
        for member_id in (moving, staying):
            snapshot = MemberSnapshot(
                member_id=member_id,
                unit_id=UUID(other),
                status="active",
                full_name="Lê Thị Bình",
                gender="female",
                date_of_birth=date(1991, 2, 3),
                version=2,
            )
            await apply_member_location(
                session,
                MemberTransferred(
                    member_id=member_id, member=snapshot, from_unit_id=UUID(holding), to_unit_id=UUID(other)
                ),
                None,
            )
        stale = MemberSnapshot(
            member_id=moving,
            unit_id=UUID(holding),
            status="active",
            full_name="Lê Thị Bình",
            gender="female",
            date_of_birth=date(1991, 2, 3),
            version=1,
        )
        await apply_member_location(
            session,
            MemberTransferred(member_id=moving, member=stale, from_unit_id=UUID(other), to_unit_id=UUID(holding)),
            None,
        )
    assert await orgtree.scalar(select(member_units.c.unit_id).where(member_units.c.member_id == moving)) == UUID(other)
    dissolved = await orgtree.post(f"/units/{holding}/dissolve", {})
    assert dissolved.status_code == 200, dissolved.text


async def test_dissolving_with_a_successor_hands_over_the_children(orgtree):
    province = await orgtree.unit("DH-P", "Liên đoàn Lao động tỉnh Bàn Giao", PROVINCE, NATIONAL_CENTRE_ID)
    district = await orgtree.unit(
        "DH-D", "Liên đoàn Lao động huyện Bàn Giao", "district_federation", province, effective_from="2021-01-01"
    )
    commune = await orgtree.unit(
        "DH-X", "Công đoàn xã Bàn Giao", "commune_union", province, effective_from="2025-07-01"
    )
    children = [
        await orgtree.unit(f"DH-D{i}", f"Công đoàn cơ sở Trường Mầm non {i}", GRASSROOTS, district) for i in range(3)
    ]
    await orgtree.add_members(children[0], 5)
    mark = await last_event_id(orgtree)
    response = await orgtree.post(
        f"/units/{district}/dissolve", {"successor_unit_id": commune, "effective_from": "2025-07-01"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["successor_unit_id"] == commune
    events = await events_after(orgtree, mark)
    assert [kind for kind, _ in events] == ["orgtree.unit.moved"] * 3 + ["orgtree.unit.dissolved"]
    assert events[-1][1]["successor_unit_id"] == commune
    parents = {
        row.parent_id
        for row in await orgtree.all(select(units.c.parent_id).where(units.c.unit_id.in_([UUID(c) for c in children])))
    }
    assert parents == {UUID(commune)}
    assert await orgtree.members_in(commune) == 5 and await orgtree.members_in(district) == 0


async def test_every_operation_on_a_closed_unit_is_refused(orgtree):
    province = await orgtree.unit("CL-P", "Liên đoàn Lao động tỉnh Đóng", PROVINCE, NATIONAL_CENTRE_ID)
    other = await orgtree.unit("CL-O", "Liên đoàn Lao động tỉnh Khác", PROVINCE, NATIONAL_CENTRE_ID)
    closed = await orgtree.unit("CL-1", "Công đoàn cơ sở Đã Giải Thể", GRASSROOTS, province)
    alive = await orgtree.unit("CL-2", "Công đoàn cơ sở Còn Hoạt Động", GRASSROOTS, province)
    assert (await orgtree.post(f"/units/{closed}/dissolve", {"effective_from": "2025-03-01"})).status_code == 200
    before = await orgtree.fingerprint()

    on_closed = "Đơn vị CL-1 đã giải thể, không thể thao tác"
    refusals = {
        "update": (
            await orgtree.http.patch(f"/api/v1/orgtree/units/{closed}", json={"name": "Tên Mới"}, headers=ADMIN),
            "unit_id",
        ),
        "move": (await orgtree.post(f"/units/{closed}/move", {"new_parent_id": other}), "unit_id"),
        "merge": (await orgtree.post(f"/units/{closed}/merge", {"target_unit_id": alive}), "unit_id"),
        "merge into": (await orgtree.post(f"/units/{alive}/merge", {"target_unit_id": closed}), "target_unit_id"),
        "dissolve": (await orgtree.post(f"/units/{closed}/dissolve", {}), "unit_id"),
        "succeed": (await orgtree.post(f"/units/{alive}/dissolve", {"successor_unit_id": closed}), "successor_unit_id"),
        "move under": (await orgtree.post(f"/units/{alive}/move", {"new_parent_id": closed}), "new_parent_id"),
        "create under": (await orgtree.create("CL-3", "Tổ công đoàn Mới", "union_group", closed), "parent_id"),
    }
    for operation, (response, field) in refusals.items():
        assert response.status_code == 422, (operation, response.text)
        assert_problem(response, 422, "unit-closed", field, on_closed, "Unit CL-1 is dissolved")
    assert await orgtree.fingerprint() == before
