"""Đoàn phí: a grassroots union records a month, the norm and the shares follow the month's policy."""

from __future__ import annotations

import asyncio
import json

from chassis.spreadsheets import Limits, open_spreadsheet
from chassis.tables import outbox_events
from sqlalchemy import select

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def test_a_month_is_recorded_with_the_norm_and_the_shares(treasury):
    paying, capped, suspended, no_income, generous = (
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A", "suspended"),
        await treasury.member("HNI-A"),
        await treasury.member("HNI-A"),
    )

    response = await treasury.record(
        "HNI-A",
        "2025-10",
        [
            line(paying, salary_vnd=10_000_000),
            line(capped, salary_vnd=60_000_000),
            line(suspended),
            line(no_income, exemption="no_income"),
            line(generous, salary_vnd=10_000_000, paid_vnd=80_000),
        ],
        above_norm_decision="Nghị quyết 05/NQ-CĐCS ngày 02/01/2025",
    )

    assert response.status_code == 201, response.text
    month = response.json()
    # 0.5 % since 7/2025, at most 10 % of 2,340,000; 30 % of what is paid within the norm goes up.
    assert (month["policy_from"], month["members_paid"], month["members_exempt"]) == ("2025-07-01", 3, 2)
    assert (month["members_unpaid"], month["owed_vnd"]) == (0, 0)
    assert (month["norm_vnd"], month["collected_vnd"]) == (50_000 + 234_000 + 50_000, 50_000 + 234_000 + 80_000)
    assert (month["upper_share_vnd"], month["grassroots_share_vnd"]) == (100_200, 364_000 - 100_200)
    detail = (
        await treasury.http.get(f"{M}/months/{month['collection_id']}", headers=treasury.as_("dues_officer", "HNI"))
    ).json()
    by_member = {row["member_id"]: row for row in detail["lines"]}
    assert by_member[str(suspended)]["exemption"] == "suspended" and by_member[str(suspended)]["paid_vnd"] == 0
    assert (by_member[str(generous)]["norm_vnd"], by_member[str(generous)]["upper_share_vnd"]) == (50_000, 15_000)
    async with treasury.db.transaction() as session:
        [payload] = await session.scalars(
            select(outbox_events.c.payload).where(outbox_events.c.message_key == str(treasury.units["HNI-A"]))
        )
    event = json.loads(payload)
    assert (event["collection"]["collected_vnd"], event["collection"]["month"]) == (364_000, "2025-10-01")


async def test_the_policy_in_force_on_the_first_of_the_month_applies(treasury):
    member = await treasury.member("HNI-A")
    june = (await treasury.record("HNI-A", "2025-06", [line(member, salary_vnd=10_000_000)])).json()
    assert (june["policy_from"], june["norm_vnd"], june["upper_share_vnd"]) == ("2024-07-01", 100_000, 30_000)


async def test_a_month_is_corrected_by_a_new_record_never_edited(treasury):
    member = await treasury.member("HNI-B")
    first = (await treasury.record("HNI-B", "2025-09", [line(member, salary_vnd=8_000_000)])).json()

    again = await treasury.record("HNI-B", "2025-09", [line(member, salary_vnd=9_000_000)])
    assert (
        assert_problem(again, 409, "month-already-recorded", "corrects_id")["collection_id"] == first["collection_id"]
    )
    corrected = await treasury.record(
        "HNI-B", "2025-09", [line(member, salary_vnd=9_000_000)], corrects_id=first["collection_id"]
    )
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["norm_vnd"], corrected.json()["corrects_id"]) == (45_000, first["collection_id"])

    months = (
        await treasury.http.get(
            f"{M}/months",
            params={"unit_id": str(treasury.units["HNI-B"]), "month": "2025-09", "include_superseded": "true"},
            headers=treasury.as_("dues_officer", "HNI-B"),
        )
    ).json()["items"]
    assert {(m["collection_id"], m["status"]) for m in months} == {
        (first["collection_id"], "superseded"),
        (corrected.json()["collection_id"], "recorded"),
    }
    nothing = await treasury.record(
        "HNI-B", "2025-05", [line(member, salary_vnd=1)], corrects_id=first["collection_id"]
    )
    assert_problem(nothing, 422, "nothing-to-correct", "corrects_id")
    stale = await treasury.record("HNI-B", "2025-09", [line(member, salary_vnd=1)], corrects_id=first["collection_id"])
    assert_problem(stale, 409, "month-already-recorded", "corrects_id")


async def test_two_officers_recording_the_same_month_at_once_make_one_record(treasury):
    member = await treasury.member("HCM-C")
    responses = await asyncio.gather(
        *(treasury.record("HCM-C", "2025-07", [line(member, salary_vnd=salary)]) for salary in (7_000_000, 8_000_000))
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    conflict = next(r for r in responses if r.status_code == 409)
    assert_problem(conflict, 409, "month-already-recorded", "corrects_id")
    months = (
        await treasury.http.get(
            f"{M}/months",
            params={"unit_id": str(treasury.units["HCM-C"]), "month": "2025-07", "include_superseded": "true"},
            headers=treasury.as_("dues_officer", "HCM-C"),
        )
    ).json()["items"]
    assert len(months) == 1


async def test_bad_input_is_refused_and_changes_nothing(treasury):
    mine, theirs = await treasury.member("HNI-A"), await treasury.member("HNI-B")
    resting = await treasury.member("HNI-A", "suspended")
    retired = await treasury.member("HNI-A", "retired")
    before = await treasury.counts()

    refused = await treasury.record(
        "HNI-A",
        "2025-08",
        [
            line(mine),
            line(theirs, salary_vnd=1),
            line(resting, exemption="no_income"),
            line(retired, salary_vnd=1),
            line(mine.__class__(int=mine.int + 1), salary_vnd=1),
        ],
    )
    problem = assert_problem(refused, 422, "dues-lines-refused", "lines[0].salary_vnd")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("lines[0].salary_vnd", "salary-required"),
        ("lines[1].member_id", "member-not-in-unit"),
        ("lines[2].exemption", "suspended-member"),
        ("lines[3].member_id", "member-not-paying"),
        ("lines[4].member_id", "member-not-in-unit"),
    ]
    not_resting = await treasury.record("HNI-A", "2025-08", [line(mine, exemption="suspended")])
    assert_problem(not_resting, 422, "dues-lines-refused", "lines[0].exemption")
    assert_problem(
        await treasury.http.post(
            f"{M}/months",
            json={"unit_id": str(treasury.units["HNI"]), "month": "2025-08", "lines": [line(mine, salary_vnd=1)]},
            headers=treasury.as_("dues_officer", "HNI"),
        ),
        422,
        "unit-cannot-collect-dues",
        "unit_id",
    )
    assert_problem(
        await treasury.http.post(
            f"{M}/months",
            json={"unit_id": str(treasury.units["HNI-A"]), "month": "2025-08", "lines": [line(mine, salary_vnd=1)]},
            headers=treasury.as_("dues_officer", "HCM"),
        ),
        403,
        "out-of-scope",
        "unit_id",
    )
    assert_problem(
        await treasury.record("HNI-A", "2099-01", [line(mine, salary_vnd=1)]), 422, "month-in-future", "month"
    )
    assert_problem(
        await treasury.record("HNI-A", "2022-12", [line(mine, salary_vnd=1)]), 422, "no-policy-for-month", "month"
    )
    for month, lines, field in (
        ("2025-13", [line(mine, salary_vnd=1)], "month"),
        ("0000-01", [line(mine, salary_vnd=1)], "month"),  # no year 0 in a date
        ("2025-08", [], "lines"),
        ("2025-08", [line(mine, salary_vnd=1), line(mine, salary_vnd=2)], "lines"),
        ("2025-08", [line(mine, salary_vnd=-1)], "lines.0.salary_vnd"),
        ("2025-08", [line(mine, exemption="Nghỉ lễ")], "lines.0.exemption"),  # not a reason's code
        ("2025-08", [line(mine, exemption="holiday")], "lines[0].exemption"),  # not on the month's policy's list
    ):
        response = await treasury.record("HNI-A", month, lines)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field, response.json()
    for path in ("months", "summary"):
        response = await treasury.http.get(
            f"{M}/{path}",
            params={"month": "0000-01", "unit_id": str(treasury.units["HNI-A"])},
            headers=treasury.as_("dues_officer", "HNI-A"),
        )
        assert (response.status_code, response.json()["field"]) == (422, "month"), response.text
    assert await treasury.counts() == before


async def test_the_subtree_summary_adds_up_the_live_records(treasury):
    a, b = await treasury.member("HNI-A"), await treasury.member("HNI-B")
    elsewhere = await treasury.member("HCM-C")
    first_a = (await treasury.record("HNI-A", "2025-11", [line(a, salary_vnd=4_000_000)])).json()
    live_a = (
        await treasury.record("HNI-A", "2025-11", [line(a, salary_vnd=6_000_000)], corrects_id=first_a["collection_id"])
    ).json()
    live_b = (await treasury.record("HNI-B", "2025-11", [line(b, exemption="no_income")])).json()
    await treasury.record("HCM-C", "2025-11", [line(elsewhere, salary_vnd=50_000_000)])

    summary = await treasury.http.get(
        f"{M}/summary",
        params={"unit_id": str(treasury.units["HNI"]), "month": "2025-11"},
        headers=treasury.as_("report_viewer", "HNI"),
    )
    assert summary.status_code == 403  # reading dues needs a dues role
    summary = (
        await treasury.http.get(
            f"{M}/summary",
            params={"unit_id": str(treasury.units["HNI"]), "month": "2025-11"},
            headers=treasury.as_("dues_officer", "HNI"),
        )
    ).json()
    assert {
        key: summary[key]
        for key in (
            "units_collecting",
            "units_reported",
            "members_paid",
            "collected_vnd",
            "upper_share_vnd",
            "grassroots_share_vnd",
        )
    } == {
        "units_collecting": 2,
        "units_reported": 2,
        "members_paid": 1,
        "collected_vnd": 30_000,
        "upper_share_vnd": 9_000,
        "grassroots_share_vnd": 21_000,
    }
    # The other members of the two units (of earlier tests) are accounted for too: unpaid, or exempt.
    for key in ("members_exempt", "members_unpaid", "owed_vnd"):
        assert summary[key] == live_a[key] + live_b[key], key
    national = (
        await treasury.http.get(
            f"{M}/summary",
            params={"unit_id": str(treasury.units["TLD"]), "month": "2025-11"},
            headers=treasury.as_("dues_officer", "TLD"),
        )
    ).json()
    assert (national["units_collecting"], national["collected_vnd"]) == (3, 30_000 + 234_000)
    outside = await treasury.http.get(
        f"{M}/summary",
        params={"unit_id": str(treasury.units["HNI"]), "month": "2025-11"},
        headers=treasury.as_("dues_officer", "HCM"),
    )
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    theirs = (
        await treasury.http.get(f"{M}/months", params={"month": "2025-11"}, headers=treasury.as_("dues_officer", "HCM"))
    ).json()["items"]
    assert {m["unit_id"] for m in theirs} == {str(treasury.units["HCM-C"])}
    # A unit's own months (the year's screen of a grassroots union) or its subtree's.
    for unit, subtree, expected in (
        ("HNI", "true", {"HNI-A", "HNI-B"}),
        ("HNI", "false", set()),
        ("HNI-A", "false", {"HNI-A"}),
    ):
        listed = await treasury.http.get(
            f"{M}/months",
            params={"unit_id": str(treasury.units[unit]), "month": "2025-11", "subtree": subtree},
            headers=treasury.as_("dues_officer", "HNI"),
        )
        assert {m["unit_id"] for m in listed.json()["items"]} == {str(treasury.units[u]) for u in expected}, listed.text


async def test_policies_are_added_nationally_and_never_edited(treasury):
    policy = {
        "effective_from": "2027-01-01",
        "rate_permille": 5,
        "base_salary_vnd": 2_530_000,
        "cap_percent_of_base": 10,
        "grassroots_share_percent": 70,
        "decision": "thử nghiệm",
    }
    province = await treasury.http.post(f"{M}/policies", json=policy, headers=treasury.as_("dues_officer", "HNI"))
    assert_problem(province, 403, "out-of-scope", "unit_id")
    added = await treasury.http.post(f"{M}/policies", json=policy, headers=treasury.as_("dues_officer", "TLD"))
    assert added.status_code == 201, added.text
    assert [p["effective_from"] for p in added.json()] == [
        "2023-01-01",
        "2023-07-01",
        "2024-07-01",
        "2025-07-01",
        "2027-01-01",
    ]
    again = await treasury.http.post(
        f"{M}/policies", json=policy | {"rate_permille": 6}, headers=treasury.as_("dues_officer", "TLD")
    )
    assert_problem(again, 409, "policy-exists", "effective_from")
    mid_month = await treasury.http.post(
        f"{M}/policies", json=policy | {"effective_from": "2027-02-15"}, headers=treasury.as_("dues_officer", "TLD")
    )
    assert mid_month.status_code == 422 and mid_month.json()["errors"][0]["field"] == "effective_from"


async def test_a_recorded_month_downloads_as_a_spreadsheet_within_the_scope(treasury):
    paying, suspended = await treasury.member("HNI-A"), await treasury.member("HNI-A", "suspended")
    month = (await treasury.record("HNI-A", "2025-09", [line(paying, salary_vnd=10_000_000), line(suspended)])).json()
    path = f"{M}/months/{month['collection_id']}/lines.xlsx"
    response = await treasury.http.get(path, headers=treasury.as_("dues_officer", "HNI"))
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith("doan-phi-2025-09.xlsx")
    rows = open_spreadsheet("m.xlsx", response.content, Limits(max_rows=100)).rows()
    assert rows[0][0] == "Đoàn phí tháng 09/2025"
    assert rows[5][:4] == ["STT", "Mã đoàn viên", "Họ và tên", "Tiền lương (đ)"]
    # A row per line of the month (other tests' members of the unit are in it too, as unpaid or exempt lines).
    lines = (
        await treasury.http.get(f"{M}/months/{month['collection_id']}", headers=treasury.as_("dues_officer", "HNI"))
    ).json()["lines"]
    body = [row for row in rows[6:] if row and row[0] != ""]
    assert len(body) == len(lines) >= 2
    assert sorted((row[5], row[6]) for row in body) == sorted((line["norm_vnd"], line["paid_vnd"]) for line in lines)
    assert ("", 50_000, 50_000) in [(row[4], row[5], row[6]) for row in body]
    assert ("Tạm dừng sinh hoạt", 0, 0) in [(row[4], row[5], row[6]) for row in body]
    outside = await treasury.http.get(path, headers=treasury.as_("dues_officer", "HCM"))
    assert outside.status_code == 404


async def test_a_years_summary_downloads_month_by_month(treasury):
    a, b = await treasury.member("HNI-A"), await treasury.member("HNI-B")
    await treasury.record("HNI-A", "2024-03", [line(a, salary_vnd=4_000_000)])
    await treasury.record("HNI-B", "2024-03", [line(b, salary_vnd=4_000_000)])
    await treasury.record("HNI-A", "2024-05", [line(a, exemption="no_income")])
    response = await treasury.http.get(
        f"{M}/summary.xlsx",
        params={"unit_id": str(treasury.units["HNI"]), "year": 2024},
        headers=treasury.as_("dues_officer", "HNI"),
    )
    assert response.status_code == 200, response.text
    rows = open_spreadsheet("y.xlsx", response.content, Limits(max_rows=100)).rows()
    assert rows[3][:4] == ["Tháng", "CĐCS phải thu", "CĐCS đã ghi nhận", "Đoàn viên đóng"]
    months = {row[0]: row for row in rows[4:]}
    assert len(months) == 12
    # 1 % of 4,000,000 each in 3/2024 (before 7/2025's 0.5 %); none recorded in 4/2024.
    assert months["03/2024"][1:4] == [2, 2, 2] and months["03/2024"][6] == 80_000
    assert months["04/2024"][2:7] == [0, 0, 0, 0, 0]
    may = (
        await treasury.http.get(
            f"{M}/summary",
            params={"unit_id": str(treasury.units["HNI"]), "month": "2024-05"},
            headers=treasury.as_("dues_officer", "HNI"),
        )
    ).json()
    assert months["05/2024"][2:5] == [1, may["members_paid"], may["members_exempt"]] and may["members_exempt"] >= 1
    # The same year as the screen reads it: every month (as each month's own summary says it), in one answer.
    year = await treasury.http.get(
        f"{M}/summary/year",
        params={"unit_id": str(treasury.units["HNI"]), "year": 2024},
        headers=treasury.as_("dues_officer", "HNI"),
    )
    assert year.status_code == 200, year.text
    assert [m["month"] for m in year.json()] == [f"2024-{n:02d}-01" for n in range(1, 13)]
    assert year.json()[4] == may
    for path in ("summary.xlsx", "summary/year"):
        outside = await treasury.http.get(
            f"{M}/{path}",
            params={"unit_id": str(treasury.units["HNI"]), "year": 2024},
            headers=treasury.as_("dues_officer", "HCM"),
        )
        assert_problem(outside, 403, "out-of-scope", "unit_id")
