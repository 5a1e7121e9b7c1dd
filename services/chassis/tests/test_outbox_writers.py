"""The outbox's writers store the same row for one event, whichever way a service writes it."""

from __future__ import annotations

import asyncpg
from chassis.database import asyncpg_dsn
from chassis.outbox import (
    COPY_FROM_EVENTS,
    prebuilt,
    record_event,
    record_event_sync,
    record_events,
    record_prebuilt_events,
)
from chassis.tables import outbox_events
from contracts.envelope import Envelope
from sqlalchemy import select

from services.chassis.tests.helpers import member_created

TOPIC = "members.member.v1"


async def stored(database, events) -> dict:
    """The stored row of each event (by its member), read back as an envelope's event."""
    keys = [str(event.member_id) for event in events]
    async with database.transaction() as session:
        rows = (await session.execute(select(outbox_events).where(outbox_events.c.message_key.in_(keys)))).all()
    return {row.message_key: row for row in rows}


def assert_stored_as(rows: dict, events) -> None:
    assert len(rows) == len(events)
    ids = [row.event_id for row in rows.values()]
    assert len(set(ids)) == len(ids) and all(event_id.version == 7 for event_id in ids)
    for event in events:
        row = rows[str(event.member_id)]
        assert (row.topic, row.event_type, row.published_at) == (TOPIC, event.event_type, None)
        envelope = Envelope(
            id=row.event_id,
            source="test",
            type=row.event_type,
            time=row.occurred_at,
            subject=row.message_key,
            data=row.payload.encode(),
        )
        assert envelope.decode() == event


async def test_one_event_and_a_few_are_inserted(database):
    one, few = member_created(), [member_created() for _ in range(3)]
    async with database.transaction() as session:
        event_id = await record_event(session, one)
        await record_events(session, few)
    rows = await stored(database, [one, *few])
    assert rows[str(one.member_id)].event_id == event_id
    assert_stored_as(rows, [one, *few])


async def test_many_events_are_copied(database):
    events = [member_created() for _ in range(COPY_FROM_EVENTS)]
    async with database.transaction() as session:
        await record_events(session, events)
    assert_stored_as(await stored(database, events), events)


async def test_prebuilt_events_go_in_the_sessions_transaction_or_a_raw_connections(database):
    in_session, streamed, raw = ([member_created() for _ in range(n)] for n in (2, 3, 4))
    async with database.transaction() as session:
        await record_prebuilt_events(session, [prebuilt(event) for event in in_session])
        await record_prebuilt_events(session, (prebuilt(event) for event in streamed), len(streamed))
    connection = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        async with connection.transaction():
            await record_prebuilt_events(connection, map(prebuilt, raw), len(raw))
    finally:
        await connection.close()
    assert_stored_as(await stored(database, in_session + streamed + raw), in_session + streamed + raw)


async def test_a_migration_records_its_event_synchronously(database):
    event = member_created()
    async with database.engine.begin() as connection:
        event_id = await connection.run_sync(record_event_sync, event)
    rows = await stored(database, [event])
    assert rows[str(event.member_id)].event_id == event_id
    assert_stored_as(rows, [event])
