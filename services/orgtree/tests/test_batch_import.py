"""Creating a group of units at once and importing a tree from .xlsx/.csv, all-or-nothing or valid rows only."""

from __future__ import annotations

import io
import json
from uuid import UUID

import openpyxl
from chassis.tables import outbox_events, tree_closure
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import unit_history, units
from sqlalchemy import event, select

from services.orgtree.tests.helpers import ADMIN, API, assert_problem
from tests.support.services import headers_for, principal

PROVINCE = "provincial_federation"


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


async def upload(orgtree, name: str, content: bytes, headers=ADMIN, **form):
    return await orgtree.http.post(f"{API}/units/imports", files={"file": (name, content)}, data=form, headers=headers)


async def test_a_group_is_created_at_once_with_parents_inside_the_group(orgtree):
    province = await orgtree.unit("BT-P", "Liên đoàn Lao động tỉnh Nhóm", PROVINCE, NATIONAL_CENTRE_ID)
    # Children come before their parent on purpose: the group is ordered before it is written.
    group = [
        {"code": "BT-G1", "name": "Tổ công đoàn Phân xưởng 1", "type_code": "union_group", "parent_code": "BT-C1"},
        {
            "code": "BT-C1",
            "name": "Công đoàn cơ sở Công ty Nhóm Một",
            "type_code": "grassroots_union",
            "parent_code": "BT-X",
            "employer": {"name": "Công ty Nhóm Một", "enterprise_type": "non_state_domestic"},
        },
        {
            "code": "BT-C2",
            "name": "Công đoàn cơ sở Công ty Nhóm Hai",
            "type_code": "grassroots_union",
            "parent_code": "BT-X",
        },
        {"code": "BT-X", "name": "Công đoàn phường Nhóm", "type_code": "commune_union", "parent_id": province},
    ]
    response = await orgtree.post("/units/batch", {"units": group, "effective_from": "2025-07-01"})
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["created_count"], report["rejected"]) == (4, [])
    ids = {row["code"]: row["unit_id"] for row in report["created"]}
    depth = await orgtree.scalar(
        select(tree_closure.c.depth).where(
            tree_closure.c.ancestor_id == UUID(province), tree_closure.c.descendant_id == UUID(ids["BT-G1"])
        )
    )
    assert depth == 3
    announced = [
        row.message_key
        for row in await orgtree.all(
            select(outbox_events.c.message_key)
            .where(outbox_events.c.message_key.in_(ids.values()))
            .order_by(outbox_events.c.id)
        )
    ]
    assert announced.index(ids["BT-X"]) < announced.index(ids["BT-C1"]) < announced.index(ids["BT-G1"])
    assert await orgtree.scalar(select(units.c.enterprise_type).where(units.c.code == "BT-C1")) == "non_state_domestic"
    assert (
        await orgtree.scalar(select(unit_history.c.change).where(unit_history.c.unit_id == UUID(ids["BT-C2"])))
        == "created"
    )


async def test_a_group_with_one_bad_unit_creates_nothing(orgtree):
    province = await orgtree.unit("BR-P", "Liên đoàn Lao động tỉnh Nhóm Lỗi", PROVINCE, NATIONAL_CENTRE_ID)
    group = [
        {"code": "BR-1", "name": "Công đoàn cơ sở Đúng", "type_code": "grassroots_union", "parent_id": province},
        {"code": "BR-2", "name": "Công đoàn cơ sở Mồ Côi", "type_code": "grassroots_union", "parent_code": "BR-NONE"},
        {"code": "BR-3", "name": "Liên đoàn Lao động tỉnh Sai Cấp", "type_code": PROVINCE, "parent_code": "BR-1"},
        {"code": "BR-P", "name": "Trùng mã", "type_code": "grassroots_union", "parent_id": province},
    ]
    before = await orgtree.fingerprint()
    response = await orgtree.post("/units/batch", {"units": group})
    body = assert_problem(
        response,
        422,
        "batch-rejected",
        "units",
        "3/4 dòng có lỗi nên không đơn vị nào được tạo",
        "3 of 4 rows have problems, so no unit was created",
    )
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("units[1].parent_code", "unknown-parent"),
        ("units[2].type_code", "child-type-not-allowed"),
        ("units[3].code", "duplicate-unit-code"),
    ]
    assert [row["row"] for row in body["rows"]] == [1, 2, 3]
    assert "BR-NONE" in body["errors"][0]["message_vi"] and "BR-NONE" in body["errors"][0]["message_en"]
    assert await orgtree.fingerprint() == before


async def test_a_group_unit_names_exactly_one_parent(orgtree):
    response = await orgtree.post(
        "/units/batch",
        {
            "units": [
                {
                    "code": "BO-1",
                    "name": "Công đoàn cơ sở Hai Cha",
                    "type_code": "grassroots_union",
                    "parent_id": str(NATIONAL_CENTRE_ID),
                    "parent_code": "TLD",
                }
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "units.0"


async def test_import_xlsx_with_vietnamese_headers(orgtree):
    await orgtree.unit("IX-P", "Liên đoàn Lao động tỉnh Nhập Tệp", PROVINCE, NATIONAL_CENTRE_ID)
    content = xlsx(
        [
            [
                "Mã đơn vị cấp trên",
                "Mã đơn vị",
                "Tên đơn vị",
                "Loại đơn vị",
                "Tên viết tắt",
                "Tỉnh/Thành phố",
                "Tên doanh nghiệp",
                "Mã số thuế",
                "Loại hình doanh nghiệp",
                "Ngành nghề",
                "Số lao động",
                "Ghi chú",
            ],
            [
                "IX-P",
                "IX-K",
                "Công đoàn Khu công nghiệp Nhập",
                "Công đoàn khu công nghiệp",
                "CĐ KCN",
                "Bắc Ninh",
                None,
                None,
                None,
                None,
                None,
                "mới",
            ],
            [
                "IX-K",
                "IX-1",
                "Công đoàn cơ sở Công ty TNHH Điện tử Nhập",
                "cong doan co so",
                None,
                "bac ninh",
                "Công ty TNHH Điện tử Nhập",
                "2300123456",
                "FDI",
                "Điện tử",
                1200,
                None,
            ],
            [None, None, None, None, None, None, None, None, None, None, None, None],
            ["IX-1", "IX-1-T1", "Tổ công đoàn Ca sáng", "union_group", None, None, None, None, None, None, None, None],
        ]
    )
    response = await upload(orgtree, "cay-to-chuc.xlsx", content)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created_count"], report["rejected_count"], report["ignored_columns"]) == (3, 0, ["Ghi chú"])
    assert [row["row"] for row in report["created"]] == [2, 3, 5]  # spreadsheet row numbers
    unit = (await orgtree.all(select(units).where(units.c.code == "IX-1")))[0]
    assert (unit.province_code, unit.employer_tax_code, unit.enterprise_type, unit.workforce_size) == (
        "24",
        "2300123456",
        "foreign_invested",
        1200,
    )
    assert unit.parent_id == UUID(report["created"][0]["unit_id"])


async def test_import_csv_with_headers_without_diacritics(orgtree):
    await orgtree.unit("IC-P", "Liên đoàn Lao động tỉnh CSV", PROVINCE, NATIONAL_CENTRE_ID)
    content = (
        "ma don vi cap tren;ma don vi;ten don vi;loai don vi;tinh\n"
        "IC-P;IC-1;Công đoàn cơ sở Trường THCS Nguyễn Du;grassroots_union;Hà Nội\n"
        "IC-P;IC-2;Công đoàn xã Tân Phú;Công đoàn xã, phường, đặc khu;\n"
    ).encode("utf-8-sig")
    response = await upload(orgtree, "units.csv", content)
    assert response.status_code == 200, response.text
    assert response.json()["created_count"] == 2
    assert await orgtree.scalar(select(units.c.type_code).where(units.c.code == "IC-2")) == "commune_union"


def faulty_sheet() -> bytes:
    return xlsx(
        [
            ["Mã đơn vị cấp trên", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã số thuế"],
            ["IE-P", "IE-1", "Công đoàn cơ sở Tốt", "grassroots_union", "0101234567"],
            ["IE-NONE", "IE-2", "Công đoàn cơ sở Không Cha", "grassroots_union", None],
            ["IE-4", "IE-3", "Công đoàn xã Vòng Một", "commune_union", None],
            ["IE-3", "IE-4", "Công đoàn xã Vòng Hai", "commune_union", None],
            ["IE-4", "IE-5", "Công đoàn cơ sở Dưới Vòng", "grassroots_union", None],
            ["IE-P", "IE-1", "Công đoàn cơ sở Trùng Dòng", "grassroots_union", None],
            ["IE-P", "IE-6", "Công đoàn cơ sở Sai MST", "grassroots_union", "12345"],
            ["IE-6", "IE-7", "Tổ công đoàn Dưới Dòng Lỗi", "union_group", None],
        ]
    )


async def test_import_all_or_nothing_reports_every_row_and_creates_nothing(orgtree):
    await orgtree.unit("IE-P", "Liên đoàn Lao động tỉnh Lỗi Tệp", PROVINCE, NATIONAL_CENTRE_ID)
    before = await orgtree.fingerprint()
    response = await upload(orgtree, "loi.xlsx", faulty_sheet())
    body = assert_problem(
        response, 422, "import-rejected", "file", "7/8 dòng có lỗi", "7 of 8 rows have problems, so no unit was created"
    )
    problems = {(row["row"], p["field"], p["code"]) for row in body["rows"] for p in row["problems"]}
    assert problems == {
        (3, "parent_code", "unknown-parent"),
        (4, "parent_code", "parent-cycle"),
        (5, "parent_code", "parent-cycle"),
        (6, "parent_code", "parent-row-rejected"),
        (7, "code", "duplicate-unit-code"),
        (8, "employer_tax_code", "invalid-tax-code"),
        (9, "parent_code", "parent-row-rejected"),
    }
    cycle = next(p for row in body["rows"] if row["row"] == 4 for p in row["problems"])
    assert "IE-3 → IE-4" in cycle["message_vi"] and "parent cycle" in cycle["message_en"]
    assert {e["field"] for e in body["errors"]} >= {"rows[3].parent_code", "rows[8].employer_tax_code"}
    assert await orgtree.fingerprint() == before


async def test_import_valid_rows_only_creates_the_rest(orgtree):
    await orgtree.unit("IV-P", "Liên đoàn Lao động tỉnh Dòng Hợp Lệ", PROVINCE, NATIONAL_CENTRE_ID)
    sheet = openpyxl.load_workbook(io.BytesIO(faulty_sheet()))
    for row in sheet.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("IE-"):
                cell.value = "IV-" + cell.value[3:]
    buffer = io.BytesIO()
    sheet.save(buffer)
    response = await upload(orgtree, "mot-phan.xlsx", buffer.getvalue(), mode="valid_rows_only")
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(row["row"], row["code"]) for row in report["created"]] == [(2, "IV-1")]
    assert report["rejected_count"] == 7
    assert await orgtree.scalar(select(units.c.unit_id).where(units.c.code == "IV-6")) is None


async def test_import_writes_set_based_whatever_the_row_count(orgtree):
    """A 400-row import costs the same few statements as a 4-row one: no loop of single inserts."""
    await orgtree.unit("IS-P", "Liên đoàn Lao động tỉnh Nhiều Dòng", PROVINCE, NATIONAL_CENTRE_ID)
    engine = orgtree.http._transport.app.state.database.engine.sync_engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_):
        # An ANALYZE runs when the replica's closure table has grown past its statistics, whatever the batch size.
        if not statement.lstrip().upper().startswith("ANALYZE"):
            statements.append(statement)

    async def run(prefix: str, size: int) -> int:
        rows = [
            ["Mã đơn vị cấp trên", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị"],
            ["IS-P", f"{prefix}-Z", f"Công đoàn khu công nghiệp {prefix}", "industrial_zone_union"],
        ]
        rows += [
            [f"{prefix}-Z", f"{prefix}-{i}", f"Công đoàn cơ sở Công ty số {i}", "grassroots_union"]
            for i in range(size - 1)
        ]
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = await upload(orgtree, "nhieu.xlsx", xlsx(rows))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.json()["created_count"] == size, response.text
        return len(statements)

    assert await run("ISA", 400) == await run("ISB", 4)
    assert sum("INSERT INTO units" in s for s in statements) == 1
    assert sum("INSERT INTO outbox_events" in s for s in statements) <= 1


async def test_import_refuses_a_file_it_cannot_use(orgtree):
    no_code = xlsx([["Tên đơn vị", "Loại đơn vị"], ["Công đoàn cơ sở A", "grassroots_union"]])
    assert_problem(
        await upload(orgtree, "thieu.xlsx", no_code),
        422,
        "missing-columns",
        "file",
        "Tệp thiếu cột bắt buộc: code",
        "The file lacks required columns: code",
    )
    assert_problem(
        await upload(orgtree, "tree.pdf", b"%PDF"),
        422,
        "unsupported-file-type",
        "file",
        "Chỉ nhận tệp .xlsx",
        "Only .xlsx, .xls, .ods or .csv files are accepted",
    )
    assert_problem(
        await upload(orgtree, "hong.xlsx", b"PK\x03\x04 broken"),
        422,
        "wrong-file-type",
        "file",
        "Tệp không phải là tệp xlsx thật",
        "The file is not a real .xlsx file",
    )


async def test_import_rows_outside_the_callers_scope_are_refused(orgtree):
    mine = await orgtree.unit("IO-A", "Liên đoàn Lao động tỉnh Của Tôi", PROVINCE, NATIONAL_CENTRE_ID)
    await orgtree.unit("IO-B", "Liên đoàn Lao động tỉnh Của Người Khác", PROVINCE, NATIONAL_CENTRE_ID)
    content = (
        "ma don vi cap tren,ma don vi,ten don vi,loai don vi\n"
        "IO-A,IO-A1,Công đoàn cơ sở Của Tôi,grassroots_union\n"
        "IO-B,IO-B1,Công đoàn cơ sở Của Người Khác,grassroots_union\n"
    ).encode()
    response = await upload(
        orgtree, "pham-vi.csv", content, headers_for(principal("unit_admin", mine)), mode="valid_rows_only"
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert [row["code"] for row in report["created"]] == ["IO-A1"]
    assert report["rejected"][0]["problems"][0]["code"] == "out-of-scope"
    assert json.dumps(report["rejected"][0]).count("IO-B") >= 1


async def test_import_rows_without_a_parent_go_under_the_unit_chosen_in_the_form(orgtree):
    zone = await orgtree.unit(
        "ID-Z",
        "Công đoàn Khu công nghiệp Mặc Định",
        "industrial_zone_union",
        await orgtree.unit("ID-P", "Liên đoàn Lao động tỉnh Mặc Định", PROVINCE, NATIONAL_CENTRE_ID),
    )
    content = "Mã đơn vị,Tên đơn vị,Loại đơn vị\nID-1,Công đoàn cơ sở Một,Công đoàn cơ sở\n".encode()
    response = await upload(orgtree, "mac-dinh.csv", content, parent_id=zone, effective_from="2025-07-01")
    assert response.status_code == 200, response.text
    assert await orgtree.scalar(select(units.c.parent_id).where(units.c.code == "ID-1")) == UUID(zone)
    missing = await upload(orgtree, "mac-dinh.csv", content.replace(b"ID-1", b"ID-2"))
    body = assert_problem(
        missing, 422, "import-rejected", "file", "Thiếu mã đơn vị cấp trên", "The parent unit is missing"
    )
    assert body["errors"][0]["field"] == "rows[2].parent_code"
