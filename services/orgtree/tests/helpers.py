"""Helpers of orgtree's tests: the client wrapper, the "nothing changed" fingerprint, problem assertions."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from chassis.database import Database
from chassis.migrations import create_chassis_tables
from chassis.principal import Principal
from chassis.tables import outbox_events, tree_closure, tree_units
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot
from contracts.wellknown import NATIONAL_CENTRE_ID
from orgtree.adapters.tables import member_units, unit_history, units
from orgtree.entrypoints.consumers import apply_member_location
from sqlalchemy import func, select, text

from tests.support.infra import fresh_database
from tests.support.services import headers_for, principal


class FreshHeaders(Mapping):
    """The gateway's headers for a principal, with a new internal token each time they are read:
    tokens live 60 s and a module's tests can take longer than that."""

    def __init__(self, who: Principal) -> None:
        self.who = who

    def _headers(self) -> dict[str, str]:
        return headers_for(self.who)

    def __getitem__(self, key: str) -> str:
        return self._headers()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return 1


ADMIN = FreshHeaders(principal("national_admin", NATIONAL_CENTRE_ID, "admin"))
API = "/api/v1/orgtree"
PAST = "2020-01-01"


@dataclass
class Orgtree:
    http: httpx.AsyncClient
    database: Database
    url: str

    async def create(
        self, code: str, name: str, type_code: str, parent_id: Any, headers=ADMIN, **extra: Any
    ) -> httpx.Response:
        body = {"code": code, "name": name, "type_code": type_code, "parent_id": str(parent_id), **extra}
        return await self.http.post(f"{API}/units", json=body, headers=headers)

    async def unit(self, code: str, name: str, type_code: str, parent_id: Any, **extra: Any) -> str:
        """Create a unit (effective in the past unless told) and return its id."""
        extra.setdefault("effective_from", PAST)
        response = await self.create(code, name, type_code, parent_id, **extra)
        assert response.status_code == 201, response.text
        return response.json()["unit_id"]

    async def post(self, path: str, body: dict, headers=ADMIN) -> httpx.Response:
        return await self.http.post(f"{API}{path}", json=body, headers=headers)

    async def get(self, path: str, headers=ADMIN, **params: Any) -> httpx.Response:
        return await self.http.get(f"{API}{path}", params=params, headers=headers)

    async def scalar(self, query) -> Any:
        async with self.database.transaction() as session:
            return await session.scalar(query)

    async def all(self, query) -> list:
        async with self.database.transaction() as session:
            return list(await session.execute(query))

    async def fingerprint(self) -> tuple:
        """Everything a refused request must leave untouched: rows, versions, links and events."""
        async with self.database.transaction() as session:
            return tuple(
                [
                    await session.scalar(select(func.count(), func.sum(units.c.version)).select_from(units)),
                    *[
                        await session.scalar(select(func.count()).select_from(t))
                        for t in (unit_history, tree_units, tree_closure, outbox_events)
                    ],
                    await session.scalar(
                        text(
                            "SELECT md5(string_agg(ancestor_id::text || descendant_id::text || depth,"
                            " ',' ORDER BY ancestor_id, descendant_id)) FROM tree_closure"
                        )
                    ),
                    await session.scalar(
                        text(
                            "SELECT md5(string_agg(unit_id::text || coalesce(parent_id::text, '')"
                            " || status || version, ',' ORDER BY unit_id)) FROM units"
                        )
                    ),
                ]
            )

    async def add_members(self, unit_id: Any, count: int, status: str = "active") -> list[UUID]:
        """Members arriving the way orgtree learns of them: through the members service's events."""
        ids = [uuid4() for _ in range(count)]
        async with self.database.transaction() as session:
            for member_id in ids:
                snapshot = MemberSnapshot(
                    member_id=member_id,
                    unit_id=UUID(str(unit_id)),
                    status=status,
                    full_name="Nguyễn Văn An",
                    gender="male",
                    date_of_birth=date(1990, 1, 1),
                    version=1,
                )
                await apply_member_location(session, MemberCreated(member_id=member_id, member=snapshot), None)
        return ids

    async def members_in(self, unit_id: Any) -> int:
        return await self.scalar(
            select(func.count())
            .select_from(member_units)
            .where(
                member_units.c.unit_id.in_(
                    select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id == UUID(str(unit_id)))
                )
            )
        )


async def replica_database(server_url: str) -> Database:
    """A new service's database: only the chassis tables, an empty tree replica."""
    url = await fresh_database(server_url, f"test_orgtree_replica_{uuid4().hex[:8]}")
    database = Database(url, 2)
    async with database.engine.begin() as connection:
        await connection.run_sync(create_chassis_tables)
    return database


async def drop_database(server_url: str, database: Database) -> None:
    await database.dispose()
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database.engine.url.database}" WITH (FORCE)')
    finally:
        await connection.close()


async def tree_of(database: Database) -> tuple[set, set]:
    """A tree as a replica holds it: each unit's parent, status and version, and every closure row."""
    async with database.transaction() as session:
        units_seen = set(
            await session.execute(
                select(tree_units.c.unit_id, tree_units.c.parent_id, tree_units.c.status, tree_units.c.version)
            )
        )
        links = set(
            await session.execute(
                select(tree_closure.c.ancestor_id, tree_closure.c.descendant_id, tree_closure.c.depth)
            )
        )
    return {tuple(row) for row in units_seen}, {tuple(row) for row in links}


async def read_events(bootstrap: str, topic: str, wanted: set[UUID], within: float = 60.0) -> list[ConsumerRecord]:
    """The records of `topic` whose CloudEvents id is in `wanted`, in topic order, once all have arrived.

    No consumer group (joining one costs seconds on the development broker), and the
    broker is shared by the test session, so other tests' records are left out.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20)
    await consumer.start()
    try:
        deadline = time.monotonic() + within
        while not consumer.partitions_for_topic(topic):
            assert time.monotonic() < deadline, f"topic {topic} not found"
            await consumer._client.force_metadata_update()
        assigned = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        found: dict[UUID, ConsumerRecord] = {}
        while set(found) != wanted:
            assert time.monotonic() < deadline, f"{len(wanted) - len(found)} events missing from {topic}"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    event_id = UUID(dict(record.headers).get("ce_id", b"0" * 32).decode())
                    if event_id in wanted:
                        found.setdefault(event_id, record)
        return sorted(found.values(), key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


def assert_problem(response: httpx.Response, status: int, code: str, field: str, vi: str, en: str) -> dict:
    """A refusal is problem+json with the rule's code, the field at fault and both languages' messages."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body.get("field")) == (code, field), body
    assert vi in body["message_vi"], body["message_vi"]
    assert en in body["message_en"], body["message_en"]
    return body
