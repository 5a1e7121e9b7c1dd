"""The HTTP contract of identity (v1): users, grants, tokens, delegations, machine clients and partners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from contracts.permissions import permissions_of
from pydantic import BaseModel, ConfigDict, Field

from identity.application.authentication import Tokens, TotpEnrolment
from identity.application.clients import ClientWithSecret
from identity.application.service import UserView
from identity.domain.clients import ClientKind, ClientStatus, MachineClient
from identity.domain.model import Grant, User

USERNAME = r"^[A-Za-z0-9._-]{3,64}$"
ROLE = r"^[a-z_]{3,40}$"


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(
        None,
        pattern=r"^(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$",
        description="A TOTP code, or one of the single-use recovery codes",
    )


class LoginEnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginEnrolConfirmIn(LoginEnrolIn):
    code: str = Field(pattern=r"^\d{6}$")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Single-use codes that replace a TOTP code; shown only once")


REFRESH_TOKEN_DOC = "Null when the client asked for `X-Token-Transport: cookie`: then it is in an HttpOnly cookie"


class EnrolledTokenOut(RecoveryCodesOut):
    access_token: str
    refresh_token: str | None = Field(description=REFRESH_TOKEN_DOC)
    token_type: str = "Bearer"
    expires_in: int
    must_change_password: bool = False


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(
        None, min_length=16, max_length=200, description="Omitted by a client using `X-Token-Transport: cookie`"
    )


class LogoutIn(RefreshIn):
    everywhere: bool = Field(False, description="End every session of the user, on every device")


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str | None = Field(description=REFRESH_TOKEN_DOC)
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    must_change_password: bool = False

    @classmethod
    def of(cls, tokens: Tokens) -> TokenOut:
        return cls(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            token_type=tokens.token_type,
            expires_in=tokens.expires_in,
            must_change_password=tokens.must_change_password,
        )


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
    permissions: list[str] = Field(
        default_factory=list, description="What the role allows on the unit and below (contracts/permissions)"
    )

    @classmethod
    def of(cls, grant: Grant) -> GrantOut:
        return cls(
            grant_id=grant.grant_id,
            role=grant.role,
            unit_id=grant.unit_id,
            granted_by=grant.granted_by,
            granted_at=grant.granted_at,
            delegation_id=grant.delegation_id,
            permissions=sorted(permissions_of(grant.role)),
        )


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
        return cls(
            user_id=user.user_id,
            username=user.username,
            full_name=user.full_name,
            home_unit_id=user.home_unit_id,
            status=user.status.value,
            email=user.email,
            phone=user.phone,
        )


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
            **UserSummary.of(user).model_dump(),
            must_change_password=user.must_change_password,
            totp_enabled=user.totp_enabled,
            totp_enrolment_required=user.totp_enrolment_required,
            locked_until=user.locked_until,
            created_at=user.created_at,
            grants=[GrantOut.of(g) for g in view.grants],
            temporary_password=view.temporary_password,
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
    roles: list[str] = Field(default_factory=list, description="The roles lent")
    delegator_name: str | None = Field(None, description="Full name of who lends the roles")
    delegate_name: str | None = Field(None, description="Full name of who receives them")


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


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=200, description="Tên đối tác, ví dụ 'Ngân hàng … (VietinBank)'")
    linked_cards_unit_id: UUID | None = Field(
        None, description="Đối tác phát hành thẻ liên kết cho đơn vị này và cấp dưới; để trống: không phát hành"
    )
    status: Literal["active", "disabled"] = "active"


class PartnerOut(BaseModel):
    partner_id: UUID
    partner_code: str
    name: str
    linked_cards_unit_id: UUID | None
    status: Literal["active", "disabled"]
    version: int
    updated_by: str
    updated_at: datetime


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=200, description="e.g. 'Vietinbank – phát hành thẻ liên kết'")
    kind: ClientKind
    unit_id: UUID = Field(description="Owning unit: every scope is granted on its subtree")
    partner_code: str | None = Field(
        None, pattern=r"^[A-Za-z0-9]{2,16}$", description="The partner, e.g. a bank code ('VCB'); required for banks"
    )
    scopes: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1, max_length=20, description="Names from GET /scopes"
    )
    rate_limit_per_minute: int = Field(60, ge=1, le=10_000, description="Requests per minute at the gateway")


class ClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=3, max_length=200)
    scopes: list[Annotated[str, Field(max_length=64)]] | None = Field(None, min_length=1, max_length=20)
    rate_limit_per_minute: int | None = Field(None, ge=1, le=10_000)


class ClientOut(BaseModel):
    client_id: str
    name: str
    kind: ClientKind
    unit_id: UUID
    partner_code: str | None
    scopes: list[str]
    rate_limit_per_minute: int
    status: ClientStatus
    secret_rotated_at: datetime
    last_token_at: datetime | None
    locked_until: datetime | None
    created_by: str
    created_at: datetime
    updated_by: str | None
    updated_at: datetime | None
    disabled_by: str | None
    disabled_at: datetime | None
    disable_reason: str | None

    @classmethod
    def of(cls, client: MachineClient) -> ClientOut:
        return cls(
            client_id=client.client_id,
            name=client.name,
            kind=client.kind,
            unit_id=client.unit_id,
            partner_code=client.partner_code,
            scopes=list(client.scopes),
            rate_limit_per_minute=client.rate_limit_per_minute,
            status=client.status,
            secret_rotated_at=client.secret_rotated_at,
            last_token_at=client.last_token_at,
            locked_until=client.locked_until,
            created_by=client.created_by,
            created_at=client.created_at,
            updated_by=client.updated_by,
            updated_at=client.updated_at,
            disabled_by=client.disabled_by,
            disabled_at=client.disabled_at,
            disable_reason=client.disable_reason,
        )


class ClientWithSecretOut(ClientOut):
    client_secret: str = Field(description="Shown only in this answer: identity keeps an argon2id hash of it")

    @classmethod
    def of_new(cls, created: ClientWithSecret) -> ClientWithSecretOut:
        return cls(**ClientOut.of(created.client).model_dump(), client_secret=created.secret)


class ScopeOut(BaseModel):
    name: str
    permissions: list[str]
    services: list[str]
    methods: list[str]
    needs_partner: bool
    description_vi: str
    description_en: str


class ClientTokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires; there is no refresh token")
    scope: str = Field(description="The granted scopes, space-separated")
