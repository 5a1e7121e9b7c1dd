"""Administering machine clients: create (the secret is shown once), read, rotate the secret, change, disable.

Who may: whoever may administer users on the client's owning unit (`users.write` there, `users.read`
to look), and only with scopes whose permissions they hold there themselves, as when granting a role.
Each use case runs inside the caller's transaction; the request boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis import tree
from chassis.errors import Forbidden, RuleViolation, Unauthenticated
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.crypto import PasswordHasher
from identity.adapters.repository import MachineClientRepository
from identity.application.partners import PartnerService
from identity.domain.clients import (
    ClientKind,
    ClientStatus,
    MachineClient,
    can_confer,
    client_not_found,
    ensure_can_confer,
    ensure_partner_for,
    known_scopes,
    new_client_id,
    new_client_secret,
)
from identity.domain.model import unit_unknown, utcnow


@dataclass(frozen=True)
class NewClient:
    name: str
    kind: ClientKind
    unit_id: UUID
    scopes: list[str]
    rate_limit_per_minute: int
    partner_code: str | None = None


@dataclass(frozen=True)
class ClientChange:
    name: str | None = None
    scopes: list[str] | None = None
    rate_limit_per_minute: int | None = None


@dataclass(frozen=True)
class ClientWithSecret:
    client: MachineClient
    secret: str  # shown once, to the administrator who created or rotated it


class MachineClientService:
    def __init__(self, session: AsyncSession, hasher: PasswordHasher | None = None) -> None:
        self.session = session
        self.hasher = hasher
        self.clients = MachineClientRepository(session)

    async def create(self, principal: Principal, command: NewClient) -> ClientWithSecret:
        _administrator(principal)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, command.unit_id)
        await self._active_unit(command.unit_id)
        scopes = known_scopes(command.scopes)
        partner = command.partner_code.strip().upper() if command.partner_code else None
        ensure_partner_for(scopes, command.kind, partner)
        if partner is not None:
            await PartnerService(self.session).ensure_known(partner)
        ensure_can_confer(
            principal.grants, command.scopes, command.unit_id, await tree.ancestors_of(self.session, command.unit_id)
        )
        secret, now = new_client_secret(), utcnow()
        client = MachineClient(
            client_id=new_client_id(),
            name=normalise(command.name),
            kind=command.kind,
            unit_id=command.unit_id,
            partner_code=partner,
            scopes=scopes,
            rate_limit_per_minute=command.rate_limit_per_minute,
            status=ClientStatus.ACTIVE,
            secret_hash=await self._hasher().hash(secret),
            secret_rotated_at=now,
            created_by=principal.username,
            created_at=now,
        )
        await self.clients.add(client)
        return ClientWithSecret(client, secret)

    async def get(self, principal: Principal, client_id: str) -> MachineClient:
        _administrator(principal)
        client = await self._existing(client_id)
        await ensure_in_scope(self.session, principal, Permission.USERS_READ, client.unit_id)
        return client

    async def page(
        self, principal: Principal, *, after: tuple[datetime, str] | None, limit: int, **filters
    ) -> list[MachineClient]:
        _administrator(principal)
        return await self.clients.page(principal, after=after, limit=limit, **filters)

    async def rotate_secret(self, principal: Principal, client_id: str) -> ClientWithSecret:
        """A new secret; the old one stops working at once (tokens already issued live out their minutes)."""
        client = await self._manageable(principal, client_id)
        _ensure_active(client)
        secret, now = new_client_secret(), utcnow()
        await self.clients.update(
            client.client_id,
            secret_hash=await self._hasher().hash(secret),
            secret_rotated_at=now,
            failed_attempts=0,
            locked_until=None,
            updated_by=principal.username,
        )
        return ClientWithSecret(await self._existing(client_id), secret)

    async def change(self, principal: Principal, client_id: str, change: ClientChange) -> MachineClient:
        client = await self._manageable(principal, client_id)
        _ensure_active(client)
        values: dict = {}
        if change.name is not None:
            values["name"] = normalise(change.name)
        if change.scopes is not None:
            scopes = known_scopes(change.scopes)
            ensure_partner_for(scopes, client.kind, client.partner_code)
            ensure_can_confer(
                principal.grants, change.scopes, client.unit_id, await tree.ancestors_of(self.session, client.unit_id)
            )
            values["scopes"] = list(scopes)
        if change.rate_limit_per_minute is not None:
            values["rate_limit_per_minute"] = change.rate_limit_per_minute
        if values:
            await self.clients.update(client.client_id, **values, updated_by=principal.username)
        return await self._existing(client_id)

    async def disable(self, principal: Principal, client_id: str, reason: str) -> MachineClient:
        """The client gets no more tokens; the row stays (nothing is deleted). Disabling twice changes nothing."""
        client = await self._manageable(principal, client_id)
        if client.status == ClientStatus.DISABLED:
            return client
        await self.clients.update(
            client.client_id,
            status=ClientStatus.DISABLED.value,
            disabled_by=principal.username,
            disabled_at=utcnow(),
            disable_reason=normalise(reason),
            updated_by=principal.username,
        )
        return await self._existing(client_id)

    # ---- helpers ------------------------------------------------------------------------------

    async def _manageable(self, principal: Principal, client_id: str) -> MachineClient:
        """A client the principal may administer: on a unit of their subtree, with no scope they could not give."""
        _administrator(principal)
        client = await self._existing(client_id, for_update=True)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, client.unit_id)
        if not can_confer(principal.grants, client.scopes, await tree.ancestors_of(self.session, client.unit_id)):
            raise Forbidden(
                "Ứng dụng này có phạm vi cao hơn quyền của bạn",
                "This client holds scopes you could not grant",
                code="client-outranks-you",
            )
        return client

    async def _existing(self, client_id: str, *, for_update: bool = False) -> MachineClient:
        client = await self.clients.get(client_id, for_update=for_update)
        if client is None:
            raise client_not_found(client_id)
        return client

    async def _active_unit(self, unit_id: UUID) -> None:
        unit = await tree.get_unit(self.session, unit_id)
        if unit is None:
            raise unit_unknown(unit_id, "unit_id")
        if unit.status != "active":
            raise RuleViolation(
                f"Đơn vị {unit.code} đã ngừng hoạt động",
                f"Unit {unit.code} is no longer active",
                code="unit-not-active",
                field="unit_id",
            )

    def _hasher(self) -> PasswordHasher:
        if self.hasher is None:
            raise RuntimeError("this use case needs the password hasher")
        return self.hasher


def _administrator(principal: Principal) -> None:
    """People administer clients; a client (or the public) never does."""
    if principal.is_public or principal.user_id is None:
        raise Unauthenticated("Cần đăng nhập", "Login required")


def _ensure_active(client: MachineClient) -> None:
    if client.status != ClientStatus.ACTIVE:
        raise RuleViolation(
            f"Ứng dụng {client.client_id} đã bị vô hiệu hoá",
            f"Client {client.client_id} is disabled",
            code="client-disabled",
            field="client_id",
        )
