"""The tree replica other services keep: built from orgtree's events, one by one or in batches, or from a replay.

A new consumer builds its replica from scratch with `python -m orgtree replay --since 1970-01-01`:
the outbox keeps every event, in commit order, and each carries the unit's full state.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import uuid
from datetime import date
from uuid import UUID

import pytest
from chassis import tree
from chassis.consumer import EventConsumer
from chassis.settings import ServiceSettings
from chassis.tables import outbox_events
from contracts.envelope import Envelope
from contracts.events.orgtree_unit_v1 import UnitState
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import select

from services.orgtree.tests.helpers import ADMIN, drop_database, read_events, replica_database, tree_of
from tests.support.services import TEST_SECRET

TOPIC = "orgtree.unit.v1"


async def build_history(orgtree, prefix: str) -> None:
    """A history with every kind of change, including moves whose order matters (a unit moved into a
    subtree that moves next)."""
    p1 = await orgtree.unit(f"{prefix}-P1", "Liên đoàn Lao động tỉnh Một", "provincial_federation", NATIONAL_CENTRE_ID)
    p2 = await orgtree.unit(f"{prefix}-P2", "Liên đoàn Lao động tỉnh Hai", "provincial_federation", NATIONAL_CENTRE_ID)
    z1 = await orgtree.unit(f"{prefix}-Z1", "Công đoàn khu công nghiệp Một", "industrial_zone_union", p1)
    z2 = await orgtree.unit(f"{prefix}-Z2", "Công đoàn khu công nghiệp Hai", "industrial_zone_union", p1)
    batch = await orgtree.post(
        "/units/batch",
        {
            "effective_from": "2021-01-01",
            "units": [
                {
                    "code": f"{prefix}-C{i}",
                    "name": f"Công đoàn cơ sở Số {i}",
                    "type_code": "grassroots_union",
                    "parent_id": z1 if i % 2 else z2,
                }
                for i in range(6)
            ]
            + [
                {
                    "code": f"{prefix}-T{i}",
                    "name": f"Tổ công đoàn {i}",
                    "type_code": "union_group",
                    "parent_code": f"{prefix}-C{i}",
                }
                for i in range(6)
            ],
        },
    )
    assert batch.status_code == 201, batch.text
    grassroots = {row["code"]: row["unit_id"] for row in batch.json()["created"]}
    steps = [
        ("move", grassroots[f"{prefix}-C1"], {"new_parent_id": z2, "effective_from": "2022-01-01"}),
        ("move", z2, {"new_parent_id": p2, "effective_from": "2022-01-01"}),
        ("merge", p1, {"target_unit_id": p2, "effective_from": "2023-01-01"}),
        (
            "dissolve",
            grassroots[f"{prefix}-C3"],
            {"successor_unit_id": grassroots[f"{prefix}-C5"], "effective_from": "2023-06-01"},
        ),
        ("dissolve", z1, {"successor_unit_id": z2, "effective_from": "2024-01-01"}),
    ]
    for action, unit_id, body in steps:
        response = await orgtree.post(f"/units/{unit_id}/{action}", body)
        assert response.status_code == 200, (action, response.text)
    renamed = await orgtree.http.patch(
        f"/api/v1/orgtree/units/{p2}", json={"name": "Liên đoàn Lao động tỉnh Mới"}, headers=ADMIN
    )
    assert renamed.status_code == 200, renamed.text


async def outbox_envelopes(orgtree) -> list[Envelope]:
    rows = await orgtree.all(select(outbox_events).order_by(outbox_events.c.id))
    return [
        Envelope(
            id=r.event_id,
            source="/services/orgtree",
            type=r.event_type,
            time=r.occurred_at,
            subject=r.message_key,
            data=r.payload.encode(),
        )
        for r in rows
    ]


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
async def test_applying_the_history_in_batches_gives_the_same_tree_as_one_by_one(orgtree, pg_server_url, batch_size):
    if batch_size == 1:
        await build_history(orgtree, "RB")
    states = [envelope.decode().unit for envelope in await outbox_envelopes(orgtree)]
    one_by_one, batched = await replica_database(pg_server_url), await replica_database(pg_server_url)
    try:
        async with one_by_one.transaction() as session:
            for state in states:
                await tree.apply_unit_state(session, state)
        for start in range(0, len(states), batch_size):
            async with batched.transaction() as session:
                await tree.apply_unit_states(session, states[start : start + batch_size])
        expected = await tree_of(orgtree.database)
        assert await tree_of(one_by_one) == expected
        assert await tree_of(batched) == expected
        # Applying everything again changes nothing: each unit is already at its version.
        async with batched.transaction() as session:
            assert await tree.apply_unit_states(session, states) == 0
        assert await tree_of(batched) == expected
    finally:
        for replica in (one_by_one, batched):
            await drop_database(pg_server_url, replica)


async def test_replay_command_rebuilds_a_new_services_replica(orgtree, pg_server_url, broker):
    await build_history(orgtree, "RR")
    expected_ids = {envelope.id for envelope in await outbox_envelopes(orgtree)}
    environment = {
        **os.environ,
        "ORGTREE_DATABASE_URL": orgtree.url,
        "ORGTREE_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "ORGTREE_LOG_LEVEL": "WARNING",
    }
    replay = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "orgtree", "replay", "--since", "1970-01-01"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert replay.returncode == 0, replay.stderr[-2000:]
    assert f"republished {len(expected_ids)} events" in replay.stdout

    # The test broker is shared by the whole session: only this database's events belong to this replica.
    ours = await read_events(broker.bootstrap, TOPIC, expected_ids)
    replica = await replica_database(pg_server_url)
    settings = ServiceSettings(
        service_name=f"replica-{uuid.uuid4().hex[:6]}",
        database_url=replica.url,
        kafka_bootstrap_servers=broker.bootstrap,
        internal_token_secret=TEST_SECRET,
    )
    consumer = EventConsumer(settings.service_name, settings, replica, tree.tree_handlers())
    try:
        outcomes = [await consumer.process(r.topic, r.partition, r.offset, r.headers, r.value, r.key) for r in ours]
        assert outcomes.count("processed") == len(expected_ids)
        assert await tree_of(replica) == await tree_of(orgtree.database)
    finally:
        await drop_database(pg_server_url, replica)


def random_history(seed: int, units: int = 40, changes: int = 300) -> list[UnitState]:
    """Creations, then random moves and status changes that keep the tree a tree, as UnitStates in order."""
    rng = random.Random(seed)
    parent: dict[UUID, UUID] = {}
    version: dict[UUID, int] = {}
    history: list[UnitState] = []

    def state(unit_id: UUID, status: str = "active") -> UnitState:
        version[unit_id] = version.get(unit_id, 0) + 1
        return UnitState(
            unit_id=unit_id,
            code=f"U{str(unit_id)[:8]}",
            name="Đơn vị",
            type_code="grassroots_union",
            parent_id=parent[unit_id],
            status=status,
            effective_from=date(2025, 7, 1),
            version=version[unit_id],
        )

    def below(unit_id: UUID) -> set[UUID]:
        found, frontier = {unit_id}, [unit_id]
        while frontier:
            current = frontier.pop()
            children = [u for u, p in parent.items() if p == current]
            found.update(children)
            frontier += children
        return found

    root = uuid.uuid4()
    parent[root] = None
    history.append(state(root))
    for _ in range(units):
        unit_id = uuid.uuid4()
        parent[unit_id] = rng.choice(list(parent))
        history.append(state(unit_id))
    movable = [u for u in parent if u != root]
    for _ in range(changes):
        unit_id = rng.choice(movable)
        if rng.random() < 0.1:
            history.append(state(unit_id, rng.choice(("merged", "dissolved"))))
            continue
        parent[unit_id] = rng.choice([u for u in parent if u not in below(unit_id)])
        history.append(state(unit_id))
    return history


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_batched_apply_agrees_with_one_by_one_on_random_histories(pg_server_url, seed):
    """Batches mixing new units, nested moves and moves into moving subtrees end where single applies end."""
    history = random_history(seed)
    rng = random.Random(seed)
    one_by_one, batched = await replica_database(pg_server_url), await replica_database(pg_server_url)
    try:
        start = 0
        while start < len(history):
            batch = history[start : start + rng.choice((1, 2, 5, 17, 60))]
            start += len(batch)
            async with batched.transaction() as session:
                await tree.apply_unit_states(session, batch)
            for state in batch:
                async with one_by_one.transaction() as session:
                    await tree.apply_unit_state(session, state)
            assert await tree_of(batched) == await tree_of(one_by_one), f"after {start} events"
    finally:
        for replica in (one_by_one, batched):
            await drop_database(pg_server_url, replica)
