"""Nộp cấp trên: a grassroots union records what it transferred, the upper level confirms once; statements add up."""

from __future__ import annotations

import io
import json

from chassis.tables import outbox_events, tree_units
from python_calamine import CalamineWorkbook
from sqlalchemy import select, update

from services.dues.tests.conftest import assert_problem

M = "/api/v1/dues"


def line(member, **values) -> dict:
    return {"member_id": str(member), **values}


async def remit(treasury, unit: str, officer_at: str | None = None, **values):
    body = {
        "unit_id": str(treasury.units[unit]),
        "month_from": "2024-01",
        "month_to": "2024-02",
        "transferred_on": "2024-03-05",
        "amount_vnd": 30_000,
        "reference": "UNC 0012/2024",
    } | values
    return await treasury.http.post(
        f"{M}/remittances", json=body, headers=treasury.as_("dues_officer", officer_at or unit)
    )


async def confirm(treasury, remittance_id: str, officer_at: str, received_on: str = "2024-03-06"):
    return await treasury.http.post(
        f"{M}/remittances/{remittance_id}/confirm",
        json={"received_on": received_on},
        headers=treasury.as_("dues_officer", officer_at),
    )


async def test_a_remittance_is_recorded_by_its_unit_and_confirmed_once_by_the_upper_level(treasury):
    recorded = await remit(treasury, "HNI-A")
    assert recorded.status_code == 201, recorded.text
    remittance = recorded.json()
    assert (remittance["month_from"], remittance["amount_vnd"], remittance["confirmed_at"]) == (
        "2024-01-01",
        30_000,
        None,
    )

    assert_problem(await confirm(treasury, remittance["remittance_id"], "HNI-A"), 403, "out-of-scope", "unit_id")
    assert_problem(
        await confirm(treasury, remittance["remittance_id"], "HCM"), 404, "remittance-not-found", "remittance_id"
    )
    assert_problem(
        await confirm(treasury, remittance["remittance_id"], "HNI", received_on="2024-03-01"),
        422,
        "received-on-out-of-range",
        "received_on",
    )
    confirmed = await confirm(treasury, remittance["remittance_id"], "HNI")
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["received_on"], confirmed.json()["confirmed_by"]) == ("2024-03-06", "dues_officer@HNI")
    again = await confirm(treasury, remittance["remittance_id"], "HNI")
    assert_problem(again, 409, "remittance-already-confirmed", "remittance_id")

    async with treasury.db.transaction() as session:
        events = [
            json.loads(payload)
            for payload in await session.scalars(
                select(outbox_events.c.payload)
                .where(outbox_events.c.event_type.like("dues.collection.remit%"))
                .order_by(outbox_events.c.id)
            )
        ]
    assert [(e["remittance"]["remittance_id"], e["remittance"]["confirmed"]) for e in events] == [
        (remittance["remittance_id"], False),
        (remittance["remittance_id"], True),
    ]

    listed = (
        await treasury.http.get(
            f"{M}/remittances",
            params={"unit_id": str(treasury.units["HNI"])},
            headers=treasury.as_("dues_officer", "HNI"),
        )
    ).json()["items"]
    assert [r["remittance_id"] for r in listed] == [remittance["remittance_id"]]

    # The statement (bảng kê) as .xlsx, headings in Vietnamese, dates dd/mm/yyyy; within the scope only.
    export = await treasury.http.get(
        f"{M}/remittances/export.xlsx",
        params={"unit_id": str(treasury.units["HNI"])},
        headers=treasury.as_("dues_officer", "HNI"),
    )
    assert export.status_code == 200, export.text
    assert export.headers["content-disposition"].endswith("bang-ke-nop-cap-tren.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0].startswith("Bảng kê nộp đoàn phí cấp trên")
    assert rows[2][:4] == ["STT", "Mã đơn vị", "Đơn vị nộp", "Nộp cho"]
    assert rows[3][4:11] == [
        "01/2024",
        "02/2024",
        "05/03/2024",
        "UNC 0012/2024",
        30_000,
        "06/03/2024",
        "dues_officer@HNI",
    ]
    assert (rows[4][0], rows[4][8]) == ("Cộng", 30_000)
    outside = await treasury.http.get(
        f"{M}/remittances/export.xlsx",
        params={"unit_id": str(treasury.units["HNI"])},
        headers=treasury.as_("dues_officer", "HCM"),
    )
    assert_problem(outside, 403, "out-of-scope", "unit_id")


async def test_bad_remittances_are_refused_and_change_nothing(treasury):
    before = await treasury.counts()
    assert_problem(await remit(treasury, "HNI-A", officer_at="HNI"), 403, "remittance-for-another-unit", "unit_id")
    assert_problem(await remit(treasury, "HNI-B", officer_at="HNI-A"), 403, "out-of-scope", "unit_id")
    assert_problem(await remit(treasury, "HNI-A", month_from="2024-03"), 422, "period-reversed", "month_to")
    assert_problem(await remit(treasury, "HNI-A", month_to="2099-01"), 422, "month-in-future", "month_to")
    assert_problem(await remit(treasury, "HNI-A", transferred_on="2099-01-01"), 422, "date-in-future", "transferred_on")
    for values, field in (
        ({"amount_vnd": -1}, "amount_vnd"),
        ({"amount_vnd": 10**15}, "amount_vnd"),
        ({"reference": ""}, "reference"),
        ({"month_from": "2024-13"}, "month_from"),
    ):
        response = await remit(treasury, "HNI-A", **values)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    assert await treasury.counts() == before


async def test_the_reconciliation_shows_due_remitted_and_outstanding_per_unit(treasury):
    a, b = await treasury.member("HNI-A"), await treasury.member("HNI-B")
    # 1 % of 10,000,000 = 100,000 a month, 30 % of it (30,000) due upward; 20,000,000 reaches the cap (180,000).
    for month in ("2023-10", "2023-11"):
        assert (await treasury.record("HNI-A", month, [line(a, salary_vnd=10_000_000)])).status_code == 201
    assert (await treasury.record("HNI-B", "2023-10", [line(b, salary_vnd=20_000_000)])).status_code == 201
    paid = (
        await remit(
            treasury, "HNI-A", month_from="2023-10", month_to="2023-11", amount_vnd=50_000, transferred_on="2023-12-02"
        )
    ).json()
    assert (await confirm(treasury, paid["remittance_id"], "HNI", received_on="2023-12-04")).status_code == 200
    await remit(
        treasury, "HNI-B", month_from="2023-10", month_to="2023-10", amount_vnd=54_000, transferred_on="2023-11-03"
    )

    statement = await treasury.http.get(
        f"{M}/reconciliation",
        params={"unit_id": str(treasury.units["HNI"]), "month_from": "2023-10", "month_to": "2023-11"},
        headers=treasury.as_("dues_officer", "HNI"),
    )
    assert statement.status_code == 200, statement.text
    body = statement.json()
    assert [
        (r["code"], r["due_vnd"], r["remitted_vnd"], r["confirmed_vnd"], r["outstanding_vnd"]) for r in body["lines"]
    ] == [("HNI-A", 60_000, 50_000, 50_000, 10_000), ("HNI-B", 54_000, 54_000, 0, 0)]
    assert (body["due_vnd"], body["remitted_vnd"], body["outstanding_vnd"]) == (114_000, 104_000, 10_000)

    national = (
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["TLD"]), "month_from": "2023-10", "month_to": "2023-11"},
            headers=treasury.as_("dues_officer", "TLD"),
        )
    ).json()
    # At the national centre the province's line is what the province itself owes it (everything its grassroots
    # unions owe upward: no level keeps a part under the seeded policies) and what the province itself remitted.
    assert {r["code"]: (r["due_vnd"], r["remitted_vnd"], r["outstanding_vnd"]) for r in national["lines"]} == {
        "HNI": (114_000, 0, 114_000),
        "HCM": (0, 0, 0),
    }
    assert national["to_upper_level"] is None
    assert (body["to_upper_level"]["code"], body["to_upper_level"]["outstanding_vnd"]) == ("HNI", 114_000)
    own = (
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["HNI-A"]), "month_from": "2023-10", "month_to": "2023-11"},
            headers=treasury.as_("dues_officer", "HNI-A"),
        )
    ).json()
    assert [(r["code"], r["outstanding_vnd"]) for r in own["lines"]] == [("HNI-A", 10_000)]

    export = await treasury.http.get(
        f"{M}/reconciliation/export.xlsx",
        params={
            "unit_id": str(treasury.units["TLD"]),
            "month_from": "2023-10",
            "month_to": "2023-11",
            "by": "grassroots",
        },
        headers=treasury.as_("dues_officer", "TLD"),
    )
    assert export.status_code == 200, export.text
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[2][:3] == ["STT", "Mã đơn vị", "Tên đơn vị"] and "Còn phải nộp (đ)" in rows[2]
    assert [(row[1], row[8]) for row in rows[3:6]] == [("HCM-C", 0), ("HNI-A", 10_000), ("HNI-B", 0)]
    assert rows[6][0] == "Cộng" and rows[6][8] == 10_000

    assert_problem(
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["HNI"]), "month_from": "2023-10", "month_to": "2023-11"},
            headers=treasury.as_("dues_officer", "HCM"),
        ),
        403,
        "out-of-scope",
        "unit_id",
    )
    assert_problem(
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["HNI"]), "month_from": "2023-11", "month_to": "2023-10"},
            headers=treasury.as_("dues_officer", "HNI"),
        ),
        422,
        "period-reversed",
        "month_to",
    )


async def test_a_unit_that_collects_itself_has_its_own_line_and_nothing_counts_twice(treasury):
    member = await treasury.member("HCM-C")
    assert (await treasury.record("HCM-C", "2023-12", [line(member, salary_vnd=10_000_000)])).status_code == 201
    async with treasury.db.transaction() as session:
        await session.execute(
            update(tree_units).where(tree_units.c.unit_id == treasury.units["HCM"]).values(can_collect_dues=True)
        )
    body = (
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["HCM"]), "month_from": "2023-12", "month_to": "2023-12"},
            headers=treasury.as_("dues_officer", "HCM"),
        )
    ).json()
    assert {r["code"]: r["due_vnd"] for r in body["lines"]} == {"HCM": 0, "HCM-C": 30_000}
    assert body["due_vnd"] == 30_000


async def test_an_upper_level_remits_to_its_own_upper_level_which_confirms_and_sees_it_per_child(treasury):
    member = await treasury.member("HCM-C")
    # 1 % of 10,000,000 = 100,000 in 04/2024; 30 % of it (30,000) is due from HCM-C to HCM, and from HCM onward.
    assert (await treasury.record("HCM-C", "2024-04", [line(member, salary_vnd=10_000_000)])).status_code == 201
    period = {"month_from": "2024-04", "month_to": "2024-04", "transferred_on": "2024-05-03"}
    grassroots = (await remit(treasury, "HCM-C", **period, amount_vnd=30_000, reference="UNC HCM-C 04")).json()
    assert grassroots["upper_unit_id"] == str(treasury.units["HCM"])
    assert (await confirm(treasury, grassroots["remittance_id"], "HCM", received_on="2024-05-04")).status_code == 200

    before = await treasury.counts()
    assert_problem(
        await remit(treasury, "HCM", officer_at="TLD", **period), 403, "remittance-for-another-unit", "unit_id"
    )
    assert_problem(await remit(treasury, "TLD", **period), 422, "no-upper-level", "unit_id")
    assert await treasury.counts() == before

    province = await remit(
        treasury, "HCM", **(period | {"transferred_on": "2024-05-10"}), amount_vnd=25_000, reference="UNC HCM 04"
    )
    assert province.status_code == 201, province.text
    upward = province.json()
    assert (upward["unit_id"], upward["upper_unit_id"]) == (str(treasury.units["HCM"]), str(treasury.units["TLD"]))
    # The province's own transfer is confirmed by the national centre, not by itself or the unit below it.
    assert_problem(
        await confirm(treasury, upward["remittance_id"], "HCM", "2024-05-11"), 403, "out-of-scope", "unit_id"
    )
    assert_problem(
        await confirm(treasury, upward["remittance_id"], "HCM-C", "2024-05-11"),
        404,
        "remittance-not-found",
        "remittance_id",
    )
    assert (await confirm(treasury, upward["remittance_id"], "TLD", "2024-05-11")).status_code == 200
    assert_problem(
        await confirm(treasury, upward["remittance_id"], "TLD", "2024-05-12"),
        409,
        "remittance-already-confirmed",
        "remittance_id",
    )

    async def statement(unit: str) -> dict:
        response = await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units[unit]), "month_from": "2024-04", "month_to": "2024-04"},
            headers=treasury.as_("dues_officer", unit),
        )
        assert response.status_code == 200, response.text
        return response.json()

    def figures(line: dict) -> tuple[int, ...]:
        return line["due_vnd"], line["remitted_vnd"], line["confirmed_vnd"], line["outstanding_vnd"]

    national = await statement("TLD")
    assert {r["code"]: figures(r) for r in national["lines"]}["HCM"] == (30_000, 25_000, 25_000, 5_000)
    hcm = await statement("HCM")
    assert {r["code"]: figures(r) for r in hcm["lines"]}["HCM-C"] == (30_000, 30_000, 30_000, 0)
    assert figures(hcm["to_upper_level"]) == (30_000, 25_000, 25_000, 5_000)

    async with treasury.db.transaction() as session:
        events = [
            json.loads(payload)
            for payload in await session.scalars(
                select(outbox_events.c.payload)
                .where(outbox_events.c.event_type.like("dues.collection.remit%"))
                .order_by(outbox_events.c.id)
            )
        ]
    mine = [e for e in events if e["remittance"]["remittance_id"] == upward["remittance_id"]]
    assert [(e["unit_id"], e["remittance"]["upper_unit_id"], e["remittance"]["confirmed"]) for e in mine] == [
        (str(treasury.units["HCM"]), str(treasury.units["TLD"]), False),
        (str(treasury.units["HCM"]), str(treasury.units["TLD"]), True),
    ]


async def test_a_level_that_keeps_a_part_owes_the_rest_upward(treasury):
    member = await treasury.member("HNI-B")
    policy = {
        "effective_from": "2024-05-01",
        "rate_permille": 10,
        "base_salary_vnd": 1_800_000,
        "cap_percent_of_base": 10,
        "grassroots_share_percent": 70,
        "decision": "thử nghiệm phần giữ lại",
        "upper_level_keeps_percent": 40,
    }
    added = await treasury.http.post(f"{M}/policies", json=policy, headers=treasury.as_("dues_officer", "TLD"))
    assert added.status_code == 201, added.text
    assert (await treasury.record("HNI-B", "2024-05", [line(member, salary_vnd=10_000_000)])).status_code == 201
    body = (
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["TLD"]), "month_from": "2024-05", "month_to": "2024-05"},
            headers=treasury.as_("dues_officer", "TLD"),
        )
    ).json()
    # HNI-B owes HNI 30,000; HNI keeps 40 % of it and owes the national centre 18,000.
    assert {r["code"]: r["due_vnd"] for r in body["lines"]}["HNI"] == 18_000
    grassroots = (
        await treasury.http.get(
            f"{M}/reconciliation",
            params={"unit_id": str(treasury.units["HNI"]), "month_from": "2024-05", "month_to": "2024-05"},
            headers=treasury.as_("dues_officer", "HNI"),
        )
    ).json()
    assert {r["code"]: r["due_vnd"] for r in grassroots["lines"]}["HNI-B"] == 30_000
