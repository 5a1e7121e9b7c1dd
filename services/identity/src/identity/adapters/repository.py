"""All of identity's SQL."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, subtree_of, unscoped
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import Row, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.tables import (
    delegations,
    handovers,
    login_failures,
    machine_clients,
    partners,
    refresh_tokens,
    role_grants,
    signing_keys,
    users,
)
from identity.domain.clients import ClientKind, ClientStatus, MachineClient, Partner
from identity.domain.model import Grant, LoginFailures, User, UserStatus

# Serialises signing-key creation and rotation across API replicas.
SIGNING_KEY_LOCK = 0x1D_0001


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the service checks the user's home unit against the principal's scope after loading it")
    async def get(self, user_id: UUID, *, for_update: bool = False) -> User | None:
        query = select(users).where(users.c.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return _user(row) if row else None

    @unscoped("logging in happens before anyone has a scope")
    async def by_username(self, username: str, *, for_update: bool = False) -> User | None:
        query = select(users).where(users.c.username == username)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return _user(row) if row else None

    @unscoped("usernames are unique nationally; answers only yes/no")
    async def username_exists(self, username: str) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(users.c.username == username)))

    async def add(self, user: User, created_by: str) -> None:
        await self.session.execute(
            insert(users).values(
                user_id=user.user_id,
                username=user.username,
                full_name=user.full_name,
                full_name_search=search_key(user.full_name),
                email=user.email,
                phone=user.phone,
                home_unit_id=user.home_unit_id,
                status=user.status.value,
                password_hash=user.password_hash,
                must_change_password=user.must_change_password,
                created_at=user.created_at,
                created_by=created_by,
            )
        )

    @unscoped("records the outcome of a login on the account that tried it")
    async def save_login_state(self, user: User, logged_in_at: datetime | None = None) -> None:
        values = {
            "failed_logins": user.failed_logins,
            "locked_until": user.locked_until,
            "login_delay_until": user.login_delay_until,
        }
        if logged_in_at is not None:
            values["last_login_at"] = logged_in_at
        await self.session.execute(update(users).where(users.c.user_id == user.user_id).values(**values))

    @unscoped("the service has checked the user against the principal's scope (or it is the user themself)")
    async def set_password(self, user_id: UUID, password_hash: str, must_change: bool) -> None:
        await self.session.execute(
            update(users)
            .where(users.c.user_id == user_id)
            .values(
                password_hash=password_hash,
                must_change_password=must_change,
                password_changed_at=func.now(),
                failed_logins=0,
                locked_until=None,
                login_delay_until=None,
                updated_at=func.now(),
            )
        )
        await self.session.execute(delete(login_failures).where(login_failures.c.user_id == user_id))

    @unscoped("logging in happens before anyone has a scope; the row of the account being tried, from one address")
    async def login_failures(self, user_id: UUID, client_ip: str) -> LoginFailures:
        row = (
            await self.session.execute(
                select(
                    login_failures.c.failures, login_failures.c.locked_until, login_failures.c.last_success_at
                ).where(login_failures.c.user_id == user_id, login_failures.c.client_ip == client_ip)
            )
        ).one_or_none()
        if row is None:
            return LoginFailures()
        return LoginFailures(row.failures, row.locked_until, known=row.last_success_at is not None)

    @unscoped("records the outcome of a login on the account that tried it, from that address")
    async def save_login_failures(self, user_id: UUID, client_ip: str, state: LoginFailures | None) -> None:
        """Store the state of (account, address); None (a success) forgets its failures and keeps the address as
        one the account logs in from."""
        if state is None:
            values = {"failures": 0, "locked_until": None, "last_success_at": func.now(), "updated_at": func.now()}
        else:
            values = {"failures": state.failures, "locked_until": state.locked_until, "updated_at": func.now()}
        await self.session.execute(
            pg_insert(login_failures)
            .values(user_id=user_id, client_ip=client_ip, **values)
            .on_conflict_do_update(index_elements=["user_id", "client_ip"], set_=values)
        )

    @unscoped("the service has checked the user against the principal's scope")
    async def set_status(self, user_id: UUID, status: UserStatus) -> None:
        await self.session.execute(
            update(users).where(users.c.user_id == user_id).values(status=status.value, updated_at=func.now())
        )

    @unscoped("a user's own second factor")
    async def totp_state(self, user_id: UUID) -> Row | None:
        query = select(
            users.c.totp_secret, users.c.totp_enabled, users.c.totp_last_step, users.c.totp_recovery_codes
        ).where(users.c.user_id == user_id)
        return (await self.session.execute(query)).one_or_none()

    @unscoped("a user's own second factor")
    async def set_totp(self, user_id: UUID, **values) -> None:
        await self.session.execute(update(users).where(users.c.user_id == user_id).values(**values))

    async def page(
        self,
        principal: Principal,
        *,
        after_username: str | None,
        limit: int,
        q: str | None = None,
        unit_id: UUID | None = None,
        status: str | None = None,
    ) -> list[User]:
        query = select(users).order_by(users.c.username).limit(limit)
        if after_username:
            query = query.where(users.c.username > after_username)
        if q:
            key = search_key(q)
            query = query.where(
                or_(
                    users.c.username.startswith(q.strip().lower(), autoescape=True),
                    users.c.full_name_search.contains(key, autoescape=True),
                )
            )
        if unit_id:
            below = subtree_of(unit_id)
            query = query.where(users.c.home_unit_id.in_(below))
        if status:
            query = query.where(users.c.status == status)
        query = restrict_to_scope(query, principal, Permission.USERS_READ, users.c.home_unit_id)
        return [_user(row) for row in await self.session.execute(query)]


class GrantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("a user's own grants, for their token or for a user the service has checked")
    async def effective(self, user_id: UUID, today: date) -> list[Grant]:
        """Own active grants plus those of delegations running today."""
        query = (
            select(role_grants, delegations.c.delegator_id)
            .outerjoin(delegations, delegations.c.delegation_id == role_grants.c.delegation_id)
            .where(
                role_grants.c.user_id == user_id,
                role_grants.c.revoked_at.is_(None),
                or_(
                    role_grants.c.delegation_id.is_(None),
                    and_(
                        delegations.c.starts_on <= today,
                        delegations.c.ends_on >= today,
                        delegations.c.ended_at.is_(None),
                    ),
                ),
            )
            .order_by(role_grants.c.granted_at, role_grants.c.grant_id)
        )
        return [_grant(row) for row in await self.session.execute(query)]

    @unscoped("a user's own grants; the service checks the unit against the principal's scope")
    async def own(self, user_id: UUID, unit_id: UUID | None = None, roles: list[str] | None = None) -> list[Grant]:
        query = select(role_grants).where(
            role_grants.c.user_id == user_id, role_grants.c.revoked_at.is_(None), role_grants.c.delegation_id.is_(None)
        )
        if unit_id is not None:
            query = query.where(role_grants.c.unit_id == unit_id)
        if roles is not None:
            query = query.where(role_grants.c.role.in_(roles))
        return [_grant(row) for row in await self.session.execute(query.order_by(role_grants.c.granted_at))]

    async def add(self, grants: list[Grant]) -> None:
        if grants:
            await self.session.execute(
                insert(role_grants),
                [
                    {
                        "grant_id": g.grant_id,
                        "user_id": g.user_id,
                        "role": g.role,
                        "unit_id": g.unit_id,
                        "granted_by": g.granted_by,
                        "granted_at": g.granted_at,
                        "delegation_id": g.delegation_id,
                    }
                    for g in grants
                ],
            )

    @unscoped("revokes grants the service has loaded and checked")
    async def revoke(self, grant_ids: list[UUID], revoked_by: str, at: datetime) -> None:
        if grant_ids:
            await self.session.execute(
                update(role_grants)
                .where(role_grants.c.grant_id.in_(grant_ids), role_grants.c.revoked_at.is_(None))
                .values(revoked_at=at, revoked_by=revoked_by)
            )

    async def add_delegation(self, values: dict) -> None:
        await self.session.execute(insert(delegations).values(**values))

    @unscoped("the service checks the delegation's unit against the principal's scope after loading it")
    async def delegation_view(self, delegation_id: UUID) -> Row | None:
        """A delegation as a list shows it: with its roles and the two people's names."""
        query = _delegation_view().where(delegations.c.delegation_id == delegation_id)
        return (await self.session.execute(query)).one_or_none()

    @unscoped("the service checks the delegation's unit against the principal's scope after loading it")
    async def delegation(self, delegation_id: UUID, *, for_update: bool = False) -> Row | None:
        query = select(delegations).where(delegations.c.delegation_id == delegation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).one_or_none()

    @unscoped("ends delegations the service has loaded and checked")
    async def end_delegations(self, delegation_ids: list[UUID], ended_by: str, at: datetime) -> None:
        if not delegation_ids:
            return
        await self.session.execute(
            update(delegations)
            .where(delegations.c.delegation_id.in_(delegation_ids))
            .values(ended_at=at, ended_by=ended_by)
        )
        await self.session.execute(
            update(role_grants)
            .where(role_grants.c.delegation_id.in_(delegation_ids), role_grants.c.revoked_at.is_(None))
            .values(revoked_at=at, revoked_by=ended_by)
        )

    @unscoped("the delegations of a handover's outgoing holder; the service checked the handover's unit")
    async def delegations_lending(self, delegator_id: UUID, unit_id: UUID, roles: list[str], today: date) -> list[Row]:
        """Delegations by `delegator_id`, on `unit_id` or below it, not ended and not over (future ones included),
        that lend one of `roles`: (delegation_id, delegate_id)."""
        lends = select(role_grants.c.delegation_id).where(role_grants.c.role.in_(roles))
        query = (
            select(delegations.c.delegation_id, delegations.c.delegate_id)
            .where(
                delegations.c.delegator_id == delegator_id,
                delegations.c.ended_at.is_(None),
                delegations.c.ends_on >= today,
                delegations.c.unit_id.in_(subtree_of(unit_id)),
                delegations.c.delegation_id.in_(lends),
            )
            .order_by(delegations.c.delegation_id)
        )
        return list(await self.session.execute(query))

    async def delegations_page(
        self, principal: Principal, *, after: tuple[datetime, UUID] | None, limit: int, user_id: UUID | None = None
    ) -> list[Row]:
        query = (
            _delegation_view()
            .order_by(delegations.c.created_at.desc(), delegations.c.delegation_id.desc())
            .limit(limit)
        )
        if after:
            query = query.where(
                or_(
                    delegations.c.created_at < after[0],
                    and_(delegations.c.created_at == after[0], delegations.c.delegation_id < after[1]),
                )
            )
        if user_id:
            query = query.where(or_(delegations.c.delegate_id == user_id, delegations.c.delegator_id == user_id))
        query = restrict_to_scope(query, principal, Permission.USERS_READ, delegations.c.unit_id)
        return list(await self.session.execute(query))

    @unscoped("roles of a delegation the service has loaded and checked")
    async def delegation_roles(self, delegation_id: UUID) -> list[Grant]:
        query = select(role_grants).where(role_grants.c.delegation_id == delegation_id)
        return [_grant(row) for row in await self.session.execute(query)]

    async def add_handover(self, values: dict) -> None:
        await self.session.execute(insert(handovers).values(**values))


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self) -> None:
        await self.session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": SIGNING_KEY_LOCK})

    async def active(self) -> Row | None:
        query = (
            select(signing_keys)
            .where(signing_keys.c.retired_at.is_(None))
            .order_by(signing_keys.c.created_at.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).one_or_none()

    async def published(self, now: datetime) -> list[Row]:
        query = (
            select(signing_keys.c.kid, signing_keys.c.public_key)
            .where(or_(signing_keys.c.publish_until.is_(None), signing_keys.c.publish_until > now))
            .order_by(signing_keys.c.created_at.desc())
        )
        return list(await self.session.execute(query))

    async def add(self, kid: str, algorithm: str, public_key: bytes, sealed_private_key: bytes, now: datetime) -> None:
        await self.session.execute(
            insert(signing_keys).values(
                kid=kid, algorithm=algorithm, public_key=public_key, private_key=sealed_private_key, created_at=now
            )
        )

    async def retire_all_but(self, kid: str, now: datetime, publish_until: datetime) -> None:
        await self.session.execute(
            update(signing_keys)
            .where(signing_keys.c.kid != kid, signing_keys.c.retired_at.is_(None))
            .values(retired_at=now, publish_until=publish_until)
        )


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        token_id: UUID,
        family_id: UUID,
        user_id: UUID,
        token_hash: str,
        issued_at: datetime,
        expires_at: datetime,
        client_ip: str | None,
    ) -> None:
        await self.session.execute(
            insert(refresh_tokens).values(
                token_id=token_id,
                family_id=family_id,
                user_id=user_id,
                token_hash=token_hash,
                issued_at=issued_at,
                expires_at=expires_at,
                client_ip=client_ip,
            )
        )

    async def by_hash(self, token_hash: str) -> Row | None:
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash).with_for_update()
        return (await self.session.execute(query)).one_or_none()

    async def mark_rotated(self, token_id: UUID, at: datetime) -> None:
        await self.session.execute(
            update(refresh_tokens).where(refresh_tokens.c.token_id == token_id).values(rotated_at=at)
        )

    async def revoke_family(self, family_id: UUID, at: datetime, reason: str) -> int:
        result = await self.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at, revoke_reason=reason)
        )
        return result.rowcount

    async def revoke_user(self, user_id: UUID, at: datetime, reason: str) -> int:
        result = await self.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at, revoke_reason=reason)
        )
        return result.rowcount


class MachineClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, client: MachineClient) -> None:
        await self.session.execute(
            insert(machine_clients).values(
                client_id=client.client_id,
                name=client.name,
                kind=client.kind.value,
                unit_id=client.unit_id,
                partner_code=client.partner_code,
                scopes=list(client.scopes),
                rate_limit_per_minute=client.rate_limit_per_minute,
                status=client.status.value,
                secret_hash=client.secret_hash,
                secret_rotated_at=client.secret_rotated_at,
                created_by=client.created_by,
                created_at=client.created_at,
                updated_at=client.created_at,
            )
        )

    @unscoped(
        "the token endpoint authenticates the client before anyone has a scope; the administration "
        "use cases check the client's unit against the principal's scope after loading it"
    )
    async def get(self, client_id: str, *, for_update: bool = False) -> MachineClient | None:
        query = select(machine_clients).where(machine_clients.c.client_id == client_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return _client(row) if row else None

    @unscoped("changes a client the service has loaded and checked (or that just authenticated)")
    async def update(self, client_id: str, **values) -> None:
        await self.session.execute(
            update(machine_clients)
            .where(machine_clients.c.client_id == client_id)
            .values(**values, updated_at=func.now())
        )

    @unscoped("records the outcome of a token request on the client that tried it")
    async def save_attempt(self, client: MachineClient, token_at: datetime | None = None) -> None:
        values = {"failed_attempts": client.failed_attempts, "locked_until": client.locked_until}
        if token_at is not None:
            values["last_token_at"] = token_at
        await self.session.execute(
            update(machine_clients).where(machine_clients.c.client_id == client.client_id).values(**values)
        )

    async def page(
        self,
        principal: Principal,
        *,
        after: tuple[datetime, str] | None,
        limit: int,
        unit_id: UUID | None = None,
        status: str | None = None,
        kind: str | None = None,
        partner_code: str | None = None,
        q: str | None = None,
    ) -> list[MachineClient]:
        """Newest first; keyset on (created_at, client_id)."""
        c = machine_clients.c
        query = select(machine_clients).order_by(c.created_at.desc(), c.client_id.desc()).limit(limit)
        if after:
            query = query.where(or_(c.created_at < after[0], and_(c.created_at == after[0], c.client_id < after[1])))
        if unit_id:
            query = query.where(c.unit_id.in_(subtree_of(unit_id)))
        if status:
            query = query.where(c.status == status)
        if kind:
            query = query.where(c.kind == kind)
        if partner_code:
            query = query.where(c.partner_code == partner_code)
        if q:
            query = query.where(
                or_(
                    c.client_id.startswith(q.strip().lower(), autoescape=True),
                    func.lower(c.name).contains(q.strip().lower(), autoescape=True),
                )
            )
        query = restrict_to_scope(query, principal, Permission.USERS_READ, c.unit_id)
        return [_client(row) for row in await self.session.execute(query)]


@unscoped(
    "the columns of a delegation as lists show it; delegations_page restricts it to the caller's scope and "
    "the service checks the unit of the one delegation_view loads"
)
def _delegation_view():
    """The delegation with the roles it lends (its grants, revoked or not) and who lends them to whom, by name."""
    delegator, delegate = users.alias("delegator"), users.alias("delegate")
    roles = (
        select(
            func.coalesce(
                func.array_agg(aggregate_order_by(role_grants.c.role, role_grants.c.role)), text("'{}'::text[]")
            )
        )
        .where(role_grants.c.delegation_id == delegations.c.delegation_id)
        .scalar_subquery()
    )
    return select(
        delegations,
        roles.label("roles"),
        select(delegator.c.full_name)
        .where(delegator.c.user_id == delegations.c.delegator_id)
        .scalar_subquery()
        .label("delegator_name"),
        select(delegate.c.full_name)
        .where(delegate.c.user_id == delegations.c.delegate_id)
        .scalar_subquery()
        .label("delegate_name"),
    )


def _client(row: Row) -> MachineClient:
    return MachineClient(
        client_id=row.client_id,
        name=row.name,
        kind=ClientKind(row.kind),
        unit_id=row.unit_id,
        partner_code=row.partner_code,
        scopes=tuple(row.scopes),
        rate_limit_per_minute=row.rate_limit_per_minute,
        status=ClientStatus(row.status),
        secret_hash=row.secret_hash,
        secret_rotated_at=row.secret_rotated_at,
        created_by=row.created_by,
        created_at=row.created_at,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        last_token_at=row.last_token_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        disabled_by=row.disabled_by,
        disabled_at=row.disabled_at,
        disable_reason=row.disable_reason,
    )


def _user(row: Row) -> User:
    return User(
        user_id=row.user_id,
        username=row.username,
        full_name=row.full_name,
        home_unit_id=row.home_unit_id,
        password_hash=row.password_hash,
        created_at=row.created_at,
        email=row.email,
        phone=row.phone,
        status=UserStatus(row.status),
        must_change_password=row.must_change_password,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        login_delay_until=row.login_delay_until,
        totp_enabled=row.totp_enabled,
        totp_enrolment_required=row.totp_enrolment_required,
    )


def _grant(row: Row) -> Grant:
    return Grant(
        grant_id=row.grant_id,
        user_id=row.user_id,
        role=row.role,
        unit_id=row.unit_id,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        delegation_id=row.delegation_id,
        delegator_id=row._mapping.get("delegator_id"),
    )


class PartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the partner catalogue is national: every administrator may read it, the service checks who writes")
    async def all(self) -> list[Partner]:
        return [
            Partner(**row._mapping)
            for row in await self.session.execute(select(partners).order_by(partners.c.partner_code))
        ]

    @unscoped("the partner catalogue is national: every administrator may read it, the service checks who writes")
    async def by_code(self, partner_code: str, *, for_update: bool = False) -> Partner | None:
        query = select(partners).where(partners.c.partner_code == partner_code)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).one_or_none()
        return None if row is None else Partner(**row._mapping)

    @unscoped("the service checked that the caller administers the national centre")
    async def save(self, values: dict) -> Partner:
        statement = pg_insert(partners).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[partners.c.partner_id],
            set_={name: statement.excluded[name] for name in values if name != "partner_id"}
            | {"updated_at": func.now()},
        )
        return Partner(**(await self.session.execute(statement.returning(*partners.c))).one()._mapping)
