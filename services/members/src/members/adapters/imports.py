"""SQL of imports: the imports table, the staging rows (filled by COPY) and the set-based commit.

The worker that runs these has no principal: the principal was checked against the
import's unit when the file was uploaded, and the import row carries that unit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from chassis.database import raw_connection
from chassis.principal import Principal
from chassis.scope import in_subtree, restrict_to_scope, unscoped
from contracts.events.members_member_v1 import MemberCreated
from contracts.permissions import Permission
from sqlalchemy import Row, func, insert, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.event_rows import SNAPSHOT_SQL, record_changes
from members.adapters.tables import member_import_rows, member_imports
from members.domain.import_jobs import WAITING_FOR_WORKER

# The order of the staging columns in COPY, and of the tuples the row checker makes.
STAGED_COLUMNS = (
    "import_id",
    "row_number",
    "member_id",
    "original",
    "name_search",
    "full_name",
    "gender",
    "date_of_birth",
    "id_kind",
    "id_number",
    "id_issued_on",
    "id_issued_place",
    "joined_on",
    "position",
    "phone",
    "email",
    "hometown",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "employer",
    "nationality",
    "card_type",
    "vpoint_code",
    "errors",
    "warnings",
)

_MEMBER_COLUMNS = (
    "full_name",
    "name_search",
    "gender",
    "date_of_birth",
    "id_kind",
    "id_number",
    "id_issued_on",
    "id_issued_place",
    "joined_on",
    "position",
    "phone",
    "email",
    "hometown",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "employer",
    "nationality",
    "card_type",
    "vpoint_code",
)

# The valid staged rows of a range become pending members. The conflict target is the one-person-one-member index:
# a person who is (or meanwhile became) a member elsewhere is skipped, never doubled; any other unique violation is
# a bug and fails the chunk. It returns what the history state and the MemberCreated event need.
_INSERT_CHUNK = f"""
INSERT INTO members (member_id, unit_id, status, version, created_by, import_id, {", ".join(_MEMBER_COLUMNS)})
SELECT r.member_id, $1, 'pending', 1, $2, r.import_id, {", ".join("r." + c for c in _MEMBER_COLUMNS)}
FROM member_import_rows r
WHERE r.import_id = $3 AND r.row_number > $4 AND r.row_number <= $5 AND r.errors = '[]'::jsonb
ORDER BY r.row_number
ON CONFLICT (id_number) WHERE status NOT IN ('removed', 'rejected') DO NOTHING
RETURNING {SNAPSHOT_SQL}
"""
_ALREADY_MEMBERS = text("""
SELECT id_number FROM members
WHERE id_number = ANY(:id_numbers) AND status NOT IN ('removed', 'rejected')
  AND import_id IS DISTINCT FROM :import_id
""")

_VPOINT_TAKEN = text("""
SELECT vpoint_code FROM members
WHERE vpoint_code = ANY(:codes) AND status NOT IN ('removed', 'rejected')
  AND import_id IS DISTINCT FROM :import_id
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
        query = select(member_imports).where(
            member_imports.c.unit_id == unit_id, member_imports.c.file_sha256 == sha256
        )
        return (
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)
            )
        ).one_or_none()

    async def get(
        self, principal: Principal, import_id: UUID, permission: Permission, for_update: bool = False
    ) -> Row | None:
        query = restrict_to_scope(
            select(member_imports).where(member_imports.c.import_id == import_id),
            principal,
            permission,
            member_imports.c.unit_id,
        )
        return (await self.session.execute(query.with_for_update() if for_update else query)).one_or_none()

    async def recent(
        self, principal: Principal, unit_id: UUID, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]:
        """Imports into the unit's subtree, newest first, without their files."""
        shown = [column for column in member_imports.c if column.name != "content"]
        query = select(*shown).where(in_subtree(member_imports.c.unit_id, unit_id))
        if after is not None:
            query = query.where(tuple_(member_imports.c.created_at, member_imports.c.import_id) < after)
        query = query.order_by(member_imports.c.created_at.desc(), member_imports.c.import_id.desc()).limit(limit)
        query = restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)
        return list(await self.session.execute(query))

    async def request_commit(self, principal: Principal, import_id: UUID, mode: str) -> None:
        await self.session.execute(
            restrict_to_scope(
                update(member_imports).where(member_imports.c.import_id == import_id),
                principal,
                Permission.MEMBERS_WRITE,
                member_imports.c.unit_id,
            ).values(status="committing", mode=mode)
        )
        await self.session.execute(text("SELECT pg_notify('member_imports', :id)"), {"id": str(import_id)})

    async def staged_rows(self, principal: Principal, import_id: UUID, only: str, after: int, limit: int) -> list[Row]:
        query = (
            select(
                member_import_rows.c.row_number,
                member_import_rows.c.original,
                member_import_rows.c.errors,
                member_import_rows.c.warnings,
                member_import_rows.c.full_name,
                member_import_rows.c.id_number,
            )
            .join(member_imports, member_imports.c.import_id == member_import_rows.c.import_id)
            .where(member_import_rows.c.import_id == import_id, member_import_rows.c.row_number > after)
            .order_by(member_import_rows.c.row_number)
            .limit(limit)
        )
        if only == "errors":
            query = query.where(member_import_rows.c.errors != text("'[]'::jsonb"))
        elif only == "warnings":
            query = query.where(member_import_rows.c.warnings != text("'[]'::jsonb"))
        return list(
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)
            )
        )

    # --- the worker's side: no principal, the import row carries its unit ---

    @unscoped("the import worker picks up work of every unit; the unit was checked at upload")
    async def waiting(self) -> list[UUID]:
        rows = await self.session.scalars(
            select(member_imports.c.import_id)
            .where(member_imports.c.status.in_(WAITING_FOR_WORKER))
            .order_by(member_imports.c.created_at)
        )
        return list(rows)

    @unscoped("the import worker reads the import it holds the lock of")
    async def load(self, import_id: UUID, for_update: bool = False, with_content: bool = False) -> Row:
        """The import row; the file itself (`content`, up to 64 MB) only when asked for."""
        columns = member_imports.c if with_content else [c for c in member_imports.c if c.name != "content"]
        query = select(*columns).where(member_imports.c.import_id == import_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).one()

    @unscoped("the import worker reads the import it holds the lock of")
    async def file_kept(self, import_id: UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(member_imports.c.content.isnot(None)).where(member_imports.c.import_id == import_id)
            )
        )

    @unscoped("staging rows of the import the worker holds the lock of")
    async def clear_staging(self, import_id: UUID) -> None:
        await self.session.execute(member_import_rows.delete().where(member_import_rows.c.import_id == import_id))

    async def copy_staging(self, records: Iterable[tuple]) -> None:
        """COPY into the staging table inside the session's transaction (asyncpg's binary COPY)."""
        await (await raw_connection(self.session)).copy_records_to_table(
            "member_import_rows", records=records, columns=list(STAGED_COLUMNS)
        )

    @unscoped("one person is one member nationally: the whole registry is checked, only yes/no is kept")
    async def already_members(self, import_id: UUID, id_numbers: list[str]) -> set[str]:
        """Which of these ID numbers belong to members (not removed or rejected) who did not come from this
        import (its own rows of earlier chunks are duplicates in the file, marked as such already)."""
        if not id_numbers:
            return set()
        return set(await self.session.scalars(_ALREADY_MEMBERS, {"id_numbers": id_numbers, "import_id": import_id}))

    @unscoped("a Vpoint code is unique nationally: the whole registry is checked, only yes/no is kept")
    async def vpoint_taken(self, import_id: UUID, codes: list[str]) -> set[str]:
        """Which of these Vpoint codes members (not removed or rejected, not from this import) hold already."""
        if not codes:
            return set()
        return set(await self.session.scalars(_VPOINT_TAKEN, {"codes": codes, "import_id": import_id}))

    @unscoped("staging rows of the import the worker holds the lock of")
    async def first_rows_of_id_numbers(self, import_id: UUID) -> dict[str, int]:
        """Each staged ID number and the first row holding it: what a resumed import checks later rows against."""
        rows = await self.session.execute(
            text("""
            SELECT id_number, min(row_number) FROM member_import_rows
            WHERE import_id = :import_id AND id_number IS NOT NULL GROUP BY id_number"""),
            {"import_id": import_id},
        )
        return {id_number: first for id_number, first in rows}

    @unscoped("staging rows of the import the worker holds the lock of")
    async def chunk_end(self, import_id: UUID, after: int, rows: int) -> tuple[int | None, int]:
        row = (
            await self.session.execute(
                text("""
            SELECT max(row_number), count(*) FROM (
                SELECT row_number FROM member_import_rows
                WHERE import_id = :import_id AND row_number > :after ORDER BY row_number LIMIT :rows) chunk"""),
                {"import_id": import_id, "after": after, "rows": rows},
            )
        ).one()
        return row[0], row[1]

    @unscoped("inserts the staged rows into the unit checked with ensure_in_scope when the file was uploaded")
    async def commit_chunk(self, import_row: Row, after: int, through: int) -> int:
        """The valid staged rows after `after` up to `through` become pending members, each with its history row
        and MemberCreated outbox row, in the session's transaction; returns how many were inserted."""
        raw = await raw_connection(self.session)
        # For this transaction: a bigger GIN pending list, so the name index takes 50,000 names in a few big
        # merges instead of many small ones; and room to sort a chunk's staged rows in memory.
        await raw.execute("SET LOCAL gin_pending_list_limit = '32MB'; SET LOCAL work_mem = '64MB'")
        inserted = await raw.fetch(
            _INSERT_CHUNK, import_row.unit_id, import_row.created_by, import_row.import_id, after, through
        )
        await record_changes(
            self.session,
            inserted,
            change="created",
            changed_by=import_row.created_by,
            acting_for=None,
            reason=None,
            details={"import_id": str(import_row.import_id)},
            event_type=MemberCreated.event_type,
            event_fields={},
        )
        return len(inserted)

    @unscoped("staging rows of the import the worker holds the lock of")
    async def mark_not_inserted(self, import_id: UUID, after: int, through: int, problem: dict) -> int:
        """Valid staged rows of this range that the commit skipped (someone already holds the ID number) get
        `problem`; returns how many. Run in the commit's transaction, after it."""
        return (
            await self.session.execute(
                text("""
            UPDATE member_import_rows r SET errors = r.errors || jsonb_build_array(CAST(:problem AS jsonb))
            WHERE r.import_id = :import_id AND r.row_number > :after AND r.row_number <= :through
              AND r.errors = '[]'::jsonb AND NOT EXISTS (SELECT 1 FROM members m WHERE m.member_id = r.member_id)"""),
                {"import_id": import_id, "after": after, "through": through, "problem": json.dumps(problem)},
            )
        ).rowcount

    @unscoped("the validation report of the import being read, its scope checked by the caller")
    async def report_rows(self, import_id: UUID, after: int, limit: int) -> list[Row]:
        return list(
            await self.session.execute(
                select(
                    member_import_rows.c.row_number,
                    member_import_rows.c.original,
                    member_import_rows.c.errors,
                    member_import_rows.c.warnings,
                )
                .where(member_import_rows.c.import_id == import_id, member_import_rows.c.row_number > after)
                .order_by(member_import_rows.c.row_number)
                .limit(limit)
            )
        )

    async def page(self, principal: Principal, unit_id: UUID | None, after: str | None, limit: int) -> list[Row]:
        query = (
            select(*[c for c in member_imports.c if c.name != "content"])
            .order_by(member_imports.c.created_at.desc(), member_imports.c.import_id)
            .limit(limit)
        )
        if unit_id:
            query = query.where(member_imports.c.unit_id == unit_id)
        if after:
            query = query.where(member_imports.c.created_at < func.cast(after, member_imports.c.created_at.type))
        return list(
            await self.session.execute(
                restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, member_imports.c.unit_id)
            )
        )
