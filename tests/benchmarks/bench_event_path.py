"""Benchmark of the event path: outbox relay throughput and write-to-consumer latency.

Not a test: run it by hand (`uv run python -m tests.benchmarks.bench_event_path`).
It starts its own development broker and a fresh database on the PostgreSQL server
the tests use, and prints a markdown table for docs/BENCHMARKS.md.

(a) throughput: N events are written to the outbox first (record_events, in
    transactions of --insert-batch), then one relay drains them to the broker;
    events/s is N divided by the time from the relay's start to an empty backlog.
    The broker is then read back to check that all N arrived.
(b) latency: a relay and a real consumer group run; a writer commits one event
    every --interval-ms; latency is from the writer's commit returning to the
    consumer's own transaction (inbox + handler) having committed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date

from aiokafka import AIOKafkaConsumer, TopicPartition
from chassis import telemetry
from chassis.consumer import EventConsumer
from chassis.database import Database
from chassis.migrations import create_chassis_tables
from chassis.outbox import OutboxRelay, record_event, record_events
from chassis.settings import ServiceSettings
from chassis.tables import outbox_events
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot
from sqlalchemy import func, select, text

from tests.support.infra import fresh_database, postgres_url, start_broker
from tests.support.polling import eventually

TOPIC = "members.member.v1"


async def holds(condition: Callable[[], bool], within: float, interval: float = 0.05) -> None:
    async def now() -> bool:
        return condition()

    await eventually(now, bool, timeout=within, interval=interval)


def member_created() -> MemberCreated:
    member_id = uuid.uuid4()
    return MemberCreated(
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


async def backlog(database: Database) -> int:
    async with database.transaction() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox_events).where(outbox_events.c.published_at.is_(None))
        )


async def count_on_broker(bootstrap: str, expected: int, within: float = 60.0) -> int:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in sorted(consumer.partitions_for_topic(TOPIC) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, deadline = 0, time.monotonic() + within
        while seen < expected and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            seen += sum(len(batch) for batch in batches.values())
        return seen
    finally:
        await consumer.stop()


async def relay_throughput(settings: ServiceSettings, database: Database, total: int, insert_batch: int) -> dict:
    events = [member_created() for _ in range(total)]
    started = time.perf_counter()
    for start in range(0, total, insert_batch):
        async with database.transaction() as session:
            await record_events(session, events[start : start + insert_batch])
    insert_seconds = time.perf_counter() - started
    assert await backlog(database) == total

    relay = OutboxRelay(settings, database)
    # The relay's own counter, read in-process: polling count(*) on the outbox would slow the relay down.
    published = telemetry.EVENTS_PUBLISHED.labels(settings.service_name)
    before = published._value.get()
    started = time.perf_counter()
    task = asyncio.create_task(relay.run())
    await holds(lambda: published._value.get() - before >= total, within=600, interval=0.01)
    drain_seconds = time.perf_counter() - started
    relay.stop()
    await task
    assert await backlog(database) == 0
    on_broker = await count_on_broker(settings.kafka_bootstrap_servers, total)
    return {"insert_s": insert_seconds, "drain_s": drain_seconds, "on_broker": on_broker}


class TimedConsumer(EventConsumer):
    """Notes when each event's consumer transaction has committed (process returns after the commit)."""

    committed: dict[str, float]

    async def process(self, topic, partition, offset, headers, value, key=None) -> str:
        outcome = await super().process(topic, partition, offset, headers, value, key)
        event_id = dict(headers or ()).get("ce_id", b"").decode()
        self.committed[event_id] = time.perf_counter()
        return outcome


async def end_to_end_latency(settings: ServiceSettings, database: Database, count: int, interval_ms: int) -> dict:
    async with database.transaction() as session:
        await session.execute(text("create table if not exists seen (event_id uuid primary key, member_id uuid)"))

    async def remember(session, event, envelope) -> None:
        await session.execute(text("insert into seen values (:e, :m)"), {"e": envelope.id, "m": event.member_id})

    consumer = TimedConsumer("bench-latency", settings, database, {MemberCreated: remember})
    consumer.committed = {}
    app = consumer.app()
    await app.start()
    relay = OutboxRelay(settings, database)
    relay_task = asyncio.create_task(relay.run())
    try:
        # Warm up: the consumer group has joined and the whole path is hot once one event went through.
        async with database.transaction() as session:
            warm = await record_event(session, member_created())
        await holds(lambda: str(warm) in consumer.committed, within=60)

        written: dict[str, float] = {}
        next_write = time.perf_counter()
        for _ in range(count):
            async with database.transaction() as session:
                event_id = await record_event(session, member_created())
            written[str(event_id)] = time.perf_counter()
            next_write += interval_ms / 1000
            await asyncio.sleep(max(0.0, next_write - time.perf_counter()))
        await holds(lambda: written.keys() <= consumer.committed.keys(), within=30)
    finally:
        relay.stop()
        await relay_task
        await app.stop()
    latencies = sorted((consumer.committed[i] - t) * 1000 for i, t in written.items() if i in consumer.committed)
    return {"received": len(latencies), "sent": count, "latencies_ms": latencies}


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


class Environment:
    """A broker and a database of its own for one part, so neither part sees the other's events."""

    def __init__(self, server: str, name: str, **overrides) -> None:
        self.server, self.name, self.overrides = server, name, overrides

    async def __aenter__(self) -> tuple[ServiceSettings, Database]:
        self.broker = start_broker()
        url = await fresh_database(self.server, self.name)
        self.database = Database(url, 10)
        async with self.database.engine.begin() as connection:
            await connection.run_sync(create_chassis_tables)
        settings = ServiceSettings(
            service_name="bench",
            database_url=url,
            kafka_bootstrap_servers=self.broker.bootstrap,
            kafka_session_timeout_ms=2000,
            kafka_heartbeat_interval_ms=500,
            **self.overrides,
        )
        return settings, self.database

    async def __aexit__(self, *exc: object) -> None:
        await self.database.dispose()
        self.broker.stop()


async def run(args: argparse.Namespace, server: str) -> None:
    load_before = os.getloadavg()[0]
    async with Environment(server, "bench_event_path_latency") as (settings, database):
        latency = await end_to_end_latency(settings, database, args.latency_events, args.interval_ms)
    batch = {"outbox_batch_size": args.relay_batch} if args.relay_batch else {}
    async with Environment(server, "bench_event_path_throughput", **batch) as (settings, database):
        throughput = await relay_throughput(settings, database, args.events, args.insert_batch)

    rate = args.events / throughput["drain_s"]
    values = latency["latencies_ms"]
    # The machine is shared: a busy one (load above its core count) slows every figure down.
    print(
        f"\nEvent path benchmark — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after\n"
    )
    print("| measurement | result | goal |")
    print("|---|---|---|")
    print(
        f"| outbox insert, {args.events:,} events in transactions of {args.insert_batch:,} | "
        f"{throughput['insert_s']:.1f} s ({args.events / throughput['insert_s']:,.0f} events/s) | – |"
    )
    print(
        f"| relay drain to the broker, {args.events:,} events (batch {settings.outbox_batch_size}) | "
        f"{throughput['drain_s']:.1f} s = **{rate:,.0f} events/s** | ≥ 10,000/s |"
    )
    print(f"| events found on the broker afterwards | {throughput['on_broker']:,} of {args.events:,} | all |")
    print(
        f"| write → consumer commit, {latency['sent']} events, one per {args.interval_ms} ms: p50 / p95 / p99 | "
        f"{percentile(values, 0.5):.0f} / **{percentile(values, 0.95):.0f}** / {percentile(values, 0.99):.0f} ms "
        f"(mean {statistics.mean(values):.0f}, max {values[-1]:.0f}; {latency['received']} received) "
        f"| p95 < 200 ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--insert-batch", type=int, default=1000)
    parser.add_argument("--latency-events", type=int, default=200)
    parser.add_argument("--interval-ms", type=int, default=20)
    parser.add_argument("--relay-batch", type=int, default=None, help="outbox_batch_size (default: the setting's)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("faststream", "aiokafka"):  # per-message access logs and reconnect chatter
        logging.getLogger(noisy).setLevel(logging.ERROR)
    server = postgres_url()  # may start an embedded server; it runs its own event loop
    asyncio.run(run(args, server))


if __name__ == "__main__":
    main()
