"""A new service's tree replica catching up through the real consumer (issue 3). A script, not a test:
`uv run python tests/benchmarks/bench_replica_catchup.py [--keep] [--batch N]`.

Starts its own development broker, bulk-creates the national tree (150,000 units) in a fresh
orgtree database, publishes the whole `orgtree.unit.v1` outbox to the broker, then starts an
`EventConsumer` app with `chassis.tree.tree_handlers()` (batch mode) on a new, empty replica
database and times it until every event has its inbox row.                     goal < 30 s
The consumer runs as `python -m <service> consume` does on the one-machine platform: its GC threshold,
its Kafka session timeout (3 s: the group join on this broker takes half of it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from aiokafka import AIOKafkaProducer  # noqa: E402
from chassis import migrations, tree  # noqa: E402
from chassis.cli import tune_garbage_collector  # noqa: E402
from chassis.consumer import EventConsumer  # noqa: E402
from chassis.database import Database, asyncpg_dsn  # noqa: E402
from chassis.kafka import provision_topics  # noqa: E402
from chassis.settings import ServiceSettings  # noqa: E402
from contracts.envelope import Envelope  # noqa: E402
from localrun.services import LOCAL_DEFAULTS  # noqa: E402
from orgtree.adapters.tree_loader import load_tree  # noqa: E402
from orgtree.generator import generate_tree  # noqa: E402

from tests.benchmarks.bench_orgtree import MIGRATIONS, closure_digest, drop, replica  # noqa: E402
from tests.support.infra import fresh_database, postgres_url, start_broker  # noqa: E402

TOPIC = "orgtree.unit.v1"


async def publish_outbox(url: str, bootstrap: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT event_id, event_type, message_key, payload, occurred_at "
            "FROM outbox_events WHERE topic = $1 ORDER BY id",
            TOPIC,
        )
    finally:
        await connection.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, compression_type="lz4", linger_ms=10, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        futures = []
        for r in rows:
            envelope = Envelope(
                id=r["event_id"],
                source="/services/orgtree",
                type=r["event_type"],
                time=r["occurred_at"],
                subject=r["message_key"],
                data=r["payload"].encode(),
            )
            futures.append(
                await producer.send(TOPIC, envelope.data, key=envelope.key, headers=envelope.kafka_headers())
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(rows)


async def inbox_count(connection: asyncpg.Connection) -> int:
    return await connection.fetchval("SELECT count(*) FROM inbox_events")


async def catch_up(server: str, source_url: str, bootstrap: str, expected: int, batch: int, keep: bool) -> None:
    name = f"bench-replica-catchup-{batch}"
    database: Database = await replica(server, name.replace("-", "_"))
    # The one-machine platform's consumer settings: this is its broker (a group join there takes half the session
    # timeout; on Apache Kafka the first join waits the broker's group.initial.rebalance.delay.ms, 3 s by default).
    local = {name.lower(): value for name, value in LOCAL_DEFAULTS.items()}
    settings = ServiceSettings(
        service_name=name,
        database_url=database.url,
        kafka_bootstrap_servers=bootstrap,
        consumer_batch_max_records=batch,
        **local,
    )
    tune_garbage_collector(settings)  # as `python -m <service> consume` does
    consumer = EventConsumer(name, settings, database, tree.tree_handlers())
    app = consumer.app()
    watcher = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        started = time.perf_counter()
        await app.start()
        first = None
        while (done := await inbox_count(watcher)) < expected:
            if first is None and done:
                first = time.perf_counter() - started
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - started
        await app.stop()
        same = await closure_digest(database.url) == await closure_digest(source_url)
        print(
            f"| Replica catch-up through the consumer (batch mode, up to {batch} records per transaction) "
            f"| {elapsed:.1f} s | < 30 s | {expected:,} events from the broker into a new database, "
            f"group join + first event {first or 0:.1f} s, applying {elapsed - (first or 0):.1f} s "
            f"({expected / (elapsed - (first or 0)):,.0f} events/s); closure identical to orgtree's: {same} |",
            flush=True,
        )
    finally:
        await watcher.close()
        await database.dispose()
        if not keep:
            await drop(server, database.url)


async def main(server: str, keep: bool, batches: list[int]) -> None:
    broker = start_broker()
    url = await fresh_database(server, "bench_replica_catchup")
    try:
        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)
        await load_tree(url, generate_tree(2025, "national"))
        settings = ServiceSettings(service_name="bench", database_url=url, kafka_bootstrap_servers=broker.bootstrap)
        await provision_topics(settings)
        started = time.perf_counter()
        expected = await publish_outbox(url, broker.bootstrap)
        print(f"published {expected:,} events in {time.perf_counter() - started:.1f} s", flush=True)
        for batch in batches:
            await catch_up(server, url, broker.bootstrap, expected, batch, keep)
    finally:
        broker.stop()
        if not keep:
            await drop(server, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases for inspection")
    parser.add_argument("--batch", type=int, action="append", help="max records per batch (default 500)")
    arguments = parser.parse_args()
    asyncio.run(main(postgres_url(), arguments.keep, arguments.batch or [500]))
