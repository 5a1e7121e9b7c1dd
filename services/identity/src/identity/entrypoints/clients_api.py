"""Machine clients over HTTP: the OAuth2 token endpoint (public) and their administration.

`POST /oauth/token` follows RFC 6749 §4.4 (form body, HTTP Basic or form client authentication);
its errors are our problem+json with RFC 6749's `error` member added. The administration lists
are keyset-paged like every list here.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl, unquote_plus
from uuid import UUID

from chassis import audit
from chassis.database import Database
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import Page, decode_cursor, encode_cursor, page_of
from chassis.principal import Principal
from contracts.scopes import SCOPES
from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from identity.application.client_credentials import ClientCredentialsGrant
from identity.application.clients import ClientChange, ClientWithSecret, MachineClientService, NewClient
from identity.domain.clients import (
    ClientKind,
    ClientStatus,
    InvalidClient,
    InvalidRequest,
    MachineClient,
    UnsupportedGrantType,
)
from identity.entrypoints.dependencies import NO_STORE, Hasher, Settings
from identity.entrypoints.schemas import DisableIn

router = APIRouter(prefix="/api/v1/identity", tags=["machine clients"])
FORM = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
ClientId = Annotated[str, Path(max_length=64, description="The client's public id, `mc_…`")]


# ---- schemas -------------------------------------------------------------------------------------


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=200, description="e.g. 'Vietinbank – phát hành thẻ liên kết'")
    kind: ClientKind
    unit_id: UUID = Field(description="Owning unit: every scope is granted on its subtree")
    partner_code: str | None = Field(None, pattern=r"^[A-Za-z0-9]{2,16}$",
                                     description="The partner, e.g. a bank code ('VCB'); required for banks")
    scopes: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=20,
                                                               description="Names from GET /scopes")
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
            client_id=client.client_id, name=client.name, kind=client.kind, unit_id=client.unit_id,
            partner_code=client.partner_code, scopes=list(client.scopes),
            rate_limit_per_minute=client.rate_limit_per_minute, status=client.status,
            secret_rotated_at=client.secret_rotated_at, last_token_at=client.last_token_at,
            locked_until=client.locked_until, created_by=client.created_by, created_at=client.created_at,
            updated_by=client.updated_by, updated_at=client.updated_at, disabled_by=client.disabled_by,
            disabled_at=client.disabled_at, disable_reason=client.disable_reason,
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


# ---- the token endpoint (public: reached through the gateway without a token) ---------------------


TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {FORM: {"schema": {
            "type": "object", "required": ["grant_type"],
            "properties": {
                "grant_type": {"type": "string", "enum": [GRANT_TYPE]},
                "scope": {"type": "string", "description": "Space-separated subset of the granted scopes"},
                "client_id": {"type": "string", "description": "When not using HTTP Basic"},
                "client_secret": {"type": "string", "description": "When not using HTTP Basic"},
            },
        }}},
    }
}


@router.post("/oauth/token", response_model=ClientTokenOut, openapi_extra=TOKEN_BODY,
             summary="OAuth2 client credentials (RFC 6749 §4.4): an access token for a machine client")
async def client_token(request: Request, principal: CurrentPrincipal, settings: Settings, hasher: Hasher,
                       response: Response) -> ClientTokenOut:
    form = await _form(request)
    if form.get("grant_type") != GRANT_TYPE:
        if "grant_type" not in form:
            raise InvalidRequest("Thiếu tham số grant_type", "The grant_type parameter is missing",
                                 code="invalid-request", field="grant_type")
        raise UnsupportedGrantType(
            f"Chỉ hỗ trợ grant_type={GRANT_TYPE}", f"Only grant_type={GRANT_TYPE} is supported",
            code="unsupported-grant-type", field="grant_type")
    client_id, secret = _credentials(request.headers.get("authorization"), form)
    # Own transaction: a wrong secret is committed (lockout counter) before the error goes out.
    database: Database = request.app.state.database
    async with database.transaction() as session:
        outcome = await ClientCredentialsGrant(session, settings, hasher).token(client_id, secret, form.get("scope"))
    issued = outcome.unwrap()
    # The audit trail shows the client, not "public", as the one that got the token.
    audit.note_principal(Principal(user_id=None, username=issued.client.username, grants=issued.client.grants(),
                                   client_id=issued.client.client_id, partner=issued.client.partner_code,
                                   request_id=principal.request_id, client_ip=principal.client_ip))
    audit.note_unit(issued.client.unit_id)
    response.headers.update(NO_STORE)
    return ClientTokenOut(access_token=issued.access_token, token_type=issued.token_type,
                          expires_in=issued.expires_in, scope=issued.scope)


async def _form(request: Request) -> dict[str, str]:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != FORM:
        raise InvalidRequest(f"Nội dung phải có kiểu {FORM}", f"The body must be {FORM} (RFC 6749 §4.4.2)",
                             code="invalid-request")
    pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise InvalidRequest(f"Tham số {name} xuất hiện nhiều lần", f"The parameter {name} is repeated",
                                 code="invalid-request", field=name)
        form[name] = value
    return form


def _credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    """HTTP Basic (RFC 6749 §2.3.1: each part form-encoded) or `client_id`/`client_secret` in the body, not both."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        if "client_secret" in form:
            raise InvalidRequest("Chỉ dùng một cách xác thực ứng dụng", "Use one client authentication method only",
                                 code="invalid-request", field="client_secret")
        try:
            client_id, colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            colon = ""
        if not colon:
            raise InvalidClient("Tiêu đề Authorization không hợp lệ", "Malformed HTTP Basic credentials")
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        if form.get("client_id", client_id) != client_id:
            raise InvalidRequest("client_id khác với thông tin xác thực",
                                 "client_id differs from the Basic credentials", code="invalid-request",
                                 field="client_id")
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise InvalidClient("Thiếu thông tin xác thực ứng dụng", "Client authentication is missing")
    if len(client_id) > 64 or len(secret) > 256:
        raise InvalidClient()
    return client_id, secret


# ---- administration ------------------------------------------------------------------------------


@router.get("/scopes", response_model=list[ScopeOut], summary="The scope catalogue of machine clients")
async def list_scopes(_: CurrentPrincipal) -> list[ScopeOut]:
    return [ScopeOut(name=s.name, permissions=sorted(p.value for p in s.permissions), services=sorted(s.services),
                     methods=sorted(s.methods), needs_partner=s.needs_partner, description_vi=s.description_vi,
                     description_en=s.description_en) for s in SCOPES.values()]


@router.post("/clients", status_code=status.HTTP_201_CREATED, response_model=ClientWithSecretOut,
             summary="Create a machine client on a unit of my subtree; the secret is in this answer only")
async def create_client(body: ClientCreate, principal: CurrentPrincipal, session: Session, hasher: Hasher,
                        response: Response) -> ClientWithSecretOut:
    created = await MachineClientService(session, hasher).create(principal, NewClient(
        name=body.name, kind=body.kind, unit_id=body.unit_id, scopes=body.scopes,
        rate_limit_per_minute=body.rate_limit_per_minute, partner_code=body.partner_code))
    response.headers.update(NO_STORE)
    return ClientWithSecretOut.of_new(created)


@router.get("/clients", response_model=Page[ClientOut], summary="Machine clients of units in my subtree, newest first")
async def list_clients(
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID | None = Query(None, description="Only clients owned by this unit's subtree"),
    status_: ClientStatus | None = Query(None, alias="status"),
    kind: ClientKind | None = None,
    partner_code: str | None = Query(None, pattern=r"^[A-Za-z0-9]{2,16}$"),
    q: str | None = Query(None, max_length=200, description="Client id prefix or part of the name"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> Page[ClientOut]:
    cursor = decode_cursor(after)
    position = (datetime.fromisoformat(cursor[0]), str(cursor[1])) if cursor else None
    clients = await MachineClientService(session).page(
        principal, after=position, limit=limit + 1, unit_id=unit_id, status=status_.value if status_ else None,
        kind=kind.value if kind else None, partner_code=partner_code.upper() if partner_code else None, q=q)
    return page_of([ClientOut.of(c) for c in clients], limit,
                   lambda last: encode_cursor(last.created_at.isoformat(), last.client_id))


@router.get("/clients/{client_id}", response_model=ClientOut)
async def get_client(client_id: ClientId, principal: CurrentPrincipal, session: Session) -> ClientOut:
    return ClientOut.of(await MachineClientService(session).get(principal, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut, summary="Change the name, scopes or rate limit")
async def change_client(client_id: ClientId, body: ClientUpdate, principal: CurrentPrincipal,
                        session: Session) -> ClientOut:
    change = ClientChange(name=body.name, scopes=body.scopes, rate_limit_per_minute=body.rate_limit_per_minute)
    return ClientOut.of(await MachineClientService(session).change(principal, client_id, change))


@router.post("/clients/{client_id}/rotate-secret", response_model=ClientWithSecretOut,
             summary="A new secret, shown once; the old one stops working at once")
async def rotate_client_secret(client_id: ClientId, principal: CurrentPrincipal, session: Session, hasher: Hasher,
                               response: Response) -> ClientWithSecretOut:
    rotated = await MachineClientService(session, hasher).rotate_secret(principal, client_id)
    response.headers.update(NO_STORE)
    return ClientWithSecretOut.of_new(rotated)


@router.post("/clients/{client_id}/disable", response_model=ClientOut,
             summary="Disable a client: no more tokens (it is never deleted)")
async def disable_client(client_id: ClientId, body: DisableIn, principal: CurrentPrincipal,
                         session: Session) -> ClientOut:
    return ClientOut.of(await MachineClientService(session).disable(principal, client_id, body.reason))
