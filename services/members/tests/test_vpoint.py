"""Vpoint codes in bulk from a sheet named DANHSACHVPOINT."""

from __future__ import annotations

import io
import json

import pytest
import xlsxwriter
from chassis.tables import outbox_events
from contracts.events.members_member_v1 import MemberUpdated
from members.adapters.tables import member_history, members
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.members.tests.conftest import assert_problem


def workbook(
    rows: list[list], headers=("STT", "Mã số đoàn viên", "Số CCCD", "Mã VPOINT"), sheet: str = "DANHSACHVPOINT"
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Hướng dẫn").write(0, 0, "x")
    page = book.add_worksheet(sheet)
    page.write_row(0, 0, list(headers))
    for at, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                page.write_string(at, column, value) if isinstance(value, str) else page.write(at, column, value)
    book.close()
    return buffer.getvalue()


async def upload(registry, content: bytes, unit: str = "HNI-1", name: str = "vpoint.xlsx"):
    return await registry.http.post(
        "/api/v1/members/vpoint", files={"file": (name, content)}, headers=registry.as_("data_entry", unit)
    )


async def test_codes_are_set_with_history_and_events(registry):
    by_code, by_id = await registry.approved("HNI-1"), await registry.approved("HNI-1")
    id_number = (await registry.row(by_id["member_id"]))["id_number"]
    response = await upload(
        registry,
        workbook(
            [
                ["1", by_code["member_code"], None, "VP12345"],
                [],
                ["3", None, id_number, "ABC123456789"],
            ],
            headers=("STT", "Ma so doan vien", "So CCCD/CMND", "Ma Vpoint"),
        ),
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert (outcome["updated"], outcome["errors"]) == (2, 0)
    assert [(r["row_number"], r["outcome"]) for r in outcome["rows"]] == [(2, "updated"), (4, "updated")]
    assert (await registry.row(by_code["member_id"]))["vpoint_code"] == "VP12345"
    assert (await registry.row(by_id["member_id"]))["vpoint_code"] == "ABC123456789"
    async with registry.db.transaction() as session:
        payload = await session.scalar(
            select(outbox_events.c.payload)
            .where(outbox_events.c.message_key == str(by_code["member_id"]))
            .order_by(outbox_events.c.id.desc())
            .limit(1)
        )
        history = (
            await session.execute(
                select(member_history)
                .where(member_history.c.member_id == by_code["member_id"])
                .order_by(member_history.c.version.desc())
            )
        ).first()
    event = MemberUpdated.model_validate(json.loads(payload) if isinstance(payload, str) else payload)
    assert event.changed_fields == ["vpoint_code"]
    assert (history.change, history.details) == ("vpoint", {"changed_fields": ["vpoint_code"]})
    again = await upload(registry, workbook([["1", by_code["member_code"], None, "VP12345"]]))
    assert again.json()["rows"][0]["outcome"] == "unchanged"


async def test_missing_sheet_is_refused(registry):
    before = await registry.counts()
    response = await upload(registry, workbook([["1", "x", None, "VP12345"]], sheet="Sheet1"))
    assert_problem(
        response,
        422,
        "vpoint-sheet-missing",
        "file",
        "Không có trang tính tên DANHSACHVPOINT",
        "The workbook has no sheet named DANHSACHVPOINT",
    )
    assert await registry.counts() == before


async def test_out_of_scope_member_is_refused_and_untouched(registry):
    ours, theirs = await registry.approved("HNI-2"), await registry.approved("HCM-1")
    before = await registry.events_of(theirs["member_id"])
    response = await upload(
        registry,
        workbook([["1", theirs["member_code"], None, "OUTSIDE01"], ["2", ours["member_code"], None, "INSIDE001"]]),
        "HNI-2",
    )
    rows = response.json()["rows"]
    assert rows[0]["outcome"] == "error" and rows[0]["problems"][0]["code"] == "unknown-member"
    assert rows[0]["problems"][0]["message_en"] == "No member you may update has this ID number or member code"
    assert rows[1]["outcome"] == "updated"
    assert (await registry.row(theirs["member_id"]))["vpoint_code"] is None
    assert await registry.events_of(theirs["member_id"]) == before


async def test_bad_codes_are_row_errors(registry):
    member, other = await registry.approved("HNI-1"), await registry.approved("HNI-1")
    await upload(registry, workbook([["1", other["member_code"], None, "TAKEN0001"]]))
    response = await upload(
        registry,
        workbook(
            [
                ["1", member["member_code"], None, "AB12"],
                ["2", member["member_code"], None, "X" * 17],
                ["3", member["member_code"], None, "VP-123"],
                ["4", member["member_code"], None, "TAKEN0001"],
            ]
        ),
    )
    rows = response.json()["rows"]
    assert [r["outcome"] for r in rows] == ["error"] * 4
    assert rows[0]["problems"] == [
        {
            "field": "vpoint_code",
            "code": "vpoint-length",
            "message_vi": "Mã Vpoint phải dài từ 5 đến 16 ký tự",
            "message_en": "A Vpoint code is 5 to 16 characters",
        }
    ]
    assert [r["problems"][0]["code"] for r in rows[1:]] == ["vpoint-length", "vpoint-characters", "vpoint-taken"]
    assert (await registry.row(member["member_id"]))["vpoint_code"] is None


async def test_a_code_is_unique_in_the_database_whatever_path_sets_it(registry):
    """Editing a member onto a code another member holds is a 409 problem, and the database itself refuses a
    second live holder (a race past the check, or any future path)."""
    holder, other = await registry.approved("HNI-1"), await registry.approved("HNI-1")
    assert (await upload(registry, workbook([["1", holder["member_code"], None, "UNIQ7788"]]))).json()["updated"] == 1
    before = await registry.counts()
    edit = await registry.http.patch(
        f"/api/v1/members/members/{other['member_id']}",
        json={"changes": {"vpoint_code": "UNIQ7788"}, "reason": "Nhập mã Vpoint"},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert_problem(edit, 409, "vpoint-taken", "vpoint_code")
    assert (await registry.row(other["member_id"]))["vpoint_code"] is None
    assert await registry.counts() == before
    async with registry.db.transaction() as session:
        with pytest.raises(IntegrityError):
            await session.execute(
                update(members).where(members.c.member_id == other["member_id"]).values(vpoint_code="UNIQ7788")
            )
