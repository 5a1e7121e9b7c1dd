"""Fixtures of the members service tests: a migrated database per module with a small union tree."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from chassis.database import Database
from chassis.tables import outbox_events
from chassis.tree import apply_unit_state
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState
from contracts.wellknown import NATIONAL_CENTRE_ID
from members.adapters.tables import member_history, member_transfers, members
from members.config import MembersSettings
from members.entrypoints.api import create_app
from sqlalchemy import func, select

from tests.support.services import TEST_SECRET, client, headers_for, migrated_database, principal

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "members" / "migrations"
_serial = itertools.count(1)


async def add_unit(
    database: Database,
    code: str,
    parent: UUID | None,
    type_code: str,
    *,
    admit: bool = False,
    approve: bool = False,
    unit_id: UUID | None = None,
    version: int = 1,
    status: str = "active",
    province: str | None = None,
) -> UUID:
    unit_id = unit_id or uuid.uuid4()
    async with database.transaction() as session:
        await apply_unit_state(
            session,
            unit_state(
                unit_id,
                code,
                parent,
                type_code,
                admit=admit,
                approve=approve,
                version=version,
                status=status,
                province=province,
            ),
        )
    return unit_id


def unit_state(
    unit_id, code, parent, type_code, *, admit=False, approve=False, version=1, status="active", province=None
) -> UnitState:
    return UnitState(
        unit_id=unit_id,
        code=code,
        name=f"Công đoàn {code}",
        type_code=type_code,
        parent_id=parent,
        status=status,
        province_code=province,
        capabilities=UnitCapabilities(can_admit_members=admit, can_approve_members=approve),
        effective_from=date(2025, 7, 1),
        version=version,
    )


async def build_tree(database: Database) -> dict[str, UUID]:
    """TLĐ > HNI, HCM provinces > grassroots unions; HNI also has a commune union that cannot approve."""
    ids = {"TLD": await add_unit(database, "TLD", None, "national_centre", approve=True, unit_id=NATIONAL_CENTRE_ID)}
    for province in ("HNI", "HCM"):
        ids[province] = await add_unit(
            database, province, ids["TLD"], "provincial_federation", approve=True, province=province
        )
    for code, parent in (("HNI-1", "HNI"), ("HNI-2", "HNI"), ("HCM-1", "HCM")):
        ids[code] = await add_unit(database, code, ids[parent], "grassroots_union", admit=True)
    ids["HNI-XA"] = await add_unit(database, "HNI-XA", ids["HNI"], "commune_union")
    ids["HNI-XA-1"] = await add_unit(database, "HNI-XA-1", ids["HNI-XA"], "grassroots_union", admit=True)
    ids["HNI-1-TO"] = await add_unit(database, "HNI-1-TO", ids["HNI-1"], "union_group", admit=True)
    return ids


@pytest.fixture(scope="module")
async def registry(pg_server_url):
    url = await migrated_database(pg_server_url, "members", MIGRATIONS)
    database = Database(url, 4)
    units = await build_tree(database)
    settings = MembersSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield Registry(http, database, units, url)
    await database.dispose()


class Registry:
    def __init__(self, http, database: Database, units: dict[str, UUID], url: str) -> None:
        self.http, self.db, self.units, self.url = http, database, units, url

    def as_(self, role: str, unit: str, username: str = "officer") -> dict[str, str]:
        return headers_for(principal(role, self.units[unit], username))

    async def create(self, unit: str, **overrides) -> dict:
        body = new_member(self.units[unit], **overrides)
        response = await self.http.post("/api/v1/members/members", json=body, headers=self.as_("unit_admin", unit))
        assert response.status_code == 201, response.text
        return response.json()

    async def approved(self, unit: str, **overrides) -> dict:
        created = await self.create(unit, **overrides)
        response = await self.http.post(
            f"/api/v1/members/members/{created['member_id']}/decision",
            json={"decision": "approve"},
            headers=self.as_("approver", "TLD"),
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def counts(self) -> tuple[int, ...]:
        async with self.db.transaction() as session:
            return tuple(
                [
                    await session.scalar(select(func.count()).select_from(t))
                    for t in (members, member_history, outbox_events, member_transfers)
                ]
            )

    async def row(self, member_id) -> dict:
        async with self.db.transaction() as session:
            row = (await session.execute(select(members).where(members.c.member_id == UUID(str(member_id))))).one()
        return dict(row._mapping)

    async def events_of(self, member_id) -> list[str]:
        async with self.db.transaction() as session:
            return list(
                await session.scalars(
                    select(outbox_events.c.event_type)
                    .where(outbox_events.c.message_key == str(member_id))
                    .order_by(outbox_events.c.id)
                )
            )


def cccd(gender: str = "male", born: date = date(1990, 5, 1), province: str = "001") -> str:
    century = {19: 0, 20: 2}[born.year // 100] + (1 if gender == "female" else 0)
    return f"{province}{century}{born.year % 100:02d}{next(_serial):06d}"


def new_member(unit_id, **overrides) -> dict:
    gender = overrides.get("gender", "male")
    born = date.fromisoformat(overrides.get("date_of_birth", "1990-05-01"))
    body = {
        "unit_id": str(unit_id),
        "full_name": "Nguyễn Văn An",
        "gender": gender,
        "date_of_birth": born.isoformat(),
        "id_number": cccd(gender, born),
        "phone": "0912345678",
        "ethnicity": "Kinh",
    }
    return body | overrides


def assert_problem(
    response, status: int, code: str, field: str | None, message_vi: str | None = None, message_en: str | None = None
) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["code"], problem.get("field")) == (code, field), problem
    assert problem["message_vi"] and problem["message_en"]
    if message_vi is not None:
        assert problem["message_vi"] == message_vi
    if message_en is not None:
        assert problem["message_en"] == message_en
    return problem
