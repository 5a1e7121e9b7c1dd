"""A handler that names the fields it reads (`batched(..., reads=...)`) gets an event validated on those alone.

Decoding only, with no broker or database: `EventConsumer._read` is what every record of a poll goes through before
the dead letter or the batch (the whole path, bad input included, runs on the real broker in test_consumer*.py and
tests/read_models).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from chassis.consumer import EventConsumer, batched, reading
from chassis.database import Database
from chassis.settings import ServiceSettings
from contracts.envelope import Envelope, MalformedMessage
from contracts.events.members_member_v1 import MemberApproved, MemberCreated, MemberEvent, MemberRemoved

from services.chassis.tests.helpers import member_created

READS = {"member": ("member_id", "unit_id", "status", "version")}


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    headers: list
    value: bytes | None
    key: bytes | None = None


async def _apply(session, events, envelopes) -> None:
    raise AssertionError("decoding only")


@pytest.fixture
def consumer() -> EventConsumer:
    settings = ServiceSettings(service_name="reads-test", database_url="postgresql+asyncpg://nowhere/none")
    handler = batched(_apply, reads=READS)
    # MemberRemoved has no handler: such an event is ignored, after the whole contract has checked it as before.
    return EventConsumer(
        "reads-test", settings, Database(settings.database_url), dict.fromkeys((MemberCreated, MemberApproved), handler)
    )


def record(event=None, changed: dict | None = None, event_type: str | None = None) -> Record:
    """A record of `event` (a member created), its snapshot's fields changed by `changed` after serialising."""
    envelope = Envelope.wrap(event or member_created(), "members")
    document = json.loads(envelope.data)
    document["member"].update(changed or {})
    headers = [(k, event_type.encode() if k == "ce_type" and event_type else v) for k, v in envelope.kafka_headers()]
    return Record("members.member.v1", 0, 0, headers, json.dumps(document).encode())


def test_the_handler_gets_the_fields_it_reads_and_no_others(consumer):
    event = member_created(version=3)
    envelope, decoded = consumer._read(record(event))
    assert envelope.type == MemberCreated.event_type
    assert decoded.member.model_dump() == {
        "member_id": event.member.member_id,
        "unit_id": event.member.unit_id,
        "status": "pending",
        "version": 3,
    }
    assert not hasattr(decoded.member, "full_name")


def test_a_field_read_is_checked_as_the_contract_types_it(consumer):
    for changed in ({"version": 0}, {"status": "teleported"}, {"unit_id": "not-a-uuid"}):
        bad = consumer._read(record(changed=changed))
        assert isinstance(bad, MalformedMessage), changed
        assert bad.reason == "schema-mismatch"
    missing = consumer._read(record(changed={"version": None}))
    assert isinstance(missing, MalformedMessage) and missing.reason == "schema-mismatch"


def test_a_field_not_read_is_not_checked_but_the_boundary_rule_reads_the_whole_body(consumer):
    envelope, decoded = consumer._read(record(changed={"gender": "unknown", "date_of_birth": "someday"}))
    assert decoded.member.version == 1
    nul = consumer._read(record(changed={"full_name": "Nguyễn\u0000An"}))
    assert isinstance(nul, MalformedMessage) and nul.reason == "unstorable-value"


def test_unknown_and_unhandled_types_are_as_before(consumer):
    unknown = consumer._read(record(event_type="members.member.teleported"))
    assert isinstance(unknown, MalformedMessage) and unknown.reason == "unknown-type"
    member_id = uuid.uuid4()
    removed = MemberRemoved(member_id=member_id, member=member_created(member_id).member, reason="left")
    assert consumer._read(record(removed)) == "ignored"
    # An unhandled type is still checked against its whole contract (`reason` is required).
    broken = Envelope.wrap(removed, "members")
    no_reason = json.loads(broken.data)
    del no_reason["reason"]
    bad = consumer._read(Record("members.member.v1", 0, 0, broken.kafka_headers(), json.dumps(no_reason).encode()))
    assert isinstance(bad, MalformedMessage) and bad.reason == "schema-mismatch"


def test_reading_keeps_the_contracts_types_and_refuses_what_it_cannot_split():
    part = reading(MemberEvent, {"member_id": None, "member": ("version",)})
    assert part.model_fields["member_id"].annotation is uuid.UUID
    with pytest.raises(ValueError, match="holds no model"):
        reading(MemberEvent, {"member_id": ("version",)})
    with pytest.raises(KeyError):
        reading(MemberEvent, {"member": ("no_such_field",)})
