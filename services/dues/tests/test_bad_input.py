"""Every bad input issue 15 lists, in one place: each refused with problem+json (Vietnamese and English, the field
named, why), and nothing changed anywhere (records, lines, arrears, remittances, policies, events)."""

from __future__ import annotations

from datetime import UTC, datetime

from chassis.tables import outbox_events
from contracts.events.members_member_v1 import MemberTransferred
from dues.adapters.tables import (
    dues_arrears,
    dues_arrears_units,
    dues_collections,
    dues_lines,
    dues_policies,
    dues_remittances,
)
from dues.domain.model import next_month, today_in_vietnam
from sqlalchemy import func, select

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def state(treasury) -> tuple:
    """Everything a refused request could have changed."""
    async with treasury.db.transaction() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (dues_collections, dues_lines, dues_arrears, dues_policies, dues_remittances, outbox_events)
        ]
        owed = await session.scalar(select(func.coalesce(func.sum(dues_arrears_units.c.owed_vnd), 0)))
        confirmations = list(
            await session.execute(
                select(
                    dues_remittances.c.remittance_id, dues_remittances.c.received_on, dues_remittances.c.confirmed_by
                ).order_by(dues_remittances.c.remittance_id)
            )
        )
    return (*counts, owed, confirmations)


def refused_by_schema(response, field: str) -> None:
    """A value the request's schema refuses: problem+json in both languages, the field named."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["message_vi"] and problem["message_en"], problem
    assert problem["errors"][0]["field"] == field, problem


async def remit(treasury, unit: str, officer_at: str | None = None, **values):
    body = {
        "unit_id": str(treasury.units[unit]),
        "month_from": "2024-01",
        "month_to": "2024-01",
        "transferred_on": "2024-02-05",
        "amount_vnd": 9_000,
        "reference": "UNC 01/2024",
    } | values
    return await treasury.http.post(
        f"{M}/remittances", json=body, headers=treasury.as_("dues_officer", officer_at or unit)
    )


async def test_negative_or_absurd_amounts_are_refused_and_change_nothing(treasury):
    member = await treasury.member("HNI-A")
    before = await state(treasury)
    for values, field in (
        ({"salary_vnd": 5_000_000, "paid_vnd": -1}, "lines.0.paid_vnd"),
        ({"salary_vnd": -1}, "lines.0.salary_vnd"),
        ({"salary_vnd": 5_000_000, "paid_vnd": 10**12}, "lines.0.paid_vnd"),
        ({"salary_vnd": 10**15}, "lines.0.salary_vnd"),
        ({"salary_vnd": "năm triệu"}, "lines.0.salary_vnd"),
    ):
        refused_by_schema(await treasury.record("HNI-A", "2024-01", [line(member, **values)]), field)
    # Within the bounds, yet more than the member earns: refused by the rules.
    absurd = await treasury.record(
        "HNI-A", "2024-01", [line(member, salary_vnd=100_000, paid_vnd=500_000)], above_norm_decision="NQ 01/2024"
    )
    assert assert_problem(absurd, 422, "dues-lines-refused", "lines[0].paid_vnd")["errors"][0]["code"] == (
        "paid-above-salary"
    )
    for amount in (-1, 0, 10**15):
        refused_by_schema(await remit(treasury, "HNI-A", amount_vnd=amount), "amount_vnd")
    assert await state(treasury) == before


async def test_a_payment_above_the_norm_needs_the_units_decision(treasury):
    member = await treasury.member("HNI-A")
    before = await state(treasury)
    # 1 % of 5,000,000 = 50,000 is the norm in 02/2024; 60,000 is above it.
    refused = await treasury.record("HNI-A", "2024-02", [line(member, salary_vnd=5_000_000, paid_vnd=60_000)])
    problem = assert_problem(refused, 422, "dues-lines-refused", "lines[0].paid_vnd")
    assert problem["errors"][0]["code"] == "above-norm-without-decision"
    assert "above_norm_decision" in problem["errors"][0]["message_vi"]
    assert await state(treasury) == before
    decided = await treasury.record(
        "HNI-A",
        "2024-02",
        [line(member, salary_vnd=5_000_000, paid_vnd=60_000)],
        above_norm_decision="Nghị quyết 02/NQ-CĐCS",
    )
    assert decided.status_code == 201, decided.text
    assert (decided.json()["collected_vnd"], decided.json()["upper_share_vnd"]) == (60_000, 15_000)


async def test_a_month_in_the_future_is_refused_everywhere(treasury):
    member = await treasury.member("HNI-B")
    coming = next_month(today_in_vietnam().replace(day=1)).strftime("%Y-%m")
    before = await state(treasury)
    for month in (coming, "2099-12"):
        assert_problem(
            await treasury.record("HNI-B", month, [line(member, salary_vnd=5_000_000)]), 422, "month-in-future", "month"
        )
        assert_problem(
            await remit(treasury, "HNI-B", month_from="2024-01", month_to=month), 422, "month-in-future", "month_to"
        )
        preview = await treasury.http.post(
            f"{M}/payroll/preview",
            data={"unit_id": str(treasury.units["HNI-B"]), "month": month},
            files={"file": ("luong.csv", "Mã đoàn viên,Tiền lương\n".encode(), "text/csv")},
            headers=treasury.as_("dues_officer", "HNI-B"),
        )
        assert_problem(preview, 422, "month-in-future", "month")
    assert_problem(await remit(treasury, "HNI-B", transferred_on="2099-01-01"), 422, "date-in-future", "transferred_on")
    assert await state(treasury) == before


async def test_a_member_not_in_the_unit_that_month_is_refused(treasury):
    elsewhere, mover = await treasury.member("HCM-C"), await treasury.member("HNI-A")
    # The mover left HNI-A for HNI-B on 10/03/2024 (Vietnam time): HNI-A's member in February, not in March.
    await treasury.change(
        mover,
        MemberTransferred,
        "active",
        datetime(2024, 3, 10, 3, tzinfo=UTC),
        unit="HNI-B",
        from_unit_id=treasury.units["HNI-A"],
        to_unit_id=treasury.units["HNI-B"],
    )
    before = await state(treasury)
    for unit, month, member in (
        ("HNI-A", "2024-03", elsewhere),
        ("HNI-A", "2024-03", mover),
        ("HNI-B", "2024-02", mover),
    ):
        refused = await treasury.record(unit, month, [line(member, salary_vnd=5_000_000)])
        problem = assert_problem(refused, 422, "dues-lines-refused", "lines[0].member_id")
        assert [e["code"] for e in problem["errors"]] == ["member-not-in-unit"]
    assert await state(treasury) == before
    assert (await treasury.record("HNI-B", "2024-03", [line(mover, salary_vnd=5_000_000)])).status_code == 201


async def test_a_remittance_by_a_unit_for_another_unit_is_refused(treasury):
    before = await state(treasury)
    # The upper level for a unit below it, a unit for its sibling, a province for the other province.
    assert_problem(await remit(treasury, "HNI-A", officer_at="HNI"), 403, "remittance-for-another-unit", "unit_id")
    assert_problem(await remit(treasury, "HNI", officer_at="TLD"), 403, "remittance-for-another-unit", "unit_id")
    assert_problem(await remit(treasury, "HNI-B", officer_at="HNI-A"), 403, "out-of-scope", "unit_id")
    assert_problem(await remit(treasury, "HCM", officer_at="HNI"), 403, "out-of-scope", "unit_id")
    assert await state(treasury) == before


async def test_a_second_confirmation_is_refused_and_the_first_stands(treasury):
    recorded = await remit(treasury, "HCM-C", reference="UNC HCM-C 01")
    assert recorded.status_code == 201, recorded.text
    remittance_id = recorded.json()["remittance_id"]
    path = f"{M}/remittances/{remittance_id}/confirm"
    first = await treasury.http.post(
        path, json={"received_on": "2024-02-06"}, headers=treasury.as_("dues_officer", "HCM")
    )
    assert first.status_code == 200, first.text
    before = await state(treasury)
    for officer_at, day in (("HCM", "2024-02-07"), ("TLD", "2024-02-06")):
        again = await treasury.http.post(
            path, json={"received_on": day}, headers=treasury.as_("dues_officer", officer_at)
        )
        problem = assert_problem(again, 409, "remittance-already-confirmed", "remittance_id")
        assert "dues_officer@HCM" in problem["message_vi"]
    assert await state(treasury) == before
