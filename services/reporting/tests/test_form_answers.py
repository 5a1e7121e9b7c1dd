"""One definition per form answers it three ways: the JSON rows of the API (`forms.answer`) and the workbook's cells
(`forms.fill`) give the same figures, read at the paths the list of forms publishes."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from reporting.domain.forms import Column, Section, answer, value_at
from reporting.domain.report_forms import DEVELOPMENT, TARGETS

from services.reporting.tests.figures_support import admit, national, tree
from tests.support.services import headers_for, principal


def sheet_rows(content: bytes) -> dict[str, list]:
    """The workbook's rows by their label (column B): the cells after it, formulas as written."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return {row[1]: list(row[2:]) for row in sheet.iter_rows(values_only=True) if isinstance(row[1], str)}


def assert_same_figures(section: Section, json_row: dict, cells: list) -> None:
    """Each figure the form shows (not a formula) is the JSON row's at the column's path: the JSON leaves out an
    enterprise type nobody is in (0 in the form); a figure that may be empty is empty in both."""
    for column, cell in zip(section.columns, cells, strict=False):
        if column.derived:
            continue
        found = value_at(json_row, column.path)
        if found is None and not column.may_be_empty:
            found = 0
        assert cell == found, (column.key, column.path, cell, found)


async def test_the_development_reports_json_and_workbook_give_the_same_figures(reporting):
    db = reporting["db"]
    units = await tree(reporting, "FJX")
    p1, g1, g2 = units["p1"], units["g1"], units["g2"]
    for day, unit, gender in ((date(2025, 3, 1), g1, "female"), (date(2025, 10, 2), g1, "female"),
                              (date(2025, 10, 3), g1, "male"), (date(2025, 10, 4), g2, "female")):  # fmt: skip
        await admit(db, unit, day, gender=gender)
    target = {"starts_on": "2025-06-01", "ends_on": "2030-05-31", "members": 10, "admissions": 5}
    saved = await reporting["http"].put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("unit_admin", p1))
    )
    assert saved.status_code == 200, saved.text
    params = {"unit_id": str(p1), "from": "2025-10-01", "to": "2025-10-31"}
    body = await reporting["http"].get("/api/v1/reporting/members/development", params=params, headers=national())
    workbook = await reporting["http"].get(
        "/api/v1/reporting/members/development.xlsx", params=params, headers=national()
    )
    assert body.status_code == workbook.status_code == 200, (body.text, workbook.text)
    report, cells = body.json(), sheet_rows(workbook.content)
    section = DEVELOPMENT.sections[0]
    first = next(row for row in report["rows"] if row["unit_id"] == str(g1))
    assert (first["admitted"], first["women"]["admitted"], first["members_at_end"], first["target_members"]) == (
        2,
        1,
        3,
        10,
    )
    for row in report["rows"]:
        assert_same_figures(section, row, cells[f"{row['code']} {row['name']}"])
    assert_same_figures(section, report["total"], cells["Toàn đơn vị"])
    # The list of forms names each column by its path in the JSON answer.
    forms = (await reporting["http"].get("/api/v1/reporting/forms", headers=national())).json()
    published = next(form for form in forms if form["id"] == DEVELOPMENT.code)["sections"][0]["columns"]
    assert [column["key"] for column in published] == [column.path for column in section.columns]
    assert {"admitted", "women.admitted", "members_at_end"} <= {column["key"] for column in published}


async def test_the_targets_json_and_workbook_give_the_same_figures(reporting):
    units = await tree(reporting, "FJT")
    p1, g1 = units["p1"], units["g1"]
    for day in (date(2025, 3, 1), date(2025, 7, 1), date(2025, 8, 1)):
        await admit(reporting["db"], g1, day)
    target = {"starts_on": "2025-06-01", "ends_on": "2030-05-31", "members": 8, "admissions": 3}
    saved = await reporting["http"].put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("unit_admin", p1))
    )
    assert saved.status_code == 200, saved.text
    params = {"unit_id": str(p1), "term": "2025-2030"}
    body = await reporting["http"].get("/api/v1/reporting/targets", params=params, headers=national())
    workbook = await reporting["http"].get("/api/v1/reporting/targets.xlsx", params=params, headers=national())
    assert body.status_code == workbook.status_code == 200, (body.text, workbook.text)
    province, first = body.json()
    assert (first["members"], first["admitted"], first["members_progress"], first["admissions_progress"]) == (
        3,
        2,
        0.375,
        0.6667,
    )
    cells = sheet_rows(workbook.content)
    assert_same_figures(TARGETS.sections[0], first, cells[f"{first['code']} {first['name']}"])
    # The province has no target: the form leaves its counted figures empty, the JSON answers them all the same.
    assert province["target"] is None and cells["Toàn đơn vị"][:3] == [None, None, None]


def test_a_json_row_is_built_from_the_definition_alone():
    section = Section(
        "Đơn vị",
        "{row[name]}",
        (
            Column("counts.done", "Đã làm", answer="done"),
            Column("wanted", "Chỉ tiêu", may_be_empty=True),
            Column("progress", "Tỷ lệ", ratio=("counts.done", "wanted"), answer="progress"),
            Column("share", "Tỷ trọng", share_of="counts.done"),
            Column("parts.a", "Phần A"),
            Column("missing", "Chưa có"),
        ),
        fields=("name", "parts"),
    )
    row = {"name": "A", "counts": {"done": 2}, "wanted": 3, "parts": {"a": 1, "b": 5}}
    assert answer(section, row) == {
        "name": "A",
        "parts": {"a": 1, "b": 5},  # the field whole; its column reads a part
        "done": 2,
        "wanted": 3,
        "progress": 0.6667,
        "missing": 0,
    }
    assert answer(section, {"name": "B", "counts": {"done": 1}})["wanted"] is None
