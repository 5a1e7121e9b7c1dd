"""New units of one batch are linked in rounds: each after its parent, whatever order the batch has."""

from __future__ import annotations

import uuid

import pytest
from chassis.tree import _levels

from services.chassis.tests.test_tree_and_scope import state


def test_units_under_linked_parents_form_one_round_in_their_order():
    linked = uuid.uuid4()
    units = [state(uuid.uuid4(), f"U{i}", linked) for i in range(5)]
    assert _levels(units) == [units]


def test_a_child_listed_before_its_new_parent_comes_one_round_later():
    linked = uuid.uuid4()
    province = state(uuid.uuid4(), "P", linked)
    upper = state(uuid.uuid4(), "P-U", province.unit_id)
    grassroots = state(uuid.uuid4(), "P-U-G", upper.unit_id)
    sibling = state(uuid.uuid4(), "S", linked)
    assert _levels([grassroots, upper, sibling, province]) == [[sibling, province], [upper], [grassroots]]


def test_a_cycle_among_new_units_is_refused():
    first, second = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(ValueError, match="its own ancestor"):
        _levels([state(first, "A", second), state(second, "B", first)])
