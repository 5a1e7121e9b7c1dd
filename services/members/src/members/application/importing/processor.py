"""The background side of an import: check and stage, then commit in chunks. Resumable by design.

Where it runs: in the members API process, as a task started with the app (`worker.py`);
every API replica runs one and they share the work. An import is held through a
session-level advisory lock on a dedicated connection: if the process dies, PostgreSQL
drops the connection and the lock with it, and the next worker (on restart, or another
replica) picks the import up from its status.

The file is parsed and its file-level problems (columns, size) are found first. Then rows are
checked in chunks in a worker thread, each chunk while the database stores the previous one
(the two run on different cores). Two ways on from there:
- mode `valid_rows_only` given at upload (the user accepted that wrong rows are left out before
  seeing them): each chunk is staged and committed into the registry in ONE transaction that
  also advances `staged_through`/`committed_through`; the file is kept until the last chunk, so
  a resumed import re-reads it and goes on after `staged_through`;
- otherwise (preview first, or all-or-nothing): every chunk is staged in ONE transaction, so a
  crash leaves nothing half-staged and validation simply runs again; the commit then inserts
  staged rows chunk by chunk (all-or-nothing: in one transaction), each transaction advancing
  `committed_through`.
Member ids are fixed when rows are staged, and the insert skips a person who is already a member
(ON CONFLICT on the one-person-one-member index), so nobody is inserted twice.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from chassis.database import Database
from chassis.errors import Problem
from contracts.wellknown import vietnamese_today
from prometheus_client import Gauge
from sqlalchemy import Row, text

from members.adapters.import_progress import ImportProgressRepository
from members.adapters.imports import ImportRepository, lock_key
from members.application.importing.reading import MemberSheet, read_sheet
from members.application.importing.rows import ALREADY_A_MEMBER, CheckedChunk, RowChecker, check_chunk
from members.config import MembersSettings
from members.domain.import_columns import BY_KEY
from members.domain.import_jobs import (
    COMMITTING,
    COMPLETED,
    REJECTED,
    checking_status,
    moved,
    needs_checking,
    status_when_staged,
)

log = logging.getLogger(__name__)
# For the "import stuck" alert (deploy/production/monitoring): an import in progress whose rows stopped moving.
IMPORTS_IN_PROGRESS = Gauge("member_imports_in_progress", "Imports this process is validating or committing")
IMPORT_PROGRESS_AT = Gauge(
    "member_import_progress_timestamp_seconds",
    "When an import of this process last moved (started, or rows checked or committed)",
)


class _RegistryChanged(Exception):
    pass


class SimulatedCrash(RuntimeError):
    """Raised by tests to stop an import between two committed chunks, as a killed process would."""


def file_problem(code: str, vi: str, en: str, field: str = "file", **extra) -> dict:
    return {"code": code, "field": field, "message_vi": vi, "message_en": en, **extra}


def no_data_rows() -> Problem:
    return Problem("Tệp không có dòng dữ liệu nào", "The file has no data rows", code="no-data-rows", field="file")


def non_empty_rows(rows: list[list]) -> int:
    # any(cells) settles almost every row at C speed: a truthy cell is never empty. Only rows without one
    # (empty, or holding only zeros or False) are looked at cell by cell.
    return sum(1 for cells in rows if any(cells) or any(cell is not None and cell != "" for cell in cells))


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is parsed and checked.

    A 1,000,000-row file is a million lists that live until the end, and checking rows allocates a few
    containers each: the collector kept walking the growing heap and took ~40 % of the worker's time (parsing
    4.7 s → 1.6 s, checking 43 s → 26 s without it). Reference counting still frees everything that is not a
    cycle; the collector is switched back on (and run once) when the last import in the process ends. It is
    process-wide, so the API's own requests run without it for that long too: what they leave in cycles waits."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        _gc_pauses += 1
        if _gc_pauses == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
                gc.collect()


@dataclass
class _Timings:
    check_s: float = 0.0  # in the worker thread
    store_s: float = 0.0  # registry check, COPY (and commit when streaming), waited for on the event loop


async def pipelined(
    chunks: list[tuple[int, list[list]]],
    check: Callable[[int, list[list]], CheckedChunk],
    store: Callable[[CheckedChunk, asyncio.Task | None], Awaitable[None]],
    timings: _Timings,
    writers: int = 1,
) -> None:
    """check(first_row, rows) of each chunk in a worker thread, one chunk ahead of the database; store(checked,
    previous) on the event loop, up to `writers` chunks at once (each store gets the task storing the chunk before
    it, to commit after it). Stops at the first failure, after the work in flight has ended."""

    def timed_check(first_row: int, rows: list[list]) -> CheckedChunk:
        began = time.perf_counter()
        try:
            return check(first_row, rows)
        finally:
            timings.check_s += time.perf_counter() - began

    async def timed_store(checked: CheckedChunk, previous: asyncio.Task | None) -> None:
        began = time.perf_counter()
        try:
            await store(checked, previous)
        finally:
            timings.store_s += time.perf_counter() - began

    checking: asyncio.Future | None = None
    storing: list[asyncio.Task] = []
    try:
        for index in range(len(chunks)):
            checked = await (checking or asyncio.to_thread(timed_check, *chunks[index]))
            checking = (
                asyncio.ensure_future(asyncio.to_thread(timed_check, *chunks[index + 1]))
                if index + 1 < len(chunks)
                else None
            )
            while len(storing) >= writers:
                await storing.pop(0)
            storing.append(asyncio.ensure_future(timed_store(checked, storing[-1] if storing else None)))
        while storing:
            await storing.pop(0)
    finally:
        # Never leave a thread checking (and touching shared state) or a chunk storing behind.
        await asyncio.gather(*([checking] if checking else []), *storing, return_exceptions=True)


class ImportProcessor:
    def __init__(
        self,
        database: Database,
        settings: MembersSettings,
        today: date | None = None,
        crash_after_chunks: int | None = None,
    ) -> None:
        self.database, self.settings = database, settings
        self.today = today or vietnamese_today()
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
        IMPORT_PROGRESS_AT.set_to_current_time()
        with IMPORTS_IN_PROGRESS.track_inprogress():
            await self._process(import_id)

    async def _process(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            row = await ImportRepository(session).load(import_id)
            file_kept = row.status == COMMITTING and await ImportRepository(session).file_kept(import_id)
        status = row.status
        if needs_checking(status, file_kept):
            status = await self.validate(import_id)
        if status == COMMITTING:
            await self.commit(import_id)

    async def validate(self, import_id: UUID) -> str:
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            row = await imports.load(import_id, with_content=True)
            streaming = checking_status(row.mode) == COMMITTING
            if row.status != COMMITTING:
                await ImportProgressRepository(session).started(import_id, moved(row.status, checking_status(row.mode)))
        with gc_paused():
            began = time.perf_counter()
            try:
                # Parsing is CPU work: a thread keeps the API's event loop answering.
                sheet, header = await asyncio.to_thread(self._read_file, row)
            except Problem as problem:
                await self._reject(import_id, problem)
                return REJECTED
            checker = RowChecker(
                row.import_id, row.unit_id, sheet.mapping, self.settings.import_required_fields, self.today
            )
            size = max(1, self.settings.import_chunk_rows)
            skip = max(0, row.staged_through - sheet.first_row + 1)  # rows a crashed run staged (streaming only)
            chunks = [
                (sheet.first_row + start, sheet.rows[start : start + size])
                for start in range(skip, len(sheet.rows), size)
            ]
            if streaming:
                return await self._check_and_commit(row, header, checker, chunks, began)
            return await self._check_and_stage(row, header, checker, chunks, began)

    def _read_file(self, row: Row) -> tuple[MemberSheet, dict]:
        sheet = read_sheet(row.file_kind, row.content, self.settings.import_max_rows)
        missing = [key for key in self.settings.import_required_fields if key not in sheet.mapping.values()]
        if missing:
            names = ", ".join(BY_KEY[key].header for key in missing)
            raise Problem(
                f"Thiếu cột bắt buộc: {names}",
                f"Required columns missing: {', '.join(missing)}",
                code="missing-columns",
                field="file",
                extra={"missing": missing},
            )
        if non_empty_rows(sheet.rows) > self.settings.import_max_rows:
            raise Problem(
                f"Tệp có quá {self.settings.import_max_rows:,} dòng dữ liệu".replace(",", "."),
                f"The file has more than {self.settings.import_max_rows:,} data rows",
                code="too-many-rows",
                field="file",
            )
        header = {
            "sheet": sheet.name,
            "header_row": sheet.header_row,
            "columns": {str(index): key for index, key in sheet.mapping.items()},
            "headers": [str(cell) for cell in (sheet.headers or [])],
            "unknown_headers": sheet.unknown_headers,
        }
        return sheet, header

    async def _check_and_stage(
        self, row: Row, header: dict, checker: RowChecker, chunks: list[tuple[int, list[list]]], began: float
    ) -> str:
        """Check every row and stage it, in one transaction; then wait for a mode or commit."""
        import_id, first_seen, timings = row.import_id, {}, _Timings()
        totals = {"rows": 0, "errors": 0, "warnings": 0}
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            await imports.clear_staging(import_id)

            expected = sum(len(rows) for _, rows in chunks)
            await self._report_progress(import_id, 0, expected, began)

            async def store(checked: CheckedChunk, previous: asyncio.Task | None) -> None:
                checked.mark_already_members(await imports.already_members(import_id, checked.id_numbers()))
                checked.mark_vpoint_taken(await imports.vpoint_taken(import_id, checked.vpoint_codes()))
                if checked.records:
                    await imports.copy_staging(checked.records)
                totals["rows"] += len(checked.records)
                totals["errors"] += checked.error_rows
                totals["warnings"] += checked.warning_rows
                await self._report_progress(import_id, totals["rows"], max(expected, totals["rows"]), began)

            await pipelined(chunks, lambda first, rows: check_chunk(checker, first_seen, first, rows), store, timings)
            progress = ImportProgressRepository(session)
            if not totals["rows"]:
                await progress.rejected(import_id, _problem_of(no_data_rows()))
                return REJECTED
            status = moved(checking_status(row.mode), status_when_staged(row.mode))
            await progress.staged(
                import_id,
                status,
                rows=totals["rows"],
                errors=totals["errors"],
                warnings=totals["warnings"],
                header=header,
            )
        log.info(
            "import staged",
            extra={
                "fields": {
                    "import_id": str(import_id),
                    "rows": totals["rows"],
                    "seconds": round(time.perf_counter() - began, 2),
                    "check_s": round(timings.check_s, 2),
                    "store_s": round(timings.store_s, 2),
                }
            },
        )
        return status

    async def _report_progress(self, import_id: UUID, rows_done: int, total_rows: int, began: float) -> None:
        """Rows checked so far, in a transaction of its own: the staging transaction is invisible until its end,
        and the officer's progress bar follows this row while the check runs."""
        IMPORT_PROGRESS_AT.set_to_current_time()
        async with self.database.transaction() as session:
            await ImportProgressRepository(session).checked(
                import_id,
                rows_done,
                total_rows,
                round(rows_done / max(time.perf_counter() - began, 1e-6), 1) if rows_done else None,
            )

    async def _check_and_commit(
        self, row: Row, header: dict, checker: RowChecker, chunks: list[tuple[int, list[list]]], began: float
    ) -> str:
        """valid_rows_only given at upload: each chunk is checked, staged and committed in one transaction."""
        import_id, timings = row.import_id, _Timings()
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            if row.staged_through:  # resuming: later rows are checked against the ID numbers staged already
                first_seen = await imports.first_rows_of_id_numbers(import_id)
            else:
                first_seen = {}
                await imports.clear_staging(import_id)
                await ImportProgressRepository(session).streaming_started(
                    import_id, header, chunks[0][0] - 1 if chunks else 0
                )
        this_run, chunks_done = 0, 0

        async def store(checked: CheckedChunk, previous: asyncio.Task | None) -> None:
            # Chunks are stored two at a time (separate transactions, two cores): each commits only after the one
            # before it has, and rolls back when that one failed, so `staged_through` never jumps over a chunk.
            # The same ID number never goes into two chunks (the second is a duplicate in the file), so the two
            # never wait for each other inside PostgreSQL.
            nonlocal this_run, chunks_done
            async with self.database.transaction() as session:
                imports = ImportRepository(session)
                inserted = already = 0
                if checked.records:
                    checked.mark_vpoint_taken(await imports.vpoint_taken(import_id, checked.vpoint_codes()))
                    await imports.copy_staging(checked.records)
                    # People already in the registry: the insert skips them (ON CONFLICT on the one-person index),
                    # and the rows it skipped get the error, rather than asking the registry about every row first.
                    inserted = await imports.commit_chunk(row, checked.first_row - 1, checked.through)
                    if inserted < len(checked.records) - checked.error_rows:
                        already = await imports.mark_not_inserted(
                            import_id, checked.first_row - 1, checked.through, ALREADY_A_MEMBER
                        )
                if previous is not None:
                    await previous
                progress = await imports.load(import_id, for_update=True)
                if progress.staged_through != checked.first_row - 1:
                    raise RuntimeError(f"import {import_id}: chunk from row {checked.first_row} out of order")
                rows, errors = len(checked.records), checked.error_rows + already
                this_run += rows
                await ImportProgressRepository(session).advanced(
                    import_id,
                    staged_through=checked.through,
                    committed_through=checked.through,
                    total_rows=progress.total_rows + rows,
                    error_rows=progress.error_rows + errors,
                    valid_rows=progress.valid_rows + rows - errors,
                    warning_rows=progress.warning_rows + checked.warning_rows,
                    rows_done=progress.rows_done + rows,
                    inserted_rows=progress.inserted_rows + inserted,
                    rows_per_second=round(this_run / max(time.perf_counter() - began, 1e-6), 1),
                )
            chunks_done += 1
            IMPORT_PROGRESS_AT.set_to_current_time()
            if self.crash_after_chunks is not None and chunks_done >= self.crash_after_chunks:
                raise SimulatedCrash(import_id)

        await pipelined(
            chunks,
            lambda first, rows: check_chunk(checker, first_seen, first, rows),
            store,
            timings,
            writers=max(1, self.settings.import_parallel_chunks),
        )
        async with self.database.transaction() as session:
            imports = ImportRepository(session)
            done = await imports.load(import_id, for_update=True)
            progress = ImportProgressRepository(session)
            if not done.total_rows:
                await progress.rejected(import_id, _problem_of(no_data_rows()))
                return REJECTED
            await progress.completed(import_id, drop_file=True)
        log.info(
            "import checked and committed",
            extra={
                "fields": {
                    "import_id": str(import_id),
                    "rows": this_run,
                    "seconds": round(time.perf_counter() - began, 2),
                    "check_s": round(timings.check_s, 2),
                    "store_s": round(timings.store_s, 2),
                }
            },
        )
        return COMPLETED

    async def _reject(self, import_id: UUID, problem: Problem) -> None:
        async with self.database.transaction() as session:
            await ImportProgressRepository(session).rejected(import_id, _problem_of(problem))

    async def commit(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            row = await ImportRepository(session).load(import_id)
        if row.mode == "all_or_nothing" and row.error_rows:
            async with self.database.transaction() as session:
                await ImportProgressRepository(session).rejected(
                    import_id,
                    file_problem(
                        "import-has-errors",
                        f"Tệp có {row.error_rows} dòng lỗi nên không nhập dòng nào (chế độ tất cả hoặc không)",
                        f"The file has {row.error_rows} rows with errors, "
                        "so nothing was imported (all-or-nothing mode)",
                        error_rows=row.error_rows,
                    ),
                    drop_file=False,
                )
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
                        await ImportProgressRepository(session).completed(import_id, drop_file=False)
                        log.info(
                            "import committed",
                            extra={
                                "fields": {
                                    "import_id": str(import_id),
                                    "rows": this_run,
                                    "commit_s": round(time.perf_counter() - started, 2),
                                }
                            },
                        )
                        return
                    inserted = await imports.commit_chunk(row, row.committed_through, through)
                    if row.mode == "all_or_nothing" and inserted != row.valid_rows:
                        raise _RegistryChanged()  # rolls the whole import back
                    this_run += rows
                    IMPORT_PROGRESS_AT.set_to_current_time()
                    await ImportProgressRepository(session).advanced(
                        import_id,
                        committed_through=through,
                        rows_done=row.rows_done + rows,
                        inserted_rows=row.inserted_rows + inserted,
                        rows_per_second=round(this_run / max(time.perf_counter() - started, 1e-6), 1),
                    )
            except _RegistryChanged:
                await self._conflicted(import_id)
                return
            chunks += 1
            if self.crash_after_chunks is not None and chunks >= self.crash_after_chunks:
                raise SimulatedCrash(import_id)

    async def _conflicted(self, import_id: UUID) -> None:
        async with self.database.transaction() as session:
            await ImportProgressRepository(session).rejected(
                import_id,
                file_problem(
                    "registry-changed",
                    "Trong lúc nhập, một số người trong tệp đã trở thành đoàn viên ở nơi khác; không "
                    "nhập dòng nào (chế độ tất cả hoặc không)",
                    "While importing, some people in the file became members "
                    "elsewhere; nothing was imported (all-or-nothing mode)",
                ),
                drop_file=False,
            )


def _problem_of(problem: Problem) -> dict:
    return file_problem(problem.code, problem.message_vi, problem.message_en, problem.field or "file", **problem.extra)
