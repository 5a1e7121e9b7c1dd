"""Suspend, resume, retire, remove, position changes and corrections: each with who, when and why."""

from __future__ import annotations

from datetime import timedelta

from contracts.wellknown import vietnamese_today
from members.application.lifecycle import resume_due_suspensions
from members.domain.lifecycle import add_months

from services.members.tests.conftest import assert_problem, cccd

M = "/api/v1/members/members/{}"


async def test_suspension_with_reason_and_end_date(registry):
    member = await registry.approved("HNI-1")
    until = vietnamese_today() + timedelta(days=90)
    response = await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Nghỉ thai sản", "until": until.isoformat()},
        headers=registry.as_("data_entry", "HNI-1", "lan"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["suspended_until"], body["status_reason"]) == (
        "suspended",
        until.isoformat(),
        "Nghỉ thai sản",
    )
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.status_changed"
    history = (
        await registry.http.get(
            M.format(member["member_id"]) + "/history", headers=registry.as_("report_viewer", "HNI")
        )
    ).json()
    last = history[-1]
    assert (last["change"], last["changed_by"], last["reason"]) == ("suspend", "lan", "Nghỉ thai sản")
    assert last["details"] == {"from": "active", "to": "suspended", "until": until.isoformat()}


async def test_suspension_longer_than_twelve_months_is_refused(registry):
    member = await registry.approved("HNI-1")
    before, version = await registry.counts(), (await registry.row(member["member_id"]))["version"]
    latest = add_months(vietnamese_today(), 12)
    response = await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Đi học dài hạn", "until": (latest + timedelta(days=1)).isoformat()},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert_problem(
        response,
        422,
        "suspension-too-long",
        "until",
        f"Tạm dừng sinh hoạt tối đa 12 tháng (đến {latest:%d/%m/%Y})",
        f"A suspension lasts at most 12 months (until {latest.isoformat()})",
    )
    past = await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Đi học", "until": vietnamese_today().isoformat()},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert_problem(
        past,
        422,
        "suspension-end-in-past",
        "until",
        "Ngày kết thúc tạm dừng sinh hoạt phải sau ngày hôm nay",
        "The end of a suspension must be after today",
    )
    no_reason = await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"until": (vietnamese_today() + timedelta(days=3)).isoformat()},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    problem = assert_problem(no_reason, 422, "invalid-input", "reason")
    assert problem["errors"][0]["message_vi"] == "Trường này là bắt buộc"
    assert await registry.counts() == before
    assert (await registry.row(member["member_id"]))["version"] == version


async def test_suspensions_end_on_their_own(registry):
    member = await registry.approved("HCM-1")
    until = vietnamese_today() + timedelta(days=1)
    await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Ốm dài ngày", "until": until.isoformat()},
        headers=registry.as_("data_entry", "HCM-1"),
    )
    async with registry.db.transaction() as session:
        assert await resume_due_suspensions(session, vietnamese_today()) == 0
    async with registry.db.transaction() as session:
        assert await resume_due_suspensions(session, until) >= 1
    row = await registry.row(member["member_id"])
    assert (row["status"], row["suspended_until"]) == ("active", None)
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.status_changed"
    history = (
        await registry.http.get(M.format(member["member_id"]) + "/history", headers=registry.as_("unit_admin", "HCM-1"))
    ).json()
    assert (history[-1]["change"], history[-1]["changed_by"]) == ("resume", "system")


async def test_pending_members_cannot_be_suspended(registry):
    member = await registry.create("HNI-1")
    before = await registry.counts()
    response = await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Nghỉ không lương", "until": (vietnamese_today() + timedelta(days=30)).isoformat()},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert_problem(
        response,
        422,
        "invalid-status",
        "status",
        'Không thể tạm dừng sinh hoạt đoàn viên đang ở trạng thái "chờ phê duyệt"',
        "Cannot suspend a member whose status is pending",
    )
    assert await registry.counts() == before


async def test_resume_retire_and_remove(registry):
    member = await registry.approved("HNI-2")
    officer = registry.as_("data_entry", "HNI-2")
    await registry.http.post(
        M.format(member["member_id"]) + "/suspension",
        json={"reason": "Tạm nghỉ việc", "until": (vietnamese_today() + timedelta(days=9)).isoformat()},
        headers=officer,
    )
    resumed = await registry.http.post(M.format(member["member_id"]) + "/resumption", json={}, headers=officer)
    assert resumed.json()["status"] == "active" and resumed.json()["suspended_until"] is None
    retired = await registry.http.post(
        M.format(member["member_id"]) + "/retirement", json={"reason": "Nghỉ hưu theo chế độ"}, headers=officer
    )
    assert retired.json()["status"] == "retired"
    before = await registry.counts()
    no_reason = await registry.http.post(
        M.format(member["member_id"]) + "/removal", json={"reason": ""}, headers=officer
    )
    assert_problem(no_reason, 422, "invalid-input", "reason")
    assert no_reason.json()["errors"][0]["message_vi"] == "Giá trị quá ngắn"
    assert await registry.counts() == before
    removed = await registry.http.post(
        M.format(member["member_id"]) + "/removal", json={"reason": "Tự nguyện ra khỏi tổ chức"}, headers=officer
    )
    assert removed.json()["status"] == "removed"
    assert removed.json()["member_code"] == member["member_code"]
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.removed"
    # Once removed, the same person may join again (one person is one member among those not removed).
    again = await registry.http.post(
        "/api/v1/members/members",
        json={
            "unit_id": str(registry.units["HNI-1"]),
            "full_name": member["full_name"],
            "gender": "male",
            "date_of_birth": "1990-05-01",
            "id_number": (await registry.row(member["member_id"]))["id_number"],
        },
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert again.status_code == 201, again.text
    # Search by ID number finds the ended membership and the new one (two partial indexes hold the two kinds).
    found = await registry.http.get(
        "/api/v1/members/search",
        params={"id_number": again.json()["id_number"]},
        headers=registry.as_("data_entry", "HNI"),
    )
    assert found.status_code == 200, found.text
    assert sorted(item["status"] for item in found.json()["items"]) == ["pending", "removed"]


async def test_position_changes_are_history(registry):
    member = await registry.approved("HNI-1")
    url = M.format(member["member_id"]) + "/position"
    changed = await registry.http.put(
        url,
        json={"position": "Tổ  trưởng công đoàn", "reason": "Bầu mới"},
        headers=registry.as_("data_entry", "HNI-1", "hoa"),
    )
    assert changed.json()["position"] == "Tổ trưởng công đoàn"
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.position_changed"
    before = await registry.counts()
    same = await registry.http.put(
        url, json={"position": "Tổ trưởng công đoàn"}, headers=registry.as_("data_entry", "HNI-1")
    )
    assert_problem(same, 422, "nothing-changed", "position", "Chức vụ không thay đổi", "The position is unchanged")
    assert await registry.counts() == before
    history = (
        await registry.http.get(M.format(member["member_id"]) + "/history", headers=registry.as_("data_entry", "HNI-1"))
    ).json()
    assert history[-1]["details"] == {"from": None, "to": "Tổ trưởng công đoàn"}
    assert history[-1]["changed_by"] == "hoa"


async def test_corrections_record_the_changed_fields(registry):
    member = await registry.approved("HNI-1")
    response = await registry.http.patch(
        M.format(member["member_id"]),
        json={
            "changes": {"full_name": "Nguye\u0302\u0303n  Va\u0306n Ba", "phone": "+84 987 654 321"},
            "reason": "Sai chính tả khi nhập",
        },
        headers=registry.as_("data_entry", "HNI-1", "minh"),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["full_name"], response.json()["phone"]) == ("Nguyễn Văn Ba", "0987654321")
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.updated"
    history = (
        await registry.http.get(M.format(member["member_id"]) + "/history", headers=registry.as_("data_entry", "HNI-1"))
    ).json()
    assert history[-1]["details"] == {"changed_fields": ["full_name", "phone"]}
    assert (history[-1]["changed_by"], history[-1]["reason"]) == ("minh", "Sai chính tả khi nhập")


async def test_bad_corrections_change_nothing(registry):
    member = await registry.approved("HNI-1")
    other = await registry.approved("HNI-2")
    before, version = await registry.counts(), (await registry.row(member["member_id"]))["version"]
    url, officer = M.format(member["member_id"]), registry.as_("data_entry", "HNI-1")
    wrong_cccd = await registry.http.patch(
        url, json={"changes": {"id_number": "001190000123"}, "reason": "Sửa CCCD"}, headers=officer
    )
    problem = assert_problem(wrong_cccd, 422, "invalid-input", "id_number")
    assert [e["code"] for e in problem["errors"]] == ["cccd-gender-century"]
    unknown = await registry.http.patch(
        url, json={"changes": {"unit_id": str(registry.units["HNI-2"])}, "reason": "Chuyển đơn vị"}, headers=officer
    )
    assert_problem(
        unknown,
        422,
        "field-not-correctable",
        "changes.unit_id",
        "Không được sửa trường unit_id theo cách này",
        "Field unit_id cannot be corrected this way",
    )
    bad_gender = await registry.http.patch(
        url, json={"changes": {"gender": "x"}, "reason": "Sửa giới tính"}, headers=officer
    )
    assert_problem(bad_gender, 422, "invalid-input", "changes.gender")
    duplicate = await registry.http.patch(
        url,
        json={"changes": {"id_number": (await registry.row(other["member_id"]))["id_number"]}, "reason": "Sửa CCCD"},
        headers=officer,
    )
    assert_problem(duplicate, 409, "already-a-member", "id_number")
    unchanged = await registry.http.patch(
        url, json={"changes": {"full_name": member["full_name"]}, "reason": "Không đổi"}, headers=officer
    )
    assert_problem(unchanged, 422, "nothing-changed", "changes", "Không có thông tin nào thay đổi", "Nothing changed")
    outsider = await registry.http.patch(
        url, json={"changes": {"hometown": "Huế"}, "reason": "Sửa quê"}, headers=registry.as_("data_entry", "HCM-1")
    )
    assert_problem(outsider, 404, "not-found", "member_id")
    assert await registry.counts() == before
    assert (await registry.row(member["member_id"]))["version"] == version
    assert cccd()  # keeps the serial moving for later tests
