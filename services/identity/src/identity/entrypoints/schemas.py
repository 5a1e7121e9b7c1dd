"""The HTTP contract of identity (v1)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from identity.application.authentication import Tokens, TotpEnrolment
from identity.application.service import UserView
from identity.domain.model import Grant, User

USERNAME = r"^[A-Za-z0-9._-]{3,64}$"
ROLE = r"^[a-z_]{3,40}$"


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(None, pattern=r"^(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$",
                                  description="A TOTP code, or one of the single-use recovery codes")


class LoginEnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginEnrolConfirmIn(LoginEnrolIn):
    code: str = Field(pattern=r"^\d{6}$")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Single-use codes that replace a TOTP code; shown only once")


class EnrolledTokenOut(RecoveryCodesOut):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int
    must_change_password: bool = False


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=16, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    must_change_password: bool = False

    @classmethod
    def of(cls, tokens: Tokens) -> TokenOut:
        return cls(access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                   token_type=tokens.token_type, expires_in=tokens.expires_in,
                   must_change_password=tokens.must_change_password)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class TotpEnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str

    @classmethod
    def of(cls, enrolment: TotpEnrolment) -> TotpEnrolmentOut:
        return cls(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


class TotpConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\d{6}$")


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern=ROLE)
    unit_id: UUID


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME, description="Stored in lower case; unique nationally")
    full_name: str = Field(min_length=2, max_length=200)
    home_unit_id: UUID
    password: str | None = Field(
        None, min_length=1, max_length=256, description="Omit to get a temporary password in the response"
    )
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    phone: str | None = Field(None, pattern=r"^[0-9+ ().-]{8,20}$")
    roles: list[RoleIn] = Field(default_factory=list, max_length=20)


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str | None = Field(
        None, min_length=1, max_length=256, description="Omit to get a temporary password in the response"
    )


class DisableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500)


class GrantOut(BaseModel):
    grant_id: UUID
    role: str
    unit_id: UUID
    granted_by: str
    granted_at: datetime
    delegation_id: UUID | None = None

    @classmethod
    def of(cls, grant: Grant) -> GrantOut:
        return cls(grant_id=grant.grant_id, role=grant.role, unit_id=grant.unit_id, granted_by=grant.granted_by,
                   granted_at=grant.granted_at, delegation_id=grant.delegation_id)


class UserSummary(BaseModel):
    user_id: UUID
    username: str
    full_name: str
    home_unit_id: UUID
    status: str
    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, user: User) -> UserSummary:
        return cls(user_id=user.user_id, username=user.username, full_name=user.full_name,
                   home_unit_id=user.home_unit_id, status=user.status.value, email=user.email, phone=user.phone)


class UserOut(UserSummary):
    must_change_password: bool
    totp_enabled: bool
    totp_enrolment_required: bool = False
    locked_until: datetime | None
    created_at: datetime
    grants: list[GrantOut]
    temporary_password: str | None = Field(None, description="Only when the service generated it; shown once")

    @classmethod
    def of_view(cls, view: UserView) -> UserOut:
        user = view.user
        return cls(
            **UserSummary.of(user).model_dump(), must_change_password=user.must_change_password,
            totp_enabled=user.totp_enabled, totp_enrolment_required=user.totp_enrolment_required,
            locked_until=user.locked_until, created_at=user.created_at,
            grants=[GrantOut.of(g) for g in view.grants], temporary_password=view.temporary_password,
        )


class DelegationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delegate_id: UUID
    unit_id: UUID
    roles: list[str] = Field(min_length=1, max_length=10)
    starts_on: date
    ends_on: date
    reason: str = Field(min_length=3, max_length=500)


class DelegationOut(BaseModel):
    delegation_id: UUID
    delegator_id: UUID
    delegate_id: UUID
    unit_id: UUID
    starts_on: date
    ends_on: date
    reason: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None = None


class HandoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_user_id: UUID
    to_user_id: UUID
    reason: str = Field(min_length=3, max_length=500)
    roles: list[str] | None = Field(None, description="Default: every role the old holder has on the unit")


class HandoverOut(BaseModel):
    unit_id: UUID
    from_user_id: UUID
    to_user_id: UUID
    granted: list[GrantOut]


class KeyOut(BaseModel):
    kid: str
