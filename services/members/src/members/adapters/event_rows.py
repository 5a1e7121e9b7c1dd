"""History rows and outbox events of many members at once, built as text and written with COPY.

Imports and bulk changes (approvals, rejections, suspensions ending, units closing) change up to
hundreds of thousands of members in one transaction. Building each member's snapshot with
jsonb_build_object in SQL cost ~14 µs a member in the database (jsonb, then text again for the
event); here the statement returns the snapshot columns and the JSON is joined from C-encoded
strings. The keys are `MemberSnapshot`'s, in `Member.snapshot()` order, and the tests read these
rows back with the contract models (test_event_payloads.py) so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from chassis import telemetry
from chassis.database import raw_connection
from chassis.ids import uuid7_texts
from contracts.events.members_member_v1 import TOPIC
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import members

# What a statement returns for each changed member so that its snapshot can be written.
SNAPSHOT_COLUMNS = (members.c.member_id, members.c.unit_id, members.c.status, members.c.full_name,
                    members.c.gender, members.c.date_of_birth, members.c.member_code, members.c.joined_on,
                    members.c.position, members.c.card_type, members.c.nationality, members.c.has_photo,
                    members.c.version)
SNAPSHOT_SQL = ", ".join(column.name for column in SNAPSHOT_COLUMNS)
HISTORY_COLUMNS = ["member_id", "version", "change", "state", "reason", "details", "changed_by", "acting_for"]
OUTBOX_COLUMNS = ["event_id", "topic", "message_key", "event_type", "payload", "trace_headers"]
_json_text = json.encoder.encode_basestring  # a str as a JSON string, non-ASCII kept (C)


def _json(value: object) -> str:
    return "null" if value is None else _json_text(str(value))


def _day(value) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def snapshot_json(row: Sequence) -> str:
    """`MemberSnapshot` as JSON text, from a row of SNAPSHOT_COLUMNS (in that order)."""
    (member_id, unit_id, status, full_name, gender, date_of_birth, member_code, joined_on, position, card_type,
     nationality, has_photo, version) = row
    return (f'{{"member_id": "{member_id}", "unit_id": "{unit_id}", "status": {_json(status)}, '
            f'"full_name": {_json(full_name)}, "gender": {_json(gender)}, "date_of_birth": {_day(date_of_birth)}, '
            f'"member_code": {_json(member_code)}, "joined_on": {_day(joined_on)}, "position": {_json(position)}, '
            f'"card_type": {_json(card_type)}, "is_foreign": {"false" if nationality == "VN" else "true"}, '
            f'"has_photo": {"true" if has_photo else "false"}, "version": {int(version)}}}')


def history_and_events(rows: Sequence[Sequence], *, change: str, changed_by: str | None, acting_for: str | None,
                       reason: str | None, details: dict | None, event_type: str,
                       event_fields: dict[str, object]) -> tuple[list[tuple], list[tuple]]:
    """member_history rows (HISTORY_COLUMNS) and outbox_events rows (OUTBOX_COLUMNS) of changed members, one
    each per row of SNAPSHOT_COLUMNS. The event is `{"member_id": …, "member": <snapshot>, **event_fields}`."""
    details_json = json.dumps(details, ensure_ascii=False) if details is not None else None
    fields = "".join(f", {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}"
                     for name, value in event_fields.items())
    headers = json.dumps(telemetry.current_trace_headers())
    history, events = [], []
    for row, event_id in zip(rows, uuid7_texts(len(rows)), strict=True):
        state, member_id = snapshot_json(row), str(row[0])
        history.append((row[0], row[12], change, state, reason, details_json, changed_by, acting_for))
        events.append((event_id, TOPIC, member_id, event_type,
                       f'{{"member_id": "{member_id}", "member": {state}{fields}}}', headers))
    return history, events


async def write_history_and_events(session: AsyncSession, history: list[tuple], events: list[tuple]) -> None:
    """COPY the rows in the session's transaction: they commit, or not, with the change they record."""
    if not history:
        return
    raw = await raw_connection(session)
    await raw.copy_records_to_table("member_history", records=history, columns=HISTORY_COLUMNS)
    await raw.copy_records_to_table("outbox_events", records=events, columns=OUTBOX_COLUMNS)
