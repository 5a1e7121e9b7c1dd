"""The first administrator, created once by the first migration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chassis.outbox import record_event_sync
from chassis.text import normalise, search_key
from contracts.events.identity_user_v1 import RoleGrant, UserCreated
from contracts.permissions import Role
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from identity.adapters.crypto import PasswordHasher
from identity.adapters.tables import role_grants, users
from identity.config import IdentitySettings
from identity.domain.model import UserStatus, normalise_username
from identity.domain.passwords import check_password


def create_bootstrap_admin(connection: Connection, settings: IdentitySettings) -> uuid.UUID:
    """Synchronous on purpose: migrations run on a plain connection. Fails loudly on a weak password."""
    username = normalise_username(settings.bootstrap_admin_username)
    # Length and letters+digits only: the documented default (admin / Admin@12345) contains the username.
    check_password(settings.bootstrap_admin_password)
    hasher = PasswordHasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    user_id, now = uuid.uuid4(), datetime.now(UTC)
    full_name = normalise(settings.bootstrap_admin_full_name)
    connection.execute(
        insert(users).values(
            user_id=user_id,
            username=username,
            full_name=full_name,
            full_name_search=search_key(full_name),
            home_unit_id=NATIONAL_CENTRE_ID,
            status=UserStatus.ACTIVE.value,
            password_hash=hasher.hash_sync(settings.bootstrap_admin_password),
            created_at=now,
            created_by="migration",
            # Outside the local demo the password was handed over by whoever deployed: its owner sets their own.
            must_change_password=settings.environment == "production",
        )
    )
    connection.execute(
        insert(role_grants).values(
            grant_id=uuid.uuid4(),
            user_id=user_id,
            role=Role.NATIONAL_ADMIN.value,
            unit_id=NATIONAL_CENTRE_ID,
            granted_by="migration",
            granted_at=now,
        )
    )
    event = UserCreated(
        user_id=user_id,
        username=username,
        full_name=full_name,
        home_unit_id=NATIONAL_CENTRE_ID,
        roles=[RoleGrant(role=Role.NATIONAL_ADMIN.value, unit_id=NATIONAL_CENTRE_ID)],
    )
    record_event_sync(connection, event)
    return user_id
