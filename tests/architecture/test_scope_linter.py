"""Every repository query on a unit-scoped table goes through `restrict_to_scope`, or says why not.

A table is scoped when its definition carries `info={"scoped_by": <column>}`. In
each service's `adapters/repository.py`, a function that builds a query naming a
scoped table must call `restrict_to_scope` or be decorated `@unscoped("why")`.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from sqlalchemy import Table

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["orgtree", "members", "reporting", "identity", "dues", "cards"]
QUERY_BUILDERS = {"select", "update", "delete"}


def scoped_tables(service: str) -> set[str]:
    try:
        tables = importlib.import_module(f"{service}.adapters.tables")
    except ModuleNotFoundError:
        return set()
    return {
        name for name, value in vars(tables).items() if isinstance(value, Table) and "scoped_by" in value.info
    }


def violations(source: str, scoped: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        calls = {
            n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
            for n in ast.walk(node) if isinstance(n, ast.Call)
        }
        decorators = {
            (d.func.id if isinstance(d, ast.Call) and isinstance(d.func, ast.Name) else getattr(d, "id", ""))
            for d in node.decorator_list
        }
        builds_query = bool(calls & QUERY_BUILDERS)
        touches_scoped = bool(names & scoped)
        if builds_query and touches_scoped and "restrict_to_scope" not in calls and "unscoped" not in decorators:
            found.append(f"{node.name} (line {node.lineno}) queries {sorted(names & scoped)} without restrict_to_scope")
    return found


def repository_of(service: str) -> Path:
    return ROOT / "services" / service / "src" / service / "adapters" / "repository.py"


@pytest.mark.parametrize("service", [s for s in SERVICES if repository_of(s).exists()])
def test_repositories_restrict_scoped_queries(service):
    assert violations(repository_of(service).read_text(), scoped_tables(service)) == []


def test_the_linter_catches_a_bypass():
    source = (
        "async def leak(session):\n"
        "    return await session.execute(select(members).where(members.c.unit_id == 1))\n"
        "@unscoped('national duplicate check')\n"
        "async def allowed(session):\n"
        "    return await session.execute(select(members))\n"
        "async def fine(session, principal):\n"
        "    return restrict_to_scope(select(members), principal, P, members.c.unit_id)\n"
    )
    assert [v.split(" ")[0] for v in violations(source, {"members"})] == ["leak"]


def test_core_services_declare_scoped_tables():
    assert {"members", "member_history"} <= scoped_tables("members")
    assert "units" in scoped_tables("orgtree")
    assert {"member_facts", "unit_member_counts"} <= scoped_tables("reporting")
