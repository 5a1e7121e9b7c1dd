"""What cards consumes so far: the union tree, for its replica."""

from __future__ import annotations

from chassis.consumer import Handler
from chassis.settings import ServiceSettings
from chassis.tree import tree_handlers
from contracts.base import IntegrationEvent


def handlers(_: ServiceSettings) -> dict[type[IntegrationEvent], Handler]:
    return dict(tree_handlers())
