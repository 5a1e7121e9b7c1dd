"""Import from Excel/CSV, the happy paths and the file-level traps."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from chassis.tables import outbox_events
from contracts.events.members_member_v1 import MemberCreated
from members.adapters.tables import member_history, members
from members.application.importing import reading
from members.domain.import_columns import COLUMNS
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from services.members.tests.conftest import assert_problem
from services.members.tests.importing_support import csv_bytes, imported, process, rows_of, upload, xlsx

IMPORTS = "/api/v1/members/imports"


async def test_template_has_vietnamese_headers_dropdowns_text_ids_and_instructions(registry):
    response = await registry.http.get(f"{IMPORTS}/template.xlsx", headers=registry.as_("data_entry", "HNI-1"))
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["Danh sách đoàn viên", "Danh mục", "Hướng dẫn"]
    header = workbook.get_sheet_by_name("Danh sách đoàn viên").to_python()[0]
    assert header == [c.header for c in COLUMNS]
    assert workbook.get_sheet_by_name("Hướng dẫn").to_python()[0][0] == "HƯỚNG DẪN NHẬP DANH SÁCH ĐOÀN VIÊN"
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert sheet_xml.count('type="list"') == 3  # gender, ID kind, card type
    styles = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/styles.xml").decode()
    assert 'formatCode="@"' in styles  # ID and phone columns are text, so leading zeros survive


async def test_an_xlsx_list_becomes_pending_members_with_events(registry):
    content = xlsx(
        [
            ["Lê Thị Mai", "Nữ", "12/03/1991", "001191000101", "0912000101", "Tổ trưởng"],
            ["Trần Văn Bình", "Nam", "1988-07-09", "001088000102", None, None],
        ]
    )
    before = await registry.counts()
    result = await imported(registry, content)
    assert (result["status"], result["total_rows"], result["inserted_rows"], result["error_rows"]) == (
        "completed",
        2,
        2,
        0,
    )
    assert result["rows_done"] == 2 and result["rows_per_second"] > 0
    async with registry.db.transaction() as session:
        rows = (await session.execute(select(members).where(members.c.import_id == result["import_id"]))).all()
        payloads = list(
            await session.scalars(
                select(outbox_events.c.payload).where(outbox_events.c.message_key.in_([str(r.member_id) for r in rows]))
            )
        )
        history = await session.scalar(
            select(func.count())
            .select_from(member_history)
            .where(member_history.c.member_id.in_([r.member_id for r in rows]))
        )
    assert {r.full_name for r in rows} == {"Lê Thị Mai", "Trần Văn Bình"} and {r.status for r in rows} == {"pending"}
    assert history == 2 and await registry.counts() == (before[0] + 2, before[1] + 2, before[2] + 2, before[3])
    events = [MemberCreated.model_validate_json(p) for p in payloads]
    by_id = {r.member_id: r for r in rows}
    for event in events:
        row = by_id[event.member_id]
        assert (event.member.full_name, event.member.unit_id, event.member.version) == (row.full_name, row.unit_id, 1)


async def test_headers_without_diacritics_in_any_order_from_csv_with_and_without_bom(registry):
    headers = ["so cccd/cmnd", "NGAY SINH", "gioi tinh", "ho va ten"]
    for index, (bom, delimiter) in enumerate([(True, ","), (False, ";")]):
        content = csv_bytes(
            [[f"00109000020{index}", "01/05/1990", "nam", f"Phạm Văn Cường {index}"]],
            headers,
            bom=bom,
            delimiter=delimiter,
        )
        result = await imported(registry, content, name="ds.csv")
        assert (result["status"], result["inserted_rows"]) == ("completed", 1), result


async def test_duplicate_upload_of_the_same_file_creates_nobody_twice(registry):
    content = xlsx([["Vũ Thị Lan", "Nữ", "02/02/1992", "001192000301", None, None]])
    first = await imported(registry, content)
    before = await registry.counts()
    again = await upload(registry, content)
    assert again.status_code == 200 and again.json()["duplicate_upload"] is True
    assert again.json()["import_id"] == first["import_id"]
    await process(registry)
    assert await registry.counts() == before


async def test_wrong_file_types_with_the_right_extension_are_refused(registry):
    before, imports_before = await registry.counts(), await _import_ids(registry)
    cases = [
        (b"%PDF-1.7 not a workbook", "ds.xlsx"),
        (b"<html><table><tr><td>Ho va ten</td></tr></table></html>", "ds.xls"),
        (_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}), "ds.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "ds.csv"),
    ]
    for content, name in cases:
        extension = name.rsplit(".", 1)[1]
        response = await upload(registry, content, name=name)
        assert_problem(
            response,
            422,
            "wrong-file-type",
            "file",
            f"Tệp không phải là tệp {extension} thật (nội dung không khớp phần mở rộng)",
            f"The file is not a real .{extension} file (its content does not match its extension)",
        )
    pdf = await upload(registry, b"%PDF-1.7", name="ds.pdf")
    assert_problem(
        pdf,
        422,
        "unsupported-file-type",
        "file",
        "Chỉ nhận tệp .xlsx, .xls, .ods hoặc .csv",
        "Only .xlsx, .xls, .ods or .csv files are accepted",
    )
    empty = await upload(registry, b"   ", name="ds.csv")
    assert_problem(empty, 422, "empty-file", "file", "Tệp rỗng", "The file is empty")
    assert await registry.counts() == before
    assert await _import_ids(registry) == imports_before


async def test_a_zip_bomb_is_refused_before_parsing(registry, monkeypatch):
    monkeypatch.setattr(reading, "MAX_INFLATED", 8 * 1024 * 1024)
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (40 * 1024 * 1024),
        }
    )
    assert len(bomb) < 200_000
    before = await registry.counts()
    response = await upload(registry, bomb)
    assert_problem(
        response,
        413,
        "zip-bomb",
        "file",
        "Tệp nén giải nén ra quá lớn (trên 8 MB): có thể là tệp độc hại",
        "The archive inflates to more than 8 MB: refused as a possible zip bomb",
    )
    assert await registry.counts() == before


async def test_a_zip_that_lies_about_its_sizes_is_still_caught(registry, monkeypatch):
    monkeypatch.setattr(reading, "MAX_INFLATED", 8 * 1024 * 1024)
    honest = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (12 * 1024 * 1024),
        }
    )
    # Declare 1 KB instead of 12 MB in the local and central headers of the sheet entry.
    forged = honest.replace((12 * 1024 * 1024).to_bytes(4, "little"), (1024).to_bytes(4, "little"))
    assert sum(e.file_size for e in zipfile.ZipFile(io.BytesIO(forged)).infolist()) < 8 * 1024 * 1024
    before = await registry.counts()
    response = await upload(registry, forged)
    assert_problem(
        response,
        422,
        "corrupt-archive",
        "file",
        "Tệp nén bị hỏng hoặc bị chỉnh sửa bất thường",
        "The archive is corrupt (its sizes or checksums do not match its content)",
    )
    assert await registry.counts() == before


async def test_file_level_problems_are_reported_on_the_import(registry):
    no_gender = xlsx([["Đinh Văn Tú", "01/01/1990", "001090000401"]], ["Họ và tên", "Ngày sinh", "Số CCCD"])
    result = await imported(registry, no_gender)
    assert result["status"] == "rejected"
    assert result["problem"] == {
        "code": "missing-columns",
        "field": "file",
        "missing": ["gender"],
        "message_vi": "Thiếu cột bắt buộc: Giới tính",
        "message_en": "Required columns missing: gender",
    }
    no_header = await imported(registry, xlsx([["a", "b"], ["c", "d"]], headers=["Cột 1", "Cột 2"]))
    assert (no_header["status"], no_header["problem"]["code"]) == ("rejected", "no-header-row")
    assert no_header["problem"]["message_en"] == (
        "No header row found (at least Full name, Date of birth and ID number columns are needed)"
    )
    only_header = await imported(registry, xlsx([]))
    assert (only_header["problem"]["code"], only_header["problem"]["message_vi"]) == (
        "no-data-rows",
        "Tệp không có dòng dữ liệu nào",
    )


async def test_too_many_rows_is_refused(registry):
    rows = [[f"Người {i}", "Nam", "01/01/1990", f"0010900005{i:02d}", None, None] for i in range(4)]
    response = await upload(registry, xlsx(rows))
    await process(registry, import_max_rows=3)
    result = (
        await registry.http.get(
            f"{IMPORTS}/{response.json()['import_id']}", headers=registry.as_("data_entry", "HNI-1")
        )
    ).json()
    assert (result["status"], result["problem"]["code"]) == ("rejected", "too-many-rows")
    assert result["problem"]["message_en"] == "The file has more than 3 data rows"


async def test_upload_outside_scope_or_into_a_unit_that_cannot_admit(registry):
    content = xlsx([["Hà Văn Sơn", "Nam", "01/01/1990", "001090000601", None, None]])
    before = await registry.counts()
    outside = await upload(registry, content, unit="HCM-1", who=registry.as_("data_entry", "HNI-1"))
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    commune = await upload(registry, content, unit="HNI-XA", who=registry.as_("unit_admin", "HNI"))
    assert_problem(commune, 422, "unit-cannot-admit", "unit_id")
    assert await registry.counts() == before


async def test_a_file_larger_than_the_limit_is_refused(registry, monkeypatch):
    from members.entrypoints import import_api

    monkeypatch.setattr(import_api, "read_limited", _tiny_limit(import_api.read_limited))
    response = await upload(registry, xlsx([["Hà Văn Sơn", "Nam", "01/01/1990", "001090000602", None, None]]))
    assert_problem(response, 413, "file-too-large", "file", "Tệp vượt quá 0 MB", "The file is larger than 0 MB")
    assert rows_of and date  # helpers shared with the row-level tests


def _tiny_limit(original):
    async def limited(file, limit):
        return await original(file, 1024)

    return limited


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def _import_ids(registry) -> list[str]:
    response = await registry.http.get(
        IMPORTS,
        params={"unit_id": str(registry.units["HNI-1"]), "limit": 100},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert response.status_code == 200, response.text
    return [row["import_id"] for row in response.json()["items"]]
