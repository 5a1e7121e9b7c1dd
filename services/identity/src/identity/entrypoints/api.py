"""HTTP endpoints of identity: `/api/v1/identity/...`."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated
from uuid import UUID

from chassis import audit
from chassis.database import Database
from chassis.errors import Forbidden, Unauthenticated
from chassis.http import CurrentPrincipal, Session, create_service_app
from chassis.pagination import Keyset, Page
from chassis.principal import Principal
from contracts.permissions import Permission, Role
from contracts.wellknown import NATIONAL_CENTRE_ID
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, status

from identity.adapters.crypto import PasswordHasher
from identity.application.authentication import AuthenticationService, Tokens
from identity.application.keys import SigningKeys
from identity.application.service import NewUser, UserService
from identity.config import IdentitySettings
from identity.domain.model import utcnow
from identity.entrypoints import clients_api, partners_api, token_transport
from identity.entrypoints.dependencies import NO_STORE, Hasher, Settings
from identity.entrypoints.schemas import (
    DelegationIn,
    DelegationOut,
    DisableIn,
    EnrolledTokenOut,
    GrantOut,
    HandoverIn,
    HandoverOut,
    KeyOut,
    LoginEnrolConfirmIn,
    LoginEnrolIn,
    LoginIn,
    LogoutIn,
    PasswordChange,
    PasswordReset,
    RecoveryCodesOut,
    RefreshIn,
    RoleIn,
    TokenOut,
    TotpConfirm,
    TotpEnrolmentOut,
    UserCreate,
    UserOut,
    UserSummary,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/identity", tags=["identity"])
USERS_KEYSET = Keyset(str)  # by username
DELEGATIONS_KEYSET = Keyset(datetime, UUID)  # newest first: (created_at, delegation_id)


def _authenticated(principal: CurrentPrincipal) -> Principal:
    if principal.is_public or principal.user_id is None:
        raise Unauthenticated("Cần đăng nhập", "Login required")
    return principal


Authenticated = Annotated[Principal, Depends(_authenticated)]


# ---- public (reached through the gateway without a user token) ----------------------------------


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens (JWKS)")
async def jwks(_: CurrentPrincipal, session: Session, settings: Settings, response: Response) -> dict:
    response.headers["Cache-Control"] = "public, max-age=60"
    return await SigningKeys(session, settings).jwks(utcnow())


@router.post("/login", response_model=TokenOut, summary="Log in (Đăng nhập)")
async def login(
    body: LoginIn, principal: CurrentPrincipal, request: Request, settings: Settings, hasher: Hasher, response: Response
) -> TokenOut:
    # Own transaction: a failed attempt is committed (lockout counter) before the error goes out.
    database: Database = request.app.state.database
    async with database.transaction() as session:
        outcome = await AuthenticationService(session, settings, hasher).login(
            body.username, body.password, body.totp_code, principal.client_ip
        )
    response.headers.update(NO_STORE)
    return _tokens_out(outcome.unwrap(), request, response, settings)


def _tokens_out(tokens: Tokens, request: Request, response: Response, settings: IdentitySettings) -> TokenOut:
    refresh_token = token_transport.deliver(request, response, tokens.refresh_token, settings)
    return TokenOut.of(tokens).model_copy(update={"refresh_token": refresh_token})


@router.post("/token/refresh", response_model=TokenOut, summary="Exchange a refresh token (rotates it)")
async def refresh(
    body: RefreshIn,
    principal: CurrentPrincipal,
    request: Request,
    settings: Settings,
    hasher: Hasher,
    response: Response,
) -> TokenOut:
    # Own transaction: revoking a family after token reuse must stick although the caller gets a 401.
    presented = token_transport.refresh_token_of(request, body.refresh_token)
    if presented is None:
        raise Unauthenticated(
            "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại",
            "No refresh token was presented",
            code="refresh-token-missing",
        )
    database: Database = request.app.state.database
    async with database.transaction() as session:
        service = AuthenticationService(session, settings, hasher)
        outcome = await service.refresh(presented, principal.client_ip)
    response.headers.update(NO_STORE)
    return _tokens_out(outcome.unwrap(), request, response, settings)


@router.post(
    "/login/totp",
    status_code=status.HTTP_201_CREATED,
    response_model=TotpEnrolmentOut,
    summary="Two-factor enrolment for an account whose login answered totp-enrolment-required",
)
async def enrol_totp_at_login(
    body: LoginEnrolIn,
    principal: CurrentPrincipal,
    request: Request,
    settings: Settings,
    hasher: Hasher,
    response: Response,
) -> TotpEnrolmentOut:
    database: Database = request.app.state.database
    async with database.transaction() as session:
        outcome = await AuthenticationService(session, settings, hasher).enrol_totp_at_login(
            body.username, body.password, principal.client_ip
        )
    response.headers.update(NO_STORE)
    return TotpEnrolmentOut.of(outcome.unwrap())


@router.post(
    "/login/totp/confirm",
    response_model=EnrolledTokenOut,
    summary="Confirm login-time enrolment: returns the recovery codes and the first tokens",
)
async def confirm_totp_at_login(
    body: LoginEnrolConfirmIn,
    principal: CurrentPrincipal,
    request: Request,
    settings: Settings,
    hasher: Hasher,
    response: Response,
) -> EnrolledTokenOut:
    database: Database = request.app.state.database
    async with database.transaction() as session:
        outcome = await AuthenticationService(session, settings, hasher).confirm_totp_at_login(
            body.username, body.password, body.code, principal.client_ip
        )
    response.headers.update(NO_STORE)
    confirmed = outcome.unwrap()
    tokens = _tokens_out(confirmed.tokens, request, response, settings)
    return EnrolledTokenOut(recovery_codes=confirmed.recovery_codes, **tokens.model_dump())


# ---- the signed-in user --------------------------------------------------------------------------


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the session of a refresh token, or every session of the user (`everywhere`)",
)
async def logout(
    body: LogoutIn, principal: Authenticated, request: Request, session: Session, settings: Settings, hasher: Hasher
) -> Response:
    service = AuthenticationService(session, settings, hasher)
    if body.everywhere:
        await service.logout_everywhere(principal)
    elif (presented := token_transport.refresh_token_of(request, body.refresh_token)) is not None:
        await service.logout(principal, presented)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    token_transport.forget(request, response)
    return response


@router.get("/me", response_model=UserOut)
async def me(principal: Authenticated, session: Session) -> UserOut:
    return UserOut.of_view(await UserService(session).get(principal, principal.user_id))


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT, summary="Change my password")
async def change_password(
    body: PasswordChange, principal: Authenticated, session: Session, settings: Settings, hasher: Hasher
) -> Response:
    await AuthenticationService(session, settings, hasher).change_password(
        principal, body.current_password, body.new_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/totp",
    status_code=status.HTTP_201_CREATED,
    response_model=TotpEnrolmentOut,
    summary="Start two-factor enrolment: returns the otpauth URI for an authenticator app",
)
async def enrol_totp(
    principal: Authenticated, session: Session, settings: Settings, hasher: Hasher, response: Response
) -> TotpEnrolmentOut:
    response.headers.update(NO_STORE)
    return TotpEnrolmentOut.of(await AuthenticationService(session, settings, hasher).enrol_totp(principal))


@router.post(
    "/me/totp/confirm",
    response_model=RecoveryCodesOut,
    summary="Confirm enrolment with a first code; returns 10 single-use recovery codes",
)
async def confirm_totp(
    body: TotpConfirm,
    principal: Authenticated,
    session: Session,
    settings: Settings,
    hasher: Hasher,
    response: Response,
) -> RecoveryCodesOut:
    response.headers.update(NO_STORE)
    codes = await AuthenticationService(session, settings, hasher).confirm_totp(principal, body.code)
    return RecoveryCodesOut(recovery_codes=codes)


# ---- user administration -------------------------------------------------------------------------


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    summary="Create a user in a unit of my subtree (Tạo người dùng)",
)
async def create_user(body: UserCreate, principal: Authenticated, session: Session, hasher: Hasher) -> UserOut:
    view = await UserService(session, hasher).create(
        principal,
        NewUser(
            username=body.username,
            full_name=body.full_name,
            home_unit_id=body.home_unit_id,
            password=body.password,
            email=body.email,
            phone=body.phone,
            roles=[(r.role, r.unit_id) for r in body.roles],
        ),
    )
    return UserOut.of_view(view)


@router.get("/users", response_model=Page[UserSummary], summary="Users whose home unit is in my subtree")
async def list_users(
    principal: Authenticated,
    session: Session,
    q: str | None = Query(None, max_length=200, description="Username prefix or part of the name"),
    unit_id: UUID | None = Query(None, description="Only users of this unit's subtree"),
    status_: str | None = Query(None, alias="status", pattern="^(active|disabled)$"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[UserSummary]:
    window = USERS_KEYSET.window(after, limit)
    users = await UserService(session).page(
        principal,
        after_username=window.after_value,
        limit=window.fetch,
        q=q,
        unit_id=unit_id,
        status=status_,
    )
    shown = users[:limit]
    contacts = [str(user.user_id) for user in shown if user.phone or user.email]
    if contacts:  # officers' phones and e-mail addresses in the clear
        scope_roots = principal.scope_roots(Permission.USERS_READ)
        audit.note_read(
            unit_id or (scope_roots[0] if scope_roots else None),
            f"users listed {len(shown)}; phone or e-mail shown of {len(contacts)}: {','.join(contacts)}",
        )
    return window.page(users, lambda user: (user.username,), UserSummary.of)


@router.get("/users/{user_id}", response_model=UserOut)
async def get_user(user_id: UUID, principal: Authenticated, session: Session) -> UserOut:
    view = await UserService(session).get(principal, user_id)
    if view.user.phone or view.user.email:
        audit.note_read(view.user.home_unit_id, f"user_id={user_id}; phone or e-mail shown")
    return UserOut.of_view(view)


@router.post(
    "/users/{user_id}/roles",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantOut,
    summary="Grant a role on a unit (only roles whose permissions I hold there)",
)
async def grant_role(user_id: UUID, body: RoleIn, principal: Authenticated, session: Session) -> GrantOut:
    return GrantOut.of(await UserService(session).grant_role(principal, user_id, body.role, body.unit_id))


@router.delete(
    "/users/{user_id}/roles/{grant_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a role grant"
)
async def revoke_role(user_id: UUID, grant_id: UUID, principal: Authenticated, session: Session) -> Response:
    await UserService(session).revoke_role(principal, user_id, grant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/users/{user_id}/reset-password",
    response_model=UserOut,
    summary="Set a new password (or get a temporary one); ends the user's sessions",
)
async def reset_password(
    user_id: UUID, body: PasswordReset, principal: Authenticated, session: Session, hasher: Hasher, response: Response
) -> UserOut:
    response.headers.update(NO_STORE)
    return UserOut.of_view(await UserService(session, hasher).reset_password(principal, user_id, body.new_password))


@router.post(
    "/users/{user_id}/require-totp",
    response_model=UserOut,
    summary="Force two-factor enrolment: the user's next login must enrol in TOTP first",
)
async def require_totp(user_id: UUID, principal: Authenticated, session: Session) -> UserOut:
    return UserOut.of_view(await UserService(session).require_totp(principal, user_id))


@router.post("/users/{user_id}/disable", response_model=UserOut, summary="Disable an account; ends its sessions")
async def disable_user(user_id: UUID, body: DisableIn, principal: Authenticated, session: Session) -> UserOut:
    return UserOut.of_view(await UserService(session).disable(principal, user_id, body.reason))


# ---- delegation and handover (uỷ quyền, bàn giao) ------------------------------------------------


@router.post(
    "/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=DelegationOut,
    summary="Lend some of my roles on a unit to another user for a date range",
)
async def delegate(body: DelegationIn, principal: Authenticated, session: Session, settings: Settings) -> DelegationOut:
    service = UserService(session)
    delegation_id, _ = await service.delegate(
        principal,
        body.delegate_id,
        body.unit_id,
        body.roles,
        body.starts_on,
        body.ends_on,
        body.reason,
        longest_days=settings.delegation_max_days,
    )
    return DelegationOut.model_validate(await service.grants.delegation_view(delegation_id), from_attributes=True)


@router.get("/delegations", response_model=Page[DelegationOut], summary="Delegations on units of my subtree")
async def list_delegations(
    principal: Authenticated,
    session: Session,
    user_id: UUID | None = Query(None, description="Only delegations to or from this user"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[DelegationOut]:
    window = DELEGATIONS_KEYSET.window(after, limit)
    rows = await UserService(session).delegations(principal, after=window.after, limit=window.fetch, user_id=user_id)
    return window.page(
        rows,
        lambda row: (row.created_at, row.delegation_id),
        lambda row: DelegationOut.model_validate(row, from_attributes=True),
    )


@router.post("/delegations/{delegation_id}/end", status_code=status.HTTP_204_NO_CONTENT)
async def end_delegation(delegation_id: UUID, principal: Authenticated, session: Session) -> Response:
    await UserService(session).end_delegation(principal, delegation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/units/{unit_id}/handover",
    response_model=HandoverOut,
    summary="Move one user's roles on a unit to another user and end the old holder's sessions",
)
async def handover(unit_id: UUID, body: HandoverIn, principal: Authenticated, session: Session) -> HandoverOut:
    granted = await UserService(session).handover(
        principal, unit_id, body.from_user_id, body.to_user_id, body.reason, body.roles
    )
    return HandoverOut(
        unit_id=unit_id,
        from_user_id=body.from_user_id,
        to_user_id=body.to_user_id,
        granted=[GrantOut.of(g) for g in granted],
    )


# ---- operations ------------------------------------------------------------------------------------


@router.post(
    "/keys/rotate",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyOut,
    summary="Start signing with a new key; the old public key stays published until its tokens expired",
)
async def rotate_key(principal: Authenticated, session: Session, settings: Settings) -> KeyOut:
    if not any(g.role == Role.NATIONAL_ADMIN and g.unit_id == NATIONAL_CENTRE_ID for g in principal.grants):
        raise Forbidden("Chỉ quản trị toàn quốc được xoay khoá ký", "Only a national admin may rotate signing keys")
    key = await SigningKeys(session, settings).rotate(utcnow())
    return KeyOut(kid=key.kid)


def create_app(settings: IdentitySettings, database: Database) -> FastAPI:
    async def ensure_signing_key() -> None:
        """Generate the first key at start-up, so the JWKS is ready before the first login."""
        try:
            async with database.transaction() as session:
                await SigningKeys(session, settings).current(utcnow())
        except Exception as error:  # database not reachable yet: the first token request creates the key
            log.warning("could not prepare a signing key at start-up", extra={"fields": {"error": repr(error)}})

    app = create_service_app(
        settings,
        database,
        [router, clients_api.router, partners_api.router],
        title="Identity service (Định danh và phân quyền)",
        on_startup=[ensure_signing_key],
    )
    app.state.password_hasher = PasswordHasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )

    return app
