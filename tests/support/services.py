"""Helpers for service tests: a migrated database per module, an in-process client, principals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
from chassis import migrations
from chassis.database import Database
from chassis.principal import Grant, Principal, issue_internal_token
from chassis.settings import ServiceSettings
from chassis.tree import apply_unit_state
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState
from contracts.wellknown import NATIONAL_CENTRE_ID
from fastapi import FastAPI

from tests.support.infra import fresh_database

TEST_SECRET = "test-internal-secret-0123456789-abcdefghijkl"


async def migrated_database(server_url: str, service: str, migrations_dir: Path) -> str:
    """A new database named after the service, with the service's migrations applied."""
    url = await fresh_database(server_url, f"test_{service}_{uuid.uuid4().hex[:8]}")
    # Alembic's env runs its own event loop, so it goes to a worker thread.
    import asyncio

    await asyncio.to_thread(migrations.upgrade, url, migrations_dir)
    return url


def principal(role: str, unit_id: UUID, username: str = "officer") -> Principal:
    return Principal(user_id=uuid.uuid4(), username=username, grants=(Grant(role, unit_id),))


def headers_for(who: Principal) -> dict[str, str]:
    return {"x-internal-token": issue_internal_token(who, TEST_SECRET, "congdoan-services")}


def client(create_app: Callable[[ServiceSettings, Database], FastAPI], settings: ServiceSettings) -> httpx.AsyncClient:
    app = create_app(settings, Database(settings.database_url, 5, settings.database_settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def replicate_unit(
    database: Database,
    code: str,
    parent_id: UUID | None,
    type_code: str = "grassroots_union",
    can_admit: bool = True,
    unit_id: UUID | None = None,
    can_order_cards: bool = False,
    can_collect_dues: bool = False,
) -> UUID:
    """Put a unit in a service's tree replica the way the orgtree consumer does."""
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
                capabilities=UnitCapabilities(
                    can_admit_members=can_admit, can_order_cards=can_order_cards, can_collect_dues=can_collect_dues
                ),
                effective_from=date(2025, 7, 1),
                version=1,
            ),
        )
    return unit_id


async def replicate_small_tree(
    database: Database, *, provinces_order_cards: bool = False, grassroots_collect_dues: bool = False
) -> dict[str, UUID]:
    """The national centre (TLD), provinces HNI and HCM, grassroots unions HNI-A, HNI-B and HCM-C, in a
    service's tree replica; returns their ids by code."""
    units = {
        "TLD": await replicate_unit(
            database, "TLD", None, "national_centre", can_admit=False, unit_id=NATIONAL_CENTRE_ID
        )
    }
    for province in ("HNI", "HCM"):
        units[province] = await replicate_unit(
            database,
            province,
            units["TLD"],
            "provincial_federation",
            can_admit=False,
            can_order_cards=provinces_order_cards,
        )
    for code, parent in (("HNI-A", "HNI"), ("HNI-B", "HNI"), ("HCM-C", "HCM")):
        units[code] = await replicate_unit(database, code, units[parent], can_collect_dues=grassroots_collect_dues)
    return units
