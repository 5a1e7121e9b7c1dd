"""The fast import path: time-ordered ids, chunks checked while earlier ones are stored, chunk by chunk commits
that resume after a crash, and history rows and events built outside SQL that still match the contracts."""

from __future__ import annotations

import time
from uuid import UUID

from chassis.ids import uuid7, uuid7_texts
from chassis.tables import outbox_events
from contracts.events.members_member_v1 import MemberCreated, MemberSnapshot
from contracts.topics import EVENT_TYPES
from members.adapters.repository import MemberRepository
from members.adapters.tables import member_history, member_import_rows, members
from sqlalchemy import func, select, text

from services.members.tests.importing_support import crash_midway, process, rows_of, upload, xlsx
from tests.support.services import principal

IMPORTS = "/api/v1/members/imports"


async def test_member_ids_are_time_ordered_uuid_version_7(registry):
    before_ms = time.time_ns() // 1_000_000
    ids = [UUID(text_id) for text_id in uuid7_texts(5_000)]
    single = uuid7()
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[-1] < single
    for made in (*ids, single):
        assert (made.version, made.variant) == (7, "specified in RFC 4122")
        assert abs((made.int >> 80) - before_ms) < 60_000  # the first 48 bits are the time in milliseconds
    async with registry.db.transaction() as session:
        made_in_sql = await session.scalars(text("SELECT uuid_v7() FROM generate_series(1, 3)"))
        from_sql = [UUID(str(value)) for value in made_in_sql]
    for made in from_sql:
        assert made.version == 7 and made.variant == "specified in RFC 4122"
        assert abs((made.int >> 80) - before_ms) < 60_000
    created = await registry.create("HNI-2")
    assert UUID(created["member_id"]).version == 7


async def _created_rows_match_the_contracts(registry, import_id: str) -> int:
    admin = principal("national_admin", registry.units["TLD"])
    async with registry.db.transaction() as session:
        ids = list(await session.scalars(select(members.c.member_id).where(members.c.import_id == import_id)))
        for member_id in ids:
            member = await MemberRepository(session).get(admin, member_id, "members.read")
            states = list(
                await session.scalars(select(member_history.c.state).where(member_history.c.member_id == member_id))
            )
            assert [MemberSnapshot.model_validate(state) for state in states] == [member.snapshot()]
            events = (
                await session.execute(select(outbox_events).where(outbox_events.c.message_key == str(member_id)))
            ).all()
            assert len(events) == 1 and events[0].event_type == MemberCreated.event_type
            event = EVENT_TYPES[events[0].event_type].model_validate_json(events[0].payload)
            assert event.member_id == member_id and event.member == member.snapshot()
            assert UUID(str(events[0].event_id)).version == 7
    return len(ids)


async def test_history_and_events_of_imports_match_the_contracts_on_both_paths(registry):
    rows = [
        ["Đặng Thị Ngọc Ánh", "Nữ", "03/04/1993", "001193002101", "0912002101", 'Tổ trưởng "A"'],
        ["O'Brien Văn B\\C", "Nam", "04/05/1985", "001085002102", None, None],
    ]
    streamed = (await upload(registry, xlsx(rows))).json()  # valid_rows_only given: checked and committed at once
    await process(registry)
    assert await _created_rows_match_the_contracts(registry, streamed["import_id"]) == 2
    later = [["Lý Thị C", "Nữ", "03/04/1993", "001193002103", None, None]]
    previewed = (await upload(registry, xlsx(later), mode=None)).json()
    await process(registry)
    accepted = await registry.http.post(
        f"{IMPORTS}/{previewed['import_id']}/commit",
        json={"mode": "valid_rows_only"},
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert accepted.status_code == 202
    await process(registry)
    assert await _created_rows_match_the_contracts(registry, previewed["import_id"]) == 1


async def test_a_preview_marks_duplicates_and_people_already_members_before_any_commit(registry):
    await registry.create("HCM-1", id_number="001090002201")
    content = xlsx(
        [
            ["Kha Văn A", "Nam", "01/05/1990", "001090002202", None, None],
            ["Kha Văn C", "Nam", "01/05/1990", "001090002201", None, None],
            ["Kha Văn A", "Nam", "01/05/1990", "001090002202", None, None],
        ]
    )
    imported = (await upload(registry, content, mode=None)).json()
    await process(registry, import_chunk_rows=2)
    seen = (
        await registry.http.get(f"{IMPORTS}/{imported['import_id']}", headers=registry.as_("data_entry", "HNI-1"))
    ).json()
    assert (seen["status"], seen["total_rows"], seen["valid_rows"], seen["error_rows"]) == ("validated", 3, 1, 2)
    errors = {r["row_number"]: [e["code"] for e in r["errors"]] for r in await rows_of(registry, seen["import_id"])}
    assert errors == {2: [], 3: ["already-a-member"], 4: ["duplicate-in-file"]}


async def test_chunks_stored_two_at_a_time_resume_after_a_crash_without_gaps_or_doubles(registry):
    await registry.create("HCM-1", id_number="001090002305")
    rows = [[f"Quan Văn {i}", "Nam", "01/05/1990", f"0010900023{i:02d}", None, None] for i in range(10)]
    rows[7][3] = rows[1][3]  # row 9 repeats row 3's ID number, two chunks later
    response = await upload(registry, xlsx(rows))
    import_id = response.json()["import_id"]
    await crash_midway(registry, 2, import_chunk_rows=2)
    officer = registry.as_("data_entry", "HNI-1")
    halfway = (await registry.http.get(f"{IMPORTS}/{import_id}", headers=officer)).json()
    # Two chunks committed, the one stored beside the second rolled back: nothing staged past them.
    assert (halfway["status"], halfway["rows_done"], halfway["inserted_rows"]) == ("committing", 4, 4)
    async with registry.db.transaction() as session:
        staged = await session.scalar(
            select(func.count()).select_from(member_import_rows).where(member_import_rows.c.import_id == import_id)
        )
    assert staged == 4
    await process(registry, import_chunk_rows=2)
    done = (await registry.http.get(f"{IMPORTS}/{import_id}", headers=officer)).json()
    assert (done["status"], done["total_rows"], done["rows_done"]) == ("completed", 10, 10)
    assert (done["valid_rows"], done["error_rows"], done["inserted_rows"]) == (8, 2, 8)
    errors = {r["row_number"]: r["errors"] for r in await rows_of(registry, import_id, "errors")}
    assert [e["code"] for e in errors[7]] == ["already-a-member"]  # found by the insert, not asked beforehand
    assert errors[9] == [
        {
            "field": "id_number",
            "code": "duplicate-in-file",
            "message_vi": "Trùng số giấy tờ với dòng 3 trong cùng tệp",
            "message_en": "Same ID number as row 3 of this file",
        }
    ]
    async with registry.db.transaction() as session:
        imported = list(await session.scalars(select(members.c.id_number).where(members.c.import_id == import_id)))
    assert len(imported) == len(set(imported)) == 8
    assert await _created_rows_match_the_contracts(registry, import_id) == 8


async def test_the_recent_imports_of_a_subtree_come_newest_first_page_by_page_and_only_in_scope(registry):
    first = (
        await upload(registry, xlsx([["Lê Văn Một", "Nam", "01/05/1990", "001090004401", None, None]]), mode=None)
    ).json()
    second = (
        await upload(registry, xlsx([["Lê Văn Hai", "Nam", "01/05/1990", "001090004402", None, None]]), mode=None)
    ).json()
    province = registry.as_("data_entry", "HNI")
    page = await registry.http.get(
        IMPORTS, params={"unit_id": str(registry.units["HNI"]), "limit": 1}, headers=province
    )
    assert page.status_code == 200, page.text
    assert [i["import_id"] for i in page.json()["items"]] == [second["import_id"]]
    rest = await registry.http.get(
        IMPORTS,
        params={"unit_id": str(registry.units["HNI"]), "limit": 100, "after": page.json()["next_cursor"]},
        headers=province,
    )
    assert first["import_id"] in [i["import_id"] for i in rest.json()["items"]]
    assert second["import_id"] not in [i["import_id"] for i in rest.json()["items"]]
    outsider = await registry.http.get(
        IMPORTS, params={"unit_id": str(registry.units["HNI"])}, headers=registry.as_("data_entry", "HCM")
    )
    assert outsider.status_code == 403
