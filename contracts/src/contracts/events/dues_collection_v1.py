"""Topic `dues.collection.v1`: a unit's dues of a month, recorded or corrected, keyed by unit id.

Keyed by unit so that a month and its corrections arrive in order. Totals only: what each member paid
stays in the dues service. Reporting sums these up the tree (collected, remitted to the upper level). The unit's
remittances of the upper share (recorded, then confirmed by the upper level) travel here too, in the unit's order.
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
    # Added compatibly: every member of the unit at the month's end is accounted for.
    members_part_paid: int = Field(0, ge=0, description="Of members_paid, those who paid less than the norm")
    members_unpaid: int = Field(0, ge=0, description="Members who paid nothing (left out of the lines included)")
    owed_vnd: int = Field(0, ge=0, description="What the month's members still owe within the norm")


class DuesMonthRecorded(IntegrationEvent):
    """A grassroots union recorded a month's dues, or corrected a month recorded before (`corrects_id`)."""

    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "unit_id"
    event_type: ClassVar[str] = "dues.collection.recorded"

    unit_id: UUID
    collection: DuesMonthSnapshot


class RemittanceSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    remittance_id: UUID
    unit_id: UUID = Field(description="The grassroots union that transferred the upper share")
    month_from: date = Field(description="First month of the period (its first day)")
    month_to: date = Field(description="Last month of the period (its first day)")
    transferred_on: date
    amount_vnd: int = Field(ge=0)
    reference: str
    received_on: date | None = None
    confirmed: bool = False
    # Added compatibly: remittances between upper levels (a district to its province, a province to the national
    # centre), not only from a grassroots union. `unit_id` is then the upper level that transferred.
    upper_unit_id: UUID | None = Field(None, description="The unit the transfer went to: the remitter's parent")


class DuesRemitted(IntegrationEvent):
    """A unit recorded what it transferred to its upper level for a period (added compatibly): a grassroots union
    its upper share, or a level above it what it owes its own upper level."""

    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "unit_id"
    event_type: ClassVar[str] = "dues.collection.remitted"

    unit_id: UUID
    remittance: RemittanceSnapshot


class DuesRemittanceConfirmed(IntegrationEvent):
    """The upper level confirmed that it received a remittance."""

    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "unit_id"
    event_type: ClassVar[str] = "dues.collection.remittance_confirmed"

    unit_id: UUID
    remittance: RemittanceSnapshot
    confirmed_by_unit_id: UUID | None = None


EVENTS: tuple[type[IntegrationEvent], ...] = (DuesMonthRecorded, DuesRemitted, DuesRemittanceConfirmed)
