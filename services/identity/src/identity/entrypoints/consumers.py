"""What identity consumes: the union tree, for the replica its scope checks run on."""

from __future__ import annotations

from chassis.consumer import Handler
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    # UnitCreated, UnitUpdated, UnitMoved, UnitMerged, UnitDissolved → chassis.tree.apply_unit_state(event.unit)
    return dict(tree_handlers())
