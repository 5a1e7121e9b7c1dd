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
from chassis.pagination import Keyset, Page
from chassis.principal import Principal
from contracts.scopes import SCOPES
from fastapi import APIRouter, Path, Query, Request, Response, status

from identity.application.client_credentials import ClientCredentialsGrant
from identity.application.clients import ClientChange, MachineClientService, NewClient
from identity.domain.clients import (
    ClientKind,
    ClientStatus,
    InvalidClient,
    InvalidRequest,
    UnsupportedGrantType,
)
from identity.entrypoints.dependencies import NO_STORE, Hasher, Settings
from identity.entrypoints.schemas import (
    ClientCreate,
    ClientOut,
    ClientTokenOut,
    ClientUpdate,
    ClientWithSecretOut,
    DisableIn,
    ScopeOut,
)

router = APIRouter(prefix="/api/v1/identity", tags=["machine clients"])
CLIENTS_KEYSET = Keyset(datetime, str)  # newest first: (created_at, client_id)
FORM = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
ClientId = Annotated[str, Path(max_length=64, description="The client's public id, `mc_…`")]


# ---- schemas -------------------------------------------------------------------------------------


# ---- the token endpoint (public: reached through the gateway without a token) ---------------------


TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": [GRANT_TYPE]},
                        "scope": {"type": "string", "description": "Space-separated subset of the granted scopes"},
                        "client_id": {"type": "string", "description": "When not using HTTP Basic"},
                        "client_secret": {"type": "string", "description": "When not using HTTP Basic"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/oauth/token",
    response_model=ClientTokenOut,
    openapi_extra=TOKEN_BODY,
    summary="OAuth2 client credentials (RFC 6749 §4.4): an access token for a machine client",
)
async def client_token(
    request: Request, principal: CurrentPrincipal, settings: Settings, hasher: Hasher, response: Response
) -> ClientTokenOut:
    form = await _form(request)
    if form.get("grant_type") != GRANT_TYPE:
        if "grant_type" not in form:
            raise InvalidRequest(
                "Thiếu tham số grant_type",
                "The grant_type parameter is missing",
                code="invalid-request",
                field="grant_type",
            )
        raise UnsupportedGrantType(
            f"Chỉ hỗ trợ grant_type={GRANT_TYPE}",
            f"Only grant_type={GRANT_TYPE} is supported",
            code="unsupported-grant-type",
            field="grant_type",
        )
    client_id, secret = _credentials(request.headers.get("authorization"), form)
    # Own transaction: a wrong secret is committed (lockout counter) before the error goes out.
    database: Database = request.app.state.database
    async with database.transaction() as session:
        outcome = await ClientCredentialsGrant(session, settings, hasher).token(client_id, secret, form.get("scope"))
    issued = outcome.unwrap()
    # The audit trail shows the client, not "public", as the one that got the token.
    audit.note_principal(
        Principal(
            user_id=None,
            username=issued.client.username,
            grants=issued.client.grants(),
            client_id=issued.client.client_id,
            partner=issued.client.partner_code,
            request_id=principal.request_id,
            client_ip=principal.client_ip,
        )
    )
    audit.note_unit(issued.client.unit_id)
    response.headers.update(NO_STORE)
    return ClientTokenOut(
        access_token=issued.access_token, token_type=issued.token_type, expires_in=issued.expires_in, scope=issued.scope
    )


async def _form(request: Request) -> dict[str, str]:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != FORM:
        raise InvalidRequest(
            f"Nội dung phải có kiểu {FORM}", f"The body must be {FORM} (RFC 6749 §4.4.2)", code="invalid-request"
        )
    pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise InvalidRequest(
                f"Tham số {name} xuất hiện nhiều lần",
                f"The parameter {name} is repeated",
                code="invalid-request",
                field=name,
            )
        form[name] = value
    return form


def _credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    """HTTP Basic (RFC 6749 §2.3.1: each part form-encoded) or `client_id`/`client_secret` in the body, not both."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        if "client_secret" in form:
            raise InvalidRequest(
                "Chỉ dùng một cách xác thực ứng dụng",
                "Use one client authentication method only",
                code="invalid-request",
                field="client_secret",
            )
        try:
            client_id, colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            colon = ""
        if not colon:
            raise InvalidClient("Tiêu đề Authorization không hợp lệ", "Malformed HTTP Basic credentials")
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        if form.get("client_id", client_id) != client_id:
            raise InvalidRequest(
                "client_id khác với thông tin xác thực",
                "client_id differs from the Basic credentials",
                code="invalid-request",
                field="client_id",
            )
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
    return [
        ScopeOut(
            name=s.name,
            permissions=sorted(p.value for p in s.permissions),
            services=sorted(s.services),
            methods=sorted(s.methods),
            needs_partner=s.needs_partner,
            description_vi=s.description_vi,
            description_en=s.description_en,
        )
        for s in SCOPES.values()
    ]


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientWithSecretOut,
    summary="Create a machine client on a unit of my subtree; the secret is in this answer only",
)
async def create_client(
    body: ClientCreate, principal: CurrentPrincipal, session: Session, hasher: Hasher, response: Response
) -> ClientWithSecretOut:
    created = await MachineClientService(session, hasher).create(
        principal,
        NewClient(
            name=body.name,
            kind=body.kind,
            unit_id=body.unit_id,
            scopes=body.scopes,
            rate_limit_per_minute=body.rate_limit_per_minute,
            partner_code=body.partner_code,
        ),
    )
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
    window = CLIENTS_KEYSET.window(after, limit)
    clients = await MachineClientService(session).page(
        principal,
        after=window.after,
        limit=window.fetch,
        unit_id=unit_id,
        status=status_.value if status_ else None,
        kind=kind.value if kind else None,
        partner_code=partner_code.upper() if partner_code else None,
        q=q,
    )
    return window.page(clients, lambda client: (client.created_at, client.client_id), ClientOut.of)


@router.get("/clients/{client_id}", response_model=ClientOut)
async def get_client(client_id: ClientId, principal: CurrentPrincipal, session: Session) -> ClientOut:
    return ClientOut.of(await MachineClientService(session).get(principal, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut, summary="Change the name, scopes or rate limit")
async def change_client(
    client_id: ClientId, body: ClientUpdate, principal: CurrentPrincipal, session: Session
) -> ClientOut:
    change = ClientChange(name=body.name, scopes=body.scopes, rate_limit_per_minute=body.rate_limit_per_minute)
    return ClientOut.of(await MachineClientService(session).change(principal, client_id, change))


@router.post(
    "/clients/{client_id}/rotate-secret",
    response_model=ClientWithSecretOut,
    summary="A new secret, shown once; the old one stops working at once",
)
async def rotate_client_secret(
    client_id: ClientId, principal: CurrentPrincipal, session: Session, hasher: Hasher, response: Response
) -> ClientWithSecretOut:
    rotated = await MachineClientService(session, hasher).rotate_secret(principal, client_id)
    response.headers.update(NO_STORE)
    return ClientWithSecretOut.of_new(rotated)


@router.post(
    "/clients/{client_id}/disable",
    response_model=ClientOut,
    summary="Disable a client: no more tokens (it is never deleted)",
)
async def disable_client(
    client_id: ClientId, body: DisableIn, principal: CurrentPrincipal, session: Session
) -> ClientOut:
    return ClientOut.of(await MachineClientService(session).disable(principal, client_id, body.reason))
