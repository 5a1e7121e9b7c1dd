"""Topic `dues.collection.v1`: a unit's dues of a month, recorded or corrected, keyed by unit id.

Keyed by unit so that a month and its corrections arrive in order. Totals only: what each member paid
stays in the dues service. Reporting sums these up the tree (collected, remitted to the upper level).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent

TOPIC = "dues.collection.v1"


class DuesMonthSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    collection_id: UUID
    unit_id: UUID
    month: date = Field(description="The month's first day")
    members_paid: int = Field(ge=0)
    members_exempt: int = Field(ge=0)
    collected_vnd: int = Field(ge=0, description="What members paid, above the norm included")
    norm_vnd: int = Field(ge=0, description="What the paying members owed under the policy of the month")
    upper_share_vnd: int = Field(ge=0, description="Remitted to the upper level (its share within the norm)")
    grassroots_share_vnd: int = Field(ge=0, description="Kept by the grassroots union")
    corrects_id: UUID | None = Field(None, description="The record of the same month this one replaces")


class DuesMonthRecorded(IntegrationEvent):
    """A grassroots union recorded a month's dues, or corrected a month recorded before (`corrects_id`)."""

    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "unit_id"
    event_type: ClassVar[str] = "dues.collection.recorded"

    unit_id: UUID
    collection: DuesMonthSnapshot


EVENTS: tuple[type[IntegrationEvent], ...] = (DuesMonthRecorded,)
