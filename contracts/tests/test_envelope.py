"""The CloudEvents envelope survives a trip through Kafka headers; bad messages say what is wrong."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from contracts.envelope import CONTENT_TYPE, SPEC_VERSION, Envelope, MalformedMessage
from contracts.events.identity_user_v1 import RoleGrant, UserCreated
from contracts.events.members_member_v1 import MemberSnapshot, MemberTransferred

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def transferred() -> MemberTransferred:
    member_id, old_unit, new_unit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    snapshot = MemberSnapshot(
        member_id=member_id,
        unit_id=new_unit,
        status="active",
        full_name="Nguyễn Thị Hoa",
        gender="female",
        date_of_birth=date(1991, 3, 8),
        member_code="HNI-0001",
        joined_on=date(2015, 5, 1),
        version=4,
    )
    return MemberTransferred(member_id=member_id, member=snapshot, from_unit_id=old_unit, to_unit_id=new_unit)


def as_kafka(envelope: Envelope) -> tuple[list[tuple[str, bytes]], bytes]:
    return envelope.kafka_headers(), envelope.data


def test_round_trip_gives_back_the_same_event_and_attributes():
    event = transferred()
    sent = Envelope.wrap(event, "members", traceparent=TRACEPARENT, tracestate="congdoan=1")

    received = Envelope.from_kafka(*as_kafka(sent))

    assert received == sent
    assert received.decode() == event
    assert type(received.decode()) is MemberTransferred
    assert received.key == str(event.member_id).encode() == sent.key
    assert received.subject == str(event.aggregate_id())


def test_headers_are_cloudevents_binary_mode():
    event = UserCreated(
        user_id=uuid.uuid4(),
        username="hoa.nt",
        full_name="Nguyễn Thị Hoa",
        home_unit_id=uuid.uuid4(),
        roles=[RoleGrant(role="data_entry", unit_id=uuid.uuid4())],
    )
    envelope = Envelope.wrap(event, "identity")
    headers = dict(envelope.kafka_headers())

    assert headers["ce_specversion"] == SPEC_VERSION.encode()
    assert headers["ce_type"] == b"identity.user.created"
    assert headers["ce_source"] == b"identity"
    assert headers["ce_subject"] == str(event.user_id).encode()
    assert uuid.UUID(headers["ce_id"].decode()) == envelope.id
    assert headers["content-type"] == CONTENT_TYPE.encode()
    assert "traceparent" not in headers  # no trace, no header


def test_each_wrap_is_a_new_message_id():
    event = transferred()
    assert Envelope.wrap(event, "members").id != Envelope.wrap(event, "members").id


def replace_header(headers: list[tuple[str, bytes]], name: str, value: bytes | None) -> list[tuple[str, bytes]]:
    kept = [(k, v) for k, v in headers if k != name]
    return kept if value is None else [*kept, (name, value)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h, v: (replace_header(h, "ce_type", None), v), "missing-attributes"),
        (lambda h, v: (replace_header(h, "ce_id", None), v), "missing-attributes"),
        (lambda h, v: ([], v), "missing-attributes"),
        (lambda h, v: (None, v), "missing-attributes"),
        (lambda h, v: (replace_header(h, "ce_specversion", b"0.3"), v), "unsupported-specversion"),
        (lambda h, v: (replace_header(h, "ce_specversion", None), v), "unsupported-specversion"),
        (lambda h, v: (replace_header(h, "ce_id", b"not-a-uuid"), v), "bad-attributes"),
        (lambda h, v: (replace_header(h, "ce_time", b"yesterday"), v), "bad-attributes"),
    ],
)
def test_unreadable_headers_are_malformed_with_a_reason(change, reason):
    headers, value = change(*as_kafka(Envelope.wrap(transferred(), "members")))
    with pytest.raises(MalformedMessage) as raised:
        Envelope.from_kafka(headers, value).decode()
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h, v: (replace_header(h, "ce_type", b"members.member.teleported"), v), "unknown-type"),
        (lambda h, v: (h, b"{not json"), "not-json"),
        (lambda h, v: (h, b""), "not-json"),
        (lambda h, v: (h, None), "not-json"),
        (lambda h, v: (h, b'{"member_id": "42"}'), "schema-mismatch"),
        (lambda h, v: (h, b"[1, 2, 3]"), "schema-mismatch"),
        # A valid event of another type under this type's name.
        (lambda h, v: (replace_header(h, "ce_type", b"identity.user.disabled"), v), "schema-mismatch"),
    ],
)
def test_undecodable_bodies_are_malformed_with_a_reason(change, reason):
    headers, value = change(*as_kafka(Envelope.wrap(transferred(), "members")))
    envelope = Envelope.from_kafka(headers, value)
    with pytest.raises(MalformedMessage) as raised:
        envelope.decode()
    assert raised.value.reason == reason
    assert raised.value.detail


def test_a_header_without_value_is_treated_as_missing():
    headers, value = as_kafka(Envelope.wrap(transferred(), "members"))
    with pytest.raises(MalformedMessage) as raised:
        Envelope.from_kafka(replace_header(headers, "ce_subject", None) + [("ce_subject", None)], value)
    assert raised.value.reason == "missing-attributes"


def test_unknown_fields_in_the_body_are_ignored():
    sent = Envelope.wrap(transferred(), "members")
    body = sent.data[:-1] + b', "added_in_a_later_minor_version": true}'
    assert Envelope.from_kafka(sent.kafka_headers(), body).decode() == sent.decode()
