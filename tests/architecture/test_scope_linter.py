"""Every query on a unit-scoped table goes through `restrict_to_scope`, or says why not.

A table is scoped when its definition carries `info={"scoped_by": <column>}`. In
every module of a service that builds queries (whatever its name or layer), a
function that builds a query naming a scoped table must call `restrict_to_scope`
or be decorated `@unscoped("why")`.
"""

from __future__ import annotations

import ast
import importlib
import re
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
    return {name for name, value in vars(tables).items() if isinstance(value, Table) and "scoped_by" in value.info}


def violations(source: str, scoped: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        calls = {
            n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
            for n in ast.walk(node)
            if isinstance(n, ast.Call)
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


def query_modules(service: str) -> list[Path]:
    """Every module of the service that calls a query builder; migrations change the schema, not data."""
    package = ROOT / "services" / service / "src" / service
    return sorted(
        path
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(package).parts
        and re.search(r"\b(select|update|delete)\(", path.read_text())
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_query_on_a_scoped_table_is_restricted(service):
    scoped = scoped_tables(service)
    found = {
        str(path.relative_to(ROOT)): problems
        for path in query_modules(service)
        if (problems := violations(path.read_text(), scoped))
    }
    assert found == {}


def test_the_linter_reads_every_module_that_builds_queries():
    names = {path.name for path in query_modules("members")}
    assert {"repository.py", "search.py", "imports.py"} <= names


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
