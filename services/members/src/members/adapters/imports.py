"""SQL of imports: the imports table, the staging rows (filled by COPY) and the set-based commit.

The worker that runs these has no principal: the principal was checked against the
import's unit when the file was uploaded, and the import row carries that unit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from contracts.events.members_member_v1 import TOPIC
from contracts.permissions import Permission
from sqlalchemy import Row, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import member_import_rows, member_imports

# The order of the staging columns in COPY, and of the tuples the row checker makes.
STAGED_COLUMNS = (
    "import_id", "row_number", "original", "name_search", "full_name", "gender", "date_of_birth",
    "id_kind", "id_number", "id_issued_on", "id_issued_place", "joined_on", "position", "phone", "email", "hometown",
    "ethnicity", "religion", "education", "occupation", "employer", "nationality", "card_type", "vpoint_code",
    "errors", "warnings",
)

_SNAPSHOT = """json_build_object(
    'member_id', m.member_id, 'unit_id', m.unit_id, 'status', m.status, 'full_name', m.full_name,
    'gender', m.gender, 'date_of_birth', m.date_of_birth, 'member_code', m.member_code,
    'joined_on', m.joined_on, 'position', m.position, 'card_type', m.card_type,
    'is_foreign', m.nationality <> 'VN', 'has_photo', m.has_photo, 'version', m.version)"""

_MEMBER_COLUMNS = ("full_name", "name_search", "gender", "date_of_birth", "id_kind", "id_number", "id_issued_on",
                   "id_issued_place", "joined_on", "position", "phone", "email", "hometown", "ethnicity", "religion",
                   "education", "occupation", "employer", "nationality", "card_type", "vpoint_code")

# One statement per chunk: the members, their history rows and their MemberCreated outbox rows.
# ON CONFLICT DO NOTHING: a person who became a member meanwhile elsewhere is skipped, never doubled.
_COMMIT_CHUNK = text(f"""
WITH inserted AS (
    INSERT INTO members (member_id, unit_id, status, version, created_by, import_id, {", ".join(_MEMBER_COLUMNS)})
    SELECT r.member_id, :unit_id, 'pending', 1, :created_by, r.import_id, {", ".join("r." + c for c in _MEMBER_COLUMNS)}
    FROM member_import_rows r
    WHERE r.import_id = :import_id AND r.row_number > :after AND r.row_number <= :through
      AND r.errors = '[]'::jsonb
    ORDER BY r.row_number
    ON CONFLICT DO NOTHING
    RETURNING *
), history AS (
    INSERT INTO member_history (member_id, version, change, state, changed_by, details)
    SELECT m.member_id, 1, 'created', CAST({_SNAPSHOT} AS jsonb), :created_by,
           jsonb_build_object('import_id', CAST(:import_id AS text))
    FROM inserted m
), outbox AS (
    INSERT INTO outbox_events (event_id, topic, message_key, event_type, payload, trace_headers, occurred_at)
    SELECT gen_random_uuid(), '{TOPIC}', CAST(m.member_id AS text), 'members.member.created',
           CAST(json_build_object('member_id', m.member_id, 'member', {_SNAPSHOT}) AS text),
           CAST(:trace_headers AS jsonb), now()
    FROM inserted m
)
SELECT count(*) FROM inserted
""")

_DUPLICATES_IN_FILE = text("""
UPDATE member_import_rows r
SET errors = r.errors || jsonb_build_array(jsonb_build_object(
    'field', 'id_number', 'code', 'duplicate-in-file',
    'message_vi', 'Trùng số giấy tờ với dòng ' || d.first_row || ' trong cùng tệp',
    'message_en', 'Same ID number as row ' || d.first_row || ' of this file'))
FROM (
    SELECT row_number, min(row_number) OVER (PARTITION BY id_number) AS first_row
    FROM member_import_rows WHERE import_id = :import_id AND id_number IS NOT NULL
) d
WHERE r.import_id = :import_id AND r.row_number = d.row_number AND d.first_row < d.row_number
""")

_ALREADY_MEMBERS = text("""
UPDATE member_import_rows r
SET errors = r.errors || jsonb_build_array(jsonb_build_object(
    'field', 'id_number', 'code', 'already-a-member',
    'message_vi', 'Người này đã là đoàn viên (ở đơn vị này hoặc đơn vị khác); nếu đổi nơi làm việc hãy làm thủ tục '
                  || 'chuyển sinh hoạt',
    'message_en', 'This person is already a member (here or in another unit); if they changed workplace, '
                  || 'request a transfer'))
FROM members m
WHERE r.import_id = :import_id AND m.id_number = r.id_number AND m.status NOT IN ('removed', 'rejected')
""")


def lock_key(import_id: UUID) -> int:
    return int.from_bytes(import_id.bytes[:8], "big", signed=True)


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values) -> None:
        await self.session.execute(insert(member_imports).values(**values))
        await self.session.execute(text("SELECT pg_notify('member_imports', :id)"), {"id": str(values["import_id"])})

    async def same_file(self, principal: Principal, unit_id: UUID, sha256: str) -> Row | None:
        query = select(member_imports).where(member_imports.c.unit_id == unit_id,
                                             member_imports.c.file_sha256 == sha256)
        return (await self.session.execute(
            restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id))).one_or_none()

    async def get(self, principal: Principal, import_id: UUID, permission: Permission,
                  for_update: bool = False) -> Row | None:
        query = restrict_to_scope(select(member_imports).where(member_imports.c.import_id == import_id),
                                  principal, permission, member_imports.c.unit_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).one_or_none()

    async def request_commit(self, principal: Principal, import_id: UUID, mode: str) -> None:
        await self.session.execute(restrict_to_scope(
            update(member_imports).where(member_imports.c.import_id == import_id),
            principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id,
        ).values(status="committing", mode=mode))
        await self.session.execute(text("SELECT pg_notify('member_imports', :id)"), {"id": str(import_id)})

    async def staged_rows(self, principal: Principal, import_id: UUID, only: str, after: int, limit: int) -> list[Row]:
        query = (
            select(member_import_rows.c.row_number, member_import_rows.c.original, member_import_rows.c.errors,
                   member_import_rows.c.warnings, member_import_rows.c.full_name, member_import_rows.c.id_number)
            .join(member_imports, member_imports.c.import_id == member_import_rows.c.import_id)
            .where(member_import_rows.c.import_id == import_id, member_import_rows.c.row_number > after)
            .order_by(member_import_rows.c.row_number).limit(limit)
        )
        if only == "errors":
            query = query.where(member_import_rows.c.errors != text("'[]'::jsonb"))
        elif only == "warnings":
            query = query.where(member_import_rows.c.warnings != text("'[]'::jsonb"))
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)))

    # --- the worker's side: no principal, the import row carries its unit ---

    @unscoped("the import worker picks up work of every unit; the unit was checked at upload")
    async def waiting(self) -> list[UUID]:
        rows = await self.session.scalars(
            select(member_imports.c.import_id)
            .where(member_imports.c.status.in_(("uploaded", "validating", "committing")))
            .order_by(member_imports.c.created_at))
        return list(rows)

    @unscoped("the import worker reads the import it holds the lock of")
    async def load(self, import_id: UUID, for_update: bool = False) -> Row:
        query = select(member_imports).where(member_imports.c.import_id == import_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).one()

    @unscoped("the import worker updates the import it holds the lock of")
    async def set(self, import_id: UUID, **values) -> None:
        await self.session.execute(
            update(member_imports).where(member_imports.c.import_id == import_id).values(**values))

    @unscoped("staging rows of the import the worker holds the lock of")
    async def clear_staging(self, import_id: UUID) -> None:
        await self.session.execute(member_import_rows.delete().where(member_import_rows.c.import_id == import_id))

    async def copy_staging(self, records: Iterable[tuple]) -> None:
        """COPY into the staging table inside the session's transaction (asyncpg's binary COPY)."""
        connection = await (await self.session.connection()).get_raw_connection()
        await connection.driver_connection.copy_records_to_table(
            "member_import_rows", records=records, columns=list(STAGED_COLUMNS))

    @unscoped("one person is one member nationally: the whole registry is checked, only yes/no is kept")
    async def mark_duplicates(self, import_id: UUID) -> None:
        await self.session.execute(_DUPLICATES_IN_FILE, {"import_id": import_id})
        await self.session.execute(_ALREADY_MEMBERS, {"import_id": import_id})

    @unscoped("staging rows of the import the worker holds the lock of")
    async def staged_counts(self, import_id: UUID) -> Row:
        return (await self.session.execute(text("""
            SELECT count(*) AS total, count(*) FILTER (WHERE errors <> '[]'::jsonb) AS errors,
                   count(*) FILTER (WHERE warnings <> '[]'::jsonb) AS warnings
            FROM member_import_rows WHERE import_id = :import_id"""), {"import_id": import_id})).one()

    @unscoped("staging rows of the import the worker holds the lock of")
    async def chunk_end(self, import_id: UUID, after: int, rows: int) -> tuple[int | None, int]:
        row = (await self.session.execute(text("""
            SELECT max(row_number), count(*) FROM (
                SELECT row_number FROM member_import_rows
                WHERE import_id = :import_id AND row_number > :after ORDER BY row_number LIMIT :rows) chunk"""),
            {"import_id": import_id, "after": after, "rows": rows})).one()
        return row[0], row[1]

    @unscoped("inserts the staged rows into the unit checked with ensure_in_scope when the file was uploaded")
    async def commit_chunk(self, import_row: Row, after: int, through: int, trace_headers: dict) -> int:
        # A bigger GIN pending list for this transaction: the name index takes 50,000 names in a few big
        # merges instead of many small ones.
        await self.session.execute(text("SET LOCAL gin_pending_list_limit = '32MB'"))
        return int(await self.session.scalar(_COMMIT_CHUNK, {
            "import_id": import_row.import_id, "unit_id": import_row.unit_id, "created_by": import_row.created_by,
            "after": after, "through": through, "trace_headers": json.dumps(trace_headers),
        }))

    @unscoped("the validation report of the import being read, its scope checked by the caller")
    async def report_rows(self, import_id: UUID, after: int, limit: int) -> list[Row]:
        return list(await self.session.execute(
            select(member_import_rows.c.row_number, member_import_rows.c.original, member_import_rows.c.errors,
                   member_import_rows.c.warnings)
            .where(member_import_rows.c.import_id == import_id, member_import_rows.c.row_number > after)
            .order_by(member_import_rows.c.row_number).limit(limit)))

    async def page(self, principal: Principal, unit_id: UUID | None, after: str | None, limit: int) -> list[Row]:
        query = select(*[c for c in member_imports.c if c.name != "content"]).order_by(
            member_imports.c.created_at.desc(), member_imports.c.import_id).limit(limit)
        if unit_id:
            query = query.where(member_imports.c.unit_id == unit_id)
        if after:
            query = query.where(member_imports.c.created_at < func.cast(after, member_imports.c.created_at.type))
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)))
