"""The national tree generator and the COPY bulk loader."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from chassis.tables import outbox_events, tree_closure, tree_units
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import unit_history, units
from orgtree.adapters.tree_loader import TreeNotLoadable, load_tree
from orgtree.domain.catalogue import CATALOGUE
from orgtree.domain.model import ENTERPRISE_TYPES
from orgtree.domain.provinces import PROVINCES_2024, PROVINCES_2025
from orgtree.generator import generate_tree
from sqlalchemy import func, select

ALLOWED = {t.code: set(t.allowed_children) for t in CATALOGUE}


def test_the_same_seed_gives_the_same_tree():
    first, again, other = generate_tree(7), generate_tree(7), generate_tree(8)
    assert [(u.unit_id, u.code, u.name, u.parent_id) for u in first] == [
        (u.unit_id, u.code, u.name, u.parent_id) for u in again
    ]
    assert [u.name for u in first] != [u.name for u in other]


@pytest.mark.parametrize("era", ["2024", "2025"])
def test_a_small_tree_follows_the_catalogue(era):
    tree = generate_tree(3, "small", era=era)
    by_id = {u.unit_id: u for u in tree}
    seen = {NATIONAL_CENTRE_ID}
    for unit in tree:
        assert unit.parent_id in seen, f"{unit.code} comes before its parent"
        seen.add(unit.unit_id)
        parent_type = by_id[unit.parent_id].type.code if unit.parent_id in by_id else "national_centre"
        assert unit.type.code in ALLOWED[parent_type], (unit.code, parent_type)
        assert unicodedata.is_normalized("NFC", unit.name)
        assert not unit.type.is_abolished(unit.effective_from)
    assert len({u.code for u in tree}) == len(tree)
    provinces = {u.name for u in tree if u.type.code == "provincial_federation"}
    expected = PROVINCES_2025 if era == "2025" else PROVINCES_2024
    assert provinces == {p.federation_name for p in expected}
    kinds = Counter(u.type.code for u in tree)
    assert (kinds["commune_union"] > 0) == (era == "2025") and (kinds["district_federation"] > 0) == (era == "2024")
    employers = [u.employer for u in tree if u.type.code == "grassroots_union"]
    assert all(e.name and e.enterprise_type in ENTERPRISE_TYPES and e.workforce_size for e in employers)
    assert {e.enterprise_type for e in employers} >= {"foreign_invested", "non_state_domestic", "state_administrative"}


def test_the_national_tree_has_the_published_proportions():
    tree = generate_tree(2025, "national")
    by_id = {u.unit_id: u for u in tree}
    second_level = {u.unit_id for u in tree if u.parent_id == NATIONAL_CENTRE_ID}
    kinds = Counter(u.type.code for u in tree)
    assert len(tree) + 1 == 150_000  # with the national centre
    assert kinds["provincial_federation"] == 34 and len(second_level) == 34 + 20
    upper = [u for u in tree if u.parent_id in second_level and u.type.level <= 3]
    assert len(upper) == 1_200
    assert {by_id[u.parent_id].type.code for u in upper} == {
        "provincial_federation",
        "central_sector_union",
        "corporation_union",
    }
    assert kinds["grassroots_union"] + kinds["professional_union"] == 130_000
    assert kinds["departmental_union"] + kinds["union_group"] == 18_745


async def test_the_bulk_loader_writes_every_table_and_one_event_per_unit(orgtree):
    tree = generate_tree(11, "small", code_prefix="BL-")

    async def counts():
        return [
            await orgtree.scalar(select(func.count()).select_from(t))
            for t in (units, unit_history, tree_units, tree_closure, outbox_events)
        ]

    before = await counts()
    report = await load_tree(orgtree.url, tree)
    depth = {NATIONAL_CENTRE_ID: 0}
    for unit in tree:
        depth[unit.unit_id] = depth[unit.parent_id] + 1
    closure_rows = sum(depth[u.unit_id] + 1 for u in tree)
    assert report.closure_rows == closure_rows
    assert [a - b for a, b in zip(await counts(), before, strict=True)] == [
        len(tree),
        len(tree),
        len(tree),
        closure_rows,
        len(tree),
    ]
    created = await orgtree.scalar(
        select(func.count())
        .select_from(outbox_events)
        .where(outbox_events.c.event_type == "orgtree.unit.created", outbox_events.c.published_at.is_(None))
    )
    assert created >= len(tree)

    hcm = next(u for u in tree if u.code == "BL-LD79")
    page = await orgtree.get(f"/units/{hcm.unit_id}/descendants", limit=500)
    assert len(page.json()["items"]) == sum(1 for u in tree if hcm.unit_id in ancestors(u, tree))

    unchanged = await counts()
    with pytest.raises(TreeNotLoadable, match="codes already exist"):
        await load_tree(orgtree.url, tree)
    assert await counts() == unchanged


def ancestors(unit, tree) -> set:
    parent = {u.unit_id: u.parent_id for u in tree}
    found, current = set(), unit.parent_id
    while current in parent:
        found.add(current)
        current = parent[current]
    return found
