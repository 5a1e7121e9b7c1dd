"""The runner brings a crashed (or replaced) development broker back itself: restarted, its topics created, refilled
from the outboxes, and the Kafka clients restarted after it; a program stopped by SIGKILL is not restarted.

Only the broker runs here (no service): the whole platform's version is tests/e2e/test_chaos.py."""

from __future__ import annotations

import asyncio
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient
from contracts.topics import TOPICS
from localrun.platform import BROKER, Platform
from localrun.supervision import Paths, Program, Supervisor, render_config

from tests.support.infra import free_port_block
from tests.support.polling import eventually


async def topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        return set(await admin.list_topics())
    except Exception:  # the broker is restarting
        return set()
    finally:
        await admin.close()


async def test_a_crashed_or_replaced_broker_is_restarted_provisioned_and_refilled(tmp_path, pg_server_url):
    base = free_port_block()
    platform = Platform(
        tmp_path, base_port=base, broker_port=base + 390, database_url=pg_server_url, demo_data=False, services=[]
    )
    await asyncio.to_thread(platform.start)
    try:
        wanted = {topic.name for topic in TOPICS}
        assert wanted <= await topics(platform.bootstrap_servers)
        first = platform.supervisor.info(BROKER)["pid"]

        platform.kill(BROKER)  # supervisord does not restart it: the runner does, provisioned
        await eventually(
            lambda: asyncio.to_thread(lambda: len(platform.broker_recoveries)),
            lambda n: n == 1,
            timeout=60,
            interval=0.1,
        )
        second = platform.supervisor.info(BROKER)["pid"]
        assert second != first and platform.supervisor.state(BROKER) == "RUNNING"
        assert wanted <= await topics(platform.bootstrap_servers)
        assert platform.broker_recoveries[0].refill is not None

        # Restarted behind the runner's back: recognised by its new process, and recovered the same way.
        platform.supervisor.stop(BROKER)
        platform.supervisor.start(BROKER)
        await eventually(
            lambda: asyncio.to_thread(lambda: len(platform.broker_recoveries)),
            lambda n: n == 2,
            timeout=60,
            interval=0.1,
        )
        assert wanted <= await topics(platform.bootstrap_servers)

        # Stopped on purpose, it stays down until started.
        await asyncio.to_thread(platform.stop_broker)
        assert platform.supervisor.state(BROKER) == "STOPPED" and len(platform.broker_recoveries) == 2
        await asyncio.to_thread(platform.start_broker)
        assert wanted <= await topics(platform.bootstrap_servers)
        assert len(platform.broker_recoveries) == 2
    finally:
        await asyncio.to_thread(platform.stop)


def test_a_kill_stop_does_not_wait_for_a_program_that_ignores_sigterm_nor_restart_it(tmp_path):
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)",
    ]
    paths = Paths(tmp_path)
    paths.run_dir.mkdir(parents=True)
    paths.config.write_text(render_config(paths, [Program("stubborn", stubborn, autostart=True, stopwaitsecs=60)]))
    supervisor = Supervisor(paths)
    process = supervisor.spawn({})
    try:
        supervisor.wait_until_up(process)
        supervisor.start("stubborn")
        started = time.monotonic()
        supervisor.stop_many(["stubborn"], kill=True)
        assert time.monotonic() - started < 10
        assert supervisor.state("stubborn") == "STOPPED"
    finally:
        supervisor.shutdown()
        process.wait(timeout=30)
