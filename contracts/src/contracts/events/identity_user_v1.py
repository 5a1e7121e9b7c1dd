"""Topic `identity.user.v1`: accounts, their roles and delegations, keyed by user id."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import IntegrationEvent

TOPIC = "identity.user.v1"


class RoleGrant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    role: str
    unit_id: UUID


class _UserEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "user_id"

    user_id: UUID


class UserCreated(_UserEvent):
    event_type: ClassVar[str] = "identity.user.created"

    username: str
    full_name: str
    home_unit_id: UUID
    roles: list[RoleGrant]


class UserRolesChanged(_UserEvent):
    event_type: ClassVar[str] = "identity.user.roles_changed"

    roles: list[RoleGrant]


class UserDisabled(_UserEvent):
    event_type: ClassVar[str] = "identity.user.disabled"

    reason: str


class DelegationStarted(_UserEvent):
    """`user_id` (the delegate) acts for `delegator_id` with the listed roles until `ends_on`."""

    event_type: ClassVar[str] = "identity.user.delegation_started"

    delegation_id: UUID
    delegator_id: UUID
    roles: list[RoleGrant]
    starts_on: date
    ends_on: date


class DelegationEnded(_UserEvent):
    event_type: ClassVar[str] = "identity.user.delegation_ended"

    delegation_id: UUID


EVENTS: tuple[type[IntegrationEvent], ...] = (
    UserCreated,
    UserRolesChanged,
    UserDisabled,
    DelegationStarted,
    DelegationEnded,
)
