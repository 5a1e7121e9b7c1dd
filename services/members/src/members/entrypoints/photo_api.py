"""Photos: a .zip in bulk, and one member's photo, readable only within scope."""

from __future__ import annotations

from uuid import UUID

from chassis.errors import NotFound, PayloadTooLarge
from chassis.http import CurrentPrincipal, Session
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from members.adapters.photo_store import FilesystemPhotoStore
from members.application.photos import store_photo, store_photos
from members.application.service import MemberService
from members.entrypoints.schemas import PhotoOutcome

router = APIRouter(prefix="/api/v1/members", tags=["photos"])
MAX_ZIP_BYTES = 512 * 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def photo_store(request: Request) -> FilesystemPhotoStore:
    return FilesystemPhotoStore(request.app.state.settings.photo_dir)


@router.post("/photos", response_model=PhotoOutcome, summary="Tải ảnh hàng loạt (.zip, tên ảnh là số CCCD hoặc mã)")
async def upload_photos(
    request: Request,
    principal: CurrentPrincipal,
    session: Session,
    unit_id: UUID = Form(...),
    file: UploadFile = File(...),
) -> PhotoOutcome:
    content = await file.read(MAX_ZIP_BYTES + 1)
    if len(content) > MAX_ZIP_BYTES:
        raise PayloadTooLarge(
            "Tệp .zip vượt quá 512 MB", "The .zip file is larger than 512 MB", code="file-too-large", field="file"
        )
    return PhotoOutcome(**await store_photos(session, principal, photo_store(request), unit_id, content))


@router.put(
    "/members/{member_id}/photo",
    status_code=204,
    response_class=Response,
    summary="Tải ảnh của một đoàn viên (JPEG/PNG, cắt theo khổ 3x4)",
)
async def upload_photo(
    member_id: UUID, request: Request, principal: CurrentPrincipal, session: Session, file: UploadFile = File(...)
) -> Response:
    content = await file.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge("Ảnh lớn hơn 5 MB", "The photo is larger than 5 MB", code="photo-too-large", field="file")
    await store_photo(session, principal, photo_store(request), member_id, content)
    return Response(status_code=204)


@router.get("/members/{member_id}/photo", response_class=Response, summary="Ảnh 3x4 của đoàn viên")
async def get_photo(member_id: UUID, principal: CurrentPrincipal, session: Session, request: Request) -> Response:
    member = await MemberService(session).get(principal, member_id)
    photo = photo_store(request).get(member.member_id) if member.has_photo else None
    if photo is None:
        raise NotFound("Đoàn viên chưa có ảnh", "The member has no photo", code="no-photo", field="member_id")
    return Response(photo, media_type="image/jpeg", headers={"cache-control": "private, max-age=300"})
