"""Ảnh đoàn viên in bulk: a .zip of photos named by ID number or member code, checked and cut to 3x4.

Each file is a real JPEG or PNG (Pillow reads it, whatever its name says), at most 5 MB and big enough;
it is cropped and scaled to the card's 3x4 portrait and stored behind `PhotoStore`. The zip itself is
inflated in a counting stream first, like a workbook. Only members of the chosen unit's subtree that
the officer may write are matched; a photo for anyone else is reported as unknown.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from dataclasses import asdict
from pathlib import PurePosixPath
from uuid import UUID

from chassis.errors import FieldError, InvalidInput
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk import BulkMemberRepository
from members.adapters.photo_store import PhotoStore
from members.application.importing.reading import inflate_safely
from members.domain.member_codes import is_valid_member_code
from members.domain.portraits import card_portrait

MAX_PHOTOS = 5_000
MAX_INFLATED = 2 * 1024**3
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def _entry_problem(file: str, error: FieldError) -> dict:
    return {"file": file, **asdict(error)}


def _key_of(name: str) -> tuple[str, str] | None:
    stem = "".join(PurePosixPath(name).stem.split())
    if stem.isdigit() and len(stem) == 11 and is_valid_member_code(stem):
        return "member_code", stem
    if stem.isdigit() and len(stem) in (9, 12):
        return "id_number", stem
    return None


async def store_photos(session: AsyncSession, principal: Principal, store: PhotoStore, unit_id: UUID,
                       content: bytes) -> dict:
    await ensure_in_scope(session, principal, Permission.MEMBERS_WRITE, unit_id)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise InvalidInput("Tệp ảnh phải là tệp .zip", "Photos must come in a .zip file", code="not-a-zip",
                           field="file") from error
    with archive:
        inflate_safely(archive, MAX_INFLATED)
        entries = [e for e in archive.infolist() if not e.is_dir() and not PurePosixPath(e.filename).name
                   .startswith(".") and "__MACOSX" not in e.filename]
        if len(entries) > MAX_PHOTOS:
            raise InvalidInput(f"Tối đa {MAX_PHOTOS} ảnh một lần", f"At most {MAX_PHOTOS} photos at a time",
                               code="too-many-photos", field="file")
        problems, wanted = [], {}
        for entry in entries:
            key = _key_of(entry.filename)
            if key is None or not entry.filename.lower().endswith(IMAGE_SUFFIXES):
                problems.append(_entry_problem(entry.filename, FieldError(
                    "photo", "photo-name", "Tên ảnh phải là số CCCD/CMND hoặc mã đoàn viên (.jpg, .png)",
                    "A photo must be named by ID number or member code (.jpg, .png)")))
                continue
            wanted[entry.filename] = (key, archive.read(entry))
    bulk = BulkMemberRepository(session)
    found = await bulk.members_by_keys(
        principal, unit_id, [v for (k, v), _ in wanted.values() if k == "id_number"],
        [v for (k, v), _ in wanted.values() if k == "member_code"])
    by_key = {("id_number", r.id_number): r.member_id for r in found}
    by_key |= {("member_code", r.member_code): r.member_id for r in found if r.member_code}
    stored: list[UUID] = []
    for file, (key, data) in wanted.items():
        member_id = by_key.get(key)
        if member_id is None:
            problems.append(_entry_problem(file, FieldError(
                "photo", "unknown-member", "Không có đoàn viên nào của đơn vị mang số/mã này",
                "No member of this unit has this ID number or member code")))
            continue
        try:
            portrait = await asyncio.to_thread(card_portrait, data)
        except ValueError as error:
            problems.append(_entry_problem(file, error.args[0]))
            continue
        await asyncio.to_thread(store.put, member_id, portrait)
        stored.append(member_id)
    if stored:
        await bulk.mark_photos(principal, stored)
    return {"stored": len(stored), "problems": problems}
