"""A poll is decoded while the previous one is written; a failed write rewinds it and every poll after it.

Unit tests of the hand-over between polls, with a stand-in for aiokafka's consumer that records seeks and
commits: the real broker's behaviour is covered by test_consumer_batch.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from chassis import tree
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.settings import ServiceSettings
from sqlalchemy import exc as sa_exc

TOPIC = "orgtree.unit.v1"


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    headers: tuple = ()
    value: bytes | None = None
    key: bytes | None = None


@dataclass
class StandInConsumer:
    positions: dict[TopicPartition, int] = field(default_factory=dict)
    commits: list[dict[TopicPartition, int]] = field(default_factory=list)

    assigned: set[int] | None = None  # partitions this member still owns; None: all

    def seek(self, partition: TopicPartition, offset: int) -> None:
        if self.assigned is not None and partition.partition not in self.assigned:
            raise IllegalStateError(f"No current assignment for partition {partition}")
        self.positions[partition] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


@dataclass
class Poll:
    raw_message: tuple[Record, ...]
    consumer: StandInConsumer


def records(partition: int, first: int, count: int) -> list[Record]:
    return [Record(TOPIC, partition, offset) for offset in range(first, first + count)]


class GatedConsumer(EventConsumer):
    """Writing waits for the test; the polls listed in `failing` (by first offset) lose their database."""

    def __init__(self, failing: set[int]) -> None:
        settings = ServiceSettings(service_name="pipeline-test", database_url="postgresql+asyncpg://nowhere/none")
        super().__init__("pipeline-test", settings, Database(settings.database_url), tree.tree_handlers())
        self.failing = failing
        self.gate = asyncio.Event()
        self.written: list[int] = []

    async def _decode_batch(self, batch):
        return [""] * len(batch), [(index, record, None, None) for index, record in enumerate(batch)]

    async def _apply_decoded(self, outcomes, pending):
        await self.gate.wait()
        first = pending[0][1].offset
        if first in self.failing:
            self.failing.discard(first)
            raise sa_exc.OperationalError("insert into tree_units", {}, ConnectionError("server closed the connection"))
        self.written.append(first)
        return ["processed"] * len(pending)


def p(partition: int) -> TopicPartition:
    return TopicPartition(TOPIC, partition)


async def test_a_written_poll_commits_the_offsets_after_its_records_and_nothing_else():
    consumer, kafka = GatedConsumer(failing=set()), StandInConsumer()
    consumer.gate.set()
    await consumer._on_batch([], Poll((*records(0, 0, 10), *records(1, 0, 5)), kafka))
    await consumer._finish_writing()
    assert kafka.commits == [{p(0): 10, p(1): 5}]
    assert kafka.positions == {}  # no rewind


async def test_a_poll_decoded_while_the_one_before_fails_is_rewound_behind_it():
    consumer, kafka = GatedConsumer(failing={0}), StandInConsumer()
    first = (*records(0, 0, 10), *records(1, 0, 5))
    await consumer._on_batch([], Poll(first, kafka))  # its writer waits at the gate
    second = (*records(0, 10, 10), *records(2, 0, 4))
    consumer.gate.set()
    await consumer._on_batch([], Poll(second, kafka))  # decoded, then finds the first poll failed

    # Partition 0 goes back to the first poll's record 0, not the second poll's record 10.
    assert kafka.positions == {p(0): 0, p(1): 0, p(2): 0}
    assert kafka.commits == []
    assert consumer._writer is None  # the second poll was not handed to a writer

    await consumer._on_batch([], Poll(first, kafka))  # redelivered, written this time
    await consumer._on_batch([], Poll(second, kafka))
    await consumer._finish_writing()
    assert consumer.written == [0, 10]
    assert kafka.commits == [{p(0): 10, p(1): 5}, {p(0): 20, p(2): 4}]


async def test_a_failed_write_with_no_poll_after_it_rewinds_on_its_own():
    consumer, kafka = GatedConsumer(failing={0}), StandInConsumer()
    consumer.gate.set()
    await consumer._on_batch([], Poll(tuple(records(3, 0, 6)), kafka))
    await consumer._finish_writing()
    assert kafka.positions == {p(3): 0}
    assert kafka.commits == []


async def test_a_partition_taken_by_a_rebalance_is_not_rewound_here():
    consumer, kafka = GatedConsumer(failing={0}), StandInConsumer(assigned={0})
    consumer.gate.set()
    await consumer._on_batch([], Poll((*records(0, 0, 3), *records(1, 0, 3)), kafka))
    await consumer._finish_writing()
    assert kafka.positions == {p(0): 0}
    assert kafka.commits == []
