"""Uploading a member list and deciding how to import it; the work itself is the processor's."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from uuid import UUID

from chassis.errors import InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.imports import ImportRepository
from members.application.common import unit_that_admits
from members.application.importing.reading import sniff

MODES = ("valid_rows_only", "all_or_nothing")


def import_not_found(import_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy lần nhập {import_id}", f"Import {import_id} not found", field="import_id")


class ImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.imports = ImportRepository(session)

    async def upload(
        self, principal: Principal, unit_id: UUID, file_name: str, content: bytes, mode: str | None, max_rows: int
    ) -> tuple[Row, bool]:
        """Store the file for the worker; returns (import, created). The same file for the same unit is
        the same import: uploading it again returns the first one and creates nobody twice."""
        await ensure_in_scope(self.session, principal, Permission.MEMBERS_WRITE, unit_id)
        await unit_that_admits(self.session, unit_id)
        kind = await asyncio.to_thread(sniff, file_name, content, max_rows)  # inflating is CPU work
        sha256 = hashlib.sha256(content).hexdigest()
        existing = await self.imports.same_file(principal, unit_id, sha256)
        if existing is not None:
            return existing, False
        import_id = uuid7()
        await self.imports.add(
            import_id=import_id,
            unit_id=unit_id,
            file_sha256=sha256,
            file_name=file_name[:255],
            file_kind=kind,
            content=content,
            status="uploaded",
            mode=mode,
            created_by=principal.username,
        )
        return await self.get(principal, import_id), True

    async def get(self, principal: Principal, import_id: UUID) -> Row:
        row = await self.imports.get(principal, import_id, Permission.MEMBERS_WRITE)
        if row is None:
            raise import_not_found(import_id)
        return row

    async def recent(
        self, principal: Principal, unit_id: UUID, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Row]:
        """The subtree's imports, newest first: an officer who left the page finds their import again."""
        await ensure_in_scope(self.session, principal, Permission.MEMBERS_WRITE, unit_id)
        return await self.imports.recent(principal, unit_id, after, limit)

    async def commit(self, principal: Principal, import_id: UUID, mode: str) -> Row:
        row = await self.imports.get(principal, import_id, Permission.MEMBERS_WRITE, for_update=True)
        if row is None:
            raise import_not_found(import_id)
        if row.status != "validated":
            raise RuleViolation(
                "Chỉ nhập được tệp đã kiểm tra xong và chưa nhập",
                f"Only a validated import can be committed (this one is {row.status})",
                code="import-not-ready",
                field="import_id",
                extra={"status": row.status},
            )
        if mode == "all_or_nothing" and row.error_rows:
            raise InvalidInput(
                f'Tệp có {row.error_rows} dòng lỗi: chế độ "tất cả hoặc không" sẽ không nhập dòng nào',
                f"The file has {row.error_rows} rows with errors: all-or-nothing would import nothing",
                code="import-has-errors",
                field="mode",
                extra={"error_rows": row.error_rows},
            )
        await self.imports.request_commit(principal, import_id, mode)
        return await self.get(principal, import_id)
