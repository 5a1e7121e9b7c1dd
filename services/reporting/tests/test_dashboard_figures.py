"""What a unit's dashboard reads: the subtree's members now (from the figures kept per subtree) and the development
of each month of a period in one answer, both equal to what the other routes say of the same members."""

from __future__ import annotations

from datetime import date

from contracts.events.members_member_v1 import MemberStatusChanged, MemberTransferred
from contracts.wellknown import NATIONAL_CENTRE_ID

from services.reporting.tests.figures_support import admit, change, national, tree
from tests.support.services import headers_for, principal


async def get(reporting, path: str, **params):
    return await reporting["http"].get(f"/api/v1/reporting/{path}", headers=national(), params=params)


async def development_total(reporting, unit_id, first: date, last: date) -> dict:
    response = await get(
        reporting, "members/development", unit_id=str(unit_id), **{"from": first.isoformat(), "to": last.isoformat()}
    )
    assert response.status_code == 200, response.text
    return response.json()["total"]


async def months(reporting, unit_id, first: str, last: str):
    return await get(reporting, "members/development/months", unit_id=str(unit_id), **{"from": first, "to": last})


async def test_each_month_of_a_period_is_the_development_report_of_that_month(reporting):
    db = reporting["db"]
    units = await tree(reporting, "MON")
    g1, g2 = units["g1"], units["g2"]
    moving = await admit(db, g1, date(2025, 2, 10))
    await admit(db, g1, date(2025, 3, 3), gender="male")
    await admit(db, g2, date(2025, 3, 20))
    await change(
        db,
        MemberTransferred,
        moving,
        g2,
        date(2025, 4, 15),
        version=3,
        event_fields={"from_unit_id": g1, "to_unit_id": g2},
    )
    await change(db, MemberStatusChanged, moving, g2, date(2025, 5, 2), status="retired", version=4)

    response = await months(reporting, units["p1"], "2025-02-15", "2025-05-10")
    assert response.status_code == 200, response.text
    series = response.json()["months"]
    assert [(m["from"], m["to"]) for m in series] == [
        ("2025-02-15", "2025-02-28"),
        ("2025-03-01", "2025-03-31"),
        ("2025-04-01", "2025-04-30"),
        ("2025-05-01", "2025-05-10"),
    ]
    for month in series:
        alone = await development_total(
            reporting, units["p1"], date.fromisoformat(month["from"]), date.fromisoformat(month["to"])
        )
        assert {k: v for k, v in month.items() if k not in ("from", "to")} == alone
    # Province 1 had one woman from 10/02; a man joined in March; the woman left for province 2 in April.
    assert [(m["members_at_start"], m["members_at_end"]) for m in series] == [(1, 1), (1, 2), (2, 1), (1, 1)]
    assert [m["admitted"] for m in series] == [0, 1, 0, 0]
    assert [m["transferred_out"] for m in series] == [0, 0, 1, 0]
    assert series[2]["women"]["transferred_out"] == 1
    # The national centre's series sees the transfer as no movement at all, and the retirement in May.
    country = (await months(reporting, NATIONAL_CENTRE_ID, "2025-04-01", "2025-05-31")).json()["months"]
    assert [(m["transferred_out"], m["retired"]) for m in country] == [(0, 0), (0, 1)]


async def test_a_series_longer_than_three_years_reversed_or_out_of_scope_is_a_problem(reporting):
    units = await tree(reporting, "MOX")
    too_long = await months(reporting, units["p1"], "2023-01-01", "2026-01-31")
    assert too_long.status_code == 422
    assert (too_long.json()["code"], too_long.json()["field"]) == ("period-too-long", "to")
    reversed_ = await months(reporting, units["p1"], "2025-06-01", "2025-05-01")
    assert (reversed_.status_code, reversed_.json()["field"]) == (422, "from")
    outside = await reporting["http"].get(
        "/api/v1/reporting/members/development/months",
        headers=headers_for(principal("report_viewer", units["p2"])),
        params={"unit_id": str(units["p1"]), "from": "2025-01-01", "to": "2025-01-31"},
    )
    assert (outside.status_code, outside.json()["code"]) == (403, "out-of-scope")


async def test_the_subtree_summary_is_its_figures_now(reporting):
    db = reporting["db"]
    units = await tree(reporting, "SUM")
    await admit(db, units["g1"], date(2025, 6, 1))
    await admit(db, units["g1"], date(2025, 6, 2), gender="male", nationality="KR", is_foreign=True)
    away = await admit(db, units["g2"], date(2025, 6, 3))
    await admit(db, units["g1"], date(2025, 6, 4), status="pending", version=1)
    await change(db, MemberStatusChanged, away, units["g2"], date(2025, 7, 1), status="suspended", version=3)

    response = await get(reporting, f"units/{units['p1']}/member-summary", subtree="true")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["scope"], summary["members"], summary["female"], summary["foreign"]) == ("subtree", 2, 1, 1)
    assert summary["by_status"] == {"active": 2, "pending": 1}
    assert summary["cards"] == {"requested": 0, "printed": 0, "delivered": 0}
    # The grassroots union alone reads its own counts, and agrees.
    alone = (await get(reporting, f"units/{units['g1']}/member-summary", subtree="false")).json()
    assert {k: v for k, v in alone.items() if k != "scope"} == {
        k: v for k, v in summary.items() if k not in ("scope", "unit_id")
    } | {"unit_id": str(units["g1"])}
    # A suspended member still counts.
    other = (await get(reporting, f"units/{units['p2']}/member-summary", subtree="true")).json()
    assert (other["members"], other["by_status"]) == (1, {"suspended": 1})
