"""Ảnh đoàn viên in bulk: a .zip of photos named by ID number or member code, checked and cut to 3x4.

Each file is a real JPEG or PNG (Pillow reads it, whatever its name says), at most 5 MB and big enough;
it is cropped and scaled to the card's 3x4 portrait and stored behind `PhotoStore`. Only members of the
chosen unit's subtree that the officer may write are matched; a photo for anyone else is reported as unknown.

Limits hold per file and per zip (`chassis.archives`): a file is inflated only up to the photo size limit,
and the whole batch only up to `MAX_INFLATED`; a file past a limit, a decompression bomb or an image that
declares huge dimensions is reported for that file alone while the rest of the batch goes on. Everything
that inflates or decodes runs in a worker thread, one file at a time, so the event loop keeps answering and
memory holds one inflated photo at a time, not the inflated batch.

Each stored photo goes to cards on `members.photo.v1` (at card resolution), recorded in the transaction that marks
the member as having a photo, read back from the store one at a time: memory stays one photo whatever the batch.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import zipfile
from dataclasses import asdict
from pathlib import PurePosixPath
from uuid import UUID

from chassis.archives import EntryCorrupt, EntryTooLarge, check_declared, open_zip, read_entry
from chassis.errors import FieldError, InvalidInput
from chassis.outbox import record_event
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.members_photo_v1 import PhotoStored
from contracts.permissions import Permission
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.bulk_members import BulkMemberRepository
from members.adapters.photo_store import PhotoStore
from members.application.service import MemberService
from members.domain.member_codes import is_valid_member_code
from members.domain.model import Member
from members.domain.portraits import MAX_BYTES, card_portrait, card_print_photo, problem

log = logging.getLogger(__name__)
MAX_PHOTOS = 5_000
MAX_INFLATED = 2 * 1024**3
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
NOT_A_ZIP = InvalidInput("Tệp ảnh phải là tệp .zip", "Photos must come in a .zip file", code="not-a-zip", field="file")


def _entry_problem(file: str, error: FieldError) -> dict:
    return {"file": file, **asdict(error)}


def _key_of(name: str) -> tuple[str, str] | None:
    stem = "".join(PurePosixPath(name).stem.split())
    if stem.isdigit() and len(stem) == 11 and is_valid_member_code(stem):
        return "member_code", stem
    if stem.isdigit() and len(stem) in (9, 12):
        return "id_number", stem
    return None


def _directory(content: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    archive = open_zip(content, NOT_A_ZIP)
    entries = [
        e
        for e in archive.infolist()
        if not e.is_dir() and not PurePosixPath(e.filename).name.startswith(".") and "__MACOSX" not in e.filename
    ]
    if len(entries) > MAX_PHOTOS:
        raise InvalidInput(
            f"Tối đa {MAX_PHOTOS} ảnh một lần",
            f"At most {MAX_PHOTOS} photos at a time",
            code="too-many-photos",
            field="file",
        )
    # Declared sizes first: an entry declaring more than a photo may be is refused alone, below.
    check_declared([e for e in entries if e.file_size <= MAX_BYTES], MAX_INFLATED, MAX_PHOTOS)
    return archive, entries


def _portrait(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int
) -> tuple[bytes | None, int, FieldError | None]:
    """The card portrait of one entry, the bytes it inflated to, or why it is refused."""
    try:
        data = read_entry(archive, entry, min(MAX_BYTES, budget))
    except EntryTooLarge:
        if budget < MAX_BYTES:
            return (
                None,
                0,
                problem(
                    "zip-limit-reached",
                    "Tệp .zip giải nén đã quá giới hạn; ảnh này không được xử lý",
                    "The .zip inflated past its limit; this photo was not processed",
                ),
            )
        return (
            None,
            0,
            problem(
                "photo-too-large", "Ảnh lớn hơn 5 MB (khi giải nén)", "The photo is larger than 5 MB (once inflated)"
            ),
        )
    except EntryCorrupt:
        return None, 0, problem("corrupt-entry", "Tệp trong .zip bị hỏng", "The file is corrupt inside the .zip")
    try:
        return card_portrait(data), len(data), None
    except ValueError as error:
        return None, len(data), error.args[0]
    except Exception:  # whatever else an image decoder raises: this file's problem, not the batch's
        log.warning("photo could not be decoded", extra={"fields": {"file": entry.filename}}, exc_info=True)
        return (
            None,
            len(data),
            problem("not-an-image", "Tệp không phải ảnh JPEG hoặc PNG", "The file is not a JPEG or PNG image"),
        )


async def store_photos(
    session: AsyncSession, principal: Principal, store: PhotoStore, unit_id: UUID, content: bytes
) -> dict:
    await ensure_in_scope(session, principal, Permission.MEMBERS_WRITE, unit_id)
    archive, entries = await asyncio.to_thread(_directory, content)
    with archive:
        problems, wanted = [], {}
        for entry in entries:
            key = _key_of(entry.filename)
            if key is None or not entry.filename.lower().endswith(IMAGE_SUFFIXES):
                problems.append(
                    _entry_problem(
                        entry.filename,
                        FieldError(
                            "photo",
                            "photo-name",
                            "Tên ảnh phải là số CCCD/CMND hoặc mã đoàn viên (.jpg, .png)",
                            "A photo must be named by ID number or member code (.jpg, .png)",
                        ),
                    )
                )
                continue
            wanted[entry.filename] = (key, entry)
        bulk = BulkMemberRepository(session)
        found = await bulk.members_by_keys(
            principal,
            unit_id,
            [v for (k, v), _ in wanted.values() if k == "id_number"],
            [v for (k, v), _ in wanted.values() if k == "member_code"],
        )
        by_key = {("id_number", r.id_number): r.member_id for r in found}
        by_key |= {("member_code", r.member_code): r.member_id for r in found if r.member_code}
        stored: list[UUID] = []
        budget = MAX_INFLATED
        for file, (key, entry) in wanted.items():
            member_id = by_key.get(key)
            if member_id is None:
                problems.append(
                    _entry_problem(
                        file,
                        FieldError(
                            "photo",
                            "unknown-member",
                            "Không có đoàn viên nào của đơn vị mang số/mã này",
                            "No member of this unit has this ID number or member code",
                        ),
                    )
                )
                continue
            portrait, inflated, error = await asyncio.to_thread(_portrait, archive, entry, budget)
            budget -= inflated
            if error is not None:
                problems.append(_entry_problem(file, error))
                continue
            await asyncio.to_thread(store.put, member_id, portrait)
            stored.append(member_id)
    if stored:
        await publish_photos(session, store, await bulk.mark_photos(principal, stored))
    return {"stored": len(stored), "problems": problems}


async def store_photo(
    session: AsyncSession, principal: Principal, store: PhotoStore, member_id: UUID, data: bytes
) -> None:
    """One member's photo (the web app crops it to 3x4 first), with the same checks as a photo in a zip."""
    member = await MemberService(session).get(principal, member_id, Permission.MEMBERS_WRITE, for_update=True)
    try:
        portrait = await asyncio.to_thread(card_portrait, data)
    except ValueError as error:
        found: FieldError = error.args[0]
        raise InvalidInput(found.message_vi, found.message_en, code=found.code, field="file") from error
    await asyncio.to_thread(store.put, member.member_id, portrait)
    marked = await BulkMemberRepository(session).mark_photos(principal, [member.member_id])
    await publish_photos(session, store, marked)


def photo_event(member_id: UUID, version: int, portrait: bytes) -> PhotoStored:
    """The event carrying a stored portrait to cards, at card resolution."""
    jpeg, width, height = card_print_photo(portrait)
    return PhotoStored(
        member_id=member_id,
        version=version,
        width=width,
        height=height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        jpeg_base64=base64.b64encode(jpeg).decode("ascii"),
    )


async def publish_photos(session: AsyncSession, store: PhotoStore, marked: list[Member]) -> None:
    """Each member's photo as its own event, at the member's new version, one photo in memory at a time."""
    for member in marked:
        portrait = await asyncio.to_thread(store.get, member.member_id)
        if portrait is not None:
            event = await asyncio.to_thread(photo_event, member.member_id, member.version, portrait)
            await record_event(session, event)
