"""The chassis tables every service's first migration creates, and the LISTEN/NOTIFY wake-up of background loops."""

from __future__ import annotations

import asyncio

import asyncpg
from chassis.database import asyncpg_dsn
from chassis.migrations import create_chassis_tables
from chassis.outbox import NOTIFY_CHANNEL, record_events
from chassis.wakeup import Wakeup
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.chassis.tests.helpers import member_created


async def test_creating_the_chassis_tables_again_is_harmless(database):
    async with database.engine.begin() as connection:
        await connection.run_sync(create_chassis_tables)
        triggers = await connection.scalar(
            text("select count(*) from pg_trigger where tgname in ('outbox_events_notify', 'audit_log_append_only')")
        )
    assert triggers == 2


async def test_a_committed_outbox_insert_wakes_the_relay(database):
    woken: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        await listener.add_listener(NOTIFY_CHANNEL, lambda *args: woken.put_nowait(args[2]))
        async with database.transaction() as session:
            await record_events(session, [member_created() for _ in range(50)])
        assert await asyncio.wait_for(woken.get(), timeout=10) == NOTIFY_CHANNEL
    finally:
        await listener.close()


async def test_the_audit_trail_refuses_updates_and_deletes(database):
    async with database.transaction() as session:
        await session.execute(
            text("insert into audit_log (service, action, status, outcome) values ('t', 'POST /x', 201, 'success')")
        )
    for statement in ("update audit_log set status = 200", "delete from audit_log", "truncate audit_log"):
        try:
            async with database.transaction() as session:
                await session.execute(text(statement))
        except Exception as error:  # the trigger's exception, wrapped by the driver
            assert "append-only" in str(error)
        else:
            raise AssertionError(f"{statement} was allowed")


async def test_a_notification_wakes_a_waiting_loop_and_without_listen_it_polls(database):
    async with Wakeup(database.url, "chassis_test_wakeup", interval_s=60) as wakeup:
        waiting = asyncio.create_task(wakeup.wait())
        async with database.transaction() as session:
            await session.execute(text("select pg_notify('chassis_test_wakeup', '')"))
        await asyncio.wait_for(waiting, timeout=10)
    unreachable = make_url(database.url).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    async with Wakeup(unreachable, "chassis_test_wakeup", interval_s=0.01) as polling:
        await asyncio.wait_for(polling.wait(), timeout=10)
