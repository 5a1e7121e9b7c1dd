"""A recorded month accounts for every member of the unit at the month's end: paid, part paid, exempt or unpaid.

The tests of this module share one database and its units: each takes its own months (of 2024).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.events.members_member_v1 import MemberStatusChanged, MemberTransferred

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def lines_of(treasury, month: dict, unit: str) -> dict[str, dict]:
    detail = await treasury.http.get(f"{M}/months/{month['collection_id']}", headers=treasury.as_("dues_officer", unit))
    assert detail.status_code == 200, detail.text
    return {row["member_id"]: row for row in detail.json()["lines"]}


async def test_members_left_out_are_recorded_unpaid_and_every_line_has_an_outcome(treasury):
    full, part, exempt, left_out, resting = (
        await treasury.member("HCM-C"),
        await treasury.member("HCM-C"),
        await treasury.member("HCM-C"),
        await treasury.member("HCM-C"),
        await treasury.member("HCM-C", "suspended"),
    )
    january = await treasury.record(
        "HCM-C", "2024-01", [line(full, salary_vnd=9_000_000), line(left_out, salary_vnd=8_000_000)]
    )
    assert january.status_code == 201, january.text

    # 1 % of salary until 6/2025, at most 10 % of 1,800,000 (from 7/2023).
    february = await treasury.record(
        "HCM-C",
        "2024-02",
        [
            line(full, salary_vnd=9_000_000),
            line(part, salary_vnd=10_000_000, paid_vnd=40_000),
            line(exempt, exemption="social_insurance_benefit"),
        ],
    )
    assert february.status_code == 201, february.text
    month = february.json()
    lines = await lines_of(treasury, month, "HCM-C")
    assert {
        member: (lines[str(member)]["outcome"], lines[str(member)]["norm_vnd"], lines[str(member)]["paid_vnd"])
        for member in (full, part, exempt, left_out, resting)
    } == {
        full: ("paid", 90_000, 90_000),
        part: ("part_paid", 100_000, 40_000),
        exempt: ("exempt", 0, 0),
        resting: ("exempt", 0, 0),
        # Left out: unpaid, owing on the salary of the latest month recorded for them.
        left_out: ("unpaid", 80_000, 0),
    }
    assert lines[str(resting)]["exemption"] == "suspended"
    assert lines[str(left_out)]["salary_vnd"] == 8_000_000
    # Every member of the unit has a line (members of other tests' months included).
    assert len(lines) == month["members_paid"] + month["members_unpaid"] + month["members_exempt"]
    assert month["members_part_paid"] == 1 and month["members_unpaid"] >= 1
    assert month["owed_vnd"] == sum(row["norm_vnd"] - min(row["paid_vnd"], row["norm_vnd"]) for row in lines.values())
    assert month["owed_vnd"] >= 60_000 + 80_000

    # Recorded unpaid on purpose, without a salary: the latest known salary is the basis.
    march = await treasury.record("HCM-C", "2024-03", [line(full, paid_vnd=0)])
    assert march.status_code == 201, march.text
    unpaid = (await lines_of(treasury, march.json(), "HCM-C"))[str(full)]
    assert (unpaid["outcome"], unpaid["salary_vnd"], unpaid["norm_vnd"]) == ("unpaid", 9_000_000, 90_000)


async def test_a_month_follows_who_was_in_the_unit_then_and_may_be_recorded_late(treasury):
    mover = await treasury.member("HNI-A")
    stayer = await treasury.member("HNI-A")
    newcomer = await treasury.member("HNI-A", joined_on=date(2024, 5, 10))
    await treasury.change(
        mover,
        MemberTransferred,
        "active",
        datetime(2024, 4, 15, 3, tzinfo=UTC),
        unit="HNI-B",
        from_unit_id=treasury.units["HNI-A"],
        to_unit_id=treasury.units["HNI-B"],
    )
    await treasury.change(
        stayer, MemberStatusChanged, "retired", datetime(2024, 6, 20, tzinfo=UTC), old_status="active"
    )

    # Months of 2024 recorded in December 2026: late, and still checked against who was where then.
    march = await treasury.record("HNI-A", "2024-03", [line(stayer, salary_vnd=7_000_000)])
    assert march.status_code == 201, march.text
    march_lines = await lines_of(treasury, march.json(), "HNI-A")
    assert march_lines[str(mover)]["outcome"] == "unpaid"  # in HNI-A at the end of March
    assert str(newcomer) not in march_lines  # joined in May

    moved_away = await treasury.record("HNI-A", "2024-04", [line(mover, salary_vnd=7_000_000)])
    problem = assert_problem(moved_away, 422, "dues-lines-refused", "lines[0].member_id")
    assert problem["errors"][0]["code"] == "member-not-in-unit"
    arrived = await treasury.record("HNI-B", "2024-04", [line(mover, salary_vnd=7_000_000)])
    assert arrived.status_code == 201, arrived.text

    june = await treasury.record(
        "HNI-A", "2024-05", [line(stayer, salary_vnd=7_000_000), line(newcomer, salary_vnd=6_000_000)]
    )
    assert june.status_code == 201, june.text
    retired = await treasury.record("HNI-A", "2024-06", [line(stayer, salary_vnd=7_000_000)])
    assert (
        assert_problem(retired, 422, "dues-lines-refused", "lines[0].member_id")["errors"][0]["code"]
        == "member-not-paying"
    )


async def test_bad_amounts_and_payments_above_the_norm_without_a_decision_change_nothing(treasury):
    member, resting = await treasury.member("HNI-B"), await treasury.member("HNI-B", "suspended")
    before = await treasury.counts()

    refused = await treasury.record(
        "HNI-B", "2024-08", [line(member, salary_vnd=10_000_000, paid_vnd=150_000), line(resting, paid_vnd=10_000)]
    )
    problem = assert_problem(refused, 422, "dues-lines-refused", "lines[0].paid_vnd")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("lines[0].paid_vnd", "above-norm-without-decision"),
        ("lines[1].paid_vnd", "exempt-but-paid"),
    ]
    assert "quyết định" in problem["errors"][0]["message_vi"] and "150.000 đ" in problem["errors"][0]["message_vi"]
    above_salary = await treasury.record(
        "HNI-B",
        "2024-08",
        [line(member, salary_vnd=100_000, paid_vnd=200_000)],
        above_norm_decision="Nghị quyết 01/NQ-CĐCS",
    )
    assert (
        assert_problem(above_salary, 422, "dues-lines-refused", "lines[0].paid_vnd")["errors"][0]["code"]
        == "paid-above-salary"
    )
    for lines, field in (
        ([line(member, salary_vnd=1, paid_vnd=-5)], "lines.0.paid_vnd"),
        ([line(member, salary_vnd=1, paid_vnd=10**12)], "lines.0.paid_vnd"),
        ([line(member, salary_vnd=10**15)], "lines.0.salary_vnd"),
    ):
        response = await treasury.record("HNI-B", "2024-08", lines)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    short = await treasury.record("HNI-B", "2024-08", [line(member, salary_vnd=1)], above_norm_decision="x")
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "above_norm_decision"
    assert_problem(
        await treasury.record("HNI-B", "2099-01", [line(member, salary_vnd=1)]), 422, "month-in-future", "month"
    )
    assert await treasury.counts() == before

    decided = await treasury.record(
        "HNI-B",
        "2024-08",
        [line(member, salary_vnd=10_000_000, paid_vnd=150_000)],
        above_norm_decision="Nghị quyết 01/NQ-CĐCS ngày 05/01/2024",
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["above_norm_decision"] == "Nghị quyết 01/NQ-CĐCS ngày 05/01/2024"
