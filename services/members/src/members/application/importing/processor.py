"""The background side of an import: validate and stage, then commit in chunks. Resumable by design.

Where it runs: in the members API process, as a task started with the app (`worker.py`);
every API replica runs one and they share the work. An import is held through a
session-level advisory lock on a dedicated connection: if the process dies, PostgreSQL
drops the connection and the lock with it, and the next worker (on restart, or another
replica) picks the import up from its status:
- `uploaded`/`validating`: parse, check and COPY into staging in ONE transaction, so a
  crash leaves nothing half-staged and validation simply runs again;
- `committing`: rows go into the registry in chunks, each chunk one transaction that also
  advances `committed_through`; a resumed import starts after it, and staged member ids are
  fixed, so nobody is inserted twice (ON CONFLICT DO NOTHING guards the rest).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date
from uuid import UUID

from chassis import telemetry
from chassis.database import Database
from chassis.errors import Problem
from sqlalchemy import func, text

from members.adapters.imports import ImportRepository, lock_key
from members.application.importing.reading import read_sheet
from members.application.importing.rows import RowChecker
from members.config import MembersSettings
from members.domain.import_columns import BY_KEY

log = logging.getLogger(__name__)


class _RegistryChanged(Exception):
    pass


class SimulatedCrash(RuntimeError):
    """Raised by tests to stop an import between two committed chunks, as a killed process would."""


def check_rows(checker: RowChecker, first_row: int, rows: list[list]) -> list[tuple]:
    records = []
    for offset, cells in enumerate(rows):
        outcome = checker.check(first_row + offset, cells)
        if outcome is not None:
            records.append(outcome.record)
    return records


def file_problem(code: str, vi: str, en: str, field: str = "file", **extra) -> dict:
    return {"code": code, "field": field, "message_vi": vi, "message_en": en, **extra}


class ImportProcessor:
    def __init__(self, database: Database, settings: MembersSettings, today: date | None = None,
                 crash_after_chunks: int | None = None) -> None:
        self.database, self.settings = database, settings
        self.today = today or date.today()
        self.crash_after_chunks = crash_after_chunks

    async def run_once(self) -> int:
        """Process every waiting import this worker can lock; returns how many it finished a step of."""
        async with self.database.transaction() as session:
            waiting = await ImportRepository(session).waiting()
        done = 0
        for import_id in waiting:
            async with self.database.engine.connect() as holder:
                key = {"key": lock_key(import_id)}
                locked = await holder.scalar(text("SELECT pg_try_advisory_lock(:key)"), key)
                await holder.commit()
                if not locked:
                    continue
                try:
                    await self.process(import_id)
                    done += 1
                finally:
                    await holder.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                    await holder.commit()
        return done

    async def process(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            status = (await ImportRepository(session).load(import_id)).status
        if status in ("uploaded", "validating"):
            status = await self.validate(import_id)
        if status == "committing":
            await self.commit(import_id)

    async def validate(self, import_id: UUID) -> str:
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            row = await imports.load(import_id)
            await imports.set(import_id, status="validating", started_at=func.now())
        began = time.perf_counter()
        try:
            # Parsing and checking is CPU work: a thread keeps the API's event loop answering.
            staged = await asyncio.to_thread(self._check_file, row)
        except Problem as problem:
            async with self.database.transaction() as session:
                await ImportRepository(session).set(
                    import_id, status="rejected", finished_at=func.now(), content=None,
                    problem=file_problem(problem.code, problem.message_vi, problem.message_en, problem.field or "file",
                                         **problem.extra))
            return "rejected"
        header, records = staged
        checked = time.perf_counter()
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            await imports.clear_staging(import_id)
            await imports.copy_staging(records)
            copied = time.perf_counter()
            await imports.mark_duplicates(import_id)
            counts = await imports.staged_counts(import_id)
            log.info("import staged", extra={"fields": {
                "import_id": str(import_id), "rows": counts.total, "check_s": round(checked - began, 2),
                "copy_s": round(copied - checked, 2), "dedupe_s": round(time.perf_counter() - copied, 2)}})
            status = "committing" if row.mode else "validated"
            await imports.set(import_id, status=status, total_rows=counts.total, error_rows=counts.errors,
                              valid_rows=counts.total - counts.errors, warning_rows=counts.warnings,
                              header_map=header, content=None)
        return status

    def _check_file(self, row) -> tuple[dict, list[tuple]]:
        sheet = read_sheet(row.file_kind, row.content)
        missing = [key for key in self.settings.import_required_fields if key not in sheet.mapping.values()]
        if missing:
            names = ", ".join(BY_KEY[key].header for key in missing)
            raise Problem(f"Thiếu cột bắt buộc: {names}", f"Required columns missing: {', '.join(missing)}",
                          code="missing-columns", field="file", extra={"missing": missing})
        non_empty = sum(1 for cells in sheet.rows if any(cell not in (None, "") for cell in cells))
        if non_empty > self.settings.import_max_rows:
            raise Problem(f"Tệp có quá {self.settings.import_max_rows:,} dòng dữ liệu".replace(",", "."),
                          f"The file has more than {self.settings.import_max_rows:,} data rows",
                          code="too-many-rows", field="file")
        checker = RowChecker(row.import_id, row.unit_id, sheet.mapping, self.settings.import_required_fields,
                             self.today)
        records = check_rows(checker, sheet.first_row, sheet.rows)
        if not records:
            raise Problem("Tệp không có dòng dữ liệu nào", "The file has no data rows", code="no-data-rows",
                          field="file")
        header = {"sheet": sheet.name, "header_row": sheet.header_row,
                  "columns": {str(index): key for index, key in sheet.mapping.items()},
                  "headers": [str(cell) for cell in (sheet.headers or [])],
                  "unknown_headers": sheet.unknown_headers}
        return header, records

    async def commit(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            row = await ImportRepository(session).load(import_id)
        if row.mode == "all_or_nothing" and row.error_rows:
            async with self.database.transaction() as session:
                await ImportRepository(session).set(import_id, status="rejected", finished_at=func.now(), problem=(
                    file_problem("import-has-errors",
                                 f"Tệp có {row.error_rows} dòng lỗi nên không nhập dòng nào (chế độ tất cả hoặc không)",
                                 f"The file has {row.error_rows} rows with errors, so nothing was imported "
                                 "(all-or-nothing mode)", error_rows=row.error_rows)))
            return
        chunk_rows = row.total_rows + 1 if row.mode == "all_or_nothing" else self.settings.import_chunk_rows
        started, chunks, this_run = time.perf_counter(), 0, 0
        while True:
            try:
                async with self.database.transaction() as session:
                    imports = ImportRepository(session)
                    row = await imports.load(import_id, for_update=True)
                    through, rows = await imports.chunk_end(import_id, row.committed_through, chunk_rows)
                    if through is None:
                        await imports.set(import_id, status="completed", finished_at=func.now())
                        log.info("import committed", extra={"fields": {
                            "import_id": str(import_id), "rows": this_run,
                            "commit_s": round(time.perf_counter() - started, 2)}})
                        return
                    inserted = await imports.commit_chunk(row, row.committed_through, through,
                                                          telemetry.current_trace_headers())
                    if row.mode == "all_or_nothing" and inserted != row.valid_rows:
                        raise _RegistryChanged()  # rolls the whole import back
                    this_run += rows
                    await imports.set(import_id, committed_through=through, rows_done=row.rows_done + rows,
                                      inserted_rows=row.inserted_rows + inserted,
                                      rows_per_second=round(this_run / max(time.perf_counter() - started, 1e-6), 1))
            except _RegistryChanged:
                await self._conflicted(import_id)
                return
            chunks += 1
            if self.crash_after_chunks is not None and chunks >= self.crash_after_chunks:
                raise SimulatedCrash(import_id)

    async def _conflicted(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            await ImportRepository(session).set(import_id, status="rejected", finished_at=func.now(), problem=(
                file_problem("registry-changed", "Trong lúc nhập, một số người trong tệp đã trở thành đoàn viên ở nơi "
                             "khác; không nhập dòng nào (chế độ tất cả hoặc không)",
                             "While importing, some people in the file became members elsewhere; nothing was "
                             "imported (all-or-nothing mode)")))
