"""Reporting scaled out: two `python -m reporting consume` processes in the one consumer group `reporting` share
the twelve partitions of `members.member.v1`; one is killed with SIGKILL while the events flow, and the survivor
takes its partitions over.

The events are a members service's: each member created, approved, then some transferred to another union,
suspended, resumed or removed, keyed by member (so each member's events stay in order on one partition). Half of
them are on the broker when the kill comes, the rest after it, and a slice of the first half is published a
second time, as a relay killed between publishing and marking its outbox rows does. Afterwards every total
equals the source (the members' final unit and status): the members' facts, the counts by unit and status, the
figures of every subtree by status (now, and summed over their days, months and years), the movement ledger;
the inbox holds each event once and the ledger each movement of an event once.

On its own broker: the production entrypoint's group is `reporting`, and the session's topics hold other
tests' records.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from chassis.database import Database
from chassis.kafka import provision_topics
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import (
    MemberApproved,
    MemberCreated,
    MemberRemoved,
    MemberSnapshot,
    MemberStatusChanged,
    MemberTransferred,
)
from contracts.events.orgtree_unit_v1 import UnitCreated
from contracts.wellknown import NATIONAL_CENTRE_ID, vietnamese_today
from reporting.__main__ import DEFINITION
from reporting.config import ReportingSettings
from sqlalchemy import text

from services.reporting.tests.figures_support import state
from tests.support.infra import committed_offsets, free_port, start_broker
from tests.support.polling import eventually
from tests.support.services import migrated_database

GROUP = "reporting"  # the production entrypoint's consumer group
MEMBERS = 1200
WAVE = 40  # members a wave
REPUBLISHED = 300  # events of the first half published twice
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Consumer:
    process: subprocess.Popen
    metrics_url: str
    log: Path

    async def consumed(self, outcome: str = "processed") -> float:
        """Events of the members topic this process counted with `outcome` (0 while it is not listening)."""
        async with httpx.AsyncClient(timeout=5) as http:
            try:
                body = (await http.get(self.metrics_url)).text
            except httpx.TransportError:
                return 0.0
        pattern = (
            r'^events_consumed_total\{[^}]*event_type="members\.member\.[^"]+"[^}]*'
            rf'outcome="{outcome}"[^}}]*\}} (\S+)$'
        )
        return sum(float(value) for value in re.findall(pattern, body, re.MULTILINE))


def start_consumer(database_url: str, bootstrap: str, tmp_path: Path, number: int) -> Consumer:
    port = free_port()
    log = tmp_path / f"reporting-consume-{number}.log"
    env = {
        **os.environ,
        "REPORTING_DATABASE_URL": database_url,
        "REPORTING_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REPORTING_METRICS_PORT": str(port),
        # The survivor takes the killed one's partitions after its session expires: short, for a short test.
        "REPORTING_KAFKA_SESSION_TIMEOUT_MS": "6000",
        "REPORTING_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
        # Small polls: the kill lands in the middle of the first half's polls, not after one poll of everything.
        "REPORTING_CONSUMER_BATCH_MAX_RECORDS": "100",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "reporting", "consume"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Consumer(process, f"http://127.0.0.1:{port}/metrics", log)


class Source:
    """The members service's side: each member's events in order, and its final unit and status."""

    def __init__(self, unions: list[uuid.UUID]) -> None:
        self.unions = unions
        self.final: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
        self.movements: Counter[tuple[uuid.UUID, str]] = Counter()

    def history(self, number: int) -> list[Envelope]:
        member_id = uuid.uuid4()
        unit_id, version, status = self.unions[number % len(self.unions)], 0, "pending"
        events = []

        def step(event_type, new_status: str, **fields) -> None:
            nonlocal version, status
            version, status = version + 1, new_status
            snapshot = MemberSnapshot(
                member_id=member_id,
                unit_id=fields.get("to_unit_id", unit_id),
                status=new_status,
                full_name="Nguyễn Thị Lan",
                gender="female" if number % 2 else "male",
                date_of_birth=f"{1970 + number % 35}-03-08",
                version=version,
            )
            events.append(
                Envelope.wrap(event_type(member_id=member_id, member=snapshot, **fields), "/services/members")
            )

        step(MemberCreated, "pending")
        if number % 11 == 0:  # left pending
            self.final[member_id] = (unit_id, status)
            return events
        step(MemberApproved, "active")
        self.movements[unit_id, "admitted"] += 1
        if number % 4 == 1:  # to the next union, in the same province or the other
            target = self.unions[(number + 1) % len(self.unions)]
            step(MemberTransferred, "active", from_unit_id=unit_id, to_unit_id=target)
            self.movements[unit_id, "transferred_out"] += 1
            self.movements[target, "transferred_in"] += 1
            unit_id = target
        if number % 5 == 0:
            step(MemberStatusChanged, "suspended", old_status="active")
            self.movements[unit_id, "suspended"] += 1
            if number % 10 == 0:
                step(MemberStatusChanged, "active", old_status="suspended")
                self.movements[unit_id, "resumed"] += 1
        if number % 7 == 0:
            step(MemberRemoved, "removed", reason="Chuyển công tác ra ngoài ngành")
            self.movements[unit_id, "removed"] += 1
        self.final[member_id] = (unit_id, status)
        return events


async def publish(bootstrap: str, topic: str, envelopes: list[Envelope]) -> dict[TopicPartition, int]:
    """Publish in order; the last offset written on each partition."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        sent = [
            await producer.send(topic, envelope.data, key=envelope.key, headers=envelope.kafka_headers())
            for envelope in envelopes
        ]
        written = await asyncio.gather(*sent)
    finally:
        await producer.stop()
    last: dict[TopicPartition, int] = {}
    for record in written:
        partition = TopicPartition(topic, record.partition)
        last[partition] = max(record.offset, last.get(partition, -1))
    return last


async def rows(database: Database, query: str, **params) -> list:
    async with database.transaction() as session:
        return list((await session.execute(text(query), params)).all())


@pytest.fixture
def own_broker():
    broker = start_broker()
    yield broker
    broker.stop()


async def test_two_consumers_one_killed_mid_flow_totals_equal_the_source_nothing_applied_twice(
    pg_server_url, own_broker, tmp_path
):
    url = await migrated_database(pg_server_url, "reporting", DEFINITION.migrations_dir)
    database = Database(url, 2)
    await provision_topics(ReportingSettings(database_url=url, kafka_bootstrap_servers=own_broker.bootstrap))

    # The tree: the national centre, two provinces, three grassroots unions in each.
    provinces = [uuid.uuid4(), uuid.uuid4()]
    unions = [uuid.uuid4() for _ in range(6)]
    parent = {union: provinces[index // 3] for index, union in enumerate(unions)}
    today = vietnamese_today()
    states = [
        state(NATIONAL_CENTRE_ID, "TLD", None, "national_centre", effective_from=today),
        *(
            state(p, f"SO-P{i}", NATIONAL_CENTRE_ID, "provincial_federation", effective_from=today)
            for i, p in enumerate(provinces)
        ),
        *(state(u, f"SO-CS{i}", parent[u], effective_from=today) for i, u in enumerate(unions)),
    ]
    units_sent = [Envelope.wrap(UnitCreated(unit_id=s.unit_id, unit=s), "/services/orgtree") for s in states]
    source = Source(unions)
    histories = [
        [e for number in range(first, first + WAVE) for e in source.history(number)]
        for first in range(0, MEMBERS, WAVE)
    ]
    events = [envelope for wave in histories for envelope in wave]

    consumers = [start_consumer(url, own_broker.bootstrap, tmp_path, number) for number in (1, 2)]
    try:
        await publish(own_broker.bootstrap, "orgtree.unit.v1", units_sent)
        await eventually(
            lambda: rows(
                database, "select count(*) from tree_units where unit_id = any(:ids)", ids=[*parent, *provinces]
            ),
            lambda found: found[0][0] == len(parent) + len(provinces),
            timeout=120,
        )

        async def applied() -> int:
            return (await rows(database, "select count(*) from inbox_events where topic = 'members.member.v1'"))[0][0]

        # Waves of members until both consumers have applied some: then each holds partitions of the group (the
        # second may join after the first took them all, and a rebalance gives it its share).
        waves, sent = iter(histories), 0
        while not all([await consumer.consumed() > 0 for consumer in consumers]):
            wave = next(waves)
            await publish(own_broker.bootstrap, "members.member.v1", wave)
            sent += len(wave)
            await eventually(applied, lambda n, sent=sent: n == sent, timeout=120)
        # A flow of the next ten waves; once the second consumer is applying it, SIGKILL it.
        before = await consumers[1].consumed()
        flow = [envelope for _, wave in zip(range(10), waves, strict=False) for envelope in wave]
        await publish(own_broker.bootstrap, "members.member.v1", flow)
        sent += len(flow)
        await eventually(consumers[1].consumed, lambda n: n > before, timeout=120)
        consumers[1].process.send_signal(signal.SIGKILL)
        assert consumers[1].process.wait(timeout=10) == -signal.SIGKILL
        assert await applied() < len(events)  # the flow goes on after the kill

        # The rest, and part of what was sent once more (a relay's redelivery); the survivor applies them.
        rest = [envelope for wave in waves for envelope in wave]
        assert rest and sent + len(rest) == len(events)
        last = await publish(own_broker.bootstrap, "members.member.v1", rest + events[:REPUBLISHED])
        # Done when the group's offsets are past every record (the survivor's commits, as the only member left).
        await eventually(
            lambda: committed_offsets(own_broker.bootstrap, GROUP, list(last)),
            lambda found: all(found.get(p, -1) > offset for p, offset in last.items()),
            timeout=240,
            max_interval=1.0,
        )
        assert consumers[0].process.poll() is None, consumers[0].log.read_text()[-3000:]

        async def inbox() -> list:
            return await rows(
                database,
                "select event_id, outcome from inbox_events where consumer = 'reporting'"
                " and topic = 'members.member.v1'",
            )

        # The inbox: each event once, processed, and nothing else.
        found = await inbox()
        assert sorted(str(event_id) for event_id, _ in found) == sorted(str(e.id) for e in events)
        assert {outcome for _, outcome in found} == {"processed"}

        # The members' facts and the counts by unit and status equal the source.
        facts = await rows(database, "select member_id, unit_id, status from member_facts")
        assert {member_id: (unit_id, status) for member_id, unit_id, status in facts} == source.final
        expected = Counter(source.final.values())
        counts = await rows(
            database,
            "select unit_id, status, sum(members) from unit_member_counts group by 1, 2 having sum(members) <> 0",
        )
        assert {(unit_id, status): n for unit_id, status, n in counts} == dict(expected)

        # Every subtree's figures by status: the union's own, the province's and the country's.
        ancestors = {union: [union, parent[union], NATIONAL_CENTRE_ID] for union in unions}
        subtree: Counter[tuple[uuid.UUID, str]] = Counter()
        for (union, status), n in expected.items():
            for above in ancestors[union]:
                subtree[above, status] += n
        for table, period in (
            ("subtree_figures", None),
            ("subtree_figure_days", "day"),
            ("subtree_figure_months", "month"),
            ("subtree_figure_years", "year"),
        ):
            figures = await rows(
                database,
                f"select unit_id, value, sum(members) from {table} where dimension = 'status'"
                " group by 1, 2 having sum(members) <> 0",
            )
            assert {(unit_id, value): n for unit_id, value, n in figures} == dict(subtree), (table, period)

        # The ledger: each movement of an event once, and the movements of the source by unit and kind.
        duplicated = await rows(
            database,
            "select event_id, unit_id, kind from membership_movements where kind <> 'opening'"
            " group by 1, 2, 3 having count(*) > 1",
        )
        assert duplicated == []
        ledger = await rows(
            database,
            "select unit_id, kind, count(*) from membership_movements where kind <> 'opening' group by 1, 2",
        )
        assert {(unit_id, kind): n for unit_id, kind, n in ledger} == dict(source.movements)
        members_now = await rows(
            database, "select unit_id, sum(delta) from membership_movements group by 1 having sum(delta) <> 0"
        )
        counted = Counter(unit_id for unit_id, status in source.final.values() if status in ("active", "suspended"))
        assert {unit_id: n for unit_id, n in members_now} == dict(counted)
        # The events sent twice came to the survivor, and its inbox turned them away (the version check of each
        # view would have too: the totals above hold either way).
        assert await consumers[0].consumed("duplicate") >= REPUBLISHED
    finally:
        for consumer in consumers:
            if consumer.process.poll() is None:
                consumer.process.terminate()
                consumer.process.wait(timeout=30)
        await database.dispose()
