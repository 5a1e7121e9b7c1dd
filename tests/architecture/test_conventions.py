"""Siblings alike: a name that starts with an underscore belongs to its module (no other module imports it), and a
service's HTTP models live in its `entrypoints/schemas.py` only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "contracts", ROOT / "gateway" / "src", *sorted((ROOT / "services").glob("*/src"))]
SERVICES = ["orgtree", "members", "reporting", "identity", "dues", "cards"]


def private_imports(source: str) -> list[str]:
    return [
        f"{node.module}.{alias.name} (line {node.lineno})"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_no_module_imports_another_modules_private_names():
    found = {
        str(path.relative_to(ROOT)): names
        for base in SOURCES
        for path in sorted(base.rglob("*.py"))
        if "tests" not in path.relative_to(base).parts and (names := private_imports(path.read_text()))
    }
    assert found == {}


def test_the_check_sees_a_private_import():
    assert private_imports("from orgtree.adapters.repository import _columns, unit_row\n") == [
        "orgtree.adapters.repository._columns (line 1)"
    ]


def models_outside_schemas(source: str, models: set[str]) -> list[str]:
    """Classes deriving from pydantic's BaseModel or from a model of the service's schemas."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id in models | {"BaseModel"} for base in node.bases)
    ]


def entrypoints_of(service: str) -> Path:
    return ROOT / "services" / service / "src" / service / "entrypoints"


def test_http_models_live_in_schemas_only():
    found = {}
    for service in SERVICES:
        schemas = entrypoints_of(service) / "schemas.py"
        assert schemas.exists(), f"{service} has no entrypoints/schemas.py"
        models = {node.name for node in ast.parse(schemas.read_text()).body if isinstance(node, ast.ClassDef)}
        for path in sorted(entrypoints_of(service).glob("*.py")):
            if path.name != "schemas.py" and (names := models_outside_schemas(path.read_text(), models)):
                found[str(path.relative_to(ROOT))] = names
    assert found == {}


def test_the_check_sees_a_model_outside_schemas():
    source = "class A(BaseModel):\n    x: int\nclass B(MemberOut):\n    y: int\nclass C:\n    pass\n"
    assert models_outside_schemas(source, {"MemberOut"}) == ["A", "B"]


def test_rows_stay_in_the_adapters():
    """Repositories hand out domain objects (or plain values): no use case or route reads a row's `_mapping`."""
    found = [
        str(path.relative_to(ROOT))
        for service in SERVICES
        for path in sorted((ROOT / "services" / service / "src" / service).rglob("*.py"))
        if path.parent.name != "adapters" and "._mapping" in path.read_text()
    ]
    assert found == []
