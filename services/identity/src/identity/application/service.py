"""Administering users: accounts, role grants, password resets, delegation and handover.

Each use case runs inside the caller's transaction; the request boundary commits.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from chassis import tree
from chassis.errors import Conflict, Forbidden, NotFound, RuleViolation, Unauthenticated
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from chassis.text import normalise
from contracts.events.identity_user_v1 import (
    DelegationEnded,
    DelegationStarted,
    UserCreated,
    UserDisabled,
    UserRolesChanged,
    UserSessionsEnded,
)
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.crypto import PasswordHasher
from identity.adapters.repository import GrantRepository, RefreshTokenRepository, UserRepository
from identity.domain.grants import can_grant, ensure_can_grant, known_role
from identity.domain.model import (
    Grant,
    User,
    UserStatus,
    dates_in_order,
    duplicate_username,
    local_today,
    normalise_username,
    unit_cannot_have_users,
    unit_unknown,
    user_not_found,
    utcnow,
)
from identity.domain.passwords import check_password


@dataclass(frozen=True)
class NewUser:
    username: str
    full_name: str
    home_unit_id: UUID
    password: str | None = None
    email: str | None = None
    phone: str | None = None
    roles: list[tuple[str, UUID]] = field(default_factory=list)


@dataclass(frozen=True)
class UserView:
    user: User
    grants: list[Grant]
    temporary_password: str | None = None


def temporary_password() -> str:
    """Random, meets the policy, shown once to the administrator who asked for it."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


class UserService:
    def __init__(self, session: AsyncSession, hasher: PasswordHasher | None = None) -> None:
        self.session = session
        self.hasher = hasher
        self.users = UserRepository(session)
        self.grants = GrantRepository(session)
        self.tokens = RefreshTokenRepository(session)

    # ---- accounts ---------------------------------------------------------------------------

    async def create(self, principal: Principal, command: NewUser) -> UserView:
        _authenticated(principal)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, command.home_unit_id)
        await self._unit_for_users(command.home_unit_id, "home_unit_id")
        username = normalise_username(command.username)
        for index, (role, unit_id) in enumerate(command.roles):
            await self._ensure_grantable(principal, role, unit_id, field=f"roles.{index}")
        password = command.password or temporary_password()
        check_password(password, username)
        if await self.users.username_exists(username):
            raise duplicate_username(username)
        now = utcnow()
        user = User(
            user_id=uuid.uuid4(),
            username=username,
            full_name=normalise(command.full_name),
            home_unit_id=command.home_unit_id,
            password_hash=await self._hasher().hash(password),
            created_at=now,
            email=command.email.strip().lower() if command.email else None,
            phone=normalise(command.phone) if command.phone else None,
            must_change_password=True,
        )
        await self.users.add(user, principal.username)
        grants = [self._grant(user.user_id, role, unit_id, principal) for role, unit_id in dict.fromkeys(command.roles)]
        await self.grants.add(grants)
        await record_event(
            self.session,
            UserCreated(
                user_id=user.user_id,
                username=user.username,
                full_name=user.full_name,
                home_unit_id=user.home_unit_id,
                roles=[g.contract() for g in grants],
            ),
        )
        return UserView(user, grants, None if command.password else password)

    async def get(self, principal: Principal, user_id: UUID) -> UserView:
        _authenticated(principal)
        user = await self._existing(user_id)
        if user.user_id != principal.user_id:
            await ensure_in_scope(self.session, principal, Permission.USERS_READ, user.home_unit_id)
        return UserView(user, await self.grants.effective(user.user_id, local_today(utcnow())))

    async def page(self, principal: Principal, **filters) -> list[User]:
        _authenticated(principal)
        return await self.users.page(principal, **filters)

    async def reset_password(self, principal: Principal, user_id: UUID, new_password: str | None) -> UserView:
        user = await self._manageable(principal, user_id)
        password = new_password or temporary_password()
        check_password(password, user.username, field="new_password")
        await self.users.set_password(user.user_id, await self._hasher().hash(password), must_change=True)
        await end_sessions(self.session, self.tokens, user.user_id, "password-reset")
        reset = await self._existing(user_id)
        return UserView(reset, await self.grants.own(user_id), None if new_password else password)

    async def require_totp(self, principal: Principal, user_id: UUID) -> UserView:
        """An administrator of the user's subtree makes the next login enrol in TOTP (no-op once enrolled)."""
        user = await self._manageable(principal, user_id)
        if not user.totp_enabled:
            await self.users.set_totp(user.user_id, totp_enrolment_required=True)
            # A forced enrolment holds from now, not from the next login: the current sessions end.
            await end_sessions(self.session, self.tokens, user.user_id, "totp-required")
        return await self.get(principal, user_id)

    async def disable(self, principal: Principal, user_id: UUID, reason: str) -> UserView:
        user = await self._manageable(principal, user_id)
        if user.status == UserStatus.DISABLED:
            return UserView(user, await self.grants.own(user_id))
        await self.users.set_status(user.user_id, UserStatus.DISABLED)
        await self.tokens.revoke_user(user.user_id, utcnow(), "account-disabled")
        await record_event(self.session, UserDisabled(user_id=user.user_id, reason=normalise(reason)))
        return UserView(await self._existing(user_id), await self.grants.own(user_id))

    # ---- roles --------------------------------------------------------------------------------

    async def grant_role(self, principal: Principal, user_id: UUID, role: str, unit_id: UUID) -> Grant:
        _authenticated(principal)
        user = await self._existing(user_id, for_update=True)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, user.home_unit_id)
        await self._ensure_grantable(principal, role, unit_id)
        user.ensure_active()
        if await self.grants.own(user_id, unit_id=unit_id, roles=[role]):
            raise Conflict(
                f"Người dùng đã có vai trò '{role}' trên đơn vị này",
                f"The user already holds '{role}' on this unit",
                code="role-already-granted",
                field="role",
            )
        grant = self._grant(user_id, role, unit_id, principal)
        await self.grants.add([grant])
        await self._announce_roles(user_id)
        return grant

    async def revoke_role(self, principal: Principal, user_id: UUID, grant_id: UUID) -> None:
        _authenticated(principal)
        user = await self._existing(user_id, for_update=True)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, user.home_unit_id)
        grant = next((g for g in await self.grants.own(user_id) if g.grant_id == grant_id), None)
        if grant is None:
            raise NotFound(
                f"Không tìm thấy quyền {grant_id} của người dùng",
                f"Grant {grant_id} not found on this user",
                field="grant_id",
            )
        if user_id == principal.user_id:
            raise RuleViolation(
                "Không thể tự thu hồi vai trò của chính mình",
                "You cannot revoke your own roles",
                code="self-revocation",
            )
        await self._ensure_grantable(principal, grant.role, grant.unit_id, check_unit=False)
        await self.grants.revoke([grant.grant_id], principal.username, utcnow())
        await self._announce_roles(user_id)

    # ---- delegation and handover --------------------------------------------------------------

    async def delegate(
        self,
        principal: Principal,
        delegate_id: UUID,
        unit_id: UUID,
        roles: list[str],
        starts_on: date,
        ends_on: date,
        reason: str,
        *,
        longest_days: int,
    ) -> tuple[UUID, list[Grant]]:
        """Lend some of my own roles on a unit (on or below where I hold them) to someone, for a while."""
        delegator_id = _authenticated(principal)
        dates_in_order(starts_on, ends_on, local_today(utcnow()), longest_days)
        if delegate_id == delegator_id:
            raise RuleViolation(
                "Không thể uỷ quyền cho chính mình",
                "You cannot delegate to yourself",
                code="self-delegation",
                field="delegate_id",
            )
        delegate = await self._existing(delegate_id, field="delegate_id")
        delegate.ensure_active()
        await self._unit_for_users(unit_id, "unit_id")
        above = set(await tree.ancestors_of(self.session, unit_id))
        mine = await self.grants.own(delegator_id)
        # Lent only to someone who works where I hold a role, or below: not to an officer of another province.
        if not set(await tree.ancestors_of(self.session, delegate.home_unit_id)) & {g.unit_id for g in mine}:
            raise Forbidden(
                "Người nhận uỷ quyền không công tác tại đơn vị bạn quản lý hoặc đơn vị cấp dưới",
                "The delegate works outside the units you hold roles on",
                code="delegate-out-of-scope",
                field="delegate_id",
            )
        for index, role in enumerate(dict.fromkeys(roles)):
            known_role(role, f"roles.{index}")
            if not any(g.role == role and g.unit_id in above for g in mine):
                raise Forbidden(
                    f"Bạn không giữ vai trò '{role}' trên đơn vị này hoặc đơn vị cấp trên của nó",
                    f"You do not hold '{role}' on this unit or above it",
                    code="role-not-held",
                    field=f"roles.{index}",
                )
        delegation_id = uuid.uuid4()
        await self.grants.add_delegation(
            {
                "delegation_id": delegation_id,
                "delegator_id": delegator_id,
                "delegate_id": delegate_id,
                "unit_id": unit_id,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "reason": normalise(reason),
                "created_by": principal.username,
            }
        )
        grants = [self._grant(delegate_id, role, unit_id, principal, delegation_id) for role in dict.fromkeys(roles)]
        await self.grants.add(grants)
        await record_event(
            self.session,
            DelegationStarted(
                user_id=delegate_id,
                delegation_id=delegation_id,
                delegator_id=delegator_id,
                roles=[g.contract() for g in grants],
                starts_on=starts_on,
                ends_on=ends_on,
            ),
        )
        return delegation_id, grants

    async def end_delegation(self, principal: Principal, delegation_id: UUID) -> None:
        _authenticated(principal)
        delegation = await self.grants.delegation(delegation_id, for_update=True)
        if delegation is None:
            raise NotFound(
                f"Không tìm thấy uỷ quyền {delegation_id}",
                f"Delegation {delegation_id} not found",
                field="delegation_id",
            )
        if delegation.delegator_id != principal.user_id:
            await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, delegation.unit_id)
        if delegation.ended_at is not None:
            return
        await self._end_delegations([delegation], principal.username, utcnow())

    async def delegations(self, principal: Principal, **filters):
        _authenticated(principal)
        return await self.grants.delegations_page(principal, **filters)

    async def handover(
        self,
        principal: Principal,
        unit_id: UUID,
        from_user_id: UUID,
        to_user_id: UUID,
        reason: str,
        roles: list[str] | None = None,
    ) -> list[Grant]:
        """Move one user's roles on a unit to another in one step; the old holder's sessions end."""
        _authenticated(principal)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, unit_id)
        if from_user_id == to_user_id:
            raise RuleViolation(
                "Người bàn giao và người nhận phải khác nhau",
                "The handover must go to a different user",
                code="self-handover",
                field="to_user_id",
            )
        await self._existing(from_user_id, for_update=True, field="from_user_id")
        receiver = await self._existing(to_user_id, for_update=True, field="to_user_id")
        receiver.ensure_active()
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, receiver.home_unit_id)
        moving = await self.grants.own(from_user_id, unit_id=unit_id, roles=roles)
        if not moving:
            raise RuleViolation(
                "Người bàn giao không có vai trò nào trên đơn vị này để bàn giao",
                "The user hands over no roles on this unit",
                code="nothing-to-hand-over",
                field="from_user_id",
            )
        for grant in moving:
            await self._ensure_grantable(principal, grant.role, unit_id, check_unit=False)
        now = utcnow()
        held = {g.role for g in await self.grants.own(to_user_id, unit_id=unit_id)}
        received = [self._grant(to_user_id, g.role, unit_id, principal) for g in moving if g.role not in held]
        await self.grants.revoke([g.grant_id for g in moving], principal.username, now)
        await self.grants.add(received)
        await self.grants.add_handover(
            {
                "handover_id": uuid.uuid4(),
                "unit_id": unit_id,
                "from_user_id": from_user_id,
                "to_user_id": to_user_id,
                "roles": sorted({g.role for g in moving}),
                "reason": normalise(reason),
                "performed_by": principal.username,
            }
        )
        await self.tokens.revoke_user(from_user_id, now, "handover")
        # What the outgoing holder lent of these roles ends with them, delegations not started yet included.
        lent = await self.grants.delegations_lending(
            from_user_id, unit_id, sorted({g.role for g in moving}), local_today(now)
        )
        await self._end_delegations(lent, principal.username, now)
        await self._announce_roles(from_user_id)
        await self._announce_roles(to_user_id)
        return received

    # ---- helpers ------------------------------------------------------------------------------

    async def _end_delegations(self, ending, ended_by: str, at) -> None:
        """End delegations (rows with delegation_id and delegate_id); each delegate's tokens end with them."""
        await self.grants.end_delegations([d.delegation_id for d in ending], ended_by, at)
        for delegation in ending:
            await record_event(
                self.session, DelegationEnded(user_id=delegation.delegate_id, delegation_id=delegation.delegation_id)
            )

    async def _manageable(self, principal: Principal, user_id: UUID) -> User:
        """A user the principal may administer: in scope, not themself, with no role the principal could not grant."""
        _authenticated(principal)
        user = await self._existing(user_id, for_update=True)
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, user.home_unit_id)
        if user.user_id == principal.user_id:
            raise RuleViolation(
                "Không thể tự thực hiện thao tác này trên tài khoản của chính mình",
                "You cannot do this to your own account",
                code="self-administration",
            )
        for grant in await self.grants.own(user_id):
            above = await tree.ancestors_of(self.session, grant.unit_id)
            if not can_grant(principal.grants, grant.role, grant.unit_id, above):
                raise Forbidden(
                    "Người dùng này có vai trò cao hơn quyền của bạn",
                    "This user holds roles you could not grant",
                    code="user-outranks-you",
                )
        return user

    async def _ensure_grantable(
        self, principal: Principal, role: str, unit_id: UUID, field: str = "role", check_unit: bool = True
    ) -> None:
        await ensure_in_scope(self.session, principal, Permission.USERS_WRITE, unit_id)
        if check_unit:
            await self._unit_for_users(unit_id, "unit_id" if field == "role" else f"{field}.unit_id")
        ensure_can_grant(principal.grants, role, unit_id, await tree.ancestors_of(self.session, unit_id), field)

    async def _unit_for_users(self, unit_id: UUID, field: str) -> None:
        unit = await tree.get_unit(self.session, unit_id)
        if unit is None:
            raise unit_unknown(unit_id, field)
        if unit.status != "active" or not unit.can_have_users:
            raise unit_cannot_have_users(unit.code, field)

    async def _existing(self, user_id: UUID, *, for_update: bool = False, field: str = "user_id") -> User:
        user = await self.users.get(user_id, for_update=for_update)
        if user is None:
            problem = user_not_found(user_id)
            problem.field = field
            raise problem
        return user

    async def _announce_roles(self, user_id: UUID) -> None:
        own = await self.grants.own(user_id)
        await record_event(self.session, UserRolesChanged(user_id=user_id, roles=[g.contract() for g in own]))

    def _grant(
        self, user_id: UUID, role: str, unit_id: UUID, principal: Principal, delegation_id: UUID | None = None
    ) -> Grant:
        return Grant(
            grant_id=uuid.uuid4(),
            user_id=user_id,
            role=role,
            unit_id=unit_id,
            granted_by=principal.username,
            granted_at=utcnow(),
            delegation_id=delegation_id,
        )

    def _hasher(self) -> PasswordHasher:
        if self.hasher is None:
            raise RuntimeError("this use case needs the password hasher")
        return self.hasher


async def end_sessions(session: AsyncSession, tokens: RefreshTokenRepository, user_id: UUID, reason: str) -> None:
    """Every session of the user ends now: refresh tokens here, access tokens at the gateway (by the event)."""
    await tokens.revoke_user(user_id, utcnow(), reason)
    await record_event(session, UserSessionsEnded(user_id=user_id, reason=reason))


def _authenticated(principal: Principal) -> UUID:
    if principal.is_public or principal.user_id is None:
        raise Unauthenticated("Cần đăng nhập", "Login required")
    return principal.user_id
