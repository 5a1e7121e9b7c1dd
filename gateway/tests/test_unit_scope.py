"""The gateway's unit-scope precheck: an in-memory tree fed by orgtree.unit.v1, refusing before the service."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaProducer
from chassis.errors import OutOfScope
from chassis.kafka import provision_topics
from chassis.principal import Grant, Principal
from chassis.settings import ServiceSettings
from contracts.envelope import Envelope
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitMoved, UnitState
from gateway.app import create_app
from gateway.unittree import UnitTree, apply_record, ensure_units_in_scope, named_units

from tests.support.polling import eventually

from .support import dead_url, serving
from .test_auth import bearer, claims, identity_key


def uid() -> UUID:
    return uuid.uuid4()


def principal_on(*units: UUID, role: str = "data_entry") -> Principal:
    return Principal(user_id=uid(), username="can.bo", grants=tuple(Grant(role, u) for u in units))


@pytest.fixture
def tree():
    """root ─┬─ a ── a1 ── a11
    └─ b ── b1"""
    t = UnitTree()
    ids = {name: uid() for name in ("root", "a", "a1", "a11", "b", "b1")}
    for name, parent in (("root", None), ("a", "root"), ("a1", "a"), ("a11", "a1"), ("b", "root"), ("b1", "b")):
        t.apply(ids[name], ids[parent] if parent else None, 1)
    return t, ids


def test_tree_answers_within_outside_and_unknown(tree):
    t, ids = tree
    assert len(t) == 6
    assert t.within(ids["a11"], [ids["a"]]) is True
    assert t.within(ids["a"], [ids["a"]]) is True
    assert t.within(ids["b1"], [ids["a"]]) is False
    assert t.within(ids["a"], [ids["a1"]]) is False  # above the grant is outside
    assert t.within(ids["b1"], [ids["a"], ids["b"]]) is True
    assert t.within(ids["b1"], [ids["root"]]) is True
    assert t.within(uid(), [ids["root"]]) is None  # not read yet
    orphan = uid()
    t.apply(orphan, uid(), 1)  # its parent is not known yet either
    assert t.within(orphan, [ids["a"]]) is None


def test_tree_follows_moves_and_ignores_stale_versions(tree):
    t, ids = tree
    assert t.apply(ids["a1"], ids["b"], 2) is True  # a1 (with a11) moves under b
    assert t.within(ids["a11"], [ids["b"]]) is True and t.within(ids["a11"], [ids["a"]]) is False
    assert t.apply(ids["a1"], ids["a"], 1) is False  # a redelivered old event changes nothing
    assert t.within(ids["a11"], [ids["b"]]) is True


def test_a_cycle_in_bad_data_does_not_hang(tree):
    t, ids = tree
    t.apply(ids["a"], ids["a11"], 5)
    assert t.within(ids["a11"], [ids["b"]]) is None


def test_named_units_from_path_and_query():
    u1, u2, u3 = uid(), uid(), uid()
    assert named_units("members", f"/api/v1/members/units/{u1}/members", f"unit_id={u2}&x=1".encode()) == [u1, u2]
    assert named_units("orgtree", f"/api/v1/orgtree/units/{u1}", b"") == [u1]
    assert named_units("reporting", f"/api/v1/reporting/units/{u1}/member-summary", b"subtree=true") == [u1]
    assert named_units("identity", "/api/v1/identity/users", f"unit_id={u3}".encode()) == [u3]
    # Not unit ids: a non-UUID segment (the service answers 422), the units collection, other services' paths.
    assert named_units("orgtree", "/api/v1/orgtree/units/batch", b"") == []
    assert named_units("orgtree", "/api/v1/orgtree/units", b"q=ha+noi") == []
    assert named_units("dues", f"/api/v1/dues/units/{u1}", b"") == []
    assert named_units("members", "/api/v1/members/members", b"unit_id=not-a-uuid") == []


def test_check_refuses_outside_passes_inside_and_unknown(tree):
    t, ids = tree
    officer = principal_on(ids["a"])
    ensure_units_in_scope(t, officer, [ids["a11"], uid()])  # inside, and unknown: both pass
    with pytest.raises(OutOfScope) as refused:
        ensure_units_in_scope(t, officer, [ids["a1"], ids["b1"]])
    assert refused.value.status == 403 and refused.value.code == "out-of-scope"
    assert refused.value.message_vi and refused.value.message_en
    # Any permission counts (the service checks the exact one); a role that allows nothing does not.
    ensure_units_in_scope(t, principal_on(ids["b"], role="report_viewer"), [ids["b1"]])
    with pytest.raises(OutOfScope):
        ensure_units_in_scope(t, principal_on(ids["b"], role="no_such_role"), [ids["b1"]])
    with pytest.raises(OutOfScope):
        ensure_units_in_scope(t, principal_on(), [ids["b1"]])


def test_records_are_read_from_real_envelopes():
    t = UnitTree()
    root, child = uid(), uid()
    for event in (
        UnitCreated(unit_id=root, unit=_state(root, None)),
        UnitCreated(unit_id=child, unit=_state(child, root)),
    ):
        envelope = Envelope.wrap(event, "orgtree")
        assert apply_record(t, envelope.kafka_headers(), envelope.data) == "applied"
    assert t.within(child, [root]) is True
    assert apply_record(t, [("ce_type", b"members.member.created")], b"{}") == "ignored"
    assert apply_record(t, [("ce_type", b"orgtree.unit.created")], b"not json") == "malformed"


def _state(unit_id: UUID, parent_id: UUID | None, version: int = 1) -> UnitState:
    return UnitState(
        unit_id=unit_id,
        code=f"U-{unit_id.hex[:6]}",
        name="Công đoàn thử",
        type_code="grassroots_union",
        parent_id=parent_id,
        effective_from=date(2025, 7, 1),
        version=version,
    )


async def test_gateway_refuses_an_out_of_subtree_unit_before_the_service(backends, broker):
    settings = ServiceSettings(kafka_bootstrap_servers=broker.bootstrap)
    await provision_topics(settings)
    root, a, a1, b, b1 = (uid() for _ in range(5))
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, compression_type="lz4")
    await producer.start()
    try:
        for unit, parent in ((root, None), (a, root), (a1, a), (b, root), (b1, b)):
            envelope = Envelope.wrap(UnitCreated(unit_id=unit, unit=_state(unit, parent)), "orgtree")
            await producer.send_and_wait(
                "orgtree.unit.v1", envelope.data, key=envelope.key, headers=envelope.kafka_headers()
            )
    finally:
        await producer.stop()

    key = await identity_key(backends)
    token = jwt.encode(
        claims(grants=[{"role": "data_entry", "unit_id": str(a)}]),
        key.private_key,
        algorithm="EdDSA",
        headers={"kid": key.kid},
    )
    app = create_app(
        backends.settings(unit_scope_check=True, kafka_bootstrap_servers=broker.bootstrap, kafka_fetch_max_wait_ms=10)
    )
    tree = app.state.gateway.unit_tree
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        await eventually(lambda: _async(tree.knows(b1)), bool, timeout=20)
        await eventually(lambda: _async(app.state.gateway.unit_tree_feed.current()), bool, timeout=20)
        calls = backends.fake.unit_calls
        before = len(calls)

        refused = await http.get(f"/api/v1/members/units/{b1}/members", headers=bearer(token))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "out-of-scope" and refused.json()["message_vi"]
        by_query = await http.get(f"/api/v1/members/echo?unit_id={b}", headers=bearer(token))
        assert by_query.status_code == 403 and by_query.json()["code"] == "out-of-scope"
        assert len(calls) == before  # the service never saw either request

        assert (await http.get(f"/api/v1/members/units/{a1}/members", headers=bearer(token))).status_code == 200
        assert (await http.get(f"/api/v1/members/echo?unit_id={a1}", headers=bearer(token))).status_code == 200
        unknown = uid()  # not in the gateway's tree (yet): the service decides
        assert (await http.get(f"/api/v1/members/units/{unknown}/members", headers=bearer(token))).status_code == 200
        assert calls[before:] == [str(a1), str(unknown)]

        # A move published later is followed: b1 under a is now inside.
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, compression_type="lz4")
        await producer.start()
        try:
            envelope = Envelope.wrap(
                UnitMoved(unit_id=b1, unit=_state(b1, a, version=2), old_parent_id=b, new_parent_id=a), "orgtree"
            )
            await producer.send_and_wait(
                "orgtree.unit.v1", envelope.data, key=envelope.key, headers=envelope.kafka_headers()
            )
        finally:
            await producer.stop()
        await eventually(lambda: _async(tree.within(b1, [a])), bool, timeout=20)
        assert (await http.get(f"/api/v1/members/units/{b1}/members", headers=bearer(token))).status_code == 200


async def _async(value):
    return value


async def test_the_gateway_refuses_tokens_while_it_cannot_read_its_feeds(backends, broker):
    """Fails closed: with the broker unreachable the gateway cannot know a token was revoked (or a unit moved),
    so it refuses tokens (503 problem+json) and says it is not ready; public routes still answer. Once the
    feeds are current tokens pass, until the broker has been silent longer than the grace period."""
    key = await identity_key(backends)
    token = jwt.encode(claims(), key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    nowhere = dead_url().removeprefix("http://")
    app = create_app(backends.settings(token_revocation=True, unit_scope_check=True, kafka_bootstrap_servers=nowhere))
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        refused = await http.get("/api/v1/members/echo", headers=bearer(token))
        ready = await http.get("/ready")
        public = await http.get("/api/v1/public/lookup", params={"member_code": "A"})
    assert refused.status_code == 503 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "checks-unavailable" and refused.json()["message_vi"]
    assert refused.headers["retry-after"] == "5"
    assert set(refused.json()["topics"]) == {"identity.user.v1", "orgtree.unit.v1"}
    assert ready.status_code == 503 and set(ready.json()["feeds_behind"]) == {"identity.user.v1", "orgtree.unit.v1"}
    assert public.status_code == 200

    await provision_topics(ServiceSettings(kafka_bootstrap_servers=broker.bootstrap))
    app = create_app(
        backends.settings(
            token_revocation=True,
            kafka_bootstrap_servers=broker.bootstrap,
            kafka_fetch_max_wait_ms=10,
            feed_max_silence_s=15,
        )
    )
    feed = app.state.gateway.revocation_feed
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        await eventually(lambda: _async(feed.current()), bool, timeout=30)
        assert (await http.get("/api/v1/members/echo", headers=bearer(token))).status_code == 200
        assert (await http.get("/ready")).status_code == 200
        # The broker has not answered for longer than the grace period (as if it went away a while ago).
        real_clock = feed.clock
        feed.clock = lambda: real_clock() + 60
        silent = await http.get("/api/v1/members/echo", headers=bearer(token))
        assert silent.status_code == 503 and silent.json()["code"] == "checks-unavailable"
