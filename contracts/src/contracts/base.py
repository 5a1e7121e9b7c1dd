"""Base class of every integration event."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class IntegrationEvent(BaseModel):
    """A fact one service announces to the others.

    Events are immutable. Consumers ignore fields they do not know, so adding an
    optional field is a compatible change; anything else needs a new major version.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic_name: ClassVar[str]
    # The field holding the aggregate id: it becomes the Kafka key and the CloudEvents subject.
    aggregate_field: ClassVar[str]

    def aggregate_id(self) -> UUID:
        return getattr(self, self.aggregate_field)
