"""Fixtures of the dues service tests: a migrated database with a small tree and members fed as events."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from chassis.database import Database
from chassis.tables import outbox_events
from contracts.envelope import Envelope
from contracts.events.members_member_v1 import MemberApproved, MemberSnapshot, MemberStatusChanged
from dues.adapters.tables import dues_collections, dues_lines, dues_policies
from dues.config import DuesSettings
from dues.entrypoints.api import create_app
from dues.entrypoints.consumers import apply_member_change
from sqlalchemy import func, select

from tests.support.services import (
    TEST_SECRET,
    client,
    headers_for,
    migrated_database,
    principal,
    replicate_small_tree,
)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "dues" / "migrations"


@pytest.fixture(scope="module")
async def treasury(pg_server_url):
    url = await migrated_database(pg_server_url, "dues", MIGRATIONS)
    database = Database(url, 4)
    units = await replicate_small_tree(database, grassroots_collect_dues=True)
    settings = DuesSettings(database_url=url, internal_token_secret=TEST_SECRET)
    async with client(create_app, settings) as http:
        yield Treasury(http, database, units)
    await database.dispose()


class Treasury:
    def __init__(self, http, database: Database, units: dict[str, UUID]) -> None:
        self.http, self.db, self.units = http, database, units
        self.versions: dict[UUID, tuple[UUID, int]] = {}

    def as_(self, role: str, unit: str) -> dict[str, str]:
        return headers_for(principal(role, self.units[unit], f"{role}@{unit}"))

    async def member(self, unit: str, status: str = "active", joined_on: date | None = None) -> UUID:
        """A member as the members service announces it: approved (then suspended, say), long ago."""
        member_id = uuid.uuid4()
        self.versions[member_id] = (self.units[unit], 1)
        await self.change(member_id, MemberApproved, "active", LONG_AGO, joined_on=joined_on)
        if status != "active":
            await self.change(member_id, MemberStatusChanged, status, LONG_AGO, old_status="active")
        return member_id

    async def change(
        self,
        member_id: UUID,
        kind,
        status: str,
        at: datetime,
        unit: str | None = None,
        joined_on: date | None = None,
        **fields,
    ) -> None:
        """The member's next version, announced by an event that happened `at` (moved to `unit` if given)."""
        unit_id, version = self.versions[member_id]
        unit_id = self.units[unit] if unit else unit_id
        self.versions[member_id] = (unit_id, version + 1)
        event = kind(member_id=member_id, member=snapshot(member_id, unit_id, status, version + 1, joined_on), **fields)
        async with self.db.transaction() as session:
            await apply_member_change(session, event, replace(Envelope.wrap(event, "/tests"), time=at))

    async def record(self, unit: str, month: str, lines: list[dict], **body):
        return await self.http.post(
            "/api/v1/dues/months",
            json={"unit_id": str(self.units[unit]), "month": month, "lines": lines, **body},
            headers=self.as_("dues_officer", unit),
        )

    async def counts(self) -> tuple[int, ...]:
        async with self.db.transaction() as session:
            return tuple(
                [
                    await session.scalar(select(func.count()).select_from(t))
                    for t in (dues_collections, dues_lines, dues_policies, outbox_events)
                ]
            )


def snapshot(member_id, unit_id, status, version=1, joined_on=None) -> MemberSnapshot:
    return MemberSnapshot(
        member_id=member_id,
        unit_id=unit_id,
        status=status,
        full_name="Lê Văn Cường",
        gender="male",
        date_of_birth=date(1985, 9, 2),
        version=version,
        joined_on=joined_on,
        member_code=f"01{uuid.uuid4().int % 10**8:08d}",
    )


def assert_problem(response, status: int, code: str, field: str | None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["code"], problem.get("field")) == (code, field), problem
    assert problem["message_vi"] and problem["message_en"]
    return problem
