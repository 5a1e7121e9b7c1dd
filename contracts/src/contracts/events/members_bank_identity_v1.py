"""Topic `members.bank_identity.v1`: what the bank issuing a member's linked card needs to open the account, only for
members who consented, keyed by member id.

members publishes it when a member consents (and again when the ID number, date of birth or phone changes while
the consent holds) and when the consent is withdrawn. Only cards reads it (its Kafka ACL), to put the data in the
feed items of that member's own bank; no other service may consume it. `version` is the member's version.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import IntegrationEvent

TOPIC = "members.bank_identity.v1"


class _BankIdentityEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "member_id"

    member_id: UUID
    version: int = Field(ge=1, description="The member's version when this was decided: a newer one wins")


class BankIdentityShared(_BankIdentityEvent):
    """The member consents: these may go to the bank that issues their linked card."""

    event_type: ClassVar[str] = "members.bank_identity.shared"

    id_kind: str = Field(description="cccd, cmnd or passport")
    id_number: str
    date_of_birth: date
    phone: str | None = None
    consent_given_on: date = Field(description="Ngày đoàn viên đồng ý chia sẻ thông tin với ngân hàng")


class BankIdentityWithdrawn(_BankIdentityEvent):
    """The member withdrew the consent: nothing of it may reach a bank any more."""

    event_type: ClassVar[str] = "members.bank_identity.withdrawn"


EVENTS: tuple[type[IntegrationEvent], ...] = (BankIdentityShared, BankIdentityWithdrawn)
