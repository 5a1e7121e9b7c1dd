"""Search with or without diacritics, by keys and filters, keyset pages; exports streamed and neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date

from contracts.wellknown import vietnamese_today
from python_calamine import CalamineWorkbook

from services.members.tests.conftest import assert_problem
from services.members.tests.importing_support import imported, xlsx

S = "/api/v1/members/search"


async def names(registry, who, **params) -> list[str]:
    response = await registry.http.get(S, params=params, headers=who)
    assert response.status_code == 200, response.text
    return [item["full_name"] for item in response.json()["items"]]


async def test_name_search_with_or_without_diacritics_within_scope(registry):
    await registry.approved("HNI-1", full_name="Nguyễn Văn Thắng")
    await registry.approved("HCM-1", full_name="Nguyễn Văn Thắng")
    hni = registry.as_("report_viewer", "HNI")
    assert await names(registry, hni, q="nguyen van thang") == ["Nguyễn Văn Thắng"]
    assert await names(registry, hni, q="Nguyễn Văn Thắng") == ["Nguyễn Văn Thắng"]
    assert await names(registry, hni, name="VAN THANG") == []  # by default the full name starts with the text
    assert await names(registry, hni, name="VAN THANG", name_match="contains") == ["Nguyễn Văn Thắng"]
    assert await names(registry, hni, q="nguyen van th") == ["Nguyễn Văn Thắng"]
    assert len(await names(registry, registry.as_("report_viewer", "TLD"), q="van thang", name_match="contains")) == 2
    # Each row names its unit, so a list shows it without asking the org tree once per unit.
    found = await registry.http.get(
        S, params={"q": "van thang", "name_match": "contains"}, headers=registry.as_("report_viewer", "TLD")
    )
    assert sorted(item["unit_name"] for item in found.json()["items"]) == ["Công đoàn HCM-1", "Công đoàn HNI-1"]
    assert await names(registry, hni, q="100%_") == []


async def test_search_by_member_code_id_number_and_phone(registry):
    member = await registry.approved("HNI-2", full_name="Bùi Thị Khánh", gender="female", phone="0987001122")
    row = await registry.row(member["member_id"])
    officer = registry.as_("data_entry", "HNI-2")
    assert await names(registry, officer, q=member["member_code"]) == ["Bùi Thị Khánh"]
    assert await names(registry, officer, q=row["id_number"]) == ["Bùi Thị Khánh"]
    assert await names(registry, officer, q="+84 987 001 122") == ["Bùi Thị Khánh"]
    # Without members.read_sensitive an ID number finds nobody: the search would confirm it otherwise.
    assert await names(registry, registry.as_("report_viewer", "HNI"), id_number=row["id_number"]) == []


async def test_filters_and_keyset_pages(registry):
    for index in range(5):
        await registry.approved(
            "HNI-1", full_name=f"Đặng Thị Lọc {index}", gender="female", date_of_birth=f"{1960 + index * 10}-01-01"
        )
    officer = registry.as_("data_entry", "HNI-1")
    base = {"name": "dang thi loc", "unit_id": str(registry.units["HNI-1"])}
    assert len(await names(registry, officer, **base, gender="female", status="active")) == 5
    assert await names(registry, officer, **base, gender="male") == []
    age = vietnamese_today().year - 1990
    assert await names(registry, officer, **base, age_from=age - 1, age_to=age) == ["Đặng Thị Lọc 3"]
    assert len(await names(registry, officer, **base, complete="false")) == 5
    assert await names(registry, officer, **base, complete="true") == []
    assert len(await names(registry, officer, **base, card_status="none")) == 5
    # Contains-searches find their matches before sorting them (a separate query shape): same pages, same order.
    for match, text in (("prefix", "dang thi loc"), ("contains", "thi loc")):
        seen, cursor = [], None
        while True:
            params = {**base, "name": text, "name_match": match, "limit": 2, **({"after": cursor} if cursor else {})}
            response = await registry.http.get(S, params=params, headers=officer)
            seen += [item["full_name"] for item in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if not cursor:
                break
        assert seen == [f"Đặng Thị Lọc {i}" for i in range(5)], match
        newest = await names(registry, officer, **{**base, "name": text}, name_match=match, sort="newest", limit=2)
        assert newest == ["Đặng Thị Lọc 4", "Đặng Thị Lọc 3"], match


async def test_search_bad_inputs(registry):
    officer = registry.as_("data_entry", "HNI-1")
    outside = await registry.http.get(S, params={"unit_id": str(registry.units["HCM"])}, headers=officer)
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    bad_status = await registry.http.get(S, params={"status": "sleeping"}, headers=officer)
    assert_problem(bad_status, 422, "invalid-input", "status.0")
    bad_age = await registry.http.get(S, params={"age_from": -1}, headers=officer)
    problem = assert_problem(bad_age, 422, "invalid-input", "age_from")
    assert problem["errors"][0]["message_vi"] == "Giá trị quá nhỏ"
    bad_cursor = await registry.http.get(S, params={"after": "!!"}, headers=officer)
    assert_problem(bad_cursor, 422, "invalid-input", "after", "Con trỏ phân trang không hợp lệ", "Invalid page cursor")


async def test_export_csv_and_xlsx_neutralise_formulas_and_mask_what_they_must(registry):
    member = await registry.approved("HNI-2", full_name="Lò Văn Xuất", position='=HYPERLINK("http://x")')
    row = await registry.row(member["member_id"])
    params = {"name": "lo van xuat", "format": "csv"}
    response = await registry.http.get(
        "/api/v1/members/export", params=params, headers=registry.as_("data_entry", "HNI-2")
    )
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:5] == ["Mã đoàn viên", "Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD/CMND"]
    assert table[1][:5] == [member["member_code"], "Lò Văn Xuất", "Nam", "01/05/1990", row["id_number"]]
    assert table[1][8] == '\'=HYPERLINK("http://x")' and table[1][12] == "đang sinh hoạt"
    masked = await registry.http.get(
        "/api/v1/members/export", params=params, headers=registry.as_("report_viewer", "HNI")
    )
    masked_row = list(csv.reader(io.StringIO(masked.content.decode("utf-8-sig"))))[1]
    assert masked_row[4] == "*********" + row["id_number"][-3:] and masked_row[5] == ""
    xlsx = await registry.http.get(
        "/api/v1/members/export", params={**params, "format": "xlsx"}, headers=registry.as_("data_entry", "HNI-2")
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert sheet[1][1] == "Lò Văn Xuất" and sheet[1][3] == date(1990, 5, 1)
    assert sheet[1][8] == '\'=HYPERLINK("http://x")'


async def test_export_outside_scope_is_refused(registry):
    response = await registry.http.get(
        "/api/v1/members/export",
        params={"unit_id": str(registry.units["HCM"])},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert_problem(response, 403, "out-of-scope", "unit_id")


async def test_public_lookup_by_code_and_id_number(registry):
    from chassis.principal import PUBLIC

    from tests.support.services import headers_for

    member = await registry.approved("HCM-1", full_name="Hồ Thị Tra", gender="female")
    row = await registry.row(member["member_id"])
    url = "/api/v1/members/public/lookup"
    found = await registry.http.get(
        url, params={"member_code": member["member_code"], "id_number": row["id_number"]}, headers=headers_for(PUBLIC)
    )
    assert found.status_code == 200, found.text
    assert found.json() == {
        "full_name": "Hồ Thị Tra",
        "unit_name": "Công đoàn HCM-1",
        "status": "active",
        "status_vi": "đang sinh hoạt",
        "card_status": "none",
        "card_status_vi": "chưa đề nghị in thẻ",
        "card_verification_code": None,  # no card in hand: nothing to open as a digital card
    }
    misses = [
        {"member_code": member["member_code"], "id_number": "001190999999"},
        # Another code (the last digit changed; it may be another member's) with this member's ID number.
        {
            "member_code": member["member_code"][:-1] + str((int(member["member_code"][-1]) + 1) % 10),
            "id_number": row["id_number"],
        },
        {"member_code": "12345", "id_number": row["id_number"]},
    ]
    bodies = []
    for params in misses:
        response = await registry.http.get(url, params=params, headers=headers_for(PUBLIC))
        bodies.append(
            {
                k: v
                for k, v in assert_problem(
                    response,
                    404,
                    "no-match",
                    "member_code",
                    "Không tìm thấy đoàn viên với mã số và số giấy tờ đã nhập",
                    "No member matches this member code and ID number",
                ).items()
                if k not in ("instance", "request_id")
            }
        )
    assert bodies[0] == bodies[1] == bodies[2]
    missing = await registry.http.get(url, params={"member_code": member["member_code"]}, headers=headers_for(PUBLIC))
    assert_problem(missing, 422, "invalid-input", "id_number")
    no_token = await registry.http.get(url, params={"member_code": member["member_code"], "id_number": "1"})
    assert_problem(no_token, 401, "unauthenticated", None)


async def test_reads_of_personal_data_are_audited_for_the_subtrees_audit_readers(registry):
    """Who saw a member's ID number, ethnicity and religion in the clear, and who exported which filter and how
    many rows, land in the append-only trail, for the audit readers of that subtree."""
    member = await registry.approved("HNI-2", full_name="Vi Thị Kiểm Toán", gender="female")
    for index in range(3):
        await registry.approved("HNI-2", full_name=f"Vi Văn Xuất {index}")
    clear = await registry.http.get(
        f"/api/v1/members/members/{member['member_id']}", headers=registry.as_("data_entry", "HNI-2", "can.bo.xem")
    )
    masked = await registry.http.get(
        f"/api/v1/members/members/{member['member_id']}", headers=registry.as_("report_viewer", "HNI", "nguoi.xem.che")
    )
    assert clear.json()["sensitive_masked"] is False and masked.json()["sensitive_masked"] is True
    for format in ("csv", "xlsx"):
        exported = await registry.http.get(
            "/api/v1/members/export",
            params={"name": "vi van xuat", "format": format, "unit_id": str(registry.units["HNI-2"])},
            headers=registry.as_("data_entry", "HNI-2", "can.bo.xuat"),
        )
        assert exported.status_code == 200

    async def trail(who: dict[str, str], **filters) -> list[dict]:
        page = await registry.http.get("/api/v1/members/audit", params=filters, headers=who)
        assert page.status_code == 200, page.text
        return page.json()["items"]

    province_auditor = registry.as_("unit_admin", "HNI")
    viewed = await trail(province_auditor, action="GET /api/v1/members/members/{member_id}")
    unit = str(registry.units["HNI-2"])
    # The phone is shown in the clear to every reader of the member: a masked view is a personal-data read too.
    assert [(e["username"], e["target"], e["unit_id"]) for e in viewed if member["member_id"] in e["target"]] == [
        ("nguoi.xem.che", f"member_id={member['member_id']}; phone shown", unit),
        ("can.bo.xem", f"member_id={member['member_id']}; sensitive fields and phone shown", unit),
    ]
    exports = await trail(province_auditor, actor="can.bo.xuat")
    assert [(e["action"], e["outcome"], e["target"].split("; ")[0], e["target"].split("; ")[-1]) for e in exports] == [
        ("GET /api/v1/members/export", "success", "export xlsx", "rows 3"),
        ("GET /api/v1/members/export", "success", "export csv", "rows 3"),
    ]
    assert f"unit_id={registry.units['HNI-2']}" in exports[0]["target"] and "name=vi van xuat" in exports[0]["target"]
    # Another province's audit readers see none of it; plain lists are not personal-data reads.
    assert await trail(registry.as_("unit_admin", "HCM"), actor="can.bo.xuat") == []
    assert [e["action"] for e in await trail(province_auditor, actor="nguoi.xem.che")] == [
        "GET /api/v1/members/members/{member_id}"
    ]


async def test_searches_by_id_number_or_phone_and_import_rows_are_audited_personal_data_reads(registry):
    """A search by ID number or phone ties a person to the number; an import's preview and report show the list's
    ID numbers and phones in the clear. Each is in the trail (whom it found, by member id; never the number);
    a search by name is not."""
    member = await registry.approved("HNI-2", full_name="Lò Thị Tra Cứu", gender="female", phone="0987003344")
    row = await registry.row(member["member_id"])
    officer = registry.as_("data_entry", "HNI-2", "can.bo.tra")
    for query in ({"q": row["id_number"]}, {"phone": "0987003344"}, {"q": "lo thi tra cuu"}):
        assert await names(registry, officer, **query) == ["Lò Thị Tra Cứu"]
    content = xlsx([["Lục Văn Xem", "Nam", "01/05/1990", "001090001701", "0987005566", None]])
    result = await imported(registry, content, mode=None, unit="HNI-2", who=officer)
    assert (await rows_of_as(registry, result["import_id"], officer))[0]["original"][3] == "001090001701"
    report = await registry.http.get(f"/api/v1/members/imports/{result['import_id']}/report.xlsx", headers=officer)
    assert report.status_code == 200

    page = await registry.http.get(
        "/api/v1/members/audit", params={"actor": "can.bo.tra"}, headers=registry.as_("unit_admin", "HNI")
    )
    reads = [(e["action"], e["target"], e["unit_id"]) for e in page.json()["items"] if e["action"].startswith("GET")]
    scope = str(registry.units["HNI-2"])
    assert reads == [
        (
            "GET /api/v1/members/imports/{import_id}/report.xlsx",
            f"import_id={result['import_id']}; report of 1 rows downloaded",
            scope,
        ),
        ("GET /api/v1/members/imports/{import_id}/rows", f"import_id={result['import_id']}; rows 2-2 shown (1)", scope),
        ("GET /api/v1/members/search", f"search by phone; found 1: {member['member_id']}", scope),
        ("GET /api/v1/members/search", f"search by id_number; found 1: {member['member_id']}", scope),
    ]
    assert not any(
        row["id_number"] in (e["target"] or "") or "0987003344" in (e["target"] or "") for e in page.json()["items"]
    )


async def rows_of_as(registry, import_id: str, who: dict) -> list[dict]:
    response = await registry.http.get(f"/api/v1/members/imports/{import_id}/rows", headers=who)
    assert response.status_code == 200, response.text
    return response.json()
