"""The chassis's one way of doing a thing has no side doors in the services or the gateway.

Read from the source: a new module is covered the day it is added.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    path
    for tree in [*(ROOT / "services").glob("*/src"), ROOT / "gateway" / "src"]
    if "chassis" not in tree.parts
    for path in tree.rglob("*.py")
)

SIDE_DOORS = {
    # Every write of the outbox goes through chassis.outbox (record_event[s], record_prebuilt_events,
    # record_event_sync); reading it (a migration's SELECT) is fine.
    "the outbox table written by hand": re.compile(
        r"\bimport\b[^\n]*\boutbox_events\b|copy_records_to_table\(\s*\"outbox_events\"|INSERT INTO outbox_events", re.I
    ),
    # One wake-up loop: chassis.wakeup.
    "a LISTEN of its own": re.compile(r"\.add_listener\("),
    # One app factory: chassis.http.create_app / create_service_app.
    "an app's lifespan patched or handlers of its own": re.compile(
        r"lifespan_context|\.exception_handler\(|\bFastAPI\("
    ),
}


@pytest.mark.parametrize("door", sorted(SIDE_DOORS))
def test_no_side_door(door: str):
    pattern = SIDE_DOORS[door]
    found = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in SOURCES
        for text in [path.read_text()]
        for match in pattern.finditer(text)
    ]
    assert not found, f"{door}: {found}"
