"""The demo data that `deploy/up.sh` loads goes in through the gateway and can be loaded again safely."""

from __future__ import annotations

from localrun import demo, demo_people

from tests.support.polling import eventually


async def test_demo_data_loads_once_even_when_seeded_twice(platform, admin):
    await demo.seed(platform.gateway_url)
    await demo.seed(platform.gateway_url)

    found = await admin.get("/api/v1/orgtree/units", params={"q": "HNI-CS-0001"})
    codes = [unit["code"] for unit in found.json()["items"]]
    assert codes.count("HNI-CS-0001") == 1
    unit_id = next(unit["unit_id"] for unit in found.json()["items"] if unit["code"] == "HNI-CS-0001")

    async def members_of_unit():
        names, after = [], None
        while True:
            response = await admin.get(
                f"/api/v1/members/units/{unit_id}/members", params={"limit": 500} | ({"after": after} if after else {})
            )
            names += [item["full_name"] for item in response.json()["items"]]
            after = response.json()["next_cursor"]
            if after is None:
                return names

    # The hand-entered members once each, and the unit's imported list once.
    hand_entered = [name for code, name, *_ in demo.MEMBERS if code == "HNI-CS-0001"]
    imported = dict((code, count) for code, count, _ in demo_people.MEMBER_LISTS)["HNI-CS-0001"]
    names = await eventually(members_of_unit, lambda names: len(names) >= len(hand_entered) + imported, timeout=60)
    assert len(names) == len(hand_entered) + imported
    assert all(names.count(name) == 1 for name in hand_entered)
    expected = hand_entered

    async def cards_of_unit():
        response = await admin.get("/api/v1/cards/cards", params={"unit_id": unit_id})
        return sorted(card["status"] for card in response.json()["items"])

    # Seeded twice, carded once: one card printed through its own order (the one way to a printed card), the others
    # in the province's next print order, still placed.
    assert await cards_of_unit() == ["ordered"] * (len(expected) - 1) + ["printed"]
    province = next(
        u["unit_id"]
        for u in (await admin.get("/api/v1/orgtree/units", params={"q": "HNI"})).json()["items"]
        if u["code"] == "HNI"
    )
    orders = (await admin.get("/api/v1/cards/print-orders", params={"unit_id": province})).json()["items"]
    assert [(o["status"], o["card_count"]) for o in orders] == [("placed", len(expected) - 1), ("printed", 1)]

    months = (await admin.get("/api/v1/dues/months", params={"unit_id": unit_id})).json()["items"]
    assert [(m["month"], m["members_paid"], m["norm_vnd"]) for m in months] == [
        ("2025-10-01", len(expected), len(expected) * demo.DEMO_SALARY_VND * 5 // 1000)
    ]
