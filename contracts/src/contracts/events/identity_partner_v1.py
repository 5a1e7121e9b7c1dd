"""Topic `identity.partner.v1`: the platform's partners (banks), keyed by partner id.

identity keeps the catalogue: a machine client may carry a partner code only if the partner is in it, and a
partner that issues linked cards names the unit whose subtree it issues them for (the national centre for
all, or a province or sector union that registered its own bank). cards follows the topic to decide which
bank each linked card goes to (the partner registered for the nearest unit above the member's).
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent

TOPIC = "identity.partner.v1"
PARTNER_CODE_PATTERN = r"^[A-Z0-9]{2,16}$"
PartnerStatus = Literal["active", "disabled"]


class PartnerSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    partner_id: UUID
    partner_code: str = Field(pattern=PARTNER_CODE_PATTERN, description="e.g. a bank's code: 'CTG' (VietinBank)")
    name: str
    linked_cards_unit_id: UUID | None = Field(
        None, description="The partner issues the linked cards of this unit's subtree; null: it issues none"
    )
    status: PartnerStatus
    version: int = Field(ge=1, description="Aggregate version, increases by one with every change")


class PartnerChanged(IntegrationEvent):
    """A partner was registered or changed (name, the subtree it issues linked cards for, disabled)."""

    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "partner_id"
    event_type: ClassVar[str] = "identity.partner.changed"

    partner_id: UUID
    partner: PartnerSnapshot


EVENTS: tuple[type[IntegrationEvent], ...] = (PartnerChanged,)
