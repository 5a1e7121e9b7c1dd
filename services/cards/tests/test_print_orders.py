"""Print orders: a province gathers its requested cards, the national centre prints them, units confirm receipt."""

from __future__ import annotations

import io
import json
import re
import uuid
from types import SimpleNamespace

from cards.adapters.order_documents import card_faces_pdf
from cards.adapters.tables import card_handoffs, card_history, print_orders
from chassis.tables import outbox_events
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from services.cards.tests.conftest import assert_problem
from tests.support.services import replicate_unit

ORDERS = "/api/v1/cards/print-orders"


async def requested_cards(office, unit: str, count: int, card_type: str | None = None) -> list[dict]:
    members = [await office.member(unit, card_type=card_type) for _ in range(count)]
    return (await office.request(members, unit=unit))["cards"]


async def place(office, province: str, kind: str = "regular", as_unit: str | None = None) -> dict:
    response = await office.http.post(
        ORDERS,
        json={"unit_id": str(office.units[province]), "kind": kind},
        headers=office.as_("card_officer", as_unit or province),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def card(office, card_id: str, unit: str = "TLD") -> dict:
    response = await office.http.get(f"/api/v1/cards/cards/{card_id}", headers=office.as_("card_officer", unit))
    assert response.status_code == 200, response.text
    return response.json()


async def order_events(office, order_id: str) -> list[tuple[str, dict]]:
    async with office.db.transaction() as session:
        rows = await session.execute(
            select(outbox_events.c.event_type, outbox_events.c.payload)
            .where(outbox_events.c.message_key == order_id)
            .order_by(outbox_events.c.id)
        )
    return [(row.event_type, json.loads(row.payload)) for row in rows]


async def history(office, card_id: str) -> list[tuple[str, str]]:
    async with office.db.transaction() as session:
        rows = await session.execute(
            select(card_history.c.status, card_history.c.note)
            .where(card_history.c.card_id == uuid.UUID(card_id))
            .order_by(card_history.c.id)
        )
    return [(row.status, row.note) for row in rows]


async def counts(office) -> tuple[int, ...]:
    async with office.db.transaction() as session:
        orders = await session.scalar(select(func.count()).select_from(print_orders))
    return (*await office.counts(), orders)


async def test_an_order_gathers_the_requested_cards_of_its_subtree_and_kind(office):
    province = await office.province("P1")
    regular = await requested_cards(office, "P1-A", 2) + await requested_cards(office, "P1-B", 1)
    linked = await requested_cards(office, "P1-A", 1, card_type="linked")
    elsewhere = await requested_cards(office, "HCM-C", 1)

    order = await place(office, province)

    assert re.fullmatch(r"DI-\d{4}-\d{6}", order["order_number"])
    assert (order["status"], order["kind"], order["supplier"], order["card_count"], order["total_vnd"]) == (
        "placed",
        "regular",
        "national_centre",
        3,
        30_000,
    )
    numbers = set()
    for c in regular:
        ordered = await card(office, c["card_id"])
        assert (ordered["status"], ordered["order_id"]) == ("ordered", order["order_id"])
        assert re.fullmatch(r"\d{10}", ordered["card_number"])  # the print shop prints it on the card
        numbers.add(ordered["card_number"])
    assert len(numbers) == 3
    for c in linked + elsewhere:
        assert (await card(office, c["card_id"]))["status"] == "requested"
    changes = [
        json.loads(p) for t, p in await office.events(regular[0]["member_id"]) if t == "cards.card.status_changed"
    ]
    assert [(c["old_status"], c["card"]["status"], c["card"]["order_id"]) for c in changes] == [
        ("requested", "ordered", order["order_id"])
    ]
    [(event_type, placed)] = await order_events(office, order["order_id"])
    assert event_type == "cards.print_order.placed"
    assert (placed["order"]["card_count"], placed["order"]["unit_id"]) == (3, str(office.units[province]))

    lines = (
        await office.http.get(
            f"{ORDERS}/{order['order_id']}/cards", params={"limit": 2}, headers=office.as_("card_officer", province)
        )
    ).json()
    rest = (
        await office.http.get(
            f"{ORDERS}/{order['order_id']}/cards",
            params={"after": lines["next_cursor"]},
            headers=office.as_("card_officer", province),
        )
    ).json()
    assert {line["card_id"] for line in lines["items"] + rest["items"]} == {c["card_id"] for c in regular}
    assert rest["next_cursor"] is None
    assert all(line["has_photo"] for line in lines["items"] + rest["items"])  # without a photo it would not be here

    linked_order = await place(office, province, kind="linked")
    assert (linked_order["supplier"], linked_order["card_count"], linked_order["total_vnd"]) == ("CTG", 1, 50_000)
    assert (await card(office, linked[0]["card_id"]))["card_number"] is None  # the bank numbers its own cards


async def test_orders_that_cannot_be_placed_are_refused_and_change_nothing(office):
    province = await office.province("P2")
    await requested_cards(office, "P2-A", 1)
    before = await counts(office)

    nothing = await office.http.post(
        ORDERS,
        json={"unit_id": str(office.units[province]), "kind": "linked"},
        headers=office.as_("card_officer", province),
    )
    assert_problem(nothing, 422, "no-cards-to-order", "unit_id")
    grassroots = await office.http.post(
        ORDERS,
        json={"unit_id": str(office.units["P2-A"]), "kind": "regular"},
        headers=office.as_("card_officer", "P2-A"),
    )
    assert_problem(grassroots, 422, "unit-cannot-order-cards", "unit_id")
    other_province = await office.http.post(
        ORDERS,
        json={"unit_id": str(office.units[province]), "kind": "regular"},
        headers=office.as_("card_officer", "HCM"),
    )
    assert_problem(other_province, 403, "out-of-scope", "unit_id")
    for body, field in (
        ({"unit_id": str(office.units[province]), "kind": "gold"}, "kind"),
        ({"kind": "regular"}, "unit_id"),
        ({"unit_id": "not-a-uuid", "kind": "regular"}, "unit_id"),
        ({"unit_id": str(office.units[province]), "kind": "regular", "extra": 1}, "extra"),
    ):
        response = await office.http.post(ORDERS, json=body, headers=office.as_("card_officer", province))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field, response.json()
    assert await counts(office) == before


async def test_printing_numbers_the_cards_and_each_unit_confirms_its_own(office):
    province = await office.province("P3")
    in_a, in_b = await requested_cards(office, "P3-A", 2), await requested_cards(office, "P3-B", 1)
    order = await place(office, province)

    one_by_one = await office.http.post(
        f"/api/v1/cards/cards/{in_a[0]['card_id']}/status",
        json={"status": "cancelled", "reason": "Rút khỏi đơn"},
        headers=office.as_("card_officer", province),
    )
    assert_problem(one_by_one, 422, "card-in-print-order", "card_id")
    not_the_print_shop = await office.http.post(
        f"{ORDERS}/{order['order_id']}/printed", headers=office.as_("card_officer", province)
    )
    assert_problem(not_the_print_shop, 403, "out-of-scope", "unit_id")
    too_early = await office.http.post(
        f"{ORDERS}/{order['order_id']}/received",
        json={"unit_id": str(office.units["P3-A"])},
        headers=office.as_("card_officer", "P3-A"),
    )
    assert_problem(too_early, 422, "order-not-printed", "order_id")

    printed = await office.http.post(f"{ORDERS}/{order['order_id']}/printed", headers=office.as_("card_officer", "TLD"))
    assert printed.status_code == 200, printed.text
    assert (printed.json()["status"], printed.json()["printed_by"]) == ("printed", "card_officer@TLD")
    numbers = [(await card(office, c["card_id"]))["card_number"] for c in in_a + in_b]
    assert all(re.fullmatch(r"\d{10}", n) for n in numbers) and len(set(numbers)) == 3
    again = await office.http.post(f"{ORDERS}/{order['order_id']}/printed", headers=office.as_("card_officer", "TLD"))
    assert_problem(again, 422, "invalid-order-transition", "order_id")

    number = order["order_number"]
    assert await history(office, in_b[0]["card_id"]) == [
        ("requested", "new"),
        ("ordered", f"order {number}"),
        ("printed", f"order {number}"),
    ]
    # The cards come down level by level: the province receives them all, then hands P3-A its own.
    not_yet = await office.http.post(
        f"{ORDERS}/{order['order_id']}/received",
        json={"unit_id": str(office.units["P3-A"])},
        headers=office.as_("card_officer", "P3-A"),
    )
    assert_problem(not_yet, 422, "nothing-to-receive", "unit_id")
    assert await office.confirm(order["order_id"], "P3", "received") == {"received": 3}
    assert await office.confirm(order["order_id"], "P3", "handed-down", to_unit_id=str(office.units["P3-A"])) == {
        "handed_down": 2
    }
    assert await office.confirm(order["order_id"], "P3-A", "received") == {"received": 2}
    assert [(await card(office, c["card_id"]))["status"] for c in in_a + in_b] == ["delivered", "delivered", "printed"]
    assert (await history(office, in_a[0]["card_id"]))[-1] == ("delivered", f"order {number} received")
    outsider = await office.http.post(
        f"{ORDERS}/{order['order_id']}/received",
        json={"unit_id": str(office.units["HCM-C"])},
        headers=office.as_("card_officer", "HCM-C"),
    )
    assert_problem(outsider, 404, "print-order-not-found", "order_id")
    assert [t for t, _ in await order_events(office, order["order_id"])] == [
        "cards.print_order.placed",
        "cards.print_order.printed",
    ]


async def test_a_cancelled_order_gives_its_cards_back_for_the_next_order(office):
    province = await office.province("P4")
    cards = await requested_cards(office, "P4-A", 2, card_type="linked")
    first = await place(office, province, kind="linked")

    short = await office.http.post(
        f"{ORDERS}/{first['order_id']}/cancel", json={"reason": ""}, headers=office.as_("card_officer", province)
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "reason"
    cancelled = await office.http.post(
        f"{ORDERS}/{first['order_id']}/cancel",
        json={"reason": "Sai số lượng"},
        headers=office.as_("card_officer", province),
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Sai số lượng")
    for c in cards:
        back = await card(office, c["card_id"])
        assert (back["status"], back["order_id"]) == ("requested", None)
    event_type, payload = (await order_events(office, first["order_id"]))[-1]
    assert (event_type, payload["reason"]) == ("cards.print_order.cancelled", "Sai số lượng")

    regular = await requested_cards(office, "P4-B", 1)
    numbered = await place(office, province)
    await office.http.post(
        f"{ORDERS}/{numbered['order_id']}/cancel",
        json={"reason": "Đặt nhầm"},
        headers=office.as_("card_officer", province),
    )
    assert (await card(office, regular[0]["card_id"]))["card_number"] is None
    second = await place(office, province, kind="linked")
    assert second["card_count"] == 2 and second["order_number"] != first["order_number"]
    twice = await office.http.post(
        f"{ORDERS}/{first['order_id']}/cancel", json={"reason": "lần nữa"}, headers=office.as_("card_officer", province)
    )
    assert_problem(twice, 422, "invalid-order-transition", "order_id")


async def test_the_order_list_as_spreadsheet_and_pdf(office):
    province = await office.province("P5")
    cards = await requested_cards(office, "P5-A", 3)
    order = await place(office, province)

    sheet = await office.http.get(
        f"{ORDERS}/{order['order_id']}/list.xlsx", headers=office.as_("card_officer", province)
    )
    assert sheet.status_code == 200 and order["order_number"] in sheet.headers["content-disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_name("Danh sách thẻ").to_python()
    header = rows.index(["STT", "Mã đoàn viên", "Họ và tên", "Đơn vị", "Loại thẻ", "Số thẻ", "Mã xác thực (QR)"])
    lines = [row for row in rows[header + 1 :] if row[0] != ""]
    assert sorted(line[1] for line in lines) == sorted(c["member_code"] for c in cards)
    assert {line[2] for line in lines} == {"Trần Thị Bình"} and {line[3] for line in lines} == {"Đơn vị P5-A"}
    assert sorted(line[6] for line in lines) == sorted(c["verification_code"] for c in cards)

    voucher = await office.http.get(
        f"{ORDERS}/{order['order_id']}/list.pdf", headers=office.as_("card_officer", province)
    )
    assert voucher.headers["content-type"] == "application/pdf"
    assert voucher.content.startswith(b"%PDF") and b"DejaVu" in voucher.content
    faces = await office.http.get(f"{ORDERS}/{order['order_id']}/cards.pdf", headers=office.as_("card_officer", "TLD"))
    assert faces.status_code == 200 and faces.content.startswith(b"%PDF")
    assert pages_of(faces.content) == 1  # three cards fit on one sheet
    await requested_cards(office, "P5-B", 1, card_type="linked")
    linked = await place(office, province, kind="linked")
    not_here = await office.http.get(
        f"{ORDERS}/{linked['order_id']}/cards.pdf", headers=office.as_("card_officer", "TLD")
    )
    assert_problem(not_here, 422, "not-printed-here", "order_id")
    outsider = await office.http.get(
        f"{ORDERS}/{order['order_id']}/list.pdf", headers=office.as_("card_officer", "HCM")
    )
    assert_problem(outsider, 404, "print-order-not-found", "order_id")


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_card_faces_go_ten_to_a_sheet():
    line = SimpleNamespace(
        full_name="Nguyễn Thị Ánh Tuyết",
        member_code="0100000001",
        card_number="0000000001",
        unit_name="Công đoàn cơ sở Công ty TNHH May Thăng Long",
        verification_code="ABCDEFGHJKMNPQRS",
    )
    assert [pages_of(card_faces_pdf([line] * count, "https://congdoan.example/the/")) for count in (1, 10, 11, 21)] == [
        1,
        1,
        2,
        3,
    ]


async def test_orders_are_listed_within_scope_newest_first(office):
    province = await office.province("P6")
    await requested_cards(office, "P6-A", 1)
    await requested_cards(office, "P6-B", 1, card_type="linked")
    first, second = await place(office, province), await place(office, province, kind="linked")

    mine = (
        await office.http.get(
            ORDERS, params={"unit_id": str(office.units[province])}, headers=office.as_("card_officer", province)
        )
    ).json()
    assert [o["order_id"] for o in mine["items"]] == [second["order_id"], first["order_id"]]
    paged = (
        await office.http.get(
            ORDERS,
            params={"unit_id": str(office.units[province]), "limit": 1},
            headers=office.as_("card_officer", province),
        )
    ).json()
    rest = (
        await office.http.get(
            ORDERS,
            params={"unit_id": str(office.units[province]), "after": paged["next_cursor"]},
            headers=office.as_("card_officer", province),
        )
    ).json()
    assert [o["order_id"] for o in paged["items"] + rest["items"]] == [second["order_id"], first["order_id"]]
    linked_only = (
        await office.http.get(
            ORDERS,
            params={"unit_id": str(office.units[province]), "kind": "linked"},
            headers=office.as_("card_officer", province),
        )
    ).json()
    assert [o["order_id"] for o in linked_only["items"]] == [second["order_id"]]
    theirs = (await office.http.get(ORDERS, headers=office.as_("card_officer", "HCM"))).json()
    assert {first["order_id"], second["order_id"]}.isdisjoint(o["order_id"] for o in theirs["items"])


async def test_cards_come_down_level_by_level_and_each_level_sees_its_part(office):
    """Province → industrial-zone union → grassroots union, and a grassroots union right under the province."""
    province = await office.province("P9")
    office.units["P9-Z"] = await replicate_unit(office.db, "P9-Z", office.units["P9"], "industrial_zone_union")
    office.units["P9-Z1"] = await replicate_unit(office.db, "P9-Z1", office.units["P9-Z"])
    deep, near = await requested_cards(office, "P9-Z1", 3), await requested_cards(office, "P9-A", 2)
    order = await place(office, province)
    order_id = order["order_id"]
    printed = await office.http.post(f"{ORDERS}/{order_id}/printed", headers=office.as_("card_officer", "TLD"))
    assert printed.status_code == 200, printed.text

    async def progress(unit: str) -> dict:
        response = await office.http.get(
            f"{ORDERS}/{order_id}/delivery",
            params={"unit_id": str(office.units[unit])},
            headers=office.as_("card_officer", unit),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return {"on_the_way": body["on_the_way"], "held": body["held"]} | {
            s["code"]: (s["waiting_here"], s["on_the_way"], s["held"], s["delivered"]) for s in body["subunits"]
        }

    assert await progress("P9") == {"on_the_way": 5, "held": 0, "P9-A": (2, 0, 0, 0), "P9-Z": (3, 0, 0, 0)}
    await office.confirm(order_id, "P9", "received")
    await office.confirm(order_id, "P9", "handed-down", to_unit_id=str(office.units["P9-Z"]))
    assert await progress("P9") == {"on_the_way": 0, "held": 2, "P9-A": (2, 0, 0, 0), "P9-Z": (0, 3, 0, 0)}
    assert await progress("P9-Z") == {"on_the_way": 3, "held": 0, "P9-Z1": (3, 0, 0, 0)}

    # Each level confirms only its own part; a second confirmation, or a skip, finds nothing.
    before = await counts(office)
    for unit, step, body, code in (
        ("P9-Z1", "received", {}, "nothing-to-receive"),  # still at the zone union
        ("P9", "received", {}, "nothing-to-receive"),  # received already
        ("P9", "handed-down", {"to_unit_id": str(office.units["P9-Z"])}, "nothing-to-hand-down"),
        ("P9-Z", "handed-down", {"to_unit_id": str(office.units["P9-Z1"])}, "nothing-to-hand-down"),
    ):
        response = await office.http.post(
            f"{ORDERS}/{order_id}/{step}",
            json={"unit_id": str(office.units[unit]), **body},
            headers=office.as_("card_officer", unit),
        )
        assert_problem(response, 422, code, "to_unit_id" if body else "unit_id")
    sideways = await office.http.post(
        f"{ORDERS}/{order_id}/handed-down",
        json={"unit_id": str(office.units["P9"]), "to_unit_id": str(office.units["HNI-A"])},
        headers=office.as_("card_officer", "P9"),
    )
    assert_problem(sideways, 422, "not-below", "to_unit_id")
    outsider = await office.http.post(
        f"{ORDERS}/{order_id}/received",
        json={"unit_id": str(office.units["HNI-A"])},
        headers=office.as_("card_officer", "HNI-A"),
    )
    assert_problem(outsider, 404, "print-order-not-found", "order_id")
    assert await counts(office) == before

    await office.confirm(order_id, "P9-Z", "received")
    await office.confirm(order_id, "P9-Z", "handed-down", to_unit_id=str(office.units["P9-Z1"]))
    assert await office.confirm(order_id, "P9-Z1", "received") == {"received": 3}
    await office.confirm(order_id, "P9", "handed-down", to_unit_id=str(office.units["P9-A"]))
    assert await progress("P9") == {"on_the_way": 0, "held": 0, "P9-A": (0, 2, 0, 0), "P9-Z": (0, 0, 0, 3)}
    assert [(await card(office, c["card_id"]))["status"] for c in deep + near] == ["delivered"] * 3 + ["printed"] * 2
    async with office.db.transaction() as session:
        steps = (
            await session.execute(
                select(card_handoffs.c.step, card_handoffs.c.card_count)
                .where(card_handoffs.c.order_id == uuid.UUID(order_id))
                .order_by(card_handoffs.c.id)
            )
        ).all()
    assert steps == [
        ("received", 5),
        ("handed_down", 3),
        ("received", 3),
        ("handed_down", 3),
        ("received", 3),
        ("handed_down", 2),
    ]


async def test_cards_without_a_photo_are_left_out_unless_the_unit_includes_them(office):
    province = await office.province("PHO")
    officer = office.as_("card_officer", province)
    with_photo = [await office.member("PHO-A") for _ in range(2)]
    without = [await office.member("PHO-B", photo=False) for _ in range(3)]
    await office.request(with_photo, unit="PHO-A")
    left = (await office.request(without, unit="PHO-B"))["cards"]
    unit = str(office.units[province])

    # The preview says what an order would take and what it would leave out, and why, in Vietnamese.
    preview = await office.http.get(f"{ORDERS}/preview", params={"unit_id": unit, "kind": "regular"}, headers=officer)
    assert preview.status_code == 200, preview.text
    seen = preview.json()
    assert (seen["supplier"], seen["requested"], seen["without_photo"], seen["to_order"]) == (
        "national_centre",
        5,
        3,
        2,
    )
    assert seen["left_out_vi"].startswith("3 thẻ không được đặt in vì đoàn viên chưa có ảnh 3×4")

    # By default the order takes the cards with a photo and says how many it left out; those stay requested.
    order = await place(office, province)
    assert (order["card_count"], order["include_without_photo"], order["left_out_without_photo"]) == (2, False, 3)
    assert order["left_out_vi"].startswith("3 thẻ không được đặt in")
    assert {(await card(office, c["card_id"]))["status"] for c in left} == {"requested"}
    fetched = (await office.http.get(f"{ORDERS}/{order['order_id']}", headers=officer)).json()
    assert (fetched["left_out_without_photo"], fetched["left_out_vi"]) == (3, order["left_out_vi"])

    # Only cards without a photo are left: no order unless the unit includes them; then they all go, nothing left.
    refused = await office.http.post(ORDERS, json={"unit_id": unit, "kind": "regular"}, headers=officer)
    problem = assert_problem(refused, 422, "only-cards-without-photo", "include_without_photo")
    assert "3 thẻ không được đặt in vì đoàn viên chưa có ảnh" in problem["message_vi"]
    included = await office.http.post(
        ORDERS, json={"unit_id": unit, "kind": "regular", "include_without_photo": True}, headers=officer
    )
    assert included.status_code == 201, included.text
    assert (included.json()["card_count"], included.json()["left_out_without_photo"]) == (3, 0)
    assert included.json()["include_without_photo"] is True and included.json()["left_out_vi"] is None
    after = (
        await office.http.get(f"{ORDERS}/preview", params={"unit_id": unit, "kind": "regular"}, headers=officer)
    ).json()
    assert (after["requested"], after["without_photo"], after["to_order"], after["left_out_vi"]) == (0, 0, 0, None)


async def test_a_bad_order_preview_or_option_is_refused(office):
    province = await office.province("PHX")
    officer, unit = office.as_("card_officer", province), str(office.units[province])
    for params, field in (
        ({"kind": "regular"}, "unit_id"),
        ({"unit_id": "abc", "kind": "regular"}, "unit_id"),
        ({"unit_id": unit, "kind": "gold"}, "kind"),
        ({"unit_id": unit, "kind": "linked", "partner": "ctg!"}, "partner"),
    ):
        answer = await office.http.get(f"{ORDERS}/preview", params=params, headers=officer)
        assert_problem(answer, 422, "invalid-input", field)
    bad_option = await office.http.post(
        ORDERS, json={"unit_id": unit, "kind": "regular", "include_without_photo": "maybe"}, headers=officer
    )
    assert_problem(bad_option, 422, "invalid-input", "include_without_photo")
    grassroots = await office.http.get(
        f"{ORDERS}/preview", params={"unit_id": str(office.units["PHX-A"]), "kind": "regular"}, headers=officer
    )
    assert_problem(grassroots, 422, "unit-cannot-order-cards", "unit_id")
    elsewhere = await office.http.get(
        f"{ORDERS}/preview", params={"unit_id": str(office.units["HNI"]), "kind": "regular"}, headers=officer
    )
    assert_problem(elsewhere, 403, "out-of-scope", "unit_id")
    unknown_bank = await office.http.get(
        f"{ORDERS}/preview", params={"unit_id": unit, "kind": "linked", "partner": "ZZZ"}, headers=officer
    )
    assert_problem(unknown_bank, 422, "unknown-partner", "partner")
