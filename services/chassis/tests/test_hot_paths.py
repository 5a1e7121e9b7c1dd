"""The shortcuts of the event path's hot spots give the answers of the slow ways they replace."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date

import pytest
from aiokafka.partitioner import DefaultPartitioner
from chassis.boundary import check, suspect_json
from chassis.errors import InvalidInput
from chassis.outbox import murmur2
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot


def member_event_body() -> bytes:
    member_id = uuid.uuid4()
    return (
        MemberCreated(
            member_id=member_id,
            member=MemberSnapshot(
                member_id=member_id,
                unit_id=uuid.uuid4(),
                status="pending",
                full_name="Nguyễn Thị Minh Khai",
                gender="female",
                date_of_birth=date(1990, 11, 1),
                member_code=f"HNI-{member_id.hex[:10]}",
                joined_on=date(2024, 5, 1),
                position="Công nhân",
                card_type="regular",
                version=1,
            ),
        )
        .model_dump_json()
        .encode()
    )


def test_the_relays_partition_of_a_key_is_the_one_aiokafka_send_chooses():
    partitioner, partitions = DefaultPartitioner(), list(range(12))
    generator = random.Random(12)
    keys = [str(uuid.uuid4()).encode() for _ in range(500)]
    keys += [bytes(generator.getrandbits(8) for _ in range(length)) for length in range(0, 64) for _ in range(5)]
    for key in keys:
        assert partitions[(murmur2(key) & 0x7FFFFFFF) % 12] == partitioner(key, partitions, partitions)


def test_an_ordinary_member_event_is_not_suspect_so_it_is_parsed_once():
    # Ids often hold "9e123"; a digit run alone does not make a body suspect.
    assert not any(suspect_json(member_event_body()) for _ in range(200))
    assert not suspect_json(b'{"code":"1e400","serial":"12345678901234567890"}')  # inside strings


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 12345678901234567890}',
        b'{"a":-9223372036854775809}',
        b'{"a":[1,2,1e400]}',
        b'{"a" :\n 1E+999}',
        b'{"a":"x\\u0000"}',
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b"99999999999999999999",
        b"[1e999]",
    ],
)
def test_every_body_holding_a_value_postgresql_cannot_take_is_suspect_and_refused(body):
    assert suspect_json(body)
    with pytest.raises(InvalidInput):
        check(json.loads(body), "")
