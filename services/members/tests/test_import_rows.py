"""The traps of real member lists, row by row: each one sent, and what the import made of it."""

from __future__ import annotations

import io
import random
from datetime import date

import xlsxwriter
from members.adapters.tables import members
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from services.members.tests.conftest import assert_problem
from services.members.tests.importing_support import (
    HEADERS,
    crash_midway,
    csv_bytes,
    imported,
    process,
    rows_of,
    upload,
    xlsx,
)

IMPORTS = "/api/v1/members/imports"


async def stored(registry, import_id: str) -> dict[str, dict]:
    async with registry.db.transaction() as session:
        rows = (await session.execute(select(members).where(members.c.import_id == import_id))).all()
    return {row.full_name: dict(row._mapping) for row in rows}


def codes(row: dict, kind: str = "errors") -> list[str]:
    return [problem["code"] for problem in row[kind]]


async def test_id_numbers_that_lost_leading_zeros_are_restored_only_when_unambiguous(registry):
    content = xlsx(
        [
            ["Ngô Văn Một", "Nam", "01/05/1990", 1090000701, None, None],  # 001090000701 lost two zeros
            ["Ngô Thị Hai", "Nữ", "01/05/1990", 79190000702, None, None],  # 079190000702 lost one zero
            ["Ngô Văn Ba", "Nam", "01/05/1990", 1190000703, None, None],  # 001190000703 would be a woman: ambiguous
            ["Ngô Văn Bốn", "Nam", "01/05/1980", 12345678, None, None],  # a CMND (9 digits) that lost its zero
            ["Ngô Văn Năm", "Nam", "01/05/1990", "1.0909E+11", None, None],  # scientific notation lost digits
        ]
    )
    result = await imported(registry, content)
    rows = {r["original"][0]: r for r in await rows_of(registry, result["import_id"])}
    assert codes(rows["Ngô Văn Một"], "warnings") == ["leading-zeros-restored"]
    assert rows["Ngô Văn Một"]["warnings"][0]["message_vi"] == (
        "Số CCCD bị mất số 0 ở đầu, đã khôi phục thành 001090000701"
    )
    assert codes(rows["Ngô Thị Hai"], "warnings") == ["leading-zeros-restored"]
    assert codes(rows["Ngô Văn Ba"]) == ["id-leading-zeros-ambiguous"]
    assert rows["Ngô Văn Ba"]["errors"][0]["message_en"] == (
        "The CCCD has only 10 digits and cannot be restored unambiguously"
    )
    assert codes(rows["Ngô Văn Bốn"], "warnings") == ["leading-zeros-restored"]
    assert codes(rows["Ngô Văn Năm"]) == ["id-scientific-notation"]
    members_in = await stored(registry, result["import_id"])
    assert {name: m["id_number"] for name, m in members_in.items()} == {
        "Ngô Văn Một": "001090000701",
        "Ngô Thị Hai": "079190000702",
        "Ngô Văn Bốn": "012345678",
    }
    assert members_in["Ngô Văn Bốn"]["id_kind"] == "cmnd"
    assert (result["warning_rows"], result["error_rows"], result["inserted_rows"]) == (3, 2, 3)


async def test_dates_as_text_as_dates_and_as_excel_serial_numbers(registry):
    content = xlsx(
        [
            ["Đào Văn A", "Nam", "01/05/1990", "001090000801", None, None],
            ["Đào Văn B", "Nam", "1-5-1990", "001090000802", None, None],
            ["Đào Văn C", "Nam", "1990-05-01", "001090000803", None, None],
            ["Đào Văn D", "Nam", date(1990, 5, 1), "001090000804", None, None],
            ["Đào Văn E", "Nam", 32994, "001090000805", None, None],  # Excel serial of 1990-05-01
            ["Đào Văn F", "Nam", "32994", "001090000806", None, None],  # the same serial, as text
            ["Đào Văn G", "Nam", "31/02/1990", "001090000807", None, None],
            ["Đào Văn H", "Nam", "tháng 5/1990", "001090000808", None, None],
        ]
    )
    result = await imported(registry, content)
    births = {name: m["date_of_birth"] for name, m in (await stored(registry, result["import_id"])).items()}
    assert births == {f"Đào Văn {c}": date(1990, 5, 1) for c in "ABCDEF"}
    rows = {r["original"][0]: r for r in await rows_of(registry, result["import_id"], "errors")}
    assert set(rows) == {"Đào Văn G", "Đào Văn H"}
    assert rows["Đào Văn G"]["errors"] == [
        {
            "field": "date_of_birth",
            "code": "date-format",
            "message_vi": "Ngày sinh không phải ngày hợp lệ (dd/mm/yyyy)",
            "message_en": "Ngày sinh is not a valid date (dd/mm/yyyy)",
        }
    ]


async def test_decomposed_unicode_and_trailing_spaces_are_normalised(registry):
    content = xlsx(
        [
            [
                "  Nguye\u0302\u0303n   Thi\u0323 Ha\u0300  ",
                "Nu\u031b\u0303 ",
                "01/05/1991 ",
                " 001191000901 ",
                " 0912 000 901 ",
                "Ủy viên  ",
            ]
        ]
    )
    result = await imported(registry, content)
    member = (await stored(registry, result["import_id"]))["Nguyễn Thị Hà"]
    assert (member["gender"], member["id_number"], member["phone"], member["position"]) == (
        "female",
        "001191000901",
        "0912000901",
        "Ủy viên",
    )
    assert member["name_search"] == "nguyen thi ha"


async def test_merged_header_cells_and_a_title_row(registry):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách")
    sheet.merge_range(0, 0, 0, 4, "DANH SÁCH ĐOÀN VIÊN CÔNG ĐOÀN CƠ SỞ")
    for column, title in enumerate(["Họ và tên", "Giới tính", "Ngày sinh"]):
        sheet.merge_range(1, column, 2, column, title)  # merged over the two header rows
    sheet.merge_range(1, 3, 1, 4, "Giấy tờ tùy thân")
    sheet.write_row(2, 3, ["Số CCCD", "Ngày cấp"])
    sheet.write_row(3, 0, ["Lý Văn Hùng", "Nam", "01/05/1990", "001090001001", "01/01/2021"])
    workbook.close()
    result = await imported(registry, buffer.getvalue())
    assert (result["status"], result["inserted_rows"]) == ("completed", 1), result
    assert result["header_map"]["header_row"] == 3
    member = (await stored(registry, result["import_id"]))["Lý Văn Hùng"]
    assert member["id_issued_on"] == date(2021, 1, 1)


async def test_formulas_give_the_value_excel_showed(registry):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADERS[:4])
    sheet.write_formula(1, 0, '="Tạ Văn "&"Khoa"', None, "Tạ Văn Khoa")
    sheet.write(1, 1, "Nam")
    sheet.write_formula(1, 2, "=DATE(1990,5,1)", workbook.add_format({"num_format": "dd/mm/yyyy"}), 32994)
    sheet.write_string(1, 3, "001090001101")
    workbook.close()
    result = await imported(registry, buffer.getvalue())
    member = (await stored(registry, result["import_id"]))["Tạ Văn Khoa"]
    assert member["date_of_birth"] == date(1990, 5, 1)


async def test_empty_rows_in_the_middle_are_skipped_and_row_numbers_kept(registry):
    content = xlsx(
        [
            ["Mai Văn A", "Nam", "01/05/1990", "001090001201", None, None],
            [None] * 6,
            ["", " ", "", ""],
            ["Mai Văn B", "Nam", "01/05/1990", "0010900012", None, None],
        ]
    )
    result = await imported(registry, content)
    staged = await rows_of(registry, result["import_id"])
    assert [r["row_number"] for r in staged] == [2, 5]
    assert staged[1]["errors"][0]["code"] == "cccd-format"


async def test_duplicate_rows_in_the_file_and_people_already_in_the_registry(registry):
    existing = await registry.create("HCM-1", id_number="001090001301")
    content = xlsx(
        [
            ["Kiều Văn A", "Nam", "01/05/1990", "001090001302", None, None],
            ["Kiều Văn A", "Nam", "01/05/1990", "001090001302", None, None],
            ["Kiều Văn C", "Nam", "01/05/1990", "001090001301", None, None],
        ]
    )
    result = await imported(registry, content)
    errors = {r["row_number"]: r["errors"] for r in await rows_of(registry, result["import_id"], "errors")}
    assert errors[3] == [
        {
            "field": "id_number",
            "code": "duplicate-in-file",
            "message_vi": "Trùng số giấy tờ với dòng 2 trong cùng tệp",
            "message_en": "Same ID number as row 2 of this file",
        }
    ]
    assert [e["code"] for e in errors[4]] == ["already-a-member"]
    assert "HCM" not in str(errors[4]) and existing["unit_id"] not in str(errors[4])
    assert list(await stored(registry, result["import_id"])) == ["Kiều Văn A"]


async def test_all_or_nothing_imports_nothing_when_a_row_is_wrong(registry):
    content = xlsx(
        [
            ["Quách Văn A", "Nam", "01/05/1990", "001090001401", None, None],
            ["Quách Văn B", "Không rõ", "01/05/1990", "001090001402", None, None],
        ]
    )
    before = await registry.counts()
    result = await imported(registry, content, mode="all_or_nothing")
    assert result["status"] == "rejected"
    assert result["problem"]["code"] == "import-has-errors"
    assert result["problem"]["message_en"] == (
        "The file has 1 rows with errors, so nothing was imported (all-or-nothing mode)"
    )
    assert await registry.counts() == before


async def test_preview_then_choose_the_mode(registry):
    content = xlsx(
        [
            ["Từ Văn A", "Nam", "01/05/1990", "001090001501", None, None],
            ["Từ Văn B", "Nam", "01/05/1990", "1234", None, None],
        ]
    )
    result = await imported(registry, content, mode=None)
    assert (result["status"], result["valid_rows"], result["error_rows"]) == ("validated", 1, 1)
    url = f"{IMPORTS}/{result['import_id']}/commit"
    officer = registry.as_("data_entry", "HNI-1")
    before = await registry.counts()
    refused = await registry.http.post(url, json={"mode": "all_or_nothing"}, headers=officer)
    assert_problem(
        refused,
        422,
        "import-has-errors",
        "mode",
        'Tệp có 1 dòng lỗi: chế độ "tất cả hoặc không" sẽ không nhập dòng nào',
        "The file has 1 rows with errors: all-or-nothing would import nothing",
    )
    bad_mode = await registry.http.post(url, json={"mode": "some"}, headers=officer)
    assert_problem(bad_mode, 422, "invalid-input", "mode")
    assert await registry.counts() == before
    accepted = await registry.http.post(url, json={"mode": "valid_rows_only"}, headers=officer)
    assert accepted.status_code == 202 and accepted.json()["status"] == "committing"
    again = await registry.http.post(url, json={"mode": "valid_rows_only"}, headers=officer)
    assert_problem(again, 422, "import-not-ready", "import_id")
    await process(registry)
    done = (await registry.http.get(f"{IMPORTS}/{result['import_id']}", headers=officer)).json()
    assert (done["status"], done["inserted_rows"]) == ("completed", 1)


async def test_validation_report_has_the_original_rows_and_an_error_column(registry):
    content = xlsx(
        [
            ["Lục Văn A", "Nam", "01/05/1990", "001090001601", "=HYPERLINK(1)", None],
            ["Lục Văn B", "Nam", "99/99/1990", "001090001602", None, None],
        ]
    )
    result = await imported(registry, content, mode=None)
    response = await registry.http.get(
        f"{IMPORTS}/{result['import_id']}/report.xlsx", headers=registry.as_("data_entry", "HNI-1")
    )
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["Dòng", *HEADERS, "Lỗi", "Cảnh báo"]
    assert sheet[2][:5] == [3.0, "Lục Văn B", "Nam", "99/99/1990", "001090001602"]
    assert sheet[2][7] == "Ngày sinh không phải ngày hợp lệ (dd/mm/yyyy)"
    assert sheet[1][7] == "Số điện thoại Việt Nam không hợp lệ"


async def test_a_crash_mid_import_resumes_without_duplicating_anyone(registry):
    rows = [[f"Âu Văn {i}", "Nam", "01/05/1990", f"0010900017{i:02d}", None, None] for i in range(7)]
    response = await upload(registry, xlsx(rows))
    import_id = response.json()["import_id"]
    await crash_midway(registry, 1, import_chunk_rows=3)
    halfway = (await registry.http.get(f"{IMPORTS}/{import_id}", headers=registry.as_("data_entry", "HNI-1"))).json()
    assert (halfway["status"], halfway["rows_done"], halfway["inserted_rows"]) == ("committing", 3, 3)
    await process(registry, import_chunk_rows=3)
    await process(registry, import_chunk_rows=3)
    done = (await registry.http.get(f"{IMPORTS}/{import_id}", headers=registry.as_("data_entry", "HNI-1"))).json()
    assert (done["status"], done["rows_done"], done["inserted_rows"]) == ("completed", 7, 7)
    async with registry.db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(members).where(members.c.import_id == import_id))
    assert count == 7


async def test_the_same_repairs_in_every_format(registry):
    """A phone or ID number that lost its leading zero is repaired in CSV exactly as in .xlsx; ID numbers written
    with dots are read; the document type's legal name since 1/7/2024, "Thẻ căn cước", is accepted."""
    headers = [*HEADERS, "Loại giấy tờ"]
    serial = [f"{random.randrange(10**6):06d}" for _ in range(4)]
    male = [f"001090{s}" for s in serial[:2]]  # written without their two leading zeros
    female = [f"001190{s}" for s in serial[2:]]  # written with dots
    dotted = [f"{n[:3]}.{n[3:6]}.{n[6:9]}.{n[9:]}" for n in female]
    csv_rows = [
        ["Phan Văn Một", "Nam", "01/05/1990", male[0][2:], "912000801", None, "Thẻ căn cước"],
        ["Phan Thị Hai", "Nữ", "01/05/1990", dotted[0], "0912000802", None, "CCCD"],
    ]
    xlsx_rows = [
        ["Phan Văn Một", "Nam", "01/05/1990", int(male[1]), 912000803, None, "Thẻ căn cước"],
        ["Phan Thị Hai", "Nữ", "01/05/1990", dotted[1], "0912000804", None, "CCCD"],
    ]
    found = {}
    for name, content in (("ds.csv", csv_bytes(csv_rows, headers)), ("ds.xlsx", xlsx(xlsx_rows, headers))):
        result = await imported(registry, content, name=name)
        assert (result["status"], result["inserted_rows"], result["error_rows"]) == ("completed", 2, 0), result
        found[name] = {
            k: (v["id_kind"], v["id_number"], v["phone"])
            for k, v in (await stored(registry, result["import_id"])).items()
        }
    assert found["ds.csv"] == {
        "Phan Văn Một": ("cccd", male[0], "0912000801"),
        "Phan Thị Hai": ("cccd", female[0], "0912000802"),
    }
    assert found["ds.xlsx"] == {
        "Phan Văn Một": ("cccd", male[1], "0912000803"),
        "Phan Thị Hai": ("cccd", female[1], "0912000804"),
    }
