"""Migration 0002 opens the movements ledger with a balance for every member counted at upgrade time."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import asyncpg
from chassis import migrations
from chassis.database import asyncpg_dsn
from contracts.wellknown import VIETNAM_TIME

from services.reporting.tests.test_member_summary import MIGRATIONS
from tests.support.infra import fresh_database


async def test_the_ledger_opens_with_the_members_counted_at_upgrade(pg_server_url):
    url = await fresh_database(pg_server_url, f"test_reporting_upgrade_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0001")
    unit = uuid.uuid4()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.executemany(
            "INSERT INTO member_facts (member_id, unit_id, status, gender, is_foreign, version) "
            "VALUES ($1, $2, $3, 'female', false, 2)",
            [(uuid.uuid4(), unit, status) for status in ("active", "suspended", "pending", "removed")],
        )

        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)

        rows = await connection.fetch("SELECT unit_id, occurred_on, kind, delta FROM membership_movements")
        today = datetime.now(VIETNAM_TIME).date()
        assert sorted((r["unit_id"], r["kind"], r["delta"]) for r in rows) == [(unit, "opening", 1)] * 2
        assert {r["occurred_on"] for r in rows} <= {today, today - timedelta(days=1)}  # around midnight
    finally:
        await connection.close()


async def test_card_progress_upgrade_keeps_the_counts(pg_server_url):
    url = await fresh_database(pg_server_url, f"test_reporting_cards_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0003")
    unit = uuid.uuid4()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # The tables as 0003 left them: no card status anywhere.
        await connection.execute("""
            ALTER TABLE unit_member_counts DROP CONSTRAINT unit_member_counts_pkey;
            ALTER TABLE unit_member_counts DROP COLUMN card_status;
            ALTER TABLE unit_member_counts ADD PRIMARY KEY (unit_id, status, gender, is_foreign);
            ALTER TABLE member_facts DROP COLUMN card_status;
            DROP TABLE member_cards""")
        await connection.execute("INSERT INTO unit_member_counts VALUES ($1, 'active', 'male', false, 42)", unit)

        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)

        row = await connection.fetchrow("SELECT * FROM unit_member_counts")
        assert (row["unit_id"], row["members"], row["card_status"]) == (unit, 42, "none")
        key = await connection.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'unit_member_counts_pkey'"
        )
        assert key == "PRIMARY KEY (unit_id, status, gender, is_foreign, card_status)"
        await connection.execute(
            "INSERT INTO unit_member_counts VALUES ($1, 'active', 'male', false, 1, 'printed')", unit
        )
        assert await connection.fetchval("SELECT count(*) FROM member_cards") == 0
    finally:
        await connection.close()


async def test_the_figures_open_with_the_members_and_units_known_at_upgrade(pg_server_url):
    url = await fresh_database(pg_server_url, f"test_reporting_figures_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0004")
    province, grassroots = uuid.uuid4(), uuid.uuid4()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.executemany(
            "INSERT INTO tree_units (unit_id, code, name, type_code, parent_id, status, enterprise_type, version) "
            "VALUES ($1, $2, $2, $3, $4, 'active', $5, 1)",
            [
                (province, "P", "provincial_federation", None, None),
                (grassroots, "G", "grassroots_union", province, "state_owned"),
            ],
        )
        await connection.executemany(
            "INSERT INTO tree_closure VALUES ($1, $2, $3)",
            [(province, province, 0), (grassroots, grassroots, 0), (province, grassroots, 1)],
        )
        await connection.executemany(
            "INSERT INTO member_facts (member_id, unit_id, status, gender, is_foreign, version) "
            "VALUES ($1, $2, $3, $4, false, 2)",
            [
                (uuid.uuid4(), grassroots, status, gender)
                for status, gender in (("active", "female"), ("suspended", "male"), ("pending", "female"))
            ],
        )

        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)

        rows = await connection.fetch(
            "SELECT dimension, value, members FROM subtree_figures WHERE unit_id = $1", province
        )
        found = {(row["dimension"], row["value"]): row["members"] for row in rows}
        assert {key: found[key] for key in found if key[0] in ("status", "gender", "unit_type")} == {
            ("status", "active"): 1,
            ("status", "suspended"): 1,
            ("status", "pending"): 1,
            ("gender", "female"): 1,
            ("gender", "male"): 1,
            ("unit_type", "provincial_federation"): 1,
            ("unit_type", "grassroots_union"): 1,
        }
        assert found["grassroots_enterprise_type", "state_owned"] == 1
        assert found["ethnicity", ""] == 2
        # Migration 0009: the union (two members counted) in its band, and the year tables from the months.
        assert {key: found[key] for key in found if key[0] == "grassroots_members"} == {("grassroots_members", "1"): 1}
        yearly = await connection.fetchval(
            "SELECT sum(members) FROM subtree_figure_years WHERE unit_id = $1 AND dimension = 'status'", province
        )
        assert yearly == 3
        assert await connection.fetchval("SELECT count(*) FROM unit_versions WHERE valid_to IS NULL") == 2
        assert await connection.fetchval("SELECT opened_on FROM figure_ledger") is not None
    finally:
        await connection.close()


async def test_remittances_upgrade_keeps_the_dues_months(pg_server_url):
    url = await fresh_database(pg_server_url, f"test_reporting_remit_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS, "0006")
    unit = uuid.uuid4()
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # The tables as 0006 left them: no remittance anywhere.
        await connection.execute("""
            ALTER TABLE subtree_dues DROP COLUMN remitted_vnd, DROP COLUMN confirmed_vnd;
            DROP TABLE dues_remittances""")
        await connection.execute(
            "INSERT INTO subtree_dues VALUES ($1, '2025-10-01', 3, 0, 150000, 150000, 60000, 90000, 1)", unit
        )

        await asyncio.to_thread(migrations.upgrade, url, MIGRATIONS)

        row = await connection.fetchrow("SELECT * FROM subtree_dues")
        assert (row["unit_id"], row["upper_share_vnd"], row["remitted_vnd"], row["confirmed_vnd"]) == (
            unit,
            60000,
            0,
            0,
        )
        assert await connection.fetchval("SELECT count(*) FROM dues_remittances") == 0
    finally:
        await connection.close()
