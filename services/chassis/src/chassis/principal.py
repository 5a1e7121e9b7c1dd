"""Who is calling: the principal the gateway resolved, carried in a signed internal token.

Services accept no request that did not pass the gateway: without a valid
internal token there is no principal, and every endpoint needs one.

A machine client (a bank's or a province's app, OAuth2 client credentials) is a principal too:
no user id, `client_id` set, grants that name its scopes on its owning unit (`contracts.scopes`),
and the partner code (e.g. the bank) it is limited to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from uuid import UUID

import jwt
from contracts.permissions import Permission, permissions_of

from chassis.errors import Unauthenticated

INTERNAL_TOKEN_HEADER = "x-internal-token"
INTERNAL_TOKEN_TTL_S = 60


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: UUID
    # Set on a grant lent by a delegation (uỷ quyền): which delegation, and whose role it is.
    delegation_id: UUID | None = None
    delegator_id: UUID | None = None

    @property
    def delegated(self) -> bool:
        return self.delegation_id is not None

    def claim(self) -> dict[str, str]:
        """The grant as a token claim; the delegation keys appear only on a delegated grant."""
        claim = {"role": self.role, "unit_id": str(self.unit_id)}
        if self.delegation_id is not None:
            claim["delegation_id"] = str(self.delegation_id)
        if self.delegator_id is not None:
            claim["delegator_id"] = str(self.delegator_id)
        return claim

    @classmethod
    def from_claim(cls, claim: dict) -> Grant:
        """Inverse of `claim`; a claim without the delegation keys (older tokens) is an own grant."""
        delegation_id, delegator_id = claim.get("delegation_id"), claim.get("delegator_id")
        return cls(
            str(claim["role"]),
            UUID(claim["unit_id"]),
            delegation_id=UUID(delegation_id) if delegation_id else None,
            delegator_id=UUID(delegator_id) if delegator_id else None,
        )


@dataclass(frozen=True)
class Principal:
    user_id: UUID | None
    username: str
    grants: tuple[Grant, ...] = field(default=())
    # Set when the user acts under a delegation: whose roles are being used.
    acting_for: UUID | None = None
    delegation_id: UUID | None = None
    request_id: str | None = None
    client_ip: str | None = None
    is_public: bool = False
    # A machine client instead of a person: its id (`username` is then "client:<id>") and its partner code.
    client_id: str | None = None
    partner: str | None = None

    @property
    def is_client(self) -> bool:
        return self.client_id is not None

    def scope_roots(self, permission: Permission) -> list[UUID]:
        """The units whose subtrees this principal may reach with `permission`."""
        return sorted({g.unit_id for g in self.grants if permission in permissions_of(g.role)}, key=str)

    def can(self, permission: Permission) -> bool:
        return bool(self.scope_roots(permission))


PUBLIC = Principal(user_id=None, username="public", is_public=True)


def issue_internal_token(principal: Principal, secret: str, audience: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": "gateway",
        "aud": audience,
        "iat": issued,
        "exp": issued + INTERNAL_TOKEN_TTL_S,
        "sub": str(principal.user_id) if principal.user_id else (principal.client_id or "public"),
        "usr": principal.username,
        "grants": [g.claim() for g in principal.grants],
        "act": str(principal.acting_for) if principal.acting_for else None,
        "del": str(principal.delegation_id) if principal.delegation_id else None,
        "rid": principal.request_id,
        "ip": principal.client_ip,
        "pub": principal.is_public,
        "cid": principal.client_id,
        "ptn": principal.partner,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_internal_token(token: str | None, secret: str, audience: str) -> Principal:
    if not token:
        raise Unauthenticated(
            "Yêu cầu phải đi qua cổng API (thiếu mã nội bộ)",
            "Requests must come through the gateway (internal token missing)",
        )
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=audience, issuer="gateway")
    except jwt.PyJWTError as error:
        raise Unauthenticated("Mã nội bộ không hợp lệ hoặc đã hết hạn", f"Internal token rejected: {error}") from error
    client_id = claims.get("cid")  # absent in tokens from before machine clients: a person or the public
    return Principal(
        user_id=UUID(claims["sub"]) if claims["sub"] != "public" and not client_id else None,
        username=claims.get("usr", ""),
        grants=tuple(Grant.from_claim(g) for g in claims.get("grants", [])),
        acting_for=UUID(claims["act"]) if claims.get("act") else None,
        delegation_id=UUID(claims["del"]) if claims.get("del") else None,
        request_id=claims.get("rid"),
        client_ip=claims.get("ip"),
        is_public=bool(claims.get("pub")),
        client_id=client_id,
        partner=claims.get("ptn"),
    )
