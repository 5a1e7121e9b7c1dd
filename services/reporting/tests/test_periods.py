"""The period report of member development for every unit under a unit, read through the API."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, timedelta

import sqlalchemy
from contracts.envelope import Envelope
from contracts.events.dues_collection_v1 import (
    DuesMonthRecorded,
    DuesMonthSnapshot,
    DuesRemittanceConfirmed,
    DuesRemitted,
    RemittanceSnapshot,
)
from contracts.events.members_member_v1 import MemberStatusChanged, MemberTransferred
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitCreated, UnitDissolved, UnitMoved
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from reporting.adapters.figures import whole_months, whole_years
from reporting.application.periods import PeriodService
from reporting.application.targets import TargetService
from reporting.entrypoints.consumers import apply_dues_record
from sqlalchemy import event

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


async def development(reporting, unit_id, first: str, last: str, suffix: str = ""):
    return await reporting["http"].get(
        f"/api/v1/reporting/members/development{suffix}",
        headers=national(),
        params={"unit_id": str(unit_id), "from": first, "to": last},
    )


def figures(row: dict) -> dict:
    keys = (
        "members_at_start",
        "admitted",
        "transferred_in",
        "transferred_out",
        "retired",
        "restructured",
        "members_at_end",
    )
    return {key: row[key] for key in keys if row[key]}


async def test_every_unit_under_a_province_for_a_period(reporting):
    db = reporting["db"]
    units = await tree(reporting, "DEV")
    p1, p2, g1, g2 = units["p1"], units["p2"], units["g1"], units["g2"]
    g3 = uuid.uuid4()
    await deliver(db, UnitCreated, state(g3, "DEV-G3", p1, enterprise_type="state_owned"), date(2025, 1, 1))
    staying = await admit(db, g1, date(2025, 3, 1), gender="male")
    moving = await admit(db, g1, date(2025, 3, 1))
    settled = await admit(db, g3, date(2025, 3, 1), gender="male")
    await admit(db, g1, date(2025, 10, 5))
    await change(
        db,
        MemberTransferred,
        moving,
        g3,
        date(2025, 10, 10),
        version=3,
        event_fields={"from_unit_id": g1, "to_unit_id": g3},
    )
    await change(
        db,
        MemberTransferred,
        staying,
        g2,
        date(2025, 10, 12),
        gender="male",
        version=3,
        event_fields={"from_unit_id": g1, "to_unit_id": g2},
    )
    await change(db, MemberStatusChanged, moving, g3, date(2025, 10, 20), status="retired", version=4)

    response = await development(reporting, p1, "2025-10-01", "2025-10-31")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["code"] for row in body["rows"]] == ["DEV-G1", "DEV-G3"]
    first, third = body["rows"]
    assert figures(first) == {"members_at_start": 2, "admitted": 1, "transferred_out": 2, "members_at_end": 1}
    assert figures(third) == {"members_at_start": 1, "transferred_in": 1, "retired": 1, "members_at_end": 1}
    # Within the province the transfer from G1 to G3 is no movement; the one to the other province is.
    assert figures(body["total"]) == {
        "members_at_start": 3,
        "admitted": 1,
        "transferred_out": 1,
        "retired": 1,
        "members_at_end": 2,
    }
    assert (body["total"]["women_at_end"], body["total"]["women"]["admitted"]) == (1, 1)
    assert body["total"]["by_enterprise_type"] == {"foreign_invested": 1, "state_owned": 1}
    assert body["restructured"] is False

    # G3 moves to the other province from 15/11/2025: November's report of each says so, and adds up.
    await deliver(
        db,
        UnitMoved,
        state(g3, "DEV-G3", p2, version=2, effective_from=date(2025, 11, 15), enterprise_type="state_owned"),
        date(2025, 11, 15),
        old_parent_id=p1,
        new_parent_id=p2,
    )
    november = (await development(reporting, p1, "2025-11-01", "2025-11-30")).json()
    assert [row["code"] for row in november["rows"]] == ["DEV-G1", "DEV-G3"]
    assert figures(november["total"]) == {"members_at_start": 2, "restructured": -1, "members_at_end": 1}
    assert november["restructured"] is True
    into = (await development(reporting, p2, "2025-11-01", "2025-11-30")).json()
    assert figures(into["total"]) == {"members_at_start": 1, "restructured": 1, "members_at_end": 2}
    assert [row["code"] for row in into["rows"]] == ["DEV-G2", "DEV-G3"]
    assert settled
    # October, asked again after the move, is still October's tree.
    again = (await development(reporting, p1, "2025-10-01", "2025-10-31")).json()
    assert figures(again["total"]) == figures(body["total"])

    country = (await development(reporting, NATIONAL_CENTRE_ID, "2025-10-01", "2025-10-31")).json()
    row = next(row for row in country["rows"] if row["unit_id"] == str(p1))
    assert figures(row) == figures(body["total"])


async def test_the_period_report_as_a_workbook(reporting):
    units = await tree(reporting, "DEVX")
    await admit(reporting["db"], units["g1"], date(2025, 10, 2))
    response = await development(reporting, units["p1"], "2025-10-01", "2025-10-31", ".xlsx")
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    for text in (
        "BÁO CÁO TÌNH HÌNH PHÁT TRIỂN ĐOÀN VIÊN",
        "Từ ngày 01/10/2025 đến ngày 31/10/2025",
        "Kết nạp",
        "DEVX-G1",
        "Tổng cộng",
        "Toàn đơn vị",
        "Cuối kỳ theo loại hình doanh nghiệp",
        "Doanh nghiệp có vốn đầu tư nước ngoài",
    ):
        assert text in strings, text
    assert "SUM(C7:C7)" in sheet  # below the two heading rows


async def test_a_reversed_or_future_period_is_a_problem(reporting):
    units = await tree(reporting, "DEVB")
    reversed_ = await development(reporting, units["p1"], "2025-10-31", "2025-10-01")
    assert (reversed_.status_code, reversed_.json()["code"], reversed_.json()["field"]) == (
        422,
        "period-reversed",
        "from",
    )
    future = await development(reporting, units["p1"], "2025-10-01", "2999-10-01")
    assert (future.status_code, future.json()["code"]) == (422, "date-in-future")


async def test_the_units_of_a_subtree_for_a_period(reporting):
    db = reporting["db"]
    units = await tree(reporting, "UNI")
    p1, g1 = units["p1"], units["g1"]
    await admit(db, g1, date(2025, 3, 1))
    founded, short_lived = uuid.uuid4(), uuid.uuid4()
    await deliver(db, UnitCreated, state(founded, "UNI-G3", p1, effective_from=date(2025, 10, 5)), date(2025, 10, 5))
    await deliver(
        db,
        UnitCreated,
        state(short_lived, "UNI-G4", p1, effective_from=date(2025, 10, 6), enterprise_type="cooperative"),
        date(2025, 10, 6),
    )
    await deliver(
        db,
        UnitDissolved,
        state(
            short_lived,
            "UNI-G4",
            p1,
            version=2,
            status="dissolved",
            effective_from=date(2025, 10, 20),
            enterprise_type="cooperative",
        ),
        date(2025, 10, 20),
    )

    response = await reporting["http"].get(
        "/api/v1/reporting/unit-figures",
        headers=national(),
        params={"unit_id": str(p1), "from": "2025-10-01", "to": "2025-10-31"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["at_start"] == {
        "by_type": {"provincial_federation": 1, "grassroots_union": 1},
        "grassroots_by_enterprise_type": {"foreign_invested": 1},
    }
    assert body["at_end"] == {
        "by_type": {"provincial_federation": 1, "grassroots_union": 2},
        "grassroots_by_enterprise_type": {"foreign_invested": 1, "": 1},
    }
    assert (body["established"], body["closed"]) == (2, 1)
    sizes = {band["lower"]: band["units"] for band in body["grassroots_by_members"]}
    assert (sizes[0], sizes[1], body["grassroots_without_members"]) == (1, 1, 1)
    assert body["grassroots_by_members"][0]["label"] == "Chưa có đoàn viên"


async def record_dues(reporting, unit_id, month: date, paid: int, collected: int, corrects=None):
    collection = DuesMonthSnapshot(
        collection_id=uuid.uuid4(),
        unit_id=unit_id,
        month=month,
        members_paid=paid,
        members_exempt=1,
        collected_vnd=collected,
        norm_vnd=collected,
        upper_share_vnd=collected * 4 // 10,
        grassroots_share_vnd=collected * 6 // 10,
        corrects_id=corrects,
    )
    event = DuesMonthRecorded(unit_id=unit_id, collection=collection)
    async with reporting["db"].transaction() as session:
        await apply_dues_record(session, event, Envelope.wrap(event, "/services/dues"))
    return collection.collection_id


async def test_dues_of_a_subtree_per_month_with_corrections(reporting):
    units = await tree(reporting, "DUES")
    await admit(reporting["db"], units["g1"], date(2025, 3, 1))
    first = await record_dues(reporting, units["g1"], date(2025, 10, 1), 10, 500_000)
    await record_dues(reporting, units["g2"], date(2025, 10, 1), 5, 250_000)
    await record_dues(reporting, units["g1"], date(2025, 10, 1), 12, 600_000, corrects=first)

    response = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-09", "to": "2025-10"},
    )
    assert response.status_code == 200, response.text
    september, october = response.json()["months"]
    assert (september["month"], september["units_reporting"], september["collected_vnd"]) == ("2025-09", 0, 0)
    assert (
        october["units_reporting"],
        october["members_paid"],
        october["collected_vnd"],
        october["upper_share_vnd"],
        october["grassroots_unions"],
    ) == (1, 12, 600_000, 240_000, 1)
    country = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(NATIONAL_CENTRE_ID), "from": "2025-10", "to": "2025-10"},
    )
    assert country.json()["months"][0]["collected_vnd"] >= 850_000

    wrong = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-13", "to": "2025-10"},
    )
    assert (wrong.status_code, wrong.json()["field"]) == (422, "from")
    reversed_ = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-11", "to": "2025-10"},
    )
    assert reversed_.json()["code"] == "period-reversed"


async def test_targets_set_by_the_level_above_and_their_progress(reporting):
    units = await tree(reporting, "TGT")
    p1, g1 = units["p1"], units["g1"]
    await admit(reporting["db"], g1, date(2025, 3, 1))
    await admit(reporting["db"], g1, date(2025, 3, 1), gender="male")
    await admit(reporting["db"], g1, date(2025, 7, 1))
    target = {"starts_on": "2025-06-01", "ends_on": "2030-05-31", "members": 10, "admissions": 5}
    http = reporting["http"]

    province_admin = headers_for(principal("unit_admin", p1))
    saved = await http.put(f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=province_admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["set_by"] == "officer" and saved.json()["members"] == 10
    own = await http.put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("unit_admin", g1))
    )
    viewer = await http.put(
        f"/api/v1/reporting/targets/{g1}/2025-2030", json=target, headers=headers_for(principal("report_viewer", p1))
    )
    assert own.status_code == viewer.status_code == 403
    reversed_term = await http.put(f"/api/v1/reporting/targets/{g1}/2025-2020", json=target, headers=province_admin)
    assert (reversed_term.status_code, reversed_term.json()["code"]) == (422, "invalid-term")
    wrong = await http.put(f"/api/v1/reporting/targets/{g1}/nhiem-ky", json=target, headers=province_admin)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "term")

    response = await http.get(
        "/api/v1/reporting/targets", params={"unit_id": str(p1), "term": "2025-2030"}, headers=national()
    )
    assert response.status_code == 200, response.text
    province, first = response.json()
    assert province["unit_id"] == str(p1) and province["target"] is None
    assert (first["members_at_start"], first["members"], first["admitted"]) == (2, 3, 1)
    assert (first["members_progress"], first["admissions_progress"]) == (0.3, 0.2)
    assert first["counted_from"] == "2025-06-01"


async def test_days_out_of_any_calendar_are_problems_not_errors(reporting):
    units = await tree(reporting, "EDGE")
    for path, params in (
        ("members/breakdown", {"by": "gender", "as_of": "0001-01-01"}),
        ("members/development", {"from": "0001-01-01", "to": "0001-01-01"}),
        ("unit-figures", {"from": "0001-01-01", "to": "9999-12-31"}),
        ("dues", {"from": "0001-01", "to": "0001-12"}),
        ("dues", {"from": "9999-12", "to": "9999-12"}),
    ):
        response = await reporting["http"].get(
            f"/api/v1/reporting/{path}", headers=national(), params={"unit_id": str(units["p1"]), **params}
        )
        assert response.status_code == 422, (path, params, response.text)


async def test_the_period_report_as_pdf(reporting):
    units = await tree(reporting, "DEVP")
    await admit(reporting["db"], units["g1"], date(2025, 10, 2))
    response = await development(reporting, units["p1"], "2025-10-01", "2025-10-31", ".pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"FontFile2" in response.content  # the embedded font


async def test_dues_recorded_before_the_unit_arrives_are_counted_when_it_does(reporting):
    units = await tree(reporting, "DLATE")
    late = uuid.uuid4()
    await record_dues(reporting, late, date(2025, 10, 1), 3, 150_000)
    await deliver(reporting["db"], UnitCreated, state(late, "DLATE-G9", units["p1"]), date(2025, 1, 1))
    # A unit created since records months before it: its dues and its row are there all the same.
    newer = uuid.uuid4()
    await deliver(reporting["db"], UnitCreated, state(newer, "DLATE-G8", units["p1"]), date(2026, 1, 1))
    await record_dues(reporting, newer, date(2025, 10, 1), 2, 100_000)
    response = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-10", "to": "2025-10"},
    )
    assert response.json()["months"][0]["collected_vnd"] == 250_000
    rows = {row["code"]: row["collected_vnd"] for row in response.json()["rows"]}
    assert (rows["DLATE-G9"], rows["DLATE-G8"]) == (150_000, 100_000)
    assert response.json()["total"]["collected_vnd"] == 250_000


async def test_dues_as_a_workbook_with_the_remittances_and_the_units_below(reporting):
    units = await tree(reporting, "DUESX")
    await record_dues(reporting, units["g1"], date(2025, 10, 1), 7, 350_000)
    await remit(reporting, units["g1"], date(2025, 10, 1), 100_000)
    response = await reporting["http"].get(
        "/api/v1/reporting/dues.xlsx",
        headers=national(),
        params={"unit_id": str(units["p1"]), "from": "2025-09", "to": "2025-10"},
    )
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    for text in (
        "SỐ LIỆU THU ĐOÀN PHÍ",
        "Từ tháng 09/2025 đến tháng 10/2025",
        "10/2025",
        "Nộp cấp trên (đồng)",
        "Đã nộp",
        "Cấp trên đã xác nhận",
        "Còn phải nộp",
        "II. Cả kỳ, theo đơn vị trực thuộc",
        "DUESX-G1 Công đoàn DUESX-G1",
        "Toàn đơn vị",
    ):
        assert text in strings, text
    assert "SUM(G8:G9)" in sheet and "350000" in sheet  # collected, below the section's title and headings
    assert "100000" in sheet and "40000" in sheet  # remitted; outstanding 140,000 - 100,000


COLLECTS = UnitCapabilities(can_collect_dues=True)


async def remit(reporting, unit_id, month: date, amount: int, remittance_id=None, confirmed=False):
    """A remittance of the upper share for `month` (recorded, or its confirmation), applied by the consumer."""
    snapshot = RemittanceSnapshot(
        remittance_id=remittance_id or uuid.uuid4(),
        unit_id=unit_id,
        month_from=month,
        month_to=month,
        transferred_on=date(2025, 11, 5),
        amount_vnd=amount,
        reference="UNC-1",
        confirmed=confirmed,
    )
    kind = DuesRemittanceConfirmed if confirmed else DuesRemitted
    event = kind(unit_id=unit_id, remittance=snapshot)
    async with reporting["db"].transaction() as session:
        await apply_dues_record(session, event, Envelope.wrap(event, "/services/dues"))
    return snapshot.remittance_id


async def dues_of(reporting, unit_id, first: str, last: str) -> dict:
    response = await reporting["http"].get(
        "/api/v1/reporting/dues", headers=national(), params={"unit_id": str(unit_id), "from": first, "to": last}
    )
    assert response.status_code == 200, response.text
    return response.json()


def remitted(values: dict) -> tuple:
    keys = ("collected_vnd", "upper_share_vnd", "remitted_vnd", "confirmed_vnd", "outstanding_vnd")
    return tuple(values[key] for key in keys)


async def test_remittances_of_the_upper_share_per_month_and_per_unit_below(reporting):
    db = reporting["db"]
    units = await tree(reporting, "REMIT")
    district, collects, also, late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # A district collects dues too (for members attached to it directly): what it remits is still forwarded money.
    await deliver(
        db,
        UnitCreated,
        state(district, "REMIT-D", units["p1"], "district_federation", capabilities=COLLECTS),
        date(2025, 1, 1),
    )
    await deliver(db, UnitCreated, state(collects, "REMIT-D-G1", district, capabilities=COLLECTS), date(2025, 1, 1))
    await deliver(db, UnitCreated, state(also, "REMIT-D-G2", district, "professional_union"), date(2025, 1, 1))
    october = date(2025, 10, 1)
    await record_dues(reporting, collects, october, 20, 1_000_000)  # upper share 400,000
    await record_dues(reporting, also, october, 10, 500_000)  # upper share 200,000
    paid = await remit(reporting, collects, october, 400_000)
    await remit(reporting, also, october, 150_000)
    # The district forwarding money to its province is the same money: not counted again.
    await remit(reporting, district, october, 600_000)
    # The confirmation, delivered twice, and the remittance's own event once more after it: counted once, confirmed.
    await remit(reporting, collects, october, 400_000, paid, confirmed=True)
    await remit(reporting, collects, october, 400_000, paid, confirmed=True)
    await remit(reporting, collects, october, 400_000, paid)
    # A remittance that overtakes its unit's creation counts when the unit arrives.
    await remit(reporting, late, october, 50_000)
    await deliver(db, UnitCreated, state(late, "REMIT-D-G3", district), date(2025, 1, 1))

    province = await dues_of(reporting, units["p1"], "2025-09", "2025-10")
    september, month = province["months"]
    assert remitted(september) == (0, 0, 0, 0, 0)
    assert remitted(month) == (1_500_000, 600_000, 600_000, 400_000, 0)
    assert [row["code"] for row in province["rows"]] == ["REMIT-D", "REMIT-G1"]
    assert remitted(province["rows"][0]) == (1_500_000, 600_000, 600_000, 400_000, 0)
    assert remitted(province["total"]) == (1_500_000, 600_000, 600_000, 400_000, 0)
    assert province["total"]["units_reporting"] == 2

    below = await dues_of(reporting, district, "2025-10", "2025-10")
    by_code = {row["code"]: row for row in below["rows"]}
    assert remitted(by_code["REMIT-D-G1"]) == (1_000_000, 400_000, 400_000, 400_000, 0)
    assert remitted(by_code["REMIT-D-G2"]) == (500_000, 200_000, 150_000, 0, 50_000)
    assert remitted(by_code["REMIT-D-G3"]) == (0, 0, 50_000, 0, -50_000)
    assert by_code["REMIT-D-G1"]["grassroots_unions"] == 1
    # Grassroots unions counted by type: the professional union remits its share but is not one of them.
    assert (below["total"]["code"], below["total"]["grassroots_unions"]) == ("REMIT-D", 2)


def test_whole_months_are_their_whole_years_and_the_months_at_their_edges():
    assert whole_years((date(2025, 1, 1), date(2025, 12, 1))) == ((date(2025, 1, 1), date(2025, 1, 1)), [])
    assert whole_years((date(2024, 11, 1), date(2026, 2, 1))) == (
        (date(2025, 1, 1), date(2025, 1, 1)),
        [(date(2024, 11, 1), date(2024, 12, 1)), (date(2026, 1, 1), date(2026, 2, 1))],
    )
    assert whole_years((date(2025, 7, 1), date(2025, 9, 1))) == (None, [(date(2025, 7, 1), date(2025, 9, 1))])
    assert whole_years((date(2025, 2, 1), date(2026, 1, 1))) == (None, [(date(2025, 2, 1), date(2026, 1, 1))])
    assert whole_years((date.min, date(2024, 12, 1))) == ((date.min, date(2024, 1, 1)), [])


def test_a_span_of_days_is_its_whole_months_and_the_days_at_its_edges():
    assert whole_months(date(2025, 2, 27), date(2025, 6, 30)) == (
        (date(2025, 3, 1), date(2025, 6, 1)),
        [(date(2025, 2, 28), date(2025, 2, 28))],
    )
    assert whole_months(date(2025, 2, 28), date(2025, 7, 1)) == (
        (date(2025, 3, 1), date(2025, 6, 1)),
        [(date(2025, 7, 1), date(2025, 7, 1))],
    )
    assert whole_months(date(2025, 11, 30), date(2026, 1, 31)) == ((date(2025, 12, 1), date(2026, 1, 1)), [])
    assert whole_months(date(2025, 3, 3), date(2025, 3, 30)) == (None, [(date(2025, 3, 4), date(2025, 3, 30))])
    assert whole_months(date(2025, 3, 3), date(2025, 3, 3)) == (None, [])
    assert whole_months(None, date(2025, 1, 15)) == (
        (date.min, date(2024, 12, 1)),
        [(date(2025, 1, 1), date(2025, 1, 15))],
    )


async def test_a_period_across_months_counts_its_whole_months_and_its_edge_days(reporting):
    units = await tree(reporting, "SPAN")
    for day in (date(2025, 2, 27), date(2025, 3, 1), date(2025, 3, 31), date(2025, 4, 15), date(2025, 6, 30)):
        await admit(reporting["db"], units["g1"], day)
    await admit(reporting["db"], units["g1"], date(2025, 7, 1))
    # An early period: its start is counted up from the ledger's first day.
    total = (await development(reporting, units["p1"], "2025-02-28", "2025-06-30")).json()["total"]
    assert figures(total) == {"members_at_start": 1, "admitted": 4, "members_at_end": 5}

    # A whole year, and a year and a month: the year read from the year tables.
    for last in ("2025-12-31", "2026-01-31"):
        total = (await development(reporting, units["p1"], "2025-01-01", last)).json()["total"]
        assert figures(total) == {"admitted": 6, "members_at_end": 6}
    total = (await development(reporting, units["p1"], "2025-06-30", "2026-01-31")).json()["total"]
    assert figures(total) == {"members_at_start": 4, "admitted": 2, "members_at_end": 6}

    # A recent period: its start is the figure now less what came since.
    today = vietnamese_today()
    for days_ago in (70, 45, 31, 5):
        await admit(reporting["db"], units["g2"], today - timedelta(days=days_ago))
    first, last = today - timedelta(days=60), today - timedelta(days=10)
    total = (await development(reporting, units["p2"], first.isoformat(), last.isoformat())).json()["total"]
    assert figures(total) == {"members_at_start": 1, "admitted": 2, "members_at_end": 3}


async def test_the_month_tables_are_the_day_tables_summed_by_month(reporting):
    """Kept by triggers through every write of this module's stories: admissions, transfers, retirements, a unit
    moved mid-month with its figures, units that arrived after their members."""
    async with reporting["db"].transaction() as session:
        for days, months, keys in (
            ("subtree_figure_days", "subtree_figure_months", "dimension, value"),
            ("subtree_movement_days", "subtree_movement_months", "kind, female"),
        ):
            summed = (
                await session.execute(
                    sqlalchemy.text(
                        f"SELECT unit_id, date_trunc('month', day)::date AS month, {keys}, sum(members) AS members"
                        f" FROM {days} GROUP BY 1, 2, {keys} HAVING sum(members) <> 0"
                    )
                )
            ).all()
            kept_query = f"SELECT unit_id, month, {keys}, members FROM {months} WHERE members <> 0"
            kept = (await session.execute(sqlalchemy.text(kept_query))).all()
            assert len(summed) > 20
            assert sorted(map(tuple, kept)) == sorted(map(tuple, summed))
            # And the year tables the month tables summed by year (migration 0009).
            yearly = f"SELECT unit_id, date_trunc('year', month)::date, {keys}, sum(members) FROM {months}"
            by_year = (
                await session.execute(sqlalchemy.text(f"{yearly} GROUP BY 1, 2, {keys} HAVING sum(members) <> 0"))
            ).all()
            years = months.replace("months", "years")
            kept_years = (
                await session.execute(
                    sqlalchemy.text(f"SELECT unit_id, year, {keys}, members FROM {years} WHERE members <> 0")
                )
            ).all()
            assert len(by_year) > 10
            assert sorted(map(tuple, kept_years)) == sorted(map(tuple, by_year))


async def test_the_grassroots_bands_rolled_up_are_the_walk_after_every_story(reporting):
    """Every story of this module (admissions, transfers, moves, units closed, units arriving after their members)
    leaves the bands rolled up on write equal to the walk down the tree's history, for every unit and day."""
    assert await assert_bands_are_the_walk(reporting["db"]) > 100


async def test_dues_months_count_the_grassroots_unions_at_each_months_end(reporting):
    units = await tree(reporting, "DUEG")
    p1, g1 = units["p1"], units["g1"]
    g3 = uuid.uuid4()
    await deliver(
        reporting["db"], UnitCreated, state(g3, "DUEG-G3", p1, effective_from=date(2025, 9, 10)), date(2025, 9, 10)
    )
    await deliver(
        reporting["db"],
        UnitDissolved,
        state(g1, "DUEG-G1", p1, version=2, status="dissolved", effective_from=date(2025, 11, 5)),
        date(2025, 11, 5),
    )
    response = await reporting["http"].get(
        "/api/v1/reporting/dues", headers=national(), params={"unit_id": str(p1), "from": "2025-08", "to": "2025-12"}
    )
    assert response.status_code == 200, response.text
    # G1 from the start; G3 from 10/9; G1 dissolved on 5/11. Each month's end in the tree of that day.
    assert [month["grassroots_unions"] for month in response.json()["months"]] == [1, 2, 2, 1, 1]
    body = response.json()
    # Each unit under it at the period's end (31/12/2025), in the tree of that day, and the province itself.
    assert {row["code"]: row["grassroots_unions"] for row in body["rows"]} == {"DUEG-G1": 0, "DUEG-G3": 1}
    assert body["total"]["grassroots_unions"] == 1
    country = await reporting["http"].get(
        "/api/v1/reporting/dues",
        headers=national(),
        params={"unit_id": str(NATIONAL_CENTRE_ID), "from": "2025-08", "to": "2025-12"},
    )
    rows = {row["code"]: row["grassroots_unions"] for row in country.json()["rows"] if row["code"].startswith("DUEG")}
    assert rows == {"DUEG-P1": 1, "DUEG-P2": 1}


async def test_a_period_report_is_a_few_statements(reporting):
    """Every statement is a round trip, and on a busy machine each is a wait of its own for the CPU (docs/
    BENCHMARKS.md, issue 13): the reports read their unit with its rows, and their stocks with their flows, in one
    statement each; the dues report its months with their sums, and every row's grassroots unions with the months'."""
    units = await tree(reporting, "FEW")
    await admit(reporting["db"], units["g1"], date(2025, 3, 1))
    target = {"starts_on": "2025-01-01", "ends_on": "2030-05-31", "members": 10, "admissions": 5}
    saved = await reporting["http"].put(
        f"/api/v1/reporting/targets/{units['g1']}/2025-2030",
        json=target,
        headers=headers_for(principal("unit_admin", units["p1"])),
    )
    assert saved.status_code == 200, saved.text
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = reporting["db"].engine.sync_engine
    viewer = principal("report_viewer", NATIONAL_CENTRE_ID)
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = {}
        for name, report in (
            ("development", lambda session: PeriodService(session).development(viewer, units["p1"], START, START)),
            ("dues", lambda session: PeriodService(session).dues(viewer, units["p1"], START, date(2025, 3, 1))),
            ("targets", lambda session: TargetService(session).progress(viewer, units["p1"], "2025-2030")),
        ):
            statements.clear()
            async with reporting["db"].transaction() as session:
                await report(session)
            found[name] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # development: the ledger's start, the scope, the unit and its rows, stocks and flows, targets; dues: the scope,
    # the ledger's start, the unit and its rows, the units with dues, months and sums, grassroots unions; targets:
    # the scope, the unit and its rows, the targets, the ledger's start, stocks and flows.
    assert found == {"development": 5, "dues": 6, "targets": 5}
