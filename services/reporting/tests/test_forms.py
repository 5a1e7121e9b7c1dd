"""Standard forms from their definitions: the units' report and the targets' progress as workbooks, the grassroots
unions by members as of a past day in the tree of that day, and the forms' cells (totals, shares, ratios)."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date

from contracts.events.orgtree_unit_v1 import UnitCreated, UnitDissolved, UnitMoved
from reporting.adapters.workbooks import form_pdf, form_xlsx
from reporting.domain.forms import Column, Form, Section, fill, heading_groups

from services.reporting.tests.figures_support import admit, assert_bands_are_the_walk, deliver, national, state, tree
from tests.support.services import headers_for, principal


def opened(content: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return workbook.read("xl/sharedStrings.xml").decode(), workbook.read("xl/worksheets/sheet1.xml").decode()


async def bands(reporting, unit_id, first: str, last: str) -> dict[int, int]:
    response = await reporting["http"].get(
        "/api/v1/reporting/unit-figures",
        headers=national(),
        params={"unit_id": str(unit_id), "from": first, "to": last},
    )
    assert response.status_code == 200, response.text
    return {band["lower"]: band["units"] for band in response.json()["grassroots_by_members"] if band["units"]}


async def test_grassroots_unions_by_members_as_of_a_past_day_in_the_tree_of_that_day(reporting):
    db = reporting["db"]
    units = await tree(reporting, "BND")
    p1, p2, g1 = units["p1"], units["p2"], units["g1"]
    for _ in range(12):
        await admit(db, g1, date(2025, 3, 1))
    await deliver(
        db,
        UnitMoved,
        state(g1, "BND-G1", p2, version=2, effective_from=date(2025, 9, 1), enterprise_type="foreign_invested"),
        date(2025, 9, 1),
        old_parent_id=p1,
        new_parent_id=p2,
    )
    for _ in range(20):
        await admit(db, g1, date(2025, 10, 1))

    # August: G1 is the first province's, with its 12 members; G2 (none) the other's.
    assert await bands(reporting, p1, "2025-08-01", "2025-08-31") == {10: 1}
    assert await bands(reporting, p2, "2025-08-01", "2025-08-31") == {0: 1}
    # October: G1 has moved to the second province and has 32 members.
    assert await bands(reporting, p1, "2025-10-01", "2025-10-31") == {}
    assert await bands(reporting, p2, "2025-10-01", "2025-10-31") == {0: 1, 30: 1}
    # The day before the October admissions, in the second province already.
    assert await bands(reporting, p2, "2025-09-01", "2025-09-30") == {0: 1, 10: 1}


async def test_the_units_report_as_a_workbook(reporting):
    units = await tree(reporting, "UNX")
    await admit(reporting["db"], units["g1"], date(2025, 3, 1))
    response = await reporting["http"].get(
        "/api/v1/reporting/unit-figures.xlsx",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-10-01", "to": "2025-10-31"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "so-lieu-to-chuc-cong-doan-20251001-20251031.xlsx" in response.headers["content-disposition"]
    strings, sheet = opened(response.content)
    for text in (
        "SỐ LIỆU TỔ CHỨC CÔNG ĐOÀN",
        "Công đoàn UNX-P1",
        "Từ ngày 01/10/2025 đến ngày 31/10/2025",
        "I. Đơn vị đang hoạt động theo loại",
        "Liên đoàn Lao động tỉnh, thành phố",
        "Công đoàn cơ sở",
        "Doanh nghiệp có vốn đầu tư nước ngoài",
        "Đơn vị thành lập mới",
        "IV. Công đoàn cơ sở theo số đoàn viên cuối ngày 31/10/2025",
        "Từ 1 đến 9 đoàn viên",
        "Đầu kỳ",
        "Cuối kỳ",
        "Tổng cộng",
        "TM. BAN THƯỜNG VỤ",
    ):
        assert text in strings, text
    # Units by type: two rows (the province, its grassroots union), summed by formula.
    assert "SUM(C7:C8)" in sheet and "SUM(D7:D8)" in sheet
    assert re.search(r'IF\(N\(\$C\$\d+\)=0,"",C\d+/\$C\$\d+\)', sheet)  # the bands' shares

    pdf = await reporting["http"].get(
        "/api/v1/reporting/unit-figures.pdf",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-10-01", "to": "2025-10-31"},
    )
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF") and b"FontFile2" in pdf.content


async def test_the_targets_progress_as_a_workbook(reporting):
    units = await tree(reporting, "TGX")
    p1, g1 = units["p1"], units["g1"]
    await admit(reporting["db"], g1, date(2025, 7, 1))
    target = {"starts_on": "2025-06-01", "ends_on": "2030-05-31", "members": 4, "admissions": 2}
    saved = await reporting["http"].put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("unit_admin", p1))
    )
    assert saved.status_code == 200, saved.text
    response = await reporting["http"].get(
        "/api/v1/reporting/targets.xlsx", headers=national(), params={"unit_id": str(p1), "term": "2025-2030"}
    )
    assert response.status_code == 200, response.text
    strings, sheet = opened(response.content)
    for text in (
        "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU PHÁT TRIỂN ĐOÀN VIÊN",
        "Công đoàn TGX-P1",
        "Nhiệm kỳ 2025-2030",
        "Số đoàn viên",
        "Kết nạp mới",
        "Chỉ tiêu",
        "Tỷ lệ đạt",
        "TGX-G1 Công đoàn TGX-G1",
        "Cộng các đơn vị trực thuộc",
        "Toàn đơn vị",
    ):
        assert text in strings, text
    # Two heading rows: each group merged over its columns, STT and the unit over both rows.
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"/>', sheet))
    assert {"A5:A6", "B5:B6", "C5:F5", "G5:I5"} <= merged
    # G1: 1 member of 4, 1 admission of 2; the progress is a formula over the row's cells.
    assert 'IF(N(C7)=0,"",E7/C7)</f><v>0.25</v>' in sheet
    assert 'IF(N(G7)=0,"",H7/G7)</f><v>0.5</v>' in sheet
    assert "SUM(C7:C7)" in sheet

    pdf = await reporting["http"].get(
        "/api/v1/reporting/targets.pdf", headers=national(), params={"unit_id": str(p1), "term": "2025-2030"}
    )
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


async def test_bad_input_to_the_new_workbooks_is_a_problem(reporting):
    units = await tree(reporting, "FBAD")
    reversed_ = await reporting["http"].get(
        "/api/v1/reporting/unit-figures.xlsx",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-10-31", "to": "2025-10-01"},
    )
    assert (reversed_.status_code, reversed_.json()["code"], reversed_.json()["field"]) == (
        422,
        "period-reversed",
        "from",
    )
    assert reversed_.headers["content-type"] == "application/problem+json"
    early = await reporting["http"].get(
        "/api/v1/reporting/unit-figures.xlsx",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2020-01-01", "to": "2025-10-01"},
    )
    assert (early.status_code, early.json()["code"], early.json()["earliest"]) == (
        422,
        "before-ledger-start",
        "2025-01-01",
    )
    term = await reporting["http"].get(
        "/api/v1/reporting/targets.xlsx", headers=national(), params={"unit_id": str(units["p1"]), "term": "2025"}
    )
    assert (term.status_code, term.json()["field"]) == (422, "term")
    outside = await reporting["http"].get(
        "/api/v1/reporting/targets.xlsx",
        headers=headers_for(principal("report_viewer", units["p2"])),
        params={"unit_id": str(units["p1"]), "term": "2025-2030"},
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "out-of-scope")
    # The dues report as PDF: each bad input a problem naming its field, in Vietnamese and English.
    for params, status, code, field in (
        ({"from": "2025-11", "to": "2025-10"}, 422, "period-reversed", "from"),
        ({"from": "2025-1", "to": "2025-10"}, 422, None, "from"),
        ({"from": "2022-01", "to": "2025-10"}, 422, "period-too-long", "to"),
        ({"from": "2025-10", "to": "2999-12"}, 422, "date-in-future", "to"),
    ):
        refused = await reporting["http"].get(
            "/api/v1/reporting/dues.pdf", headers=national(), params={"unit_id": str(units["p1"]), **params}
        )
        body = refused.json()
        assert (refused.status_code, body["field"]) == (status, field), refused.text
        assert code is None or body["code"] == code
        assert body["message_vi"] and body["message_en"]
    outside_dues = await reporting["http"].get(
        "/api/v1/reporting/dues.pdf",
        headers=headers_for(principal("report_viewer", units["p2"])),
        params={"unit_id": str(units["p1"]), "from": "2025-10", "to": "2025-10"},
    )
    assert (outside_dues.status_code, outside_dues.json()["code"]) == (403, "out-of-scope")


async def test_the_period_report_counts_grassroots_unions_and_units_established_and_closed(reporting):
    db = reporting["db"]
    units = await tree(reporting, "DGU")
    p1 = units["p1"]
    founded = uuid.uuid4()
    await deliver(db, UnitCreated, state(founded, "DGU-G3", p1, effective_from=date(2025, 10, 5)), date(2025, 10, 5))
    params = {"unit_id": str(p1), "from": "2025-10-01", "to": "2025-10-31"}
    response = await reporting["http"].get("/api/v1/reporting/members/development", headers=national(), params=params)
    assert response.status_code == 200, response.text
    total = response.json()["total"]
    assert (
        total["grassroots_at_start"],
        total["units_established"],
        total["units_closed"],
        total["grassroots_at_end"],
    ) == (1, 1, 0, 2)
    rows = {row["code"]: row for row in response.json()["rows"]}
    assert (rows["DGU-G3"]["grassroots_at_start"], rows["DGU-G3"]["grassroots_at_end"]) == (0, 1)
    # The form's new columns come from its definition alone.
    workbook = await reporting["http"].get(
        "/api/v1/reporting/members/development.xlsx", headers=national(), params=params
    )
    strings, _ = opened(workbook.content)
    for text in ("Tổ chức", "Công đoàn cơ sở cuối kỳ", "Đơn vị thành lập mới"):
        assert text in strings, text


@dataclass
class _Row:
    code: str
    planned: int | None
    done: int
    parts: dict


def test_a_form_is_filled_from_its_definition_alone():
    form = Form(
        "thu",
        "Biểu thử {what}",
        (
            Section(
                "Đơn vị",
                "{row.code}",
                (
                    Column("planned", "Kế hoạch", may_be_empty=True),
                    Column("done", "Thực hiện"),
                    Column("progress", "Tỷ lệ", ratio=("done", "planned")),
                    Column("parts.a", "A", "Chia theo"),
                    Column("share", "Cơ cấu", share_of="done"),
                ),
            ),
        ),
    )
    rows = [_Row("X", 4, 1, {"a": 2}), _Row("Y", None, 3, {})]
    filled = fill(form, ["Đơn vị thử"], [rows], what="một")
    assert filled.title == "Biểu thử một"
    section = filled.sections[0]
    assert [(column.group, column.heading) for column in section.columns][3] == ("Chia theo", "A")
    assert section.rows == [("X", [4, 1, 0.25, 2, 0.25]), ("Y", [None, 3, None, 0, 0.75])]
    assert section.total == ("Tổng cộng", [4, 4, 1.0, 2, 1.0])


def test_grouped_columns_are_drawn_under_their_group_in_two_heading_rows():
    columns = (
        Column("start", "Đầu kỳ"),
        Column("a", "A", "Nhóm 1"),
        Column("b", "B", "Nhóm 1"),
        Column("c", "C", "Nhóm 2"),
        Column("end", "Cuối kỳ"),
        Column("d", "D", "Nhóm 1"),  # the same group again, not adjacent: a run of its own
    )
    assert heading_groups(columns) == [
        (None, 0, 0),
        ("Nhóm 1", 1, 2),
        ("Nhóm 2", 3, 3),
        (None, 4, 4),
        ("Nhóm 1", 5, 5),
    ]
    form = Form("thu", "Biểu thử", (Section("Đơn vị", "{row[code]}", columns),))
    filled = fill(form, ["Đơn vị thử"], [[{"code": "X", "start": 1, "a": 2, "b": 3, "c": 4, "end": 5, "d": 6}]])
    strings, sheet = opened(form_xlsx(filled, date(2026, 1, 1)))
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"/>', sheet))
    # Excel's rows 4 and 5 (under the title and one line) are the headings: STT, the unit, the ungrouped columns
    # over both rows; a group of several columns merged over them; the data below.
    assert {"A4:A5", "B4:B5", "C4:C5", "D4:E4", "G4:G5"} <= merged
    assert not {"F4:F5", "H4:H5", "F4:F4"} & merged
    for text in ("Nhóm 1", "Nhóm 2", "Đầu kỳ", "A", "B", "C", "D"):
        assert f"<t>{text}</t>" in strings, text
    assert "Nhóm 1: A" not in strings
    assert "SUM(C6:C6)" in sheet
    pdf = form_pdf(filled, date(2026, 1, 1))
    assert pdf.startswith(b"%PDF")


async def test_the_period_workbook_has_each_units_target_of_the_term(reporting):
    units = await tree(reporting, "DTG")
    p1, g1 = units["p1"], units["g1"]
    for _ in range(3):
        await admit(reporting["db"], g1, date(2025, 3, 1))
    target = {"starts_on": "2025-06-01", "ends_on": "2030-05-31", "members": 4, "admissions": 2}
    saved = await reporting["http"].put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("unit_admin", p1))
    )
    assert saved.status_code == 200, saved.text
    params = {"unit_id": str(p1), "from": "2025-10-01", "to": "2025-10-31"}
    report = await reporting["http"].get("/api/v1/reporting/members/development", headers=national(), params=params)
    [row] = [row for row in report.json()["rows"] if row["code"] == "DTG-G1"]
    assert (row["target_term"], row["target_members"], row["members_at_end"]) == ("2025-2030", 4, 3)
    assert report.json()["total"]["target_members"] is None  # no target set for the province itself
    # Before the term: no target in force.
    earlier = await reporting["http"].get(
        "/api/v1/reporting/members/development",
        headers=national(),
        params={**params, "from": "2025-03-01", "to": "2025-03-31"},
    )
    assert [r["target_members"] for r in earlier.json()["rows"] if r["code"] == "DTG-G1"] == [None]

    workbook = await reporting["http"].get(
        "/api/v1/reporting/members/development.xlsx", headers=national(), params=params
    )
    assert workbook.status_code == 200, workbook.text
    strings, sheet = opened(workbook.content)
    for text in ("Chỉ tiêu nhiệm kỳ", "Chỉ tiêu đoàn viên", "Đạt (cuối kỳ)", "Tỷ lệ đạt"):
        assert text in strings, text
    # The unit's row: 3 members of the target of 4, the share a formula over the row's own cells.
    assert re.search(r'IF\(N\([A-Z]+7\)=0,"",[A-Z]+7/[A-Z]+7\)</f><v>0\.75</v>', sheet)
    pdf = await reporting["http"].get("/api/v1/reporting/members/development.pdf", headers=national(), params=params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_the_list_of_forms_comes_from_their_definitions_and_routes(reporting):
    response = await reporting["http"].get("/api/v1/reporting/forms", headers=national())
    assert response.status_code == 200, response.text
    forms = {form["id"]: form for form in response.json()}
    assert list(forms) == ["phat-trien-doan-vien", "so-lieu-to-chuc-cong-doan", "so-lieu-doan-vien",
                           "chi-tieu-phat-trien-doan-vien", "doan-phi"]  # fmt: skip
    development = forms["phat-trien-doan-vien"]
    assert development["title"] == "Báo cáo tình hình phát triển đoàn viên"
    columns = {column["key"]: column for column in development["sections"][0]["columns"]}
    assert columns["women.admitted"]["heading"] == "Kết nạp nữ"
    assert columns["grassroots_at_end"]["group"] == "Tổ chức"
    assert columns["target_progress"]["ratio"] == ["members_at_end", "target_members"]
    answers = {answer["format"]: answer for answer in development["answers"]}
    assert {kind: answer["url"] for kind, answer in answers.items()} == {
        "json": "/api/v1/reporting/members/development",
        "xlsx": "/api/v1/reporting/members/development.xlsx",
        "pdf": "/api/v1/reporting/members/development.pdf",
    }
    assert {(p["name"], p["required"]) for p in answers["xlsx"]["parameters"]} == {
        ("unit_id", True),
        ("from", True),
        ("to", True),
    }
    # A parameter of a text is named by what it stands for.
    assert forms["so-lieu-doan-vien"]["title"] == "Số liệu đoàn viên theo tiêu chí"
    assert [answer["format"] for answer in forms["doan-phi"]["answers"]] == ["json", "xlsx", "pdf"]
    # Every form is answered somewhere, and every answer is a route of the API.
    for form in forms.values():
        assert form["answers"], form["id"]
    units = await tree(reporting, "FLIST")
    for form in forms.values():
        for answer in form["answers"]:
            params = {"unit_id": str(units["p1"]), "by": "gender", "term": "2025-2030"}
            params |= {"from": "2025-10", "to": "2025-10"} if form["id"] == "doan-phi" else {}
            params |= {"from": "2025-10-01", "to": "2025-10-31"} if "from" not in params else {}
            wanted = {p["name"] for p in answer["parameters"] if p["required"]}
            found = await reporting["http"].get(
                answer["url"], headers=national(), params={k: v for k, v in params.items() if k in wanted}
            )
            assert found.status_code == 200, (answer["url"], found.text)

    anonymous = await reporting["http"].get("/api/v1/reporting/forms")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")


async def test_bands_follow_members_groups_moved_between_unions_late_units_and_closures(reporting):
    db = reporting["db"]
    units = await tree(reporting, "BST")
    p1, p2, g1, g2 = units["p1"], units["p2"], units["g1"], units["g2"]
    group, late = uuid.uuid4(), uuid.uuid4()
    await deliver(db, UnitCreated, state(group, "BST-G1-T1", g1, "union_group"), date(2025, 1, 1))
    for _ in range(9):
        await admit(db, group, date(2025, 2, 1))
    await admit(db, g1, date(2025, 3, 1))
    # Members of a union that reporting learns of afterwards: counted from their day when it arrives.
    for _ in range(3):
        await admit(db, late, date(2025, 2, 10))
    await deliver(db, UnitCreated, state(late, "BST-G3", p1, effective_from=date(2025, 2, 1)), date(2025, 2, 1))
    # The union group, with its nine members, goes over to the other province's union on 1/4.
    await deliver(
        db,
        UnitMoved,
        state(group, "BST-G2-T1", g2, "union_group", version=2, effective_from=date(2025, 4, 1)),
        date(2025, 4, 1),
        old_parent_id=g1,
        new_parent_id=g2,
    )
    # The first union is dissolved on 1/7 with its one member left in it: it is no longer counted.
    await deliver(
        db,
        UnitDissolved,
        state(g1, "BST-G1", p1, version=2, status="dissolved", effective_from=date(2025, 7, 1)),
        date(2025, 7, 1),
    )

    # The other union reaches ten members on 1/8; a member admitted on 1/5 arrives afterwards: ten from 1/5 on,
    # eleven from 1/8 (its bands of the days after the late one recounted).
    await admit(db, g2, date(2025, 8, 1))
    assert await bands(reporting, p2, "2025-05-01", "2025-05-31") == {1: 1}
    await admit(db, g2, date(2025, 5, 1))

    assert await bands(reporting, p2, "2025-04-01", "2025-04-30") == {1: 1}
    assert await bands(reporting, p2, "2025-05-01", "2025-05-31") == {10: 1}
    assert await bands(reporting, p2, "2025-08-01", "2025-08-31") == {10: 1}
    assert await bands(reporting, p1, "2025-01-01", "2025-01-31") == {0: 1}
    assert await bands(reporting, p1, "2025-02-01", "2025-02-28") == {1: 2}
    assert await bands(reporting, p1, "2025-03-01", "2025-03-31") == {1: 1, 10: 1}
    assert await bands(reporting, p2, "2025-03-01", "2025-03-31") == {0: 1}
    assert await bands(reporting, p1, "2025-04-01", "2025-04-30") == {1: 2}
    assert await bands(reporting, p2, "2025-04-01", "2025-04-30") == {1: 1}
    assert await bands(reporting, p1, "2025-07-01", "2025-07-31") == {1: 1}
    assert await assert_bands_are_the_walk(db) > 100


async def test_the_grassroots_bands_rolled_up_are_the_walk_after_every_story(reporting):
    """Every story of this module (admissions, transfers, moves, units closed, units arriving after their members)
    leaves the bands rolled up on write equal to the walk down the tree's history, for every unit and day."""
    assert await assert_bands_are_the_walk(reporting["db"]) > 100
