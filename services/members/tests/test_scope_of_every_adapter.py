"""The scope linter, applied to every adapter module of the members service (not only repository.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.test_scope_linter import scoped_tables, violations

ADAPTERS = Path(__file__).resolve().parents[1] / "src" / "members" / "adapters"


@pytest.mark.parametrize("module", sorted(p.name for p in ADAPTERS.rglob("*.py")))
def test_adapter_queries_are_scoped_or_say_why(module):
    assert violations((ADAPTERS / module).read_text(), scoped_tables("members")) == []


def test_every_members_table_with_units_is_scoped():
    assert {"members", "member_history", "member_transfers", "member_imports", "member_import_rows"} <= scoped_tables(
        "members"
    )
