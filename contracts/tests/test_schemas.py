"""The committed JSON Schemas are what the code generates, and the check catches drift."""

from __future__ import annotations

import json
import shutil

from contracts import schemagen


def test_committed_schemas_are_up_to_date_and_compatible():
    assert schemagen.problems() == []


def test_every_event_has_a_committed_schema():
    committed = {path.relative_to(schemagen.SCHEMA_DIR).as_posix() for path in schemagen.SCHEMA_DIR.rglob("*.json")}
    assert committed == set(schemagen.generated_schemas())


def test_check_reports_a_stale_and_a_breaking_schema(tmp_path):
    copy = tmp_path / "schemas"
    shutil.copytree(schemagen.SCHEMA_DIR, copy)
    published = copy / "members.member.v1" / "members.member.created.json"
    schema = json.loads(published.read_text())
    # Pretend the published version had a field the code no longer has.
    schema["properties"]["legacy_code"] = {"type": "string", "title": "Legacy Code"}
    published.write_text(schemagen.render(schema))
    (copy / "orgtree.unit.v1" / "orgtree.unit.moved.json").unlink()

    found = schemagen.problems(copy)

    assert "members.member.v1/members.member.created.json: BREAKING legacy_code: field removed" in found
    assert any(p.startswith("members.member.v1/members.member.created.json: stale") for p in found)
    assert any(p.startswith("orgtree.unit.v1/orgtree.unit.moved.json: not generated") for p in found)
