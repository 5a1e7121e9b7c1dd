"""Card faces of a large order, made in the background a part at a time, with progress, downloaded when ready.

A job names the order and its size; a worker beside each cards API process (`CARDS_FACES_WORKER_ENABLED`) takes the
oldest unfinished job (`FOR UPDATE SKIP LOCKED`: several processes share the jobs, one part each at a time), reads the
next `CARDS_FACES_PART_SIZE` cards after the last one done, draws them as one PDF (in a thread) and stores it with the
job's progress in one transaction: memory holds one part whatever the order's size, and a crash costs one part.
The download is a zip of the parts' PDFs, streamed a part at a time. Each holder's photo (`holder_photos`, from
`members.photo.v1`) is read with its part and embedded once as the JPEG it is, so a part holds its own photos only.
"""

from __future__ import annotations

import asyncio
import logging
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

from chassis.database import Database
from chassis.errors import Conflict, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.principal import Principal
from chassis.rounds import Rounds
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.face_jobs import FaceJobRepository
from cards.adapters.holder_photos import HolderPhotoRepository
from cards.adapters.order_documents import card_faces_pdf
from cards.adapters.repository import PrintOrderRepository
from cards.application.print_orders import PrintOrderService
from cards.config import CardsSettings

log = logging.getLogger(__name__)


def face_job_not_found(job_id: UUID) -> NotFound:
    return NotFound(
        f"Không tìm thấy lượt tạo mặt thẻ {job_id}",
        f"No card-face job {job_id}",
        code="face-job-not-found",
        field="job_id",
    )


class CardFaceService:
    def __init__(self, session: AsyncSession, settings: CardsSettings) -> None:
        self.session, self.settings = session, settings
        self.jobs = FaceJobRepository(session)

    async def start(self, principal: Principal, order_id: UUID) -> Row:
        order = await PrintOrderService(self.session, self.settings).get(principal, order_id)
        if order.kind != "regular":
            raise RuleViolation(
                "Thẻ liên kết do ngân hàng in; Tổng Liên đoàn chỉ in thẻ thường",
                "Linked cards are printed by the bank; only regular cards are printed here",
                code="not-printed-here",
                field="order_id",
            )
        return await self.jobs.add(
            {
                "job_id": uuid7(),
                "order_id": order_id,
                "unit_id": order.unit_id,
                "state": "queued",
                "total": order.card_count,
                "part_size": self.settings.faces_part_size,
                "requested_by": principal.username,
                "requested_at": datetime.now(UTC),
            }
        )

    async def jobs_of(self, principal: Principal, order_id: UUID, after: tuple | None, limit: int) -> list[Row]:
        """The card-face jobs of an order the caller sees, newest first."""
        await PrintOrderService(self.session, self.settings).get(principal, order_id)
        return await self.jobs.page(principal, order_id, after, limit)

    async def get(self, principal: Principal, order_id: UUID, job_id: UUID) -> Row:
        job = await self.jobs.get(principal, order_id, job_id)
        if job is None:
            raise face_job_not_found(job_id)
        return job

    async def ready(self, principal: Principal, order_id: UUID, job_id: UUID) -> Row:
        job = await self.get(principal, order_id, job_id)
        if job.state != "ready":
            raise Conflict(
                f"Mặt thẻ chưa tạo xong ({job.done}/{job.total} thẻ)",
                f"The card faces are not ready yet ({job.done}/{job.total} cards)",
                code="faces-not-ready",
                field="job_id",
            )
        return job


class _Sink:
    """A write-only stream for zipfile: what it is given waits here until the response takes it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


async def zipped_parts(database: Database, job: Row, name: str) -> AsyncIterator[bytes]:
    """The parts' PDFs as one zip (stored: PDFs are compressed already), a part in memory at a time."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED)  # type: ignore[arg-type]
    async with database.transaction() as session:
        async for number, pdf in FaceJobRepository(session).parts(job.job_id, job.parts):
            with archive.open(f"{name}-{number:03d}.pdf", mode="w", force_zip64=True) as entry:
                entry.write(pdf)
            yield sink.take()
    archive.close()
    yield sink.take()


class CardFaceWorker(Rounds):
    name = "card-faces"

    def __init__(self, database: Database, settings: CardsSettings) -> None:
        super().__init__(settings.webhook_poll_s)
        self.database, self.settings = database, settings

    async def round(self) -> bool:
        return await self.work_once()

    async def work_once(self) -> bool:
        """Make the next part of the oldest unfinished job; False when there is nothing to do."""
        async with self.database.transaction() as session:
            jobs = FaceJobRepository(session)
            job = await jobs.claim_next()
            if job is None:
                return False
            # The worker's own part size: what it holds in memory is its business, not the request's.
            size = self.settings.faces_part_size
            lines = await PrintOrderRepository(session).lines(job.order_id, job.after_card_id, size)
            if not lines:
                await jobs.finish(job.job_id, "ready")
                return True
            photos = await HolderPhotoRepository(session).jpegs([line.member_id for line in lines])
            try:
                pdf = await asyncio.to_thread(
                    card_faces_pdf, lines, self.settings.public_verify_base_url, self.settings.pdf_font_path, photos
                )
            except Exception as failure:  # a card that cannot be drawn: the job says so rather than looping
                log.exception("card faces failed", extra={"fields": {"job_id": str(job.job_id)}})
                await jobs.finish(job.job_id, "failed", f"{type(failure).__name__}")
                return True
            finished = job.done + len(lines) >= job.total or len(lines) < size
            await jobs.add_part(job, job.parts + 1, len(lines), pdf, lines[-1].card_id, finished, size)
            return True
