"""Topic `members.member.v1`: every change of a member, keyed by member id.

The snapshot holds what other services need to build their views. Sensitive
personal data (ID number, ethnicity, religion) never leaves the members service.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import IntegrationEvent

TOPIC = "members.member.v1"

MemberStatus = Literal["pending", "rejected", "active", "suspended", "retired", "removed"]
Gender = Literal["male", "female"]
CardType = Literal["regular", "linked"]


class MemberSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    member_id: UUID
    unit_id: UUID
    status: MemberStatus
    full_name: str
    gender: Gender
    date_of_birth: date
    member_code: str | None = None
    joined_on: date | None = None
    position: str | None = None
    card_type: CardType | None = None
    is_foreign: bool = False
    has_photo: bool = False
    version: int = Field(ge=1, description="Aggregate version, increases by one with every change")


class _MemberEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "member_id"

    member_id: UUID
    member: MemberSnapshot


class MemberCreated(_MemberEvent):
    event_type: ClassVar[str] = "members.member.created"


class MemberApproved(_MemberEvent):
    event_type: ClassVar[str] = "members.member.approved"


class MemberRejected(_MemberEvent):
    event_type: ClassVar[str] = "members.member.rejected"

    reason: str


class MemberTransferred(_MemberEvent):
    event_type: ClassVar[str] = "members.member.transferred"

    from_unit_id: UUID
    to_unit_id: UUID


class MemberStatusChanged(_MemberEvent):
    event_type: ClassVar[str] = "members.member.status_changed"

    old_status: MemberStatus
    reason: str | None = None


class MemberPositionChanged(_MemberEvent):
    event_type: ClassVar[str] = "members.member.position_changed"


class MemberUpdated(_MemberEvent):
    event_type: ClassVar[str] = "members.member.updated"

    changed_fields: list[str] = Field(default_factory=list)


class MemberRemoved(_MemberEvent):
    event_type: ClassVar[str] = "members.member.removed"

    reason: str


EVENTS: tuple[type[IntegrationEvent], ...] = (
    MemberCreated,
    MemberApproved,
    MemberRejected,
    MemberTransferred,
    MemberStatusChanged,
    MemberPositionChanged,
    MemberUpdated,
    MemberRemoved,
)
