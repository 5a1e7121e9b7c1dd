"""Decides whether a new JSON Schema of an event can replace the published one.

Consumers ignore unknown fields, so adding an optional field is compatible.
Removing or renaming a field, changing its type, or making a field required is not.
"""

from __future__ import annotations

from typing import Any


def breaking_changes(published: dict[str, Any], current: dict[str, Any], path: str = "") -> list[str]:
    published = _resolve(published, published)
    current = _resolve(current, current)
    problems: list[str] = []
    old_props: dict[str, Any] = published.get("properties", {})
    new_props: dict[str, Any] = current.get("properties", {})
    for name, old_schema in old_props.items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: field removed")
            continue
        problems += _type_changes(old_schema, new_props[name], where)
    newly_required = set(current.get("required", [])) - set(published.get("required", []))
    for name in sorted(newly_required):
        where = f"{path}.{name}" if path else name
        problems.append(f"{where}: field became required" if name in old_props else f"{where}: new required field")
    return problems


def _type_changes(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    if _types(old) - _types(new):
        return [f"{where}: type changed from {sorted(_types(old))} to {sorted(_types(new))}"]
    if "enum" in old and "enum" in new and set(old["enum"]) - set(new["enum"]):
        return [f"{where}: enum values removed {sorted(set(old['enum']) - set(new['enum']))}"]
    if "properties" in old:
        return breaking_changes(old, new, where)
    return []


def _types(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema:
        return set().union(*(_types(option) for option in schema["anyOf"]))
    if "$ref" in schema:
        return {schema["$ref"].rsplit("/", 1)[-1]}
    if "const" in schema:
        return {repr(schema["const"])}
    kind = schema.get("type", "any")
    if kind == "array":
        return {f"array[{','.join(sorted(_types(schema.get('items', {}))))}]"}
    if "format" in schema:
        return {f"{kind}:{schema['format']}"}
    return {kind}


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    """Inline `$defs` references so nested models are compared field by field."""
    if isinstance(schema, dict):
        if "$ref" in schema and schema["$ref"].startswith("#/$defs/"):
            target = root.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
            return _resolve(target, root)
        return {k: _resolve(v, root) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_resolve(item, root) for item in schema]
    return schema
