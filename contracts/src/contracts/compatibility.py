"""Decides whether a new JSON Schema of an event can replace the published one.

Events are read in both directions: consumers still on the published version read
new events, and new consumers read old events when an outbox is replayed. So the
only compatible change is adding an optional field (consumers ignore unknown
fields). Removing or renaming a field, changing its type (narrowing or widening,
e.g. making it nullable), adding or removing an enum value, or making a field
required is breaking, at any depth: inside nested models, lists and optionals.
"""

from __future__ import annotations

from typing import Any


def breaking_changes(published: dict[str, Any], current: dict[str, Any], path: str = "") -> list[str]:
    return _object_changes(_resolve(published, published), _resolve(current, current), path)


def _object_changes(published: dict[str, Any], current: dict[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    old_props: dict[str, Any] = published.get("properties", {})
    new_props: dict[str, Any] = current.get("properties", {})
    for name, old_schema in old_props.items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: field removed")
            continue
        problems += _field_changes(old_schema, new_props[name], where)
    newly_required = set(current.get("required", [])) - set(published.get("required", []))
    for name in sorted(newly_required):
        where = f"{path}.{name}" if path else name
        problems.append(f"{where}: field became required" if name in old_props else f"{where}: new required field")
    return problems


def _field_changes(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    old_types, new_types = _types(old), _types(new)
    if old_types != new_types:
        return [f"{where}: type changed from {sorted(old_types)} to {sorted(new_types)}"]
    problems: list[str] = []
    old_values, new_values = _enum_values(old), _enum_values(new)
    if old_values is not None and new_values is not None:
        if removed := old_values - new_values:
            problems.append(f"{where}: enum values removed {sorted(removed, key=repr)}")
        if added := new_values - old_values:
            problems.append(f"{where}: enum values added {sorted(added, key=repr)} (published consumers reject them)")
    old_models, new_models = _models(old, where), _models(new, where)
    if len(old_models) == 1 and len(new_models) == 1:  # the usual case; the model may have been renamed
        pairs = [(old_models[0], new_models[0])]
    else:
        by_title = {model.get("title"): (path, model) for path, model in new_models}
        pairs = [(found, by_title[found[1].get("title")]) for found in old_models if found[1].get("title") in by_title]
    for (model_path, old_model), (_, new_model) in pairs:
        problems += _object_changes(old_model, new_model, model_path)
    return problems


def _types(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema or "oneOf" in schema:
        return set().union(*(_types(option) for option in schema.get("anyOf", schema.get("oneOf"))))
    if "$ref" in schema:  # only a recursive model is left unresolved; it was compared one level up
        return {"object"}
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return set().union(*(_types({**schema, "type": option}) for option in kind))
    if kind == "array":
        return {f"array[{','.join(sorted(_types(schema.get('items', {}))))}]"}
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return {f"map[{','.join(sorted(_types(schema['additionalProperties'])))}]"}
    if "format" in schema:
        return {f"{kind}:{schema['format']}"}
    return {kind}


def _enum_values(schema: dict[str, Any]) -> set[Any] | None:
    """Every enum or const value the field allows anywhere in it, or None when it is not an enumeration."""
    values: set[Any] = set()
    found = False
    for _, part in _parts(schema):
        if "enum" in part:
            values |= {_hashable(v) for v in part["enum"]}
            found = True
        elif "const" in part:
            values.add(_hashable(part["const"]))
            found = True
    return values if found else None


def _models(schema: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """The nested models of a field (itself, a list's items, an optional's options) with their paths."""
    return [(where + suffix, part) for suffix, part in _parts(schema) if "properties" in part]


def _parts(schema: dict[str, Any], suffix: str = "") -> list[tuple[str, dict[str, Any]]]:
    parts = [(suffix, schema)]
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        parts += _parts(option, suffix)
    if isinstance(schema.get("items"), dict):
        parts += _parts(schema["items"], suffix + "[]")
    if isinstance(schema.get("additionalProperties"), dict):
        parts += _parts(schema["additionalProperties"], suffix + "{}")
    return parts


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (dict, list)) else value


def _resolve(schema: Any, root: dict[str, Any], expanding: frozenset[str] = frozenset()) -> Any:
    """Inline `$defs` references so nested models are compared field by field (recursive models stay a `$ref`)."""
    if isinstance(schema, dict):
        reference = schema.get("$ref", "")
        if reference.startswith("#/$defs/") and reference not in expanding:
            target = root.get("$defs", {}).get(reference.rsplit("/", 1)[-1], {})
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            return _resolve({**target, **siblings}, root, expanding | {reference})
        return {k: _resolve(v, root, expanding) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_resolve(item, root, expanding) for item in schema]
    return schema
