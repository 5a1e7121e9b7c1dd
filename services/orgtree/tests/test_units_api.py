"""orgtree through its HTTP API, against a real PostgreSQL database: single units and their queries."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from chassis.tables import outbox_events, tree_closure
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from orgtree.adapters.tables import unit_history
from sqlalchemy import select

from services.orgtree.tests.helpers import ADMIN, assert_problem
from tests.support.services import headers_for, principal


async def test_create_units_builds_the_tree_and_announces_each(orgtree):
    province = await orgtree.create(
        "HNI",
        "Liên đoàn Lao động thành phố Hà Nội",
        "provincial_federation",
        NATIONAL_CENTRE_ID,
        province_code="Hà Nội",
    )
    assert province.status_code == 201, province.text
    assert province.json()["province_code"] == "01"
    grassroots = await orgtree.create(
        "HNI-0001",
        "Công đoàn cơ sở Công ty May Thăng Long",
        "grassroots_union",
        province.json()["unit_id"],
        employer={"name": "Công ty May Thăng Long", "enterprise_type": "state_owned"},
    )
    assert grassroots.status_code == 201, grassroots.text
    assert grassroots.json()["province_code"] == "01"  # inherited from the parent
    depth = await orgtree.scalar(
        select(tree_closure.c.depth).where(
            tree_closure.c.ancestor_id == NATIONAL_CENTRE_ID,
            tree_closure.c.descendant_id == grassroots.json()["unit_id"],
        )
    )
    announced = {
        row.message_key
        for row in await orgtree.all(
            select(outbox_events.c.message_key).where(outbox_events.c.topic == "orgtree.unit.v1")
        )
    }
    assert depth == 2
    assert {province.json()["unit_id"], grassroots.json()["unit_id"]} <= announced


async def test_the_catalogue_carries_the_2025_rules(orgtree):
    response = await orgtree.get("/unit-types")
    types = {t["code"]: t for t in response.json()}
    commune = types["commune_union"]
    assert (commune["can_admit_members"], commune["can_collect_dues"]) == (False, False)
    assert types["grassroots_union"]["can_admit_members"] is True
    assert types["district_federation"]["abolished_on"] == "2025-07-01"
    assert "grassroots_union" in types["commune_union"]["allowed_children"]


async def test_duplicate_code_is_a_conflict_and_changes_nothing(orgtree):
    await orgtree.unit("DUP-1", "Liên đoàn Lao động tỉnh Một", "provincial_federation", NATIONAL_CENTRE_ID)
    before = await orgtree.fingerprint()
    again = await orgtree.create("dup-1", "Tên khác", "provincial_federation", NATIONAL_CENTRE_ID)
    assert_problem(
        again, 409, "duplicate-unit-code", "code", "Mã đơn vị DUP-1 đã tồn tại", "Unit code DUP-1 already exists"
    )
    assert await orgtree.fingerprint() == before


async def test_child_type_must_be_allowed_under_parent_type(orgtree):
    before = await orgtree.fingerprint()
    response = await orgtree.create("CS-TOP", "Công đoàn cơ sở đặt sai cấp", "grassroots_union", NATIONAL_CENTRE_ID)
    assert_problem(
        response,
        422,
        "child-type-not-allowed",
        "type_code",
        "loại 'Công đoàn cơ sở' không được đặt dưới đơn vị TLD",
        "Unit CS-TOP of type 'grassroots_union' is not allowed under unit TLD",
    )
    assert await orgtree.fingerprint() == before


async def test_an_abolished_type_cannot_be_created_after_its_abolition(orgtree):
    province = await orgtree.unit("AB-P", "Liên đoàn Lao động tỉnh Bãi Bỏ", "provincial_federation", NATIONAL_CENTRE_ID)
    before_abolition = await orgtree.create(
        "AB-D1", "Liên đoàn Lao động huyện Cũ", "district_federation", province, effective_from="2025-06-30"
    )
    assert before_abolition.status_code == 201, before_abolition.text
    before = await orgtree.fingerprint()
    after = await orgtree.create(
        "AB-D2", "Liên đoàn Lao động huyện Mới", "district_federation", province, effective_from="2025-07-01"
    )
    assert_problem(
        after, 422, "unit-type-abolished", "type_code", "đã bãi bỏ từ 01/07/2025", "was abolished on 2025-07-01"
    )
    assert await orgtree.fingerprint() == before


async def test_update_changes_other_fields_with_dated_history(orgtree):
    province = await orgtree.unit(
        "UP-P", "Liên đoàn Lao động tỉnh Cập Nhật", "provincial_federation", NATIONAL_CENTRE_ID
    )
    unit_id = await orgtree.unit(
        "UP-1",
        "Công đoàn cơ sở Công ty Cũ",
        "grassroots_union",
        province,
        address="1 Đường Cũ",
        employer={"name": "Công ty Cũ", "workforce_size": 50},
    )
    response = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{unit_id}",
        headers=ADMIN,
        json={
            "short_name": "CĐCS Mới",
            "address": None,
            "province_code": "ha noi",
            "employer": {"name": "Công ty TNHH Mới", "tax_code": "0101234567", "enterprise_type": "foreign_invested"},
            "effective_from": "2024-01-01",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["short_name"], body["address"], body["province_code"], body["version"]) == ("CĐCS Mới", None, "01", 2)
    # Fields not sent stay as they were.
    assert body["employer"] == {
        "name": "Công ty TNHH Mới",
        "tax_code": "0101234567",
        "enterprise_type": "foreign_invested",
        "sector": None,
        "workforce_size": 50,
    }
    history = await orgtree.all(
        select(
            unit_history.c.version,
            unit_history.c.valid_from,
            unit_history.c.valid_to,
            unit_history.c.change,
            unit_history.c.state,
        )
        .where(unit_history.c.unit_id == UUID(unit_id))
        .order_by(unit_history.c.version)
    )
    assert [(h.version, h.valid_from, h.valid_to, h.change) for h in history] == [
        (1, date(2020, 1, 1), date(2024, 1, 1), "created"),
        (2, date(2024, 1, 1), None, "updated"),
    ]
    assert history[0].state["address"] == "1 Đường Cũ" and history[1].state["employer"]["name"] == "Công ty TNHH Mới"
    event = await orgtree.scalar(
        select(outbox_events.c.event_type)
        .where(outbox_events.c.message_key == unit_id)
        .order_by(outbox_events.c.id.desc())
        .limit(1)
    )
    assert event == "orgtree.unit.updated"

    unchanged = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{unit_id}", json={"short_name": "CĐCS Mới"}, headers=ADMIN
    )
    assert unchanged.json()["version"] == 2  # nothing changed, so no new version and no event


async def test_update_with_an_unknown_province_changes_nothing(orgtree):
    unit_id = await orgtree.unit("UP-Q", "Liên đoàn Lao động tỉnh Quê", "provincial_federation", NATIONAL_CENTRE_ID)
    before = await orgtree.fingerprint()
    response = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{unit_id}", json={"province_code": "Atlantis"}, headers=ADMIN
    )
    assert_problem(
        response,
        422,
        "unknown-province",
        "province_code",
        "Không nhận ra tỉnh, thành phố 'Atlantis'",
        "Unknown province 'Atlantis'",
    )
    assert await orgtree.fingerprint() == before


async def test_effective_dates_can_be_neither_future_nor_before_the_last_change(orgtree):
    unit_id = await orgtree.unit(
        "ED-P", "Liên đoàn Lao động tỉnh Ngày", "provincial_federation", NATIONAL_CENTRE_ID, effective_from="2024-05-01"
    )
    before = await orgtree.fingerprint()
    tomorrow = (vietnamese_today() + timedelta(days=1)).isoformat()
    future = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{unit_id}", json={"name": "Tên Mới", "effective_from": tomorrow}, headers=ADMIN
    )
    assert_problem(future, 422, "effective-date-in-future", "effective_from", "ở tương lai", "is in the future")
    earlier = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{unit_id}", json={"name": "Tên Mới", "effective_from": "2024-04-30"}, headers=ADMIN
    )
    assert_problem(
        earlier,
        422,
        "effective-date-before-last-change",
        "effective_from",
        "trước lần thay đổi gần nhất của đơn vị ED-P",
        "is before the last change of unit ED-P",
    )
    assert await orgtree.fingerprint() == before


async def test_move_under_own_descendant_is_refused(orgtree):
    upper = await orgtree.unit("MOVE-P", "Liên đoàn Lao động tỉnh Hai", "provincial_federation", NATIONAL_CENTRE_ID)
    zone = await orgtree.unit("MOVE-Z", "Công đoàn khu công nghiệp Hai", "industrial_zone_union", upper)
    before = await orgtree.fingerprint()
    response = await orgtree.post(f"/units/{upper}/move", {"new_parent_id": zone})
    assert_problem(
        response,
        422,
        "move-creates-cycle",
        "new_parent_id",
        "Không thể chuyển đơn vị MOVE-P",
        "Unit MOVE-P (or its children) cannot go under itself or its own descendant MOVE-Z",
    )
    assert await orgtree.fingerprint() == before


async def test_move_relinks_the_subtree_and_keeps_history(orgtree):
    old = await orgtree.unit("MV-OLD", "Liên đoàn Lao động tỉnh Cũ", "provincial_federation", NATIONAL_CENTRE_ID)
    new = await orgtree.unit("MV-NEW", "Liên đoàn Lao động tỉnh Mới", "provincial_federation", NATIONAL_CENTRE_ID)
    zone = await orgtree.unit("MV-Z", "Công đoàn khu công nghiệp Ba", "industrial_zone_union", old)
    leaf = await orgtree.unit("MV-L", "Công đoàn cơ sở Ba", "grassroots_union", zone)
    moved = await orgtree.post(f"/units/{zone}/move", {"new_parent_id": new, "effective_from": "2025-07-01"})
    assert moved.status_code == 200, moved.text
    ancestors = await orgtree.get(f"/units/{leaf}/ancestors")
    assert [u["code"] for u in ancestors.json()["items"]] == ["TLD", "MV-NEW", "MV-Z", "MV-L"]
    versions = await orgtree.all(
        select(unit_history.c.version, unit_history.c.parent_id)
        .where(unit_history.c.unit_id == UUID(zone))
        .order_by(unit_history.c.version)
    )
    assert [(v.version, str(v.parent_id)) for v in versions] == [(1, old), (2, new)]
    # Only the moved unit gets a new version: its descendants' own data did not change.
    assert await orgtree.scalar(select(unit_history.c.version).where(unit_history.c.unit_id == UUID(leaf))) == 1


async def test_search_by_name_with_or_without_diacritics_and_by_code(orgtree):
    province = await orgtree.unit(
        "SR-P", "Liên đoàn Lao động tỉnh Tìm Kiếm", "provincial_federation", NATIONAL_CENTRE_ID
    )
    await orgtree.unit("SR-0001", "Công đoàn cơ sở Công ty Điện lực Đống Đa", "grassroots_union", province)
    await orgtree.unit("SR-0002", "Công đoàn cơ sở Trường Tiểu học Nghĩa Đô", "grassroots_union", province)
    await orgtree.unit("SR_100", "Công đoàn cơ sở Công ty 100% vốn", "grassroots_union", province)

    async def codes(q: str, **params) -> list[str]:
        response = await orgtree.get("/units", q=q, **params)
        assert response.status_code == 200, response.text
        return [u["code"] for u in response.json()["items"]]

    assert await codes("Điện lực Đống Đa") == ["SR-0001"]
    assert await codes("dien luc dong da") == ["SR-0001"]
    assert await codes("ĐIỆN LỰC") == ["SR-0001"]
    assert await codes("nghia do") == ["SR-0002"]
    assert await codes("sr-0002") == ["SR-0002"]
    assert await codes("SR-000") == ["SR-0001", "SR-0002"]
    assert await codes("100%") == ["SR_100"]  # % and _ are literal, not wildcards
    assert await codes("SR-") == ["SR-0001", "SR-0002", "SR-P"]
    first = await orgtree.get("/units", q="SR-", limit=2)
    second = await orgtree.get("/units", q="SR-", limit=2, after=first.json()["next_cursor"])
    assert [u["code"] for u in second.json()["items"]] == ["SR-P"] and second.json()["next_cursor"] is None
    officer = headers_for(principal("unit_admin", province))
    other = await orgtree.unit(
        "SR-X", "Liên đoàn Lao động tỉnh Điện lực Khác", "provincial_federation", NATIONAL_CENTRE_ID
    )
    assert other
    assert [u["code"] for u in (await orgtree.get("/units", officer, q="dien luc")).json()["items"]] == ["SR-0001"]


async def test_children_come_with_their_counts_and_pages(orgtree):
    province = await orgtree.unit("CH-P", "Liên đoàn Lao động tỉnh Con", "provincial_federation", NATIONAL_CENTRE_ID)
    zone = await orgtree.unit("CH-A", "Công đoàn khu công nghiệp Con", "industrial_zone_union", province)
    for index in range(3):
        await orgtree.unit(f"CH-A{index}", f"Công đoàn cơ sở Con {index}", "grassroots_union", zone)
    await orgtree.unit("CH-B", "Công đoàn cơ sở Trực thuộc", "grassroots_union", province)
    first = await orgtree.get(f"/units/{province}/children", limit=1)
    assert [(u["code"], u["child_count"]) for u in first.json()["items"]] == [("CH-A", 3)]
    rest = await orgtree.get(f"/units/{province}/children", limit=1, after=first.json()["next_cursor"])
    assert [(u["code"], u["child_count"]) for u in rest.json()["items"]] == [("CH-B", 0)]
    assert rest.json()["next_cursor"] is None
    bad_cursor = await orgtree.get(f"/units/{province}/children", after="not-a-cursor")
    assert_problem(bad_cursor, 422, "invalid-input", "after", "Con trỏ phân trang không hợp lệ", "Invalid page cursor")


async def test_officer_cannot_create_outside_own_subtree(orgtree):
    mine = await orgtree.unit("SC-A", "Liên đoàn Lao động tỉnh A", "provincial_federation", NATIONAL_CENTRE_ID)
    theirs = await orgtree.unit("SC-B", "Liên đoàn Lao động tỉnh B", "provincial_federation", NATIONAL_CENTRE_ID)
    officer = headers_for(principal("unit_admin", mine))
    before = await orgtree.fingerprint()
    response = await orgtree.create("SC-B-1", "Công đoàn cơ sở B1", "grassroots_union", theirs, officer)
    assert_problem(response, 403, "out-of-scope", "unit_id", "nằm ngoài phạm vi quản lý", "is outside your scope")
    assert await orgtree.fingerprint() == before
    hidden = await orgtree.get(f"/units/{theirs}", officer)
    assert hidden.status_code == 403


async def test_malformed_body_names_the_field(orgtree):
    response = await orgtree.post("/units", {"code": "X", "name": "Tên", "type_code": "grassroots_union"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"code", "parent_id"} <= fields
    assert all(error["message_vi"] for error in response.json()["errors"])


async def test_request_without_gateway_token_is_refused(orgtree):
    response = await orgtree.http.get(f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def test_the_directory_finds_any_active_unit_that_admits_members_for_any_signed_in_user(orgtree):
    here = await orgtree.unit("DR-P", "Liên đoàn Lao động tỉnh Danh Bạ", "provincial_federation", NATIONAL_CENTRE_ID)
    there = await orgtree.unit(
        "DR-Q", "Liên đoàn Lao động tỉnh Danh Bạ Xa", "provincial_federation", NATIONAL_CENTRE_ID
    )
    mine = await orgtree.unit("DR-0001", "Công đoàn cơ sở Công ty Danh Bạ Gần", "grassroots_union", here)
    await orgtree.unit("DR-0002", "Công đoàn cơ sở Công ty Danh Bạ Xa", "grassroots_union", there)
    closed = await orgtree.unit("DR-0003", "Công đoàn cơ sở Công ty Danh Bạ Đã Giải Thể", "grassroots_union", there)
    assert (await orgtree.post(f"/units/{closed}/dissolve", {})).status_code == 200
    officer = headers_for(principal("data_entry", mine))

    found = await orgtree.get("/directory", officer, q="danh ba")
    assert found.status_code == 200, found.text
    # Another province's grassroots union is a place to transfer to; provinces (which admit nobody) and closed
    # units are not; the scoped search still sees only the officer's own subtree.
    assert [u["code"] for u in found.json()["items"]] == ["DR-0001", "DR-0002"]
    assert [u["code"] for u in (await orgtree.get("/units", officer, q="danh ba")).json()["items"]] == ["DR-0001"]
    assert (await orgtree.get("/directory", officer, q="x")).status_code == 422
