"""Figures of a subtree by dimension, now and as of a past day in the tree of that day, read through the API."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from datetime import date

import pytest
from contracts.events.members_member_v1 import MemberStatusChanged
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitMerged, UnitMoved, UnitUpdated
from contracts.wellknown import NATIONAL_CENTRE_ID
from reporting.application.read_model import apply_member_changes
from reporting.domain.facts import MemberChange

from services.reporting.tests.figures_support import (
    START,
    admit,
    assert_bands_are_the_walk,
    change,
    deliver,
    national,
    state,
    tree,
)
from tests.support.services import headers_for, principal


async def breakdown(reporting, unit_id, by, as_of: date | None = None, headers=None, **params):
    query = {"unit_id": str(unit_id), "by": by, **params}
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    return await reporting["http"].get(
        "/api/v1/reporting/members/breakdown", params=query, headers=headers or national()
    )


async def figures(reporting, unit_id, by, as_of: date | None = None, **params) -> dict:
    response = await breakdown(reporting, unit_id, by, as_of, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == sum(row["members"] for row in body["rows"])
    return {row["value"]: row["members"] for row in body["rows"] if row["members"]}


async def test_a_subtree_by_each_dimension(reporting):
    db = reporting["db"]
    units = await tree(reporting, "DIM")
    await admit(
        db,
        units["g1"],
        date(2025, 3, 1),
        born=1990,
        ethnicity="Kinh",
        religion="Không",
        education="Đại học",
        nationality="VN",
        has_phone=True,
        has_id_number=True,
        has_photo=True,
    )
    await admit(
        db,
        units["g1"],
        date(2025, 3, 1),
        gender="male",
        born=1960,
        ethnicity="Tày",
        position="Chủ tịch",
        nationality="KR",
        has_phone=False,
        has_id_number=True,
    )
    await admit(db, units["g2"], date(2025, 3, 2), born=2000, status="pending", version=1)

    p1 = units["p1"]
    assert await figures(reporting, p1, "gender") == {"female": 1, "male": 1}
    assert await figures(reporting, p1, "status") == {"active": 2}
    assert await figures(reporting, units["p2"], "status") == {"pending": 1}
    assert await figures(reporting, p1, "age_band", date(2025, 6, 30)) == {"30-39": 1, "ge60": 1}
    assert await figures(reporting, p1, "age_band", date(2025, 6, 30), age_bands=[36, 70]) == {"lt36": 1, "36-69": 1}
    assert await figures(reporting, p1, "ethnicity") == {"Kinh": 1, "Tày": 1}
    assert await figures(reporting, p1, "religion") == {"Không": 1, None: 1}
    assert await figures(reporting, p1, "nationality") == {"VN": 1, "KR": 1}
    assert await figures(reporting, p1, "position") == {"officer": 1, "member": 1}
    assert await figures(reporting, p1, "enterprise_type") == {"foreign_invested": 2}
    assert await figures(reporting, p1, "sector") == {"Dệt may": 2}
    assert await figures(reporting, p1, "employer_size") == {"200-999": 2}
    assert await figures(reporting, p1, "has_phone") == {"yes": 1, "no": 1}
    assert await figures(reporting, p1, "has_photo") == {"yes": 1, "no": 1}
    assert await figures(reporting, p1, "card_status") == {"none": 2}
    country = await figures(reporting, NATIONAL_CENTRE_ID, "status")
    assert country["active"] >= 2 and country["pending"] >= 1

    body = (await breakdown(reporting, p1, "gender")).json()
    assert (body["unit_name"], body["by_label"]) == ("Công đoàn DIM-P1", "Giới tính")
    assert [row["label"] for row in body["rows"]] == ["Nam", "Nữ"]


async def test_a_past_day_in_the_tree_of_that_day(reporting):
    db = reporting["db"]
    units = await tree(reporting, "PAST")
    p1, p2, g1, g2 = units["p1"], units["p2"], units["g1"], units["g2"]
    leaving = await admit(db, g1, date(2025, 3, 1))
    await admit(db, g1, date(2025, 3, 1), gender="male")
    await admit(db, g2, date(2025, 4, 1))
    # G1 moves to the other province from 1/7/2025, then the province it left merges into it from 1/8/2025.
    await deliver(
        db,
        UnitMoved,
        state(
            g1,
            "PAST-G1",
            p2,
            version=2,
            effective_from=date(2025, 7, 1),
            enterprise_type="foreign_invested",
            sector="Dệt may",
            workforce_size=500,
        ),
        date(2025, 7, 1),
        old_parent_id=p1,
        new_parent_id=p2,
    )
    await deliver(
        db,
        UnitMerged,
        state(
            p1,
            "PAST-P1",
            NATIONAL_CENTRE_ID,
            "provincial_federation",
            version=2,
            effective_from=date(2025, 8, 1),
            status="merged",
        ),
        date(2025, 8, 1),
        target_unit_id=p2,
    )
    await change(db, MemberStatusChanged, leaving, g1, date(2025, 9, 1), status="retired", version=3)

    assert await figures(reporting, p1, "gender", date(2025, 3, 1)) == {"female": 1, "male": 1}
    assert await figures(reporting, p1, "gender", date(2025, 6, 30)) == {"female": 1, "male": 1}
    assert await figures(reporting, p2, "gender", date(2025, 6, 30)) == {"female": 1}
    assert await figures(reporting, p1, "gender", date(2025, 7, 1)) == {}
    assert await figures(reporting, p2, "gender", date(2025, 7, 1)) == {"female": 2, "male": 1}
    assert await figures(reporting, p2, "gender", date(2025, 8, 31)) == {"female": 2, "male": 1}
    assert await figures(reporting, p2, "gender") == {"female": 1, "male": 1}
    assert await figures(reporting, p1, "gender") == {}
    assert await figures(reporting, p2, "status") == {"active": 2, "retired": 1}
    # The province's name in its own past: the version in force on the day.
    assert (await breakdown(reporting, p1, "gender", date(2025, 6, 30))).json()["unit_name"] == "Công đoàn PAST-P1"


async def test_a_unit_whose_employer_changes_recounts_its_members_from_that_day(reporting):
    db = reporting["db"]
    units = await tree(reporting, "PROF")
    await admit(db, units["g2"], date(2025, 3, 1))
    await deliver(
        db,
        UnitUpdated,
        state(
            units["g2"],
            "PROF-G2",
            units["p2"],
            version=2,
            effective_from=date(2025, 9, 1),
            enterprise_type="non_state_domestic",
            workforce_size=1500,
        ),
        date(2025, 9, 1),
    )
    assert await figures(reporting, units["p2"], "enterprise_type", date(2025, 8, 31)) == {"state_owned": 1}
    assert await figures(reporting, units["p2"], "enterprise_type") == {"non_state_domestic": 1}
    assert await figures(reporting, units["p2"], "employer_size") == {"ge1000": 1}
    assert await figures(reporting, units["p2"], "employer_size", date(2025, 8, 31)) == {"10-99": 1}
    await admit(db, units["g2"], date(2025, 10, 1))
    country = await figures(reporting, NATIONAL_CENTRE_ID, "enterprise_type", date(2025, 10, 1))
    assert country["non_state_domestic"] >= 2


async def test_the_breakdown_as_a_workbook(reporting):
    units = await tree(reporting, "XLS")
    await admit(reporting["db"], units["g1"], date(2025, 3, 1))
    response = await reporting["http"].get(
        "/api/v1/reporting/members/breakdown.xlsx",
        params={"unit_id": str(units["p1"]), "by": "gender", "as_of": "2025-06-30"},
        headers=national(),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    for text in (
        "SỐ LIỆU ĐOÀN VIÊN THEO GIỚI TÍNH",
        "Công đoàn XLS-P1",
        "Tính đến ngày 30/06/2025",
        "Nữ",
        "Tổng cộng",
        "TM. BAN THƯỜNG VỤ",
    ):
        assert text in strings
    assert "SUM(C6:C7)" in sheet


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"by": "salary"}, 422, None, "by"),
        ({"by": "age_band", "age_bands": [40, 30]}, 422, "invalid-age-bands", "age_bands"),
        ({"by": "age_band", "age_bands": [0]}, 422, "invalid-age-bands", "age_bands"),
        ({"by": "gender", "as_of": "2999-01-01"}, 422, "date-in-future", "as_of"),
        ({"by": "gender", "as_of": "2001-01-01"}, 422, "before-ledger-start", "as_of"),
    ],
)
async def test_bad_requests_are_problems(reporting, params, status, code, field):
    units = await tree(reporting, f"BAD{uuid.uuid4().hex[:4]}")
    await admit(reporting["db"], units["g1"], date(2025, 3, 1))
    response = await reporting["http"].get(
        "/api/v1/reporting/members/breakdown", params={"unit_id": str(units["p1"]), **params}, headers=national()
    )
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    if code:
        assert problem["code"] == code
        assert problem["field"] == field
    else:
        assert field in response.text
    if code == "before-ledger-start":
        assert problem["earliest"] == "2025-01-01" and "01/01/2025" in problem["message_vi"]


async def test_a_subtree_outside_the_callers_scope_is_refused(reporting):
    units = await tree(reporting, "SCOPE")
    response = await breakdown(
        reporting, units["p1"], "gender", headers=headers_for(principal("report_viewer", units["p2"]))
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out-of-scope"


async def test_members_whose_events_overtake_their_units_are_counted_when_the_unit_arrives(reporting):
    db = reporting["db"]
    units = await tree(reporting, "LATE")
    late = uuid.uuid4()
    await admit(db, late, date(2025, 3, 1))
    await admit(db, late, date(2025, 3, 2), gender="male")
    assert await figures(reporting, units["p1"], "gender") == {}
    await deliver(db, UnitCreated, state(late, "LATE-G9", units["p1"], enterprise_type="cooperative"), START)

    assert await figures(reporting, units["p1"], "gender") == {"female": 1, "male": 1}
    assert await figures(reporting, units["p1"], "gender", date(2025, 3, 1)) == {"female": 1}
    assert await figures(reporting, late, "enterprise_type") == {"cooperative": 2}


async def test_two_consumers_applying_polls_at_once_add_up(reporting):
    """Two consumers of the member topic write the same units' and the country's figures at once: each locks them
    in key order, so neither waits for the other forever, and every member is counted once."""
    units = await tree(reporting, "PAIR")
    grassroots = [units["g1"], units["g2"]]

    def poll(count: int) -> list[MemberChange]:
        return [
            MemberChange(
                uuid.uuid4(),
                date(2025, 11, 1 + i % 20),
                uuid.uuid4(),
                grassroots[i % 2],
                "active",
                "female" if i % 3 else "male",
                False,
                2,
                birth_year=1980 + i % 30,
                ethnicity="Kinh",
            )
            for i in range(count)
        ]

    async def consumer(changes: list[MemberChange]) -> None:
        for start in range(0, len(changes), 50):
            async with reporting["db"].transaction() as session:
                await apply_member_changes(session, changes[start : start + 50])

    first, second = poll(300), poll(300)
    await asyncio.gather(consumer(first), consumer(second))
    both = first + second
    assert await figures(reporting, units["p1"], "status") == {"active": 300}
    assert await figures(reporting, units["p2"], "ethnicity") == {"Kinh": 300}
    women = sum(change.gender == "female" for change in both)
    assert await figures(reporting, units["p1"], "gender", date(2025, 11, 30)) == {
        "female": sum(c.gender == "female" for c in both if c.unit_id == units["g1"]),
        "male": sum(c.gender == "male" for c in both if c.unit_id == units["g1"]),
    }
    country = await figures(reporting, NATIONAL_CENTRE_ID, "gender", date(2025, 11, 30))
    assert country["female"] >= women


async def test_the_grassroots_bands_rolled_up_are_the_walk_after_every_story(reporting):
    """Every story of this module (admissions, transfers, moves, units closed, units arriving after their members)
    leaves the bands rolled up on write equal to the walk down the tree's history, for every unit and day."""
    assert await assert_bands_are_the_walk(reporting["db"]) > 100
