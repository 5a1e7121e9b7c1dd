"""Topic `members.member.v1`: every change of a member, keyed by member id.

The snapshot holds what other services need to build their views. The ID number never leaves the
members service (only whether there is one). Ethnicity and religion travel for one purpose: reporting's
aggregate figures (counts per value, never a list of members by them); every other consumer ignores them
and stores them nowhere.
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
    # Added in 2026 for reporting's figures; None in events written before (reported as "not known").
    nationality: str | None = Field(None, description="ISO 3166-1 alpha-2, VN for Vietnamese citizens")
    ethnicity: str | None = Field(None, description="For aggregate figures only")
    religion: str | None = Field(None, description="For aggregate figures only")
    education: str | None = None
    has_phone: bool | None = None
    has_id_number: bool | None = None
    # Added in 2026: the day the member consented to share ID number, date of birth and phone with the bank that
    # issues their linked card (the data itself travels only on `members.bank_identity.v1`); None: no consent.
    bank_consent_on: date | None = Field(None, description="Ngày đoàn viên đồng ý chia sẻ với ngân hàng phát hành")
    version: int = Field(ge=1, description="Aggregate version, increases by one with every change")


class MemberEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "member_id"

    member_id: UUID
    member: MemberSnapshot


class MemberCreated(MemberEvent):
    event_type: ClassVar[str] = "members.member.created"


class MemberApproved(MemberEvent):
    event_type: ClassVar[str] = "members.member.approved"


class MemberRejected(MemberEvent):
    event_type: ClassVar[str] = "members.member.rejected"

    reason: str


class MemberTransferred(MemberEvent):
    event_type: ClassVar[str] = "members.member.transferred"

    from_unit_id: UUID
    to_unit_id: UUID


class MemberStatusChanged(MemberEvent):
    event_type: ClassVar[str] = "members.member.status_changed"

    old_status: MemberStatus
    reason: str | None = None


class MemberPositionChanged(MemberEvent):
    event_type: ClassVar[str] = "members.member.position_changed"


class MemberUpdated(MemberEvent):
    event_type: ClassVar[str] = "members.member.updated"

    changed_fields: list[str] = Field(default_factory=list)


class MemberRemoved(MemberEvent):
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
