"""Phê duyệt: who may approve or reject, one by one and in bulk, and the codes it issues."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

from members.adapters.repository import MemberRepository
from members.adapters.tables import member_history
from members.application.approval import ApprovalService
from members.domain.member_codes import is_valid_member_code
from sqlalchemy import select

from services.members.tests.conftest import assert_problem
from tests.support.services import principal

DECIDE = "/api/v1/members/members/{}/decision"


async def test_province_approver_approves_and_a_code_is_issued(registry):
    created = await registry.create("HNI-1")
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("approver", "HNI")
    )
    assert response.status_code == 200, response.text
    member = response.json()
    assert member["status"] == "active" and is_valid_member_code(member["member_code"])
    assert member["version"] == 2
    assert await registry.events_of(created["member_id"]) == ["members.member.created", "members.member.approved"]
    row = await registry.row(created["member_id"])
    assert row["approved_by"] == "officer" and row["approved_at"] is not None


async def test_bulk_history_state_matches_the_event_snapshot(registry):
    created = await registry.create("HNI-2", full_name="Đỗ Thị Hoa", gender="female")
    await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("approver", "TLD")
    )
    async with registry.db.transaction() as session:
        state = await session.scalar(
            select(member_history.c.state).where(
                member_history.c.member_id == UUID(created["member_id"]), member_history.c.version == 2
            )
        )
        admin = principal("national_admin", registry.units["TLD"])
        member = await MemberRepository(session).get(admin, UUID(created["member_id"]), "members.read")
    assert state == member.snapshot().model_dump(mode="json")


async def test_rejection_needs_a_reason_and_changes_nothing_without_one(registry):
    created = await registry.create("HNI-1")
    before = await registry.counts()
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "reject"}, headers=registry.as_("approver", "HNI")
    )
    assert_problem(response, 422, "reason-required", "reason", "Phải nêu lý do từ chối", "A rejection needs a reason")
    assert await registry.counts() == before
    assert (await registry.row(created["member_id"]))["status"] == "pending"


async def test_rejection_with_reason_keeps_the_reason(registry):
    created = await registry.create("HNI-1")
    response = await registry.http.post(
        DECIDE.format(created["member_id"]),
        json={"decision": "reject", "reason": "Hồ sơ thiếu  đơn 5a "},
        headers=registry.as_("approver", "HNI"),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["status_reason"]) == ("rejected", "Hồ sơ thiếu đơn 5a")
    assert response.json()["member_code"] is None
    assert (await registry.events_of(created["member_id"]))[-1] == "members.member.rejected"


async def test_grassroots_officer_cannot_approve_their_own_members(registry):
    created = await registry.create("HNI-1")
    before = await registry.counts()
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("unit_admin", "HNI-1")
    )
    assert_problem(
        response,
        403,
        "cannot-approve",
        "member_id",
        "Bạn không có quyền phê duyệt đoàn viên của đơn vị này: cần quyền phê duyệt ở cấp trên có thẩm quyền",
        "You cannot approve members of this unit: approval needs the approver role on an upper unit that may "
        "approve members",
    )
    assert await registry.counts() == before


async def test_commune_union_cannot_approve_members_below_it(registry):
    created = await registry.create("HNI-XA-1")
    before = await registry.counts()
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("unit_admin", "HNI-XA")
    )
    assert_problem(response, 403, "cannot-approve", "member_id")
    assert await registry.counts() == before
    # The province above the commune union approves instead.
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("approver", "HNI")
    )
    assert response.json()["status"] == "active"


async def test_approver_of_another_province_does_not_see_the_member(registry):
    created = await registry.create("HNI-1")
    before = await registry.counts()
    response = await registry.http.post(
        DECIDE.format(created["member_id"]), json={"decision": "approve"}, headers=registry.as_("approver", "HCM")
    )
    assert_problem(
        response,
        404,
        "not-found",
        "member_id",
        f"Không tìm thấy đoàn viên {created['member_id']}",
        f"Member {created['member_id']} not found",
    )
    assert await registry.counts() == before


async def test_an_active_member_cannot_be_approved_again(registry):
    member = await registry.approved("HNI-1")
    before = await registry.counts()
    response = await registry.http.post(
        DECIDE.format(member["member_id"]), json={"decision": "approve"}, headers=registry.as_("approver", "HNI")
    )
    assert_problem(
        response,
        422,
        "invalid-status",
        "status",
        'Không thể phê duyệt đoàn viên đang ở trạng thái "đang sinh hoạt"',
        "Cannot approve a member whose status is active",
    )
    assert await registry.counts() == before
    assert (await registry.row(member["member_id"]))["member_code"] == member["member_code"]


async def test_bulk_approval_of_a_subtree_issues_distinct_codes(registry):
    hni = [await registry.create("HNI-1") for _ in range(4)] + [await registry.create("HNI-2") for _ in range(2)]
    hcm = await registry.create("HCM-1")
    response = await registry.http.post(
        "/api/v1/members/decisions",
        json={
            "decision": "approve",
            "unit_id": str(registry.units["HNI"]),
        },
        headers=registry.as_("approver", "HNI"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["decided"] >= 6
    codes = [(await registry.row(m["member_id"]))["member_code"] for m in hni]
    assert len(set(codes)) == 6 and all(is_valid_member_code(c) for c in codes)
    assert (await registry.row(hcm["member_id"]))["status"] == "pending"
    assert (await registry.events_of(hni[0]["member_id"]))[-1] == "members.member.approved"


async def test_bulk_rejection_filters_by_creation_period(registry):
    old = await registry.create("HCM-1")
    cut = datetime.now(UTC)
    new = await registry.create("HCM-1")
    response = await registry.http.post(
        "/api/v1/members/decisions",
        json={
            "decision": "reject",
            "reason": "Trùng hồ sơ",
            "unit_id": str(registry.units["HCM-1"]),
            "created_from": cut.isoformat(),
        },
        headers=registry.as_("approver", "HCM"),
    )
    assert response.json() == {"decided": 1, "decision": "reject"}
    assert (await registry.row(new["member_id"]))["status"] == "rejected"
    assert (await registry.row(old["member_id"]))["status"] == "pending"


async def test_bulk_decision_bad_inputs_change_nothing(registry):
    await registry.create("HCM-1")
    before = await registry.counts()
    url = "/api/v1/members/decisions"
    outside = await registry.http.post(
        url,
        json={"decision": "approve", "unit_id": str(registry.units["HCM"])},
        headers=registry.as_("approver", "HNI"),
    )
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    no_reason = await registry.http.post(
        url, json={"decision": "reject", "unit_id": str(registry.units["HCM"])}, headers=registry.as_("approver", "HCM")
    )
    assert_problem(no_reason, 422, "reason-required", "reason")
    now = datetime.now(UTC)
    empty = await registry.http.post(
        url,
        json={
            "decision": "approve",
            "unit_id": str(registry.units["HCM"]),
            "created_from": now.isoformat(),
            "created_to": (now - timedelta(days=1)).isoformat(),
        },
        headers=registry.as_("approver", "HCM"),
    )
    assert_problem(
        empty,
        422,
        "empty-period",
        "created_from",
        "Khoảng thời gian tạo không hợp lệ (từ ngày phải trước đến ngày)",
        "The creation period is empty (from must be before to)",
    )
    bad_decision = await registry.http.post(
        url, json={"decision": "maybe", "unit_id": str(registry.units["HCM"])}, headers=registry.as_("approver", "HCM")
    )
    assert_problem(bad_decision, 422, "invalid-input", "decision")
    assert bad_decision.json()["errors"][0]["message_vi"] == "Giá trị không thuộc danh sách cho phép"
    assert await registry.counts() == before


async def test_concurrent_bulk_approvals_never_share_a_code(registry):
    created = [await registry.create("HNI-2") for _ in range(60)]
    ids = [UUID(m["member_id"]) for m in created]
    approver = principal("approver", registry.units["TLD"])

    async def approve(chunk):
        async with registry.db.transaction() as session:
            return await ApprovalService(session).decide_many(
                approver,
                approve=True,
                reason=None,
                unit_id=registry.units["HNI-2"],
                created_from=None,
                created_to=None,
                member_ids=chunk,
            )

    # Overlapping chunks racing each other: each member is approved exactly once.
    results = await asyncio.gather(approve(ids[:40]), approve(ids[20:]), approve(ids[10:50]), approve(ids[::2]))
    decided = [m for result in results for m in result]
    assert sorted(m.member_id for m in decided) == sorted(ids)
    codes = [(await registry.row(i))["member_code"] for i in ids]
    assert len(set(codes)) == len(ids) and all(is_valid_member_code(c) for c in codes)
