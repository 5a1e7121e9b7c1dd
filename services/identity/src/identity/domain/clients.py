"""Machine clients (banks, provincial apps): what they are, which scopes an administrator may give,
and the OAuth2 errors of the token endpoint (RFC 6749 §5.2). Plain Python: no framework, no database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from chassis.errors import FieldError, Forbidden, InvalidInput, NotFound, Problem, RuleViolation
from chassis.principal import Grant as PrincipalGrant
from contracts.scopes import SCOPES

from identity.domain.grants import permissions_on
from identity.domain.model import LockoutPolicy

CLIENT_ID_PREFIX = "mc_"
SECRET_PREFIX = "mcs_"


class ClientKind(StrEnum):
    BANK = "bank"
    PROVINCIAL_APP = "provincial_app"
    OTHER = "other"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Partner:
    """A partner of the platform (a bank): the clients speaking for it and the subtree whose linked cards it issues."""

    partner_id: UUID
    partner_code: str
    name: str
    linked_cards_unit_id: UUID | None
    status: str  # active | disabled
    version: int
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class MachineClient:
    client_id: str
    name: str
    kind: ClientKind
    unit_id: UUID
    partner_code: str | None
    scopes: tuple[str, ...]
    rate_limit_per_minute: int
    status: ClientStatus
    secret_hash: str
    secret_rotated_at: datetime
    created_by: str
    created_at: datetime
    failed_attempts: int = 0
    locked_until: datetime | None = None
    last_token_at: datetime | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    disabled_by: str | None = None
    disabled_at: datetime | None = None
    disable_reason: str | None = None

    @property
    def username(self) -> str:
        """How the client appears as an actor (audit trail, `created_by` columns): never a valid username."""
        return f"client:{self.client_id}"

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def failed_attempt(self, now: datetime, policy: LockoutPolicy) -> MachineClient:
        failures = self.failed_attempts + 1
        lock = policy.lock_for(failures)
        return replace(self, failed_attempts=failures, locked_until=now + lock if lock else self.locked_until)

    def grants(self) -> tuple[PrincipalGrant, ...]:
        return tuple(PrincipalGrant(scope, self.unit_id) for scope in self.scopes)


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(10)


def new_client_secret() -> str:
    """256 random bits; the prefix lets secret scanners recognise a leaked one."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def known_scopes(scopes: Iterable[str], field: str = "scopes") -> tuple[str, ...]:
    """The scopes without repeats, in catalogue order; unknown ones are refused, each named."""
    wanted = list(scopes)
    unknown = [(index, scope) for index, scope in enumerate(wanted) if scope not in SCOPES]
    if unknown:
        raise InvalidInput(
            "Phạm vi không có trong danh mục: " + ", ".join(s for _, s in unknown),
            "Unknown scope: " + ", ".join(s for _, s in unknown) + f" (known: {', '.join(SCOPES)})",
            code="unknown-scope",
            field=f"{field}.{unknown[0][0]}",
            errors=[
                FieldError(f"{field}.{i}", "unknown-scope", f"Phạm vi '{s}' không tồn tại", f"Unknown scope '{s}'")
                for i, s in unknown
            ],
        )
    return tuple(name for name in SCOPES if name in wanted)


def ensure_partner_for(scopes: Iterable[str], kind: ClientKind, partner_code: str | None) -> None:
    if kind == ClientKind.BANK and not partner_code:
        raise InvalidInput(
            "Ứng dụng của ngân hàng phải có mã ngân hàng đối tác",
            "A bank client needs a partner code",
            code="partner-code-required",
            field="partner_code",
        )
    for scope in scopes:
        if SCOPES[scope].needs_partner and not partner_code:
            raise RuleViolation(
                f"Phạm vi '{scope}' chỉ cấp cho ứng dụng có mã đối tác (ví dụ mã ngân hàng)",
                f"The scope '{scope}' needs a client with a partner code (e.g. a bank code)",
                code="partner-code-required",
                field="partner_code",
            )


def can_confer(grants: Iterable[PrincipalGrant], scopes: Iterable[str], ancestors_of_unit: Iterable[UUID]) -> bool:
    held = permissions_on(grants, ancestors_of_unit)
    return all(SCOPES[scope].permissions <= held for scope in scopes)


def ensure_can_confer(
    grants: Iterable[PrincipalGrant],
    scopes: Iterable[str],
    unit_id: UUID,
    ancestors_of_unit: Iterable[UUID],
    field: str = "scopes",
) -> None:
    """Like granting a role: an administrator gives a scope on a unit only if they hold all its permissions there."""
    grants, above = list(grants), list(ancestors_of_unit)
    for index, scope in enumerate(scopes):
        if not can_confer(grants, [scope], above):
            raise Forbidden(
                f"Bạn không thể cấp phạm vi '{scope}' trên đơn vị {unit_id}: bạn không có đủ các quyền của nó ở đó",
                f"You cannot grant the scope '{scope}' on unit {unit_id}: you do not hold all of its permissions there",
                code="scope-not-grantable",
                field=f"{field}.{index}",
            )


def client_not_found(client_id: str) -> NotFound:
    return NotFound(
        f"Không tìm thấy ứng dụng {client_id}",
        f"Machine client {client_id} not found",
        code="client-not-found",
        field="client_id",
    )


# ---- the token endpoint's errors: problem+json carrying RFC 6749's `error` member ------------------


class OAuthError(Problem):
    """A token-endpoint refusal both kinds of clients understand: our `code` and messages, plus RFC 6749's
    `error` and `error_description`."""

    status, title = 400, "OAuth error"
    error = "invalid_request"

    def __init__(
        self, message_vi: str, message_en: str, *, code: str, field: str | None = None, extra: dict | None = None
    ) -> None:
        super().__init__(
            message_vi,
            message_en,
            code=code,
            field=field,
            extra={"error": self.error, "error_description": message_en, **(extra or {})},
        )
        # Part of the refusal as RFC 6749 §5.2 defines it, like its status: never cached.
        self.headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    status, title, error = 401, "Client authentication failed", "invalid_client"

    def __init__(
        self,
        message_vi: str = "Mã ứng dụng hoặc khoá bí mật không đúng",
        message_en: str = "Wrong client id or client secret",
        *,
        code: str = "invalid-client",
        extra: dict | None = None,
    ) -> None:
        super().__init__(message_vi, message_en, code=code, extra=extra)
        self.headers["WWW-Authenticate"] = 'Basic realm="congdoan", charset="UTF-8"'  # the scheme a client may use


class ClientLocked(InvalidClient):
    def __init__(self, locked_until: datetime, now: datetime) -> None:
        seconds = max(int((locked_until - now).total_seconds()) + 1, 1)
        super().__init__(
            f"Ứng dụng tạm khoá do sai khoá bí mật nhiều lần; thử lại sau {seconds} giây",
            f"Client locked after repeated wrong secrets; try again in {seconds} seconds",
            code="client-locked",
            extra={"locked_until": locked_until.isoformat(), "retry_after_s": seconds},
        )
        self.headers["Retry-After"] = str(seconds)


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
