"""Card fees: the schedule in force on an order's day, the salary-through-bank waiver, each order's stored breakdown,
and the fee statement (JSON, .xlsx, PDF) of a unit and period."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import openpyxl
from cards.adapters.fee_documents import ORDER_COLUMNS, SUBUNIT_COLUMNS, WIDTH, header_lines, wrapped
from cards.adapters.order_documents import OrderHeading, voucher_heading
from cards.adapters.tables import card_fee_schedules, cards, print_order_fee_lines, print_orders, salary_through_bank
from chassis import migrations
from chassis.database import Database
from chassis.fonts import vietnamese_font
from chassis.tables import audit_log
from contracts.wellknown import vietnamese_today
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from sqlalchemy import func, insert, select

from services.cards.tests.conftest import MIGRATIONS, assert_problem
from services.cards.tests.test_print_orders import place, requested_cards
from tests.support.services import fresh_database

FEES = "/api/v1/cards/fees"
NEW_SCHEDULE = {
    "blank_vnd": 4_000,
    "printing_vnd": 8_000,
    "linked_vnd": 60_000,
    "printing_paid_by": "ordering_unit",
    "decision": "Quyết định điều chỉnh giá thẻ",
}


async def schedules(office) -> list[dict]:
    response = await office.http.get(f"{FEES}/schedules", headers=office.as_("card_officer", "HNI"))
    assert response.status_code == 200, response.text
    return response.json()


async def statement(office, unit: str, as_unit: str | None = None, suffix: str = "", **period):
    today = vietnamese_today()
    params = {"unit_id": str(office.units[unit]), "date_from": str(today), "date_to": str(today)} | period
    return await office.http.get(
        f"{FEES}/statement{suffix}", params=params, headers=office.as_("card_officer", as_unit or unit)
    )


async def test_the_first_schedule_is_todays_settings_split_as_the_documents_say(office):
    (first,) = await schedules(office)
    assert (first["effective_from"], first["state"]) == ("2019-01-01", "in_force")
    # 10,000 VND a printed regular card including its 3,000 VND blank; 50,000 VND a linked card (seed 001).
    assert (first["blank_vnd"], first["printing_vnd"], first["linked_vnd"]) == (3_000, 7_000, 50_000)
    assert {first["blank_paid_by"], first["printing_paid_by"], first["linked_paid_by"]} == {"member_unit"}


async def test_only_a_national_administrator_adds_a_schedule_from_a_later_day(office):
    today = vietnamese_today()
    admin = office.as_("national_admin", "TLD")
    body = NEW_SCHEDULE | {"effective_from": str(today + timedelta(days=30))}
    refused = [
        (office.as_("card_officer", "TLD"), body, 403, "out-of-scope", "unit_id"),
        (admin, body | {"effective_from": str(today)}, 422, "schedule-not-in-future", "effective_from"),
        (
            admin,
            body | {"effective_from": str(today - timedelta(days=3))},
            422,
            "schedule-not-in-future",
            "effective_from",
        ),
        (admin, body | {"blank_vnd": -1}, 422, "invalid-input", "blank_vnd"),
        (admin, body | {"linked_vnd": 5_000_000}, 422, "invalid-input", "linked_vnd"),
        (admin, body | {"printing_paid_by": "bank"}, 422, "invalid-input", "printing_paid_by"),
    ]
    for headers, sent, status, code, field in refused:
        assert_problem(await office.http.post(f"{FEES}/schedules", json=sent, headers=headers), status, code, field)
    assert len(await schedules(office)) == 1  # nothing changed

    added = await office.http.post(f"{FEES}/schedules", json=body, headers=admin)
    assert added.status_code == 201, added.text
    assert (added.json()["state"], added.json()["created_by"]) == ("upcoming", "national_admin@TLD")
    again = await office.http.post(f"{FEES}/schedules", json=body | {"blank_vnd": 1}, headers=admin)
    assert_problem(again, 409, "schedule-exists", "effective_from")
    states = [(s["effective_from"], s["state"], s["blank_vnd"]) for s in await schedules(office)]
    assert states == [("2019-01-01", "in_force", 3_000), (body["effective_from"], "upcoming", 4_000)]


async def test_an_order_takes_the_schedule_in_force_on_its_day_and_keeps_it(office):
    province = await office.province("F1")
    await requested_cards(office, "F1-A", 2)
    before = await place(office, province)
    assert (before["blank_vnd"], before["printing_vnd"], before["unit_price_vnd"], before["total_vnd"]) == (
        3_000,
        7_000,
        10_000,
        20_000,
    )
    # A schedule that came into force since (added earlier from a day that has now come).
    yesterday = vietnamese_today() - timedelta(days=1)
    async with office.db.transaction() as session:
        await session.execute(
            insert(card_fee_schedules).values(
                effective_from=yesterday,
                blank_paid_by="member_unit",
                linked_paid_by="member_unit",
                created_by="national_admin@TLD",
                **NEW_SCHEDULE,
            )
        )
    await requested_cards(office, "F1-B", 3)
    after = await place(office, province)
    assert after["fee_schedule_from"] == str(yesterday)
    assert (after["blank_vnd"], after["printing_vnd"], after["unit_price_vnd"], after["total_vnd"]) == (
        4_000,
        8_000,
        12_000,
        36_000,
    )
    kept = await office.http.get(
        f"/api/v1/cards/print-orders/{before['order_id']}", headers=office.as_("card_officer", province)
    )
    assert (kept.json()["fee_schedule_from"], kept.json()["total_vnd"]) == ("2019-01-01", 20_000)
    # The printing of the later order is the province's, its blanks the grassroots unions' (the schedule says so).
    found = (await statement(office, province)).json()
    assert [(o["order_number"], o["payable_vnd"], o["ordering_unit_pays_vnd"]) for o in found["orders"]] == [
        (before["order_number"], 20_000, 0),
        (after["order_number"], 36_000, 24_000),
    ]
    voucher = await office.http.get(
        f"/api/v1/cards/print-orders/{after['order_id']}/list.xlsx", headers=office.as_("card_officer", province)
    )
    sheet = openpyxl.load_workbook(io.BytesIO(voucher.content)).active
    assert "phôi 4.000 đ + in 8.000 đ = 12.000 đ/thẻ" in sheet["A4"].value


async def test_linked_cards_of_a_unit_paying_salaries_through_the_bank_are_free(office):
    province = await office.province("F2")
    commitment = {"pays_through_bank": True, "commitment": "Cam kết chi lương qua thẻ số 12/CK"}
    unit_a = str(office.units["F2-A"])
    # The unit itself may not waive its own fees: the unit above records it.
    own = await office.http.put(
        f"{FEES}/salary-through-bank/{unit_a}", json=commitment, headers=office.as_("card_officer", "F2-A")
    )
    assert_problem(own, 403, "out-of-scope", "unit_id")
    set_ = await office.http.put(
        f"{FEES}/salary-through-bank/{unit_a}", json=commitment, headers=office.as_("card_officer", province)
    )
    assert set_.status_code == 204, set_.text
    listed = await office.http.get(
        f"{FEES}/salary-through-bank",
        params={"unit_id": str(office.units[province])},
        headers=office.as_("card_officer", province),
    )
    assert [(u["unit_name"], u["pays_through_bank"], u["set_by"]) for u in listed.json()] == [
        ("Đơn vị F2-A", True, "card_officer@F2")
    ]
    await requested_cards(office, "F2-A", 2, card_type="linked")
    await requested_cards(office, "F2-B", 1, card_type="linked")
    await requested_cards(office, "F2-A", 1)  # a regular card is never waived

    linked = await place(office, province, kind="linked")
    regular = await place(office, province)

    linked_price = linked["linked_vnd"]
    assert (linked["card_count"], linked["waived_count"]) == (3, 2)
    assert (linked["waived_vnd"], linked["total_vnd"]) == (2 * linked_price, linked_price)
    assert (regular["waived_count"], regular["total_vnd"]) == (0, regular["unit_price_vnd"])
    async with office.db.transaction() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(audit_log)
            .where(
                audit_log.c.action == "PUT /api/v1/cards/fees/salary-through-bank/{unit_id}",
                audit_log.c.outcome == "success",
            )
        )
    assert audited == 1

    found = (await statement(office, province)).json()
    by_unit = {s["unit_name"]: s for s in found["subunits"]}
    assert (by_unit["Đơn vị F2-A"]["linked_cards"], by_unit["Đơn vị F2-A"]["waived_cards"]) == (2, 2)
    assert by_unit["Đơn vị F2-A"]["payable_vnd"] == regular["total_vnd"]
    assert (by_unit["Đơn vị F2-B"]["payable_vnd"], by_unit["Đơn vị F2-B"]["waived_vnd"]) == (linked_price, 0)
    totals = found["totals"]
    assert (totals["regular_cards"], totals["linked_cards"], totals["waived_cards"]) == (1, 3, 2)
    assert totals["payable_vnd"] == linked["total_vnd"] + regular["total_vnd"]
    assert totals["waived_vnd"] == 2 * linked_price
    # The grassroots union's own statement: only its cards, the province's orders that hold them.
    mine = (await statement(office, "F2-B")).json()
    assert [(o["order_number"], o["linked_cards"]) for o in mine["orders"]] == [(linked["order_number"], 1)]


async def test_the_statement_as_workbook_and_voucher(office):
    province = await office.province("F3")
    await requested_cards(office, "F3-A", 2)
    await requested_cards(office, "F3-B", 1)
    order = await place(office, province)

    workbook = await statement(office, province, suffix=".xlsx")
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-disposition"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Theo đơn vị", "Theo đơn đặt in"]
    units = book["Theo đơn vị"]
    rows = list(units.iter_rows(values_only=True))
    heading_row = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[heading_row][1:5] == ("Đơn vị", "Thẻ thường", "Thẻ liên kết", "Thẻ miễn phí")
    assert [row[1:3] for row in rows[heading_row + 1 : heading_row + 3]] == [("Đơn vị F3-A", 2), ("Đơn vị F3-B", 1)]
    total = rows[heading_row + 3]
    assert total[1] == "Cộng" and total[2].startswith("=SUM(C")
    cached = openpyxl.load_workbook(io.BytesIO(workbook.content), data_only=True)["Theo đơn vị"]
    assert cached.cell(heading_row + 4, 10).value == order["total_vnd"]

    pdf = await statement(office, province, suffix=".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


async def test_bad_statement_requests_are_refused(office):
    today = vietnamese_today()
    await office.province("F4")
    reversed_ = await statement(office, "F4", date_from=str(today), date_to=str(today - timedelta(days=1)))
    assert_problem(reversed_, 422, "reversed-period", "date_to")
    too_long = await statement(office, "F4", date_from=str(today - timedelta(days=800)))
    assert_problem(too_long, 422, "period-too-long", "date_to")
    outside = await statement(office, "HCM", as_unit="F4", suffix=".pdf")
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    not_a_date = await statement(office, "F4", date_from="31/12/2026")
    assert_problem(not_a_date, 422, "invalid-input", "date_from")
    async with office.db.transaction() as session:
        flagged = await session.scalar(select(func.count()).select_from(salary_through_bank))
        orders = await session.scalar(select(func.count()).select_from(print_orders))
    bad_flag = await office.http.put(
        f"{FEES}/salary-through-bank/{office.units['F4-A']}",
        json={"pays_through_bank": True, "commitment": ""},
        headers=office.as_("card_officer", "F4"),
    )
    assert_problem(bad_flag, 422, "invalid-input", "commitment")
    async with office.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(salary_through_bank)) == flagged
        assert await session.scalar(select(func.count()).select_from(print_orders)) == orders


def test_the_voucher_headers_fit_an_a4_page():
    font = vietnamese_font().fontName
    long_name = "Công đoàn cơ sở Công ty Trách nhiệm hữu hạn Một thành viên Dịch vụ Kỹ thuật Dầu khí Biển " * 3
    totals = dict.fromkeys(("regular_cards", "linked_cards", "waived_cards", "payable_vnd"), 123_456_789)
    totals |= {"members_units_pay_vnd": 1, "ordering_unit_pays_vnd": 2, "waived_vnd": 3}
    found = SimpleNamespace(
        unit_name=long_name, date_from=vietnamese_today(), date_to=vietnamese_today(), totals=totals
    )
    lines = [(part, size) for text, size in header_lines(found) for part in wrapped(text, font, size)]
    assert len(lines) > len(header_lines(found))  # the long name was wrapped, not cut
    assert all(pdfmetrics.stringWidth(text, font, size) <= WIDTH for text, size in lines)
    for columns in (SUBUNIT_COLUMNS, ORDER_COLUMNS):
        assert sum(width for _, width, _ in columns) * mm <= WIDTH + 0.01
    heading = OrderHeading(
        "DI-2026-000001",
        long_name,
        "linked",
        "CTG",
        "placed",
        5,
        50_000,
        150_000,
        datetime.now(UTC),
        "card_officer@F1",
        0,
        0,
        50_000,
        2,
        100_000,
    )
    page_width = A4[0] - 30 * mm
    voucher = voucher_heading(heading, font, page_width)
    assert any("2 thẻ miễn phí" in line for line in voucher)
    assert all(pdfmetrics.stringWidth(line, font, 10) <= page_width for line in voucher)


async def test_migration_0016_keeps_what_existing_orders_cost(pg_server_url):
    """An order placed before the schedule keeps its price and total, split as seed 001 says, with its lines."""
    url = await fresh_database(pg_server_url, f"test_cards_0016_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0015")
    database = Database(url, 2)
    order_id, unit_id = uuid.uuid4(), uuid.uuid4()
    async with database.transaction() as session:
        await session.execute(
            insert(print_orders).values(
                order_id=order_id,
                order_number="DI-2025-000001",
                unit_id=unit_id,
                kind="regular",
                supplier="national_centre",
                status="placed",
                card_count=2,
                unit_price_vnd=10_000,
                total_vnd=20_000,
                placed_by="old",
                version=1,
            )
        )
        for number in range(2):
            await session.execute(
                insert(cards).values(
                    card_id=uuid.uuid4(),
                    member_id=uuid.uuid4(),
                    unit_id=unit_id,
                    member_code=f"7900000{number}",
                    kind="regular",
                    status="ordered",
                    reason="new",
                    verification_code=f"CODE{number:012d}",
                    requested_by="old",
                    order_id=order_id,
                )
            )
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
    async with database.transaction() as session:
        order = (await session.execute(select(print_orders).where(print_orders.c.order_id == order_id))).one()
        lines = (await session.execute(select(print_order_fee_lines))).all()
        seeded = (await session.execute(select(card_fee_schedules))).all()
    await database.dispose()
    assert (order.blank_vnd, order.printing_vnd, order.total_vnd, order.fee_schedule_from) == (
        3_000,
        7_000,
        20_000,
        None,
    )
    assert [(line.unit_id, line.card_count, line.waived_count) for line in lines] == [(unit_id, 2, 0)]
    assert [(s.blank_vnd, s.printing_vnd, s.linked_vnd) for s in seeded] == [(3_000, 7_000, 50_000)]
