"""Nợ đoàn phí: per member and per unit (subtree), derived from the live records, following members who move."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.events.members_member_v1 import MemberTransferred
from python_calamine import CalamineWorkbook

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def get(treasury, path: str, unit: str, **params):
    response = await treasury.http.get(f"{M}/{path}", params=params, headers=treasury.as_("dues_officer", unit))
    assert response.status_code == 200, response.text
    return response


async def summary(treasury, unit: str, viewer: str | None = None) -> tuple[int, int, int]:
    figures = (await get(treasury, "arrears/summary", viewer or unit, unit_id=str(treasury.units[unit]))).json()
    return figures["members_owing"], figures["months_owed"], figures["owed_vnd"]


async def test_arrears_follow_the_months_their_corrections_and_the_member(treasury):
    owing, paying, resting = (
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A", "suspended"),
    )
    # 1 % until 6/2025: 10,000,000 owes 100,000 a month (cap 180,000 from 7/2023).
    january = (
        await treasury.record(
            "HNI-A",
            "2024-01",
            [line(owing, salary_vnd=10_000_000, paid_vnd=40_000), line(paying, salary_vnd=5_000_000)],
        )
    ).json()
    await treasury.record("HNI-A", "2024-02", [line(paying, salary_vnd=5_000_000)])  # owing left out: unpaid
    await treasury.record("HNI-A", "2024-03", [line(owing, exemption="no_income"), line(paying, salary_vnd=1)])
    assert await summary(treasury, "HNI-A") == (1, 2, 60_000 + 100_000)

    detail = (await get(treasury, f"arrears/members/{owing}", "HNI-A")).json()
    assert [(m["month"], m["norm_vnd"], m["paid_vnd"], m["owed_vnd"]) for m in detail["months"]] == [
        ("2024-01-01", 100_000, 40_000, 60_000),
        ("2024-02-01", 100_000, 0, 100_000),
    ]
    assert (detail["months_owed"], detail["owed_vnd"]) == (2, 160_000)
    assert (await get(treasury, f"arrears/members/{resting}", "HNI-A")).json()["months"] == []

    # January paid in full after all: the correction replaces its arrears.
    corrected = await treasury.record(
        "HNI-A",
        "2024-01",
        [line(owing, salary_vnd=10_000_000), line(paying, salary_vnd=5_000_000)],
        corrects_id=january["collection_id"],
    )
    assert corrected.status_code == 201, corrected.text
    assert await summary(treasury, "HNI-A") == (1, 1, 100_000)

    # The member moves: the arrears go with them, the receiving unit sees the month its predecessor recorded.
    await treasury.change(
        owing,
        MemberTransferred,
        "active",
        datetime(2024, 4, 10, tzinfo=UTC),
        unit="HNI-B",
        from_unit_id=treasury.units["HNI-A"],
        to_unit_id=treasury.units["HNI-B"],
    )
    assert await summary(treasury, "HNI-A") == (0, 0, 0)
    assert await summary(treasury, "HNI-B") == (1, 1, 100_000)
    assert await summary(treasury, "HNI") == (1, 1, 100_000)
    assert await summary(treasury, "TLD") == (1, 1, 100_000)
    listed = (await get(treasury, "arrears", "HNI-B", unit_id=str(treasury.units["HNI-B"]))).json()["items"]
    assert [(m["member_id"], m["unit_id"], m["months_owed"], m["first_month"]) for m in listed] == [
        (str(owing), str(treasury.units["HNI-B"]), 1, "2024-02-01")
    ]
    months = (await get(treasury, f"arrears/members/{owing}", "HNI-B")).json()["months"]
    assert [m["recorded_by_unit_id"] for m in months] == [str(treasury.units["HNI-A"])]


async def test_the_arrears_list_pages_exports_and_keeps_to_the_scope(treasury):
    first, second = await treasury.member("HCM-C"), await treasury.member("HCM-C")
    recorded = await treasury.record(
        "HCM-C",
        "2024-06",
        [line(first, salary_vnd=8_000_000, paid_vnd=0), line(second, salary_vnd=9_000_000, paid_vnd=30_000)],
    )
    assert recorded.status_code == 201, recorded.text
    unit = str(treasury.units["HCM-C"])
    page = (await get(treasury, "arrears", "HCM", unit_id=unit, limit=1)).json()
    rest = (await get(treasury, "arrears", "HCM", unit_id=unit, limit=1, after=page["next_cursor"])).json()
    assert sorted(m["member_id"] for m in page["items"] + rest["items"]) == sorted([str(first), str(second)])
    assert rest["next_cursor"] is None

    export = await get(treasury, "arrears/export.xlsx", "HCM", unit_id=str(treasury.units["HCM"]))
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[2] == ["STT", "Mã đoàn viên", "Họ và tên", "Số tháng nợ", "Từ tháng", "Đến tháng", "Số tiền nợ (đ)"]
    assert sorted(row[6] for row in rows[3:5]) == [60_000, 80_000] and rows[3][4] == "06/2024"
    assert rows[5][0] == "Cộng" and rows[5][6] == 140_000

    assert_problem(
        await treasury.http.get(
            f"{M}/arrears/summary", params={"unit_id": unit}, headers=treasury.as_("dues_officer", "HNI")
        ),
        403,
        "out-of-scope",
        "unit_id",
    )
    assert_problem(
        await treasury.http.get(f"{M}/arrears", params={"unit_id": unit}, headers=treasury.as_("dues_officer", "HNI")),
        403,
        "out-of-scope",
        "unit_id",
    )
    assert_problem(
        await treasury.http.get(f"{M}/arrears/members/{first}", headers=treasury.as_("dues_officer", "HNI")),
        404,
        "member-not-found",
        "member_id",
    )
    national = (await get(treasury, "arrears", "TLD", unit_id=str(treasury.units["TLD"]))).json()["items"]
    assert {str(first), str(second)} <= {m["member_id"] for m in national}
