"""Helpers of identity's tests: headers as the gateway would send them, a harness around the API."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from uuid import UUID

import asyncpg
import jwt
from chassis.database import Database
from chassis.principal import PUBLIC, Grant, Principal, issue_internal_token
from chassis.tree import apply_unit_state
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState
from identity.config import IdentitySettings
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.support.services import TEST_SECRET

AUDIENCE = "congdoan-services"
ADMIN = ("admin", "Admin@12345")


def internal_headers(principal: Principal) -> dict[str, str]:
    return {"x-internal-token": issue_internal_token(principal, TEST_SECRET, AUDIENCE)}


def principal_of(access_token: str) -> Principal:
    """What the gateway makes of an access token (signature checks are the gateway's tests)."""
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return Principal(
        user_id=UUID(claims["sub"]),
        username=claims["usr"],
        grants=tuple(Grant.from_claim(g) for g in claims["grants"]),
    )


class Identity:
    def __init__(self, http, database: Database, settings: IdentitySettings, units: dict[str, UUID]) -> None:
        self.http = http
        self.db = database
        self.settings = settings
        self.units = units
        self.public = internal_headers(PUBLIC)

    async def login(self, username: str, password: str, client_ip: str | None = None, **extra):
        """As the gateway forwards a login: the public principal, carrying the caller's address when given."""
        headers = internal_headers(dataclasses.replace(PUBLIC, client_ip=client_ip)) if client_ip else self.public
        return await self.http.post(
            "/api/v1/identity/login", json={"username": username, "password": password, **extra}, headers=headers
        )

    async def refresh(self, refresh_token: str):
        return await self.http.post(
            "/api/v1/identity/token/refresh", json={"refresh_token": refresh_token}, headers=self.public
        )

    async def headers_of(self, username: str, password: str) -> dict[str, str]:
        response = await self.login(username, password)
        assert response.status_code == 200, response.text
        return internal_headers(principal_of(response.json()["access_token"]))

    async def admin(self) -> dict[str, str]:
        return await self.headers_of(*ADMIN)

    async def create_user(
        self,
        headers,
        home_unit: UUID,
        username: str | None = None,
        password: str = "Matkhau2025x",
        roles: list[tuple[str, UUID]] = (),
    ):
        username = username or f"u{uuid.uuid4().hex[:10]}"
        response = await self.http.post(
            "/api/v1/identity/users",
            json={
                "username": username,
                "full_name": "Nguyễn Thị Thử",
                "home_unit_id": str(home_unit),
                "password": password,
                "roles": [{"role": r, "unit_id": str(u)} for r, u in roles],
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def count(self, table, *where) -> int:
        async with self.db.transaction() as session:
            return await session.scalar(select(func.count()).select_from(table).where(*where))


async def replicate(
    database: Database,
    code: str,
    parent_id: UUID | None,
    type_code: str,
    unit_id: UUID | None = None,
    can_have_users: bool = True,
) -> UUID:
    """Put a unit in identity's tree replica the way its orgtree consumer does."""
    unit_id = unit_id or uuid.uuid4()
    async with database.transaction() as session:
        await apply_unit_state(
            session,
            UnitState(
                unit_id=unit_id,
                code=code,
                name=f"Đơn vị {code}",
                type_code=type_code,
                parent_id=parent_id,
                capabilities=UnitCapabilities(can_have_users=can_have_users),
                effective_from=date(2025, 7, 1),
                version=1,
            ),
        )
    return unit_id


async def drop_database(server_url: str, url: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()
