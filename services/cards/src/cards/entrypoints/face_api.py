"""Card faces of a large order made in the background: start, follow the progress, download when ready."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from chassis.errors import NotFound
from chassis.http import CurrentPrincipal, Session
from chassis.pagination import MAX_PAGE_SIZE, Keyset, Page
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Row

from cards.adapters.face_jobs import FaceJobRepository
from cards.application.card_faces import CardFaceService, zipped_parts
from cards.entrypoints.schemas import FaceJobOut, FacePart

router = APIRouter(prefix="/api/v1/cards/print-orders/{order_id}/faces", tags=["print orders"])
JOBS_KEYSET = Keyset(datetime, UUID)  # newest first: (requested_at, job_id)


async def job_out(session, job: Row) -> FaceJobOut:
    parts = (
        [
            FacePart(part=row.part, cards=row.cards, bytes=row.bytes)
            for row in await FaceJobRepository(session).part_sizes(job.job_id)
        ]
        if job.parts
        else []
    )
    base = f"/api/v1/cards/print-orders/{job.order_id}/faces/{job.job_id}"
    return FaceJobOut(
        job_id=job.job_id,
        order_id=job.order_id,
        state=job.state,
        total=job.total,
        done=job.done,
        progress=round(job.done / job.total, 4) if job.total else 1.0,
        part_size=job.part_size,
        parts=parts,
        error=job.error,
        requested_by=job.requested_by,
        requested_at=job.requested_at,
        finished_at=job.finished_at,
        download=f"{base}/cards.zip" if job.state == "ready" else None,
    )


@router.post("", response_model=FaceJobOut, status_code=202, summary="Tạo mặt thẻ của đơn lớn (chạy nền, theo phần)")
async def start(order_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> FaceJobOut:
    """The faces of a regular order, made in the background in parts of `CARDS_FACES_PART_SIZE` cards; follow
    `progress` and download the zip of the parts' PDFs when `state` is `ready`."""
    job = await CardFaceService(session, request.app.state.settings).start(principal, order_id)
    return await job_out(session, job)


@router.get("", response_model=Page[FaceJobOut], summary="Các lượt tạo mặt thẻ của đơn")
async def jobs(
    order_id: UUID,
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
    after: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> Page[FaceJobOut]:
    """The order's card-face jobs, newest first: each with its state, progress, when it was asked for, and its
    download once ready."""
    window = JOBS_KEYSET.window(after, limit)
    rows = await CardFaceService(session, request.app.state.settings).jobs_of(
        principal, order_id, window.after, window.fetch
    )
    page = window.page(rows, lambda row: (row.requested_at, row.job_id))
    return Page[FaceJobOut](items=[await job_out(session, row) for row in page.items], next_cursor=page.next_cursor)


@router.get("/{job_id}", response_model=FaceJobOut, summary="Tiến độ tạo mặt thẻ")
async def progress(
    order_id: UUID, job_id: UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> FaceJobOut:
    job = await CardFaceService(session, request.app.state.settings).get(principal, order_id, job_id)
    return await job_out(session, job)


@router.get("/{job_id}/cards.zip", response_class=StreamingResponse, summary="Tải mặt thẻ (zip các phần PDF)")
async def download(
    order_id: UUID, job_id: UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> StreamingResponse:
    """409 `faces-not-ready` until the job is ready; the zip is streamed a part at a time."""
    job = await CardFaceService(session, request.app.state.settings).ready(principal, order_id, job_id)
    name = f"mat-the-{str(order_id)[:8]}"
    return StreamingResponse(
        zipped_parts(request.app.state.database, job, name),
        media_type="application/zip",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}.zip"},
    )


@router.get("/{job_id}/parts/{part}.pdf", summary="Tải một phần mặt thẻ (PDF)")
async def download_part(
    order_id: UUID,
    job_id: UUID,
    part: Annotated[int, Path(ge=1)],
    principal: CurrentPrincipal,
    session: Session,
    request: Request,
) -> Response:
    job = await CardFaceService(session, request.app.state.settings).get(principal, order_id, job_id)
    pdf = await FaceJobRepository(session).part(job.job_id, part)
    if pdf is None:
        raise NotFound(
            f"Chưa có phần {part} của mặt thẻ", f"No part {part} yet", code="face-part-not-found", field="part"
        )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f"attachment; filename*=UTF-8''mat-the-{part:03d}.pdf"},
    )
