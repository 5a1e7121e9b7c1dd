"""Where an import stands: its status and the counters the officer's progress bar follows, on `member_imports`.

The worker's staging and committing SQL is in `imports.py`; this is the one place that moves an import's status
and writes its progress. Each call runs in the session it is given: the worker decides which transaction (the
chunk's own, or one of its own so the progress shows while a long transaction runs).
"""

from __future__ import annotations

from uuid import UUID

from chassis.scope import unscoped
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.tables import member_imports
from members.domain.import_jobs import COMPLETED, REJECTED


class ImportProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the import worker writes the progress of the import it holds the lock of")
    async def _set(self, import_id: UUID, **values) -> None:
        await self.session.execute(
            update(member_imports).where(member_imports.c.import_id == import_id).values(**values)
        )

    async def started(self, import_id: UUID, status: str) -> None:
        await self._set(import_id, status=status, started_at=func.now())

    async def checked(self, import_id: UUID, rows_done: int, total_rows: int, rows_per_second: float | None) -> None:
        await self._set(import_id, rows_done=rows_done, total_rows=total_rows, rows_per_second=rows_per_second)

    async def staged(
        self, import_id: UUID, status: str, *, rows: int, errors: int, warnings: int, header: dict
    ) -> None:
        """Every row checked and staged; the file is no longer needed. rows_done starts again from 0: from here it
        counts the rows committed."""
        await self._set(
            import_id,
            status=status,
            total_rows=rows,
            error_rows=errors,
            valid_rows=rows - errors,
            warning_rows=warnings,
            header_map=header,
            content=None,
            rows_done=0,
            rows_per_second=None,
        )

    async def streaming_started(self, import_id: UUID, header: dict, staged_through: int) -> None:
        """staged_through: the last row of the file dealt with; the header row to begin with."""
        await self._set(import_id, header_map=header, staged_through=staged_through)

    async def advanced(self, import_id: UUID, **counters) -> None:
        """The counters of a chunk checked, staged or committed (`staged_through`, `committed_through`, rows…)."""
        await self._set(import_id, **counters)

    async def completed(self, import_id: UUID, *, drop_file: bool) -> None:
        values = {"content": None} if drop_file else {}
        await self._set(import_id, status=COMPLETED, finished_at=func.now(), **values)

    async def rejected(self, import_id: UUID, problem: dict, *, drop_file: bool = True) -> None:
        values = {"content": None} if drop_file else {}
        await self._set(import_id, status=REJECTED, finished_at=func.now(), problem=problem, **values)
