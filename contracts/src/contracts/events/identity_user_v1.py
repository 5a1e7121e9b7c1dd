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


class UserEvent(IntegrationEvent):
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "user_id"

    user_id: UUID


class UserCreated(UserEvent):
    event_type: ClassVar[str] = "identity.user.created"

    username: str
    full_name: str
    home_unit_id: UUID
    roles: list[RoleGrant]


class UserRolesChanged(UserEvent):
    event_type: ClassVar[str] = "identity.user.roles_changed"

    roles: list[RoleGrant]


class UserDisabled(UserEvent):
    event_type: ClassVar[str] = "identity.user.disabled"

    reason: str


class UserSessionsEnded(UserEvent):
    """Every session of the user ends now: their access tokens issued before this are refused at the gateway.

    `reason`: `password-changed` (by the user, the forced first change included), `password-reset` (by an
    administrator; the next login must change it), `totp-required` (an administrator forced TOTP enrolment) or
    `logout-everywhere`.
    """

    event_type: ClassVar[str] = "identity.user.sessions_ended"

    reason: str


class DelegationStarted(UserEvent):
    """`user_id` (the delegate) acts for `delegator_id` with the listed roles until `ends_on`."""

    event_type: ClassVar[str] = "identity.user.delegation_started"

    delegation_id: UUID
    delegator_id: UUID
    roles: list[RoleGrant]
    starts_on: date
    ends_on: date


class DelegationEnded(UserEvent):
    event_type: ClassVar[str] = "identity.user.delegation_ended"

    delegation_id: UUID


EVENTS: tuple[type[IntegrationEvent], ...] = (
    UserCreated,
    UserRolesChanged,
    UserDisabled,
    DelegationStarted,
    DelegationEnded,
    UserSessionsEnded,
)
