"""A service's view of another service's aggregates: one set-based, version-guarded statement per poll."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.views import AggregateView
from contracts.events.members_member_v1 import MemberSnapshot
from sqlalchemy import Column, Integer, MetaData, Table, Text, Uuid, event, select, text

holders = Table(
    "test_view_holders",
    MetaData(),
    Column("member_id", Uuid, primary_key=True),
    Column("unit_id", Uuid, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("version", Integer, nullable=False),
)
VIEW = AggregateView(holders, ("member_id", "unit_id", "full_name", "version"))


@pytest.fixture(scope="module")
async def view_database(database):
    async with database.engine.begin() as connection:
        await connection.run_sync(holders.metadata.create_all)
    return database


def member(member_id: uuid.UUID, version: int, name: str = "Trần Văn An", unit_id: uuid.UUID | None = None):
    return MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id or uuid.uuid4(),
        status="active",
        full_name=name,
        gender="male",
        date_of_birth=date(1985, 4, 30),
        version=version,
    )


async def stored(database, *member_ids) -> dict:
    async with database.transaction() as session:
        rows = await session.execute(
            select(holders.c.member_id, holders.c.full_name, holders.c.version).where(
                holders.c.member_id.in_(member_ids)
            )
        )
        return {row.member_id: (row.full_name, row.version) for row in rows}


async def test_a_poll_writes_the_newest_version_of_each_member_once(view_database):
    first, second = uuid.uuid4(), uuid.uuid4()
    poll = [member(first, 1, "một"), member(second, 1), member(first, 3, "ba"), member(first, 2, "hai")]

    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    async with view_database.transaction() as session:
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", count)
        try:
            written = await VIEW.upsert(session, poll)
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", count)

    assert written == {first, second}
    assert len(statements) == 1
    assert await stored(view_database, first, second) == {first: ("ba", 3), second: ("Trần Văn An", 1)}


async def test_an_older_or_equal_version_never_overwrites_a_newer_one(view_database):
    member_id = uuid.uuid4()
    async with view_database.transaction() as session:
        assert await VIEW.upsert(session, [member(member_id, 5, "năm")]) == {member_id}
    async with view_database.transaction() as session:
        assert await VIEW.upsert(session, [member(member_id, 4, "bốn"), member(member_id, 5, "lại năm")]) == set()

    assert await stored(view_database, member_id) == {member_id: ("năm", 5)}


async def test_rows_may_be_mappings_and_an_empty_poll_writes_nothing(view_database):
    member_id = uuid.uuid4()
    async with view_database.transaction() as session:
        assert await VIEW.upsert(session, []) == set()
        row = {"member_id": member_id, "unit_id": uuid.uuid4(), "full_name": "Đỗ Thị Lan", "version": 1, "extra": 1}
        assert await VIEW.upsert(session, [row]) == {member_id}
        assert (
            await session.scalar(text("select count(*) from test_view_holders where member_id = :m"), {"m": member_id})
            == 1
        )


def test_a_view_names_its_key_and_version():
    with pytest.raises(ValueError, match="version"):
        AggregateView(holders, ("member_id", "unit_id", "full_name"))
