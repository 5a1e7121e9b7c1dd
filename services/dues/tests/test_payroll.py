"""Bảng lương: the month's lines computed from the unit's salary list, previewed, then recorded as they are."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, datetime

import xlsxwriter
from dues.adapters.repository import DuesPayerRepository
from dues.adapters.tables import dues_payers
from dues.domain.payroll import payroll_rows
from sqlalchemy import select

from services.dues.tests.conftest import assert_problem, snapshot

M = "/api/v1/dues"


async def codes(treasury, *members) -> list[str]:
    async with treasury.db.transaction() as session:
        found = dict(
            (
                await session.execute(
                    select(dues_payers.c.member_id, dues_payers.c.member_code).where(
                        dues_payers.c.member_id.in_(members)
                    )
                )
            ).all()
        )
    return [found[m] for m in members]


def workbook(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Bảng lương")
    sheet.write_row(0, 0, ["BẢNG LƯƠNG THÁNG 10/2025"])
    sheet.write_row(2, 0, ["STT", "Mã đoàn viên", "Họ và tên", "Tiền lương"])
    for index, row in enumerate(rows, start=3):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


async def preview(
    treasury,
    content: bytes,
    name: str = "bang-luong.xlsx",
    month: str = "2025-10",
    unit: str = "HNI-A",
    officer_at: str | None = None,
):
    return await treasury.http.post(
        f"{M}/payroll/preview",
        data={"unit_id": str(treasury.units[unit]), "month": month},
        files={"file": (name, content)},
        headers=treasury.as_("dues_officer", officer_at or unit),
    )


async def test_a_payroll_list_becomes_the_month_previewed_then_recorded(treasury):
    plain, capped, resting, absent, unreadable = (
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A", "suspended"),
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A"),
    )
    plain_code, capped_code, resting_code, unreadable_code = await codes(treasury, plain, capped, resting, unreadable)
    content = workbook(
        [
            [1, int(plain_code), "Lê Văn Cường", 9_000_000],  # Excel made the code a number
            [2, capped_code, "Lê Văn Cường", "60.000.000 đ"],
            [3, resting_code, "Lê Văn Cường", ""],
            [4, "99999999999", "Người lạ", 5_000_000],
            [5, capped_code, "Lê Văn Cường", 1],
            [6, unreadable_code, "Lê Văn Cường", "chín triệu"],
        ]
    )
    response = await preview(treasury, content)
    assert response.status_code == 200, response.text
    body = response.json()
    # 0.5 % since 7/2025, at most 10 % of 2,340,000.
    assert [(r["row"], r["norm_vnd"], r["exemption"], r["problem"]) for r in body["rows"]] == [
        (4, 45_000, None, None),
        (5, 234_000, None, None),
        (6, 0, "suspended", None),
        (7, 25_000, None, "member-not-in-unit"),
        (8, 0, None, "duplicate-member"),
        (9, 0, None, "salary-invalid"),
    ]
    # The norm shows on every row; rows with a problem stay out of the total and of the lines to record.
    assert body["rows_with_problems"] == 3 and body["norm_vnd"] == 279_000
    assert body["rows"][3]["message_vi"] and body["rows"][3]["message_en"]
    assert str(absent) in {m["member_id"] for m in body["left_out"]}

    recorded = await treasury.record("HNI-A", "2025-10", body["lines"])
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["norm_vnd"] >= 279_000 and recorded.json()["members_unpaid"] >= 2  # absent, unreadable


async def test_bad_payroll_files_are_refused_naming_the_field(treasury):
    before = await treasury.counts()
    headless = await preview(treasury, b"a,b\n1,2\n", name="luong.csv", unit="HNI-B")
    assert_problem(headless, 422, "payroll-header-missing", "file")
    assert_problem(
        await preview(treasury, b"%PDF-1.4", name="luong.pdf", unit="HNI-B"), 422, "unsupported-file-type", "file"
    )
    assert_problem(
        await preview(treasury, workbook([]), month="2099-01", unit="HNI-B"), 422, "month-in-future", "month"
    )
    assert_problem(
        await preview(treasury, workbook([]), unit="HNI-B", officer_at="HCM"), 403, "out-of-scope", "unit_id"
    )
    bad_month = await preview(treasury, workbook([]), month="2025-13", unit="HNI-B")
    assert bad_month.status_code == 422 and bad_month.json()["errors"][0]["field"] == "month"
    assert await treasury.counts() == before


def test_salaries_and_codes_are_read_the_way_excel_shows_them():
    rows = payroll_rows(
        [
            ["Danh sách"],
            ["Mã ĐV", "Mã đoàn viên", "TIỀN LƯƠNG"],
            ["", "00012345678", "9,000,000"],
            [],
            ["", 12345678.0, 12_000_000.0],
            ["", "x", "-5"],
        ]
    )
    assert [(r.row, r.member_code, r.salary_vnd) for r in rows] == [
        (3, "00012345678", 9_000_000),
        (5, "12345678", 12_000_000),
        (6, "x", None),
    ]
    assert payroll_rows([["Họ tên", "Lương"]]) is None


async def test_a_5000_row_payroll_list_is_computed_quickly(treasury):
    members = [(uuid.uuid4(), f"{900_000_000 + n:011d}") for n in range(5_000)]
    async with treasury.db.transaction() as session:
        await DuesPayerRepository(session).apply(
            [
                snapshot(m, treasury.units["HCM-C"], "active", 2).model_copy(update={"member_code": code})
                for m, code in members
            ],
            [datetime(2020, 1, 1, tzinfo=UTC)] * len(members),
        )
    csv = "Mã đoàn viên;Tiền lương\n" + "".join(f"{code};{8_000_000 + n}\n" for n, (_, code) in enumerate(members))
    started = time.perf_counter()
    response = await preview(treasury, csv.encode(), name="luong.csv", unit="HCM-C")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert len(response.json()["lines"]) == 5_000 and response.json()["rows_with_problems"] == 0
    print(f"\n5,000-row payroll preview: {elapsed * 1000:.0f} ms")
