"""The national centre, created once by the first migration."""

from __future__ import annotations

from datetime import date

from chassis.outbox import record_event_sync
from chassis.tables import tree_closure, tree_units
from contracts.events.orgtree_unit_v1 import UnitCreated
from contracts.wellknown import NATIONAL_CENTRE_CODE, NATIONAL_CENTRE_ID
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from orgtree.adapters.repository import unit_row
from orgtree.adapters.tables import unit_history, units
from orgtree.domain.catalogue import CATALOGUE
from orgtree.domain.model import Unit


def national_centre(effective_from: date) -> Unit:
    centre_type = next(t for t in CATALOGUE if t.code == "national_centre")
    return Unit(
        unit_id=NATIONAL_CENTRE_ID,
        code=NATIONAL_CENTRE_CODE,
        name="Tổng Liên đoàn Lao động Việt Nam",
        short_name="TLĐ",
        type=centre_type,
        parent_id=None,
        effective_from=effective_from,
    )


def create_national_centre(connection: Connection, effective_from: date) -> None:
    """Synchronous on purpose: migrations run on a plain connection."""
    centre = national_centre(effective_from)
    state = centre.state()
    connection.execute(insert(units).values(**unit_row(centre)))
    connection.execute(
        insert(unit_history).values(
            unit_id=centre.unit_id,
            version=1,
            valid_from=effective_from,
            parent_id=None,
            state=state.model_dump(mode="json"),
            change="created",
            changed_by="migration",
        )
    )
    connection.execute(
        insert(tree_units).values(
            unit_id=state.unit_id,
            code=state.code,
            name=state.name,
            type_code=state.type_code,
            parent_id=None,
            status="active",
            version=1,
            **state.capabilities.model_dump(),
        )
    )
    connection.execute(insert(tree_closure).values(ancestor_id=centre.unit_id, descendant_id=centre.unit_id, depth=0))
    record_event_sync(connection, UnitCreated(unit_id=centre.unit_id, unit=state))
