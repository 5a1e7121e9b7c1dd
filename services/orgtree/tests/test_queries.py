"""Reading the tree: the path above a unit, its descendants page by page, and the tree as of a past date."""

from __future__ import annotations

from contracts.wellknown import NATIONAL_CENTRE_ID

from services.orgtree.tests.helpers import ADMIN, assert_problem
from tests.support.services import headers_for, principal


async def small_tree(orgtree, prefix: str) -> dict[str, str]:
    """P ─┬─ Z ─┬─ Z1 ─ Z1T
    │     └─ Z2
    └─ C"""
    ids = {
        "P": await orgtree.unit(
            f"{prefix}-P",
            f"Liên đoàn Lao động tỉnh {prefix}",
            "provincial_federation",
            NATIONAL_CENTRE_ID,
            effective_from="2021-01-01",
        )
    }
    ids["Z"] = await orgtree.unit(
        f"{prefix}-Z", "Công đoàn khu công nghiệp Một", "industrial_zone_union", ids["P"], effective_from="2021-01-01"
    )
    ids["Z1"] = await orgtree.unit(
        f"{prefix}-Z1", "Công đoàn cơ sở Công ty Một", "grassroots_union", ids["Z"], effective_from="2022-01-01"
    )
    ids["Z1T"] = await orgtree.unit(
        f"{prefix}-Z1T", "Tổ công đoàn Ca đêm", "union_group", ids["Z1"], effective_from="2022-01-01"
    )
    ids["Z2"] = await orgtree.unit(
        f"{prefix}-Z2", "Công đoàn cơ sở Công ty Hai", "grassroots_union", ids["Z"], effective_from="2023-06-01"
    )
    ids["C"] = await orgtree.unit(
        f"{prefix}-C", "Công đoàn cơ sở Trực thuộc", "grassroots_union", ids["P"], effective_from="2021-01-01"
    )
    return ids


async def test_ancestors_are_the_path_from_the_root(orgtree):
    ids = await small_tree(orgtree, "QA")
    response = await orgtree.get(f"/units/{ids['Z1T']}/ancestors")
    assert [(u["code"], u["depth"]) for u in response.json()["items"]] == [
        ("TLD", 4),
        ("QA-P", 3),
        ("QA-Z", 2),
        ("QA-Z1", 1),
        ("QA-Z1T", 0),
    ]
    # An officer of the grassroots unit sees where it sits, but only for a unit inside their scope.
    officer = headers_for(principal("unit_admin", ids["Z1"]))
    assert (await orgtree.get(f"/units/{ids['Z1T']}/ancestors", officer)).status_code == 200
    assert (await orgtree.get(f"/units/{ids['C']}/ancestors", officer)).status_code == 403


async def test_descendants_come_in_keyset_pages(orgtree):
    ids = await small_tree(orgtree, "QD")
    seen, after = [], None
    while True:
        params = {"limit": 2} | ({"after": after} if after else {})
        page = (await orgtree.get(f"/units/{ids['P']}/descendants", **params)).json()
        seen += [(u["code"], u["depth"]) for u in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert seen == [("QD-C", 1), ("QD-Z", 1), ("QD-Z1", 2), ("QD-Z1T", 3), ("QD-Z2", 2)]
    shallow = await orgtree.get(f"/units/{ids['P']}/descendants", max_depth=1)
    assert [u["code"] for u in shallow.json()["items"]] == ["QD-C", "QD-Z"]

    await orgtree.post(f"/units/{ids['Z2']}/dissolve", {"effective_from": "2024-01-01"})
    active = await orgtree.get(f"/units/{ids['Z']}/descendants")
    assert [u["code"] for u in active.json()["items"]] == ["QD-Z1", "QD-Z1T"]
    everything = await orgtree.get(f"/units/{ids['Z']}/descendants", include_closed="true")
    assert [(u["code"], u["status"]) for u in everything.json()["items"]][-1] == ("QD-Z2", "dissolved")
    officer = headers_for(principal("unit_admin", ids["Z1"]))
    assert (await orgtree.get(f"/units/{ids['P']}/descendants", officer)).status_code == 403


async def test_the_tree_as_of_a_date_shows_the_structure_of_that_day(orgtree):
    ids = await small_tree(orgtree, "QT")
    other = await orgtree.unit(
        "QT-O", "Liên đoàn Lao động tỉnh Khác", "provincial_federation", NATIONAL_CENTRE_ID, effective_from="2021-01-01"
    )
    assert (
        await orgtree.post(f"/units/{ids['Z']}/move", {"new_parent_id": other, "effective_from": "2025-07-01"})
    ).status_code == 200
    assert (
        await orgtree.http.patch(
            f"/api/v1/orgtree/units/{ids['C']}",
            headers=ADMIN,
            json={"name": "Công đoàn cơ sở Đổi Tên", "effective_from": "2024-01-01"},
        )
    ).status_code == 200

    async def tree(unit: str, day: str, **params) -> list[tuple]:
        response = await orgtree.get(f"/units/{ids.get(unit, unit)}/tree", as_of=day, **params)
        assert response.status_code == 200, response.text
        return [(u["code"], u["depth"]) for u in response.json()["items"]]

    assert await tree("P", "2021-06-30") == [("QT-P", 0), ("QT-C", 1), ("QT-Z", 1)]
    assert await tree("P", "2025-06-30") == [
        ("QT-P", 0),
        ("QT-C", 1),
        ("QT-Z", 1),
        ("QT-Z1", 2),
        ("QT-Z2", 2),
        ("QT-Z1T", 3),
    ]
    assert await tree("P", "2025-07-01") == [("QT-P", 0), ("QT-C", 1)]
    assert await tree(other, "2025-07-01", max_depth=1) == [("QT-O", 0), ("QT-Z", 1)]
    names = await orgtree.get(f"/units/{ids['P']}/tree", as_of="2023-12-31", max_depth=1)
    assert "Trực thuộc" in names.json()["items"][1]["name"]

    first = await orgtree.get(f"/units/{ids['P']}/tree", as_of="2025-06-30", limit=4)
    rest = await orgtree.get(f"/units/{ids['P']}/tree", as_of="2025-06-30", after=first.json()["next_cursor"])
    assert [u["code"] for u in first.json()["items"] + rest.json()["items"]] == [
        "QT-P",
        "QT-C",
        "QT-Z",
        "QT-Z1",
        "QT-Z2",
        "QT-Z1T",
    ]

    before_it_existed = await orgtree.get(f"/units/{ids['Z2']}/tree", as_of="2023-05-31")
    assert_problem(before_it_existed, 404, "unit-not-in-effect", "as_of", "31/05/2023", "did not exist on 2023-05-31")
