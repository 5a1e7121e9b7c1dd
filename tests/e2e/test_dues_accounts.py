"""Dues through the gateway: a month accounts for the members left out, arrears follow, a remittance is recorded
by its unit and confirmed once by the upper level, the reconciliation adds up, and reporting (through Kafka) shows
the upper share, what the grassroots union remitted of it and what was confirmed, the province's onward remittance
not counted twice."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

from contracts.wellknown import NATIONAL_CENTRE_ID
from localrun.client import gateway_client

from tests.e2e.test_walking_skeleton import create_member, create_unit
from tests.support.polling import eventually

PASSWORD = "Doan-Phi-Thu!2026"
SALARY = 9_000_000  # 0.5 % since 7/2025: 45,000 a month, 13,500 of it due upward


async def test_months_arrears_and_remittances_add_up(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"DP{suffix}", "Liên đoàn Lao động tỉnh Đoàn Phí", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(
        admin, f"DG{suffix}", "Công đoàn cơ sở Công ty Đoàn Phí", "grassroots_union", province
    )
    members = [
        (await create_member(admin, grassroots, name=name, gender="female", year=year))["member_id"]
        for name, year in (("Lý Thị Thu", 1991), ("Đào Thị Phí", 1993))
    ]
    for member_id in members:
        decided = await admin.post(f"/api/v1/members/members/{member_id}/decision", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text

    async def record(month: str, lines: list[dict]):
        return await admin.post("/api/v1/dues/months", json={"unit_id": grassroots, "month": month, "lines": lines})

    # Dues learns of the members through Kafka: until then it refuses the lines and changes nothing.
    september = await eventually(
        lambda: record("2025-09", [{"member_id": m, "salary_vnd": SALARY} for m in members]),
        lambda r: r.status_code == 201 or (r.status_code == 422 and r.json().get("code") != "dues-lines-refused"),
        timeout=60,
    )
    assert september.status_code == 201, september.text
    october = await record("2025-10", [{"member_id": members[0], "salary_vnd": SALARY}])
    assert october.status_code == 201, october.text
    assert (october.json()["members_paid"], october.json()["members_unpaid"], october.json()["owed_vnd"]) == (
        1,
        1,
        45_000,
    )

    arrears = (await admin.get("/api/v1/dues/arrears/summary", params={"unit_id": province})).json()
    assert (arrears["members_owing"], arrears["months_owed"], arrears["owed_vnd"]) == (1, 1, 45_000)
    owing = (await admin.get("/api/v1/dues/arrears", params={"unit_id": province})).json()["items"]
    assert [(m["member_id"], m["first_month"]) for m in owing] == [(members[1], "2025-10-01")]
    export = await admin.get("/api/v1/dues/arrears/export.xlsx", params={"unit_id": province})
    assert export.status_code == 200 and export.content[:2] == b"PK"

    remittance = {
        "unit_id": grassroots,
        "month_from": "2025-09",
        "month_to": "2025-10",
        "transferred_on": "2025-11-05",
        "amount_vnd": 40_500,
        "reference": f"UNC-{suffix}",
    }
    for_another = await admin.post("/api/v1/dues/remittances", json=remittance)
    assert (for_another.status_code, for_another.json()["code"]) == (403, "remittance-for-another-unit")

    async with sign_in_officer(platform, admin, f"doanphi.{suffix.lower()}", grassroots) as officer:
        recorded = await officer.post("/api/v1/dues/remittances", json=remittance)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["upper_unit_id"] == province
    remittance_id = recorded.json()["remittance_id"]

    confirmed = await admin.post(
        f"/api/v1/dues/remittances/{remittance_id}/confirm", json={"received_on": "2025-11-06"}
    )
    assert confirmed.status_code == 200, confirmed.text
    again = await admin.post(f"/api/v1/dues/remittances/{remittance_id}/confirm", json={"received_on": "2025-11-06"})
    assert (again.status_code, again.json()["code"]) == (409, "remittance-already-confirmed")

    statement = (
        await admin.get(
            "/api/v1/dues/reconciliation", params={"unit_id": province, "month_from": "2025-09", "month_to": "2025-10"}
        )
    ).json()
    # The grassroots union's line, and the province's own (it may collect for members attached to it directly).
    assert {
        line["code"]: (line["due_vnd"], line["remitted_vnd"], line["confirmed_vnd"], line["outstanding_vnd"])
        for line in statement["lines"]
    } == {f"DG{suffix}": (13_500 * 3, 40_500, 40_500, 0), f"DP{suffix}": (0, 0, 0, 0)}
    assert (statement["due_vnd"], statement["outstanding_vnd"]) == (40_500, 0)

    # The province remits what it owes the national centre for the period (all of it: the seeded policies keep
    # nothing at upper levels); the national centre confirms once; each level sees its line.
    async with sign_in_officer(platform, admin, f"doanphi.tinh.{suffix.lower()}", province) as officer:
        for_below = await officer.post("/api/v1/dues/remittances", json=remittance | {"reference": f"T-{suffix}"})
        assert (for_below.status_code, for_below.json()["code"]) == (403, "remittance-for-another-unit")
        upward = await officer.post(
            "/api/v1/dues/remittances",
            json=remittance | {"unit_id": province, "amount_vnd": 30_000, "reference": f"T-{suffix}"},
        )
        assert upward.status_code == 201, upward.text
        assert upward.json()["upper_unit_id"] == str(NATIONAL_CENTRE_ID)
        own = await officer.post(
            f"/api/v1/dues/remittances/{upward.json()['remittance_id']}/confirm", json={"received_on": "2025-11-07"}
        )
        assert (own.status_code, own.json()["code"]) == (403, "out-of-scope")
    path = f"/api/v1/dues/remittances/{upward.json()['remittance_id']}/confirm"
    assert (await admin.post(path, json={"received_on": "2025-11-07"})).status_code == 200
    twice = await admin.post(path, json={"received_on": "2025-11-08"})
    assert (twice.status_code, twice.json()["code"], twice.json()["field"]) == (
        409,
        "remittance-already-confirmed",
        "remittance_id",
    )
    period = {"month_from": "2025-09", "month_to": "2025-10"}
    national = (
        await admin.get("/api/v1/dues/reconciliation", params={"unit_id": str(NATIONAL_CENTRE_ID), **period})
    ).json()
    [line] = [line for line in national["lines"] if line["code"] == f"DP{suffix}"]
    assert (line["due_vnd"], line["remitted_vnd"], line["confirmed_vnd"], line["outstanding_vnd"]) == (
        40_500,
        30_000,
        30_000,
        10_500,
    )
    position = (await admin.get("/api/v1/dues/reconciliation", params={"unit_id": province, **period})).json()
    assert position["to_upper_level"]["outstanding_vnd"] == 10_500

    # Reporting reads the same months and remittances from dues.collection.v1: the remittance of September and
    # October counts in October; the province forwarding 30,000 of it is the same money, not counted again.
    def sums(values: dict) -> tuple:
        return tuple(values[k] for k in ("upper_share_vnd", "remitted_vnd", "confirmed_vnd", "outstanding_vnd"))

    report = await eventually(
        lambda: admin.get("/api/v1/reporting/dues", params={"unit_id": province, "from": "2025-09", "to": "2025-10"}),
        lambda r: r.status_code == 200 and r.json()["total"]["confirmed_vnd"] == 40_500,
        timeout=60,
    )
    body = report.json()
    assert [sums(month) for month in body["months"]] == [(27_000, 0, 0, 27_000), (13_500, 40_500, 40_500, -27_000)]
    assert [(row["code"], sums(row)) for row in body["rows"]] == [(f"DG{suffix}", (40_500, 40_500, 40_500, 0))]
    assert (sums(body["total"]), body["total"]["units_reporting"]) == ((40_500, 40_500, 40_500, 0), 2)
    for wrong, field in (
        ({"from": "2025-11", "to": "2025-10"}, "from"),
        ({"from": "2025-13", "to": "2025-10"}, "from"),
    ):
        refused = await admin.get("/api/v1/reporting/dues", params={"unit_id": province, **wrong})
        assert (refused.status_code, refused.json()["field"]) == (422, field)
        assert refused.headers["content-type"].startswith("application/problem+json")
    workbook = await admin.get(
        "/api/v1/reporting/dues.xlsx", params={"unit_id": province, "from": "2025-09", "to": "2025-10"}
    )
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"


async def test_an_exemption_names_a_reason_of_the_months_policy(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"MP{suffix}", "Liên đoàn Lao động tỉnh Miễn Phí", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(admin, f"MG{suffix}", "Công đoàn cơ sở Miễn Phí", "grassroots_union", province)
    member_id = (await create_member(admin, grassroots, name="Hà Thị Miễn", gender="female", year=1990))["member_id"]
    decided = await admin.post(f"/api/v1/members/members/{member_id}/decision", json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    policies = (await admin.get("/api/v1/dues/policies")).json()
    reasons = [reason["code"] for reason in policies[-1]["exemption_reasons"]]
    assert "no_income" in reasons and "maternity" not in reasons

    async def record(exemption: str):
        body = {"unit_id": grassroots, "month": "2025-09", "lines": [{"member_id": member_id, "exemption": exemption}]}
        return await admin.post("/api/v1/dues/months", json=body)

    # Once dues knows the new unit (orgtree.unit.v1), refused on the reason alone, whether or not it has learned
    # of the member yet; nothing is recorded.
    refused = await eventually(
        lambda: record("maternity"),
        lambda r: r.status_code == 422 and r.json().get("code") == "dues-lines-refused",
        timeout=60,
    )
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (refused.status_code, problem["code"], problem["field"]) == (422, "dues-lines-refused", "lines[0].exemption")
    assert problem["errors"][0]["code"] == "exemption-not-in-policy" and problem["message_en"]
    months = (await admin.get("/api/v1/dues/months", params={"unit_id": grassroots})).json()["items"]
    assert months == []
    # Dues learns of the member through Kafka: until then the line is refused as not in the unit.
    recorded = await eventually(
        lambda: record("no_income"),
        lambda r: r.status_code != 422 or (r.json().get("errors") or [{}])[0].get("code") != "member-not-in-unit",
        timeout=60,
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["members_exempt"] == 1


@asynccontextmanager
async def sign_in_officer(platform, admin, username: str, unit_id: str):
    """A dues officer of the unit, signed in through the gateway: its client."""

    async def create():
        # identity learns of a new unit through orgtree.unit.v1; until then it refuses and changes nothing.
        return await admin.post(
            "/api/v1/identity/users",
            json={
                "username": username,
                "full_name": "Tạ Thị Thủ Quỹ",
                "home_unit_id": unit_id,
                "password": PASSWORD,
                "roles": [{"role": "dues_officer", "unit_id": unit_id}],
            },
        )

    created = await eventually(create, lambda r: r.status_code not in (403, 404), timeout=30)
    assert created.status_code == 201, created.text
    async with gateway_client(platform.gateway_url) as officer:
        first = await officer.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD})
        assert first.status_code == 200, first.text
        # A new account's token may only change the password: the officer sets their own, then signs in with it.
        changed = await officer.post(
            "/api/v1/identity/me/password",
            headers={"authorization": f"Bearer {first.json()['access_token']}"},
            json={"current_password": PASSWORD, "new_password": PASSWORD + "-moi"},
        )
        assert changed.status_code == 204, changed.text
        login = await officer.post("/api/v1/identity/login", json={"username": username, "password": PASSWORD + "-moi"})
        assert login.status_code == 200, login.text
        officer.headers["authorization"] = f"Bearer {login.json()['access_token']}"
        yield officer
