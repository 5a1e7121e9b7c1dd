"""The gateway's first wall on unit scope: an in-memory copy of the union tree and the precheck on it.

The tree is fed by `orgtree.unit.v1`, read from the beginning on every start (`gateway.feeds`).
Every unit event carries the unit's full state, so the replica only keeps, per unit, its parent
and the version that set it. 150,000 units take about 55 MB and about 6 s to read (tests/benchmarks/bench_gateway.py).

The check is deliberately coarse: a unit named in the path or query must lie in the subtree of
one of the principal's grants, whatever the permission. The service still checks the exact
permission in SQL with the chassis scope helper: the gateway is the first wall, not the only one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from urllib.parse import parse_qsl
from uuid import UUID

from chassis.errors import OutOfScope
from chassis.principal import Principal
from contracts.events.orgtree_unit_v1 import TOPIC
from contracts.permissions import permissions_of
from prometheus_client import Counter, Gauge

from gateway.config import GatewaySettings
from gateway.feeds import TopicFeed

log = logging.getLogger(__name__)

UNIT_EVENT_PREFIX = "orgtree.unit."
# Services whose `/units/{id}` path segment names a union unit.
UNIT_PATH_SERVICES = frozenset({"orgtree", "members", "reporting", "identity"})
UNIT_QUERY_PARAM = "unit_id"
MAX_DEPTH = 64  # the real tree is about 6 levels deep; a longer walk means a cycle in bad data

TREE_UNITS = Gauge("gateway_unit_tree_units", "Units in the gateway's in-memory tree")
TREE_EVENTS = Counter("gateway_unit_tree_events_total", "Unit events read by the gateway", ["outcome"])
SCOPE_REFUSALS = Counter("gateway_scope_refusals_total", "Requests refused by the unit-scope precheck")
SCOPE_UNKNOWN = Counter(
    "gateway_scope_unknown_units_total",
    "Units named in a request that the gateway's tree does not (yet) know; passed on",
)


class UnitTree:
    """unit → parent, with the version that set it. Keys are `UUID.int` (smaller than UUID objects)."""

    def __init__(self) -> None:
        self._parent: dict[int, int | None] = {}
        self._version: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._parent)

    def apply(self, unit_id: UUID, parent_id: UUID | None, version: int) -> bool:
        """Upsert a unit's position; an event older than what we hold (a redelivery, a replay) is ignored."""
        key = unit_id.int
        if self._version.get(key, 0) >= version:
            return False
        self._version[key] = version
        self._parent[key] = parent_id.int if parent_id is not None else None
        return True

    def knows(self, unit_id: UUID) -> bool:
        return unit_id.int in self._parent

    def within(self, unit_id: UUID, roots: Iterable[UUID]) -> bool | None:
        """Whether `unit_id` is one of `roots` or below one; None when the tree cannot tell.

        It cannot tell when the unit, or a unit on its way up, is unknown (not yet read) or the
        walk does not end (cycle in bad data).
        """
        wanted = {root.int for root in roots}
        current: int | None = unit_id.int
        for _ in range(MAX_DEPTH):
            if current in wanted:
                return True
            if current not in self._parent:
                return None
            current = self._parent[current]
            if current is None:
                return False  # reached the top without meeting a root
        return None


def named_units(service: str, upstream_path: str, query_string: bytes) -> list[UUID]:
    """The unit ids a request names: `/units/{id}` in the path, `unit_id=` in the query. Non-UUIDs are skipped
    (the service answers them with 422)."""
    candidates: list[str] = []
    if service in UNIT_PATH_SERVICES:
        segments = upstream_path.split("/")
        candidates += [segments[i + 1] for i, s in enumerate(segments[:-1]) if s == "units"]
    if query_string and b"unit_id" in query_string:
        candidates += [
            v for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if k == UNIT_QUERY_PARAM
        ]
    units = []
    for candidate in candidates:
        try:
            units.append(UUID(candidate))
        except ValueError:
            continue
    return units


def scope_roots(principal: Principal) -> set[UUID]:
    """Every unit the principal holds some permission on: the check is for any permission."""
    return {g.unit_id for g in principal.grants if permissions_of(g.role)}


def ensure_units_in_scope(tree: UnitTree, principal: Principal, units: list[UUID]) -> None:
    if not units:
        return
    roots = scope_roots(principal)
    for unit_id in units:
        verdict = tree.within(unit_id, roots)
        if verdict is None:
            # Unknown unit: the replica may not have caught up yet (the gateway just started, or the unit was
            # created a moment ago). Refusing would turn replica lag into wrong 403s; the service checks the
            # scope in SQL on its own replica anyway, so the request goes on and the service decides.
            SCOPE_UNKNOWN.inc()
            continue
        if not verdict:
            SCOPE_REFUSALS.inc()
            raise OutOfScope(
                f"Đơn vị {unit_id} nằm ngoài phạm vi quản lý của bạn",
                f"Unit {unit_id} is outside your scope",
                field="unit_id",
            )


def apply_record(tree: UnitTree, headers: Iterable[tuple[str, bytes | None]] | None, value: bytes | None) -> str:
    """Apply one `orgtree.unit.v1` record; returns the outcome. Only the fields the tree needs are read."""
    event_type = next((raw for name, raw in headers or () if name == "ce_type" and raw is not None), None)
    if event_type is None or not event_type.startswith(UNIT_EVENT_PREFIX.encode()) or not value:
        return "ignored"
    try:
        unit = json.loads(value)["unit"]
        parent = unit.get("parent_id")
        applied = tree.apply(UUID(unit["unit_id"]), UUID(parent) if parent else None, int(unit["version"]))
    except (ValueError, KeyError, TypeError) as error:
        log.warning("unreadable unit event skipped", extra={"fields": {"error": repr(error)}})
        return "malformed"
    return "applied" if applied else "stale"


class UnitTreeFeed(TopicFeed):
    """`orgtree.unit.v1` into a `UnitTree`."""

    def __init__(self, settings: GatewaySettings, tree: UnitTree) -> None:
        super().__init__(settings, TOPIC, client_id="gateway-unit-tree")
        self.tree = tree

    def apply(self, record) -> None:
        TREE_EVENTS.labels(apply_record(self.tree, record.headers, record.value)).inc()

    def after_batch(self) -> None:
        TREE_UNITS.set(len(self.tree))
