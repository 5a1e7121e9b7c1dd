"""Upgrading a registry created before migration 0005 keeps every history row and every rule.

0001 builds tables from the current `tables.py`, so a fresh database never runs 0005's changes; this test
puts a database back into the shape 0004 left (serial history key, code constraint with NULLs) with data in
it, then upgrades.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import pytest
from chassis import migrations
from chassis.database import asyncpg_dsn

from services.members.tests.conftest import MIGRATIONS, cccd
from tests.support.services import migrated_database

SHAPE_OF_0004 = """
ALTER TABLE member_history DROP CONSTRAINT member_history_pkey;
ALTER TABLE member_history ADD COLUMN id bigserial PRIMARY KEY;
CREATE UNIQUE INDEX member_history_member_version ON member_history (member_id, version);
DROP INDEX members_member_code;
ALTER TABLE members ADD CONSTRAINT members_member_code_key UNIQUE (member_code);
UPDATE alembic_version SET version_num = '0004';
"""


async def add_member(connection, code: str | None, versions: int) -> uuid.UUID:
    member_id = uuid.uuid4()
    await connection.execute(
        "INSERT INTO members (member_id, unit_id, status, member_code, full_name, name_search, gender, date_of_birth, "
        "id_kind, id_number, version) VALUES ($1, $2, $3, $4, 'Nguyễn Văn An', 'nguyen van an', 'male', "
        "'1990-05-01', 'cccd', $5, $6)",
        member_id,
        uuid.uuid4(),
        "active" if code else "pending",
        code,
        cccd(),
        versions,
    )
    for version in range(1, versions + 1):
        await connection.execute(
            "INSERT INTO member_history (member_id, version, change, state) VALUES ($1, $2, 'created', $3)",
            member_id,
            version,
            json.dumps({"version": version}),
        )
    return member_id


async def test_upgrade_from_0004_keeps_history_and_rules(pg_server_url):
    url = await migrated_database(pg_server_url, "members_upgrade", MIGRATIONS)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(SHAPE_OF_0004)
        approved = await add_member(connection, "0000000017", versions=2)
        pending = await add_member(connection, None, versions=1)

        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0005")

        assert await connection.fetchval("SELECT version_num FROM alembic_version") == "0005"
        history = await connection.fetch(
            "SELECT member_id, version, state FROM member_history ORDER BY member_id = $1 DESC, version", approved
        )
        assert [(row["member_id"], row["version"], json.loads(row["state"])) for row in history] == [
            (approved, 1, {"version": 1}),
            (approved, 2, {"version": 2}),
            (pending, 1, {"version": 1}),
        ]
        assert not await connection.fetchval(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'member_history'::regclass AND attname = 'id' "
            "AND NOT attisdropped"
        )
        key = await connection.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'member_history_pkey'"
        )
        assert key == "PRIMARY KEY (member_id, version)"
        with pytest.raises(asyncpg.UniqueViolationError):
            await connection.execute(
                "INSERT INTO member_history (member_id, version, change, state) VALUES ($1, 2, 'updated', '{}')",
                approved,
            )
        assert not await connection.fetchval(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'members_member_code_key'"
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await add_member(connection, "0000000017", versions=1)  # a code is still unique
        await add_member(connection, None, versions=1)  # and any number of members wait for one
        await connection.execute("SET enable_seqscan = off")  # two rows: a table scan would otherwise win
        plan = await connection.fetchval(
            "EXPLAIN (FORMAT JSON) SELECT member_id FROM members WHERE member_code = $1", "0000000017"
        )
        assert "members_member_code" in json.dumps(plan)
    finally:
        await connection.close()
