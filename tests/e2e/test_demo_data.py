"""The demo data that `deploy/up.sh` loads goes in through the gateway and can be loaded again safely."""

from __future__ import annotations

from localrun import demo

from tests.support.polling import eventually


async def test_demo_data_loads_once_even_when_seeded_twice(platform, admin):
    await demo.seed(platform.gateway_url)
    await demo.seed(platform.gateway_url)

    found = await admin.get("/api/v1/orgtree/units", params={"q": "HNI-CS-0001"})
    codes = [unit["code"] for unit in found.json()["items"]]
    assert codes.count("HNI-CS-0001") == 1
    unit_id = next(unit["unit_id"] for unit in found.json()["items"] if unit["code"] == "HNI-CS-0001")

    async def members_of_unit():
        response = await admin.get(f"/api/v1/members/units/{unit_id}/members")
        return sorted(item["full_name"] for item in response.json()["items"])

    expected = sorted(name for code, name, *_ in demo.MEMBERS if code == "HNI-CS-0001")
    assert await eventually(members_of_unit, lambda names: names == expected, timeout=30) == expected

    async def cards_of_unit():
        response = await admin.get("/api/v1/cards/cards", params={"unit_id": unit_id})
        return sorted(card["status"] for card in response.json()["items"])

    # Seeded twice, carded once: one card printed, the others in the province's one print order.
    assert await cards_of_unit() == ["ordered"] * (len(expected) - 1) + ["printed"]
    province = next(u["unit_id"] for u in (await admin.get("/api/v1/orgtree/units", params={"q": "HNI"})).json()[
        "items"] if u["code"] == "HNI")
    orders = (await admin.get("/api/v1/cards/print-orders", params={"unit_id": province})).json()["items"]
    assert [(o["status"], o["card_count"]) for o in orders] == [("placed", len(expected) - 1)]

    months = (await admin.get("/api/v1/dues/months", params={"unit_id": unit_id})).json()["items"]
    assert [(m["month"], m["members_paid"], m["norm_vnd"]) for m in months] == [
        ("2025-10-01", len(expected), len(expected) * demo.DEMO_SALARY_VND * 5 // 1000)]
