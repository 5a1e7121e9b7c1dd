"""Chuyển sinh hoạt: release and accept, direct moves by an upper level, cancellation, the letter."""

from __future__ import annotations

import io

from chassis.fonts import FONT_NAME, vietnamese_font
from reportlab.pdfbase import pdfmetrics

from services.members.tests.conftest import assert_problem

T = "/api/v1/members"


async def release(registry, member, to_unit, who):
    return await registry.http.post(
        f"{T}/members/{member['member_id']}/transfers",
        json={"to_unit_id": str(registry.units[to_unit]), "reason": "Chuyển nơi làm việc"},
        headers=who,
    )


async def test_origin_releases_and_destination_accepts_across_provinces(registry):
    member = await registry.approved("HNI-1", position="Ủy viên BCH")
    released = await release(registry, member, "HCM-1", registry.as_("data_entry", "HNI-1"))
    assert released.status_code == 201, released.text
    transfer = released.json()
    assert transfer["status"] == "released" and transfer["letter_number"].startswith("GGT-")
    assert (await registry.row(member["member_id"]))["unit_id"] == registry.units["HNI-1"]
    incoming = await registry.http.get(
        f"{T}/transfers",
        params={"direction": "incoming", "status": "released"},
        headers=registry.as_("data_entry", "HCM-1"),
    )
    assert transfer["transfer_id"] in [t["transfer_id"] for t in incoming.json()["items"]]
    accepted = await registry.http.post(
        f"{T}/transfers/{transfer['transfer_id']}/acceptance", headers=registry.as_("data_entry", "HCM-1", "nhan")
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["closed_by"]) == ("completed", "nhan")
    row = await registry.row(member["member_id"])
    assert (row["unit_id"], row["member_code"], row["status"]) == (
        registry.units["HCM-1"],
        member["member_code"],
        "active",
    )
    assert (await registry.events_of(member["member_id"]))[-1] == "members.member.transferred"
    # The history came along: the new unit reads every earlier version.
    history = (
        await registry.http.get(
            f"{T}/members/{member['member_id']}/history", headers=registry.as_("data_entry", "HCM-1")
        )
    ).json()
    assert [h["change"] for h in history] == ["created", "approved", "transferred"]
    assert history[-1]["details"]["letter_number"] == transfer["letter_number"]


async def test_an_upper_level_covering_both_moves_directly(registry):
    member = await registry.approved("HNI-1")
    moved = await release(registry, member, "HNI-2", registry.as_("data_entry", "HNI"))
    assert moved.status_code == 201, moved.text
    assert moved.json()["status"] == "completed"
    assert (await registry.row(member["member_id"]))["unit_id"] == registry.units["HNI-2"]


async def test_transfer_into_a_unit_that_cannot_admit_is_refused(registry):
    member = await registry.approved("HNI-1")
    before = await registry.counts()
    response = await release(registry, member, "HNI-XA", registry.as_("data_entry", "HNI-1"))
    assert_problem(
        response,
        422,
        "unit-cannot-admit",
        "to_unit_id",
        "Đơn vị Công đoàn HNI-XA không được kết nạp đoàn viên",
        "Unit HNI-XA cannot admit members",
    )
    same = await release(registry, member, "HNI-1", registry.as_("data_entry", "HNI-1"))
    assert_problem(
        same,
        422,
        "same-unit",
        "to_unit_id",
        "Đơn vị chuyển đến phải khác đơn vị hiện tại của đoàn viên",
        "The destination must differ from the member's current unit",
    )
    pending = await registry.create("HNI-1")
    not_active = await release(registry, pending, "HCM-1", registry.as_("data_entry", "HNI-1"))
    assert_problem(not_active, 422, "invalid-status", "status")
    assert await registry.counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3])


async def test_second_open_transfer_and_cancellation(registry):
    member = await registry.approved("HNI-1")
    origin = registry.as_("data_entry", "HNI-1")
    first = (await release(registry, member, "HCM-1", origin)).json()
    before = await registry.counts()
    second = await release(registry, member, "HNI-2", origin)
    assert_problem(
        second,
        409,
        "transfer-pending",
        "member_id",
        "Đoàn viên đang có một yêu cầu chuyển sinh hoạt chưa xử lý",
        "The member already has an open transfer",
    )
    stranger = await registry.http.post(
        f"{T}/transfers/{first['transfer_id']}/acceptance", headers=registry.as_("data_entry", "HNI-2")
    )
    assert_problem(stranger, 404, "not-found", "transfer_id")
    assert await registry.counts() == before
    declined = await registry.http.post(
        f"{T}/transfers/{first['transfer_id']}/cancellation",
        json={"reason": "Không tiếp nhận"},
        headers=registry.as_("data_entry", "HCM-1"),
    )
    assert declined.json()["status"] == "cancelled"
    late = await registry.http.post(
        f"{T}/transfers/{first['transfer_id']}/acceptance", headers=registry.as_("data_entry", "HCM-1")
    )
    assert_problem(
        late,
        422,
        "transfer-not-open",
        "transfer_id",
        "Yêu cầu chuyển sinh hoạt này đã được xử lý xong hoặc đã hủy",
        "This transfer is no longer open (status cancelled)",
    )
    assert (await registry.row(member["member_id"]))["unit_id"] == registry.units["HNI-1"]
    again = await release(registry, member, "HNI-2", origin)
    assert again.status_code == 201


async def test_transfer_letter_is_a_pdf_in_vietnamese(registry):
    member = await registry.approved("HNI-1", full_name="Phạm Thị Ngọc Ánh", gender="female")
    transfer = (await release(registry, member, "HCM-1", registry.as_("data_entry", "HNI-1"))).json()
    for side in ("HNI-1", "HCM-1"):
        response = await registry.http.get(
            f"{T}/transfers/{transfer['transfer_id']}/letter.pdf", headers=registry.as_("data_entry", side)
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"DejaVu" in response.content
    outsider = await registry.http.get(
        f"{T}/transfers/{transfer['transfer_id']}/letter.pdf", headers=registry.as_("data_entry", "HNI-2")
    )
    assert_problem(outsider, 404, "not-found", "transfer_id")


def test_the_letter_font_has_every_vietnamese_letter():
    font = vietnamese_font()
    assert font.fontName == FONT_NAME and FONT_NAME in pdfmetrics.getRegisteredFontNames()
    alphabet = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
    missing = [c for c in alphabet + alphabet.lower() if ord(c) not in font.face.charToGlyph]
    assert missing == []
    assert io.BytesIO  # the PDF itself is checked through the API above
