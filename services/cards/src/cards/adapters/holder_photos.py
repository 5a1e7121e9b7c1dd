"""SQL of card holders' photos (`members.photo.v1`): kept by version, read a part of an order at a time for its faces.

A photo is personal data: it is never logged nor put in a span, and read only to draw the faces of an order whose
job the caller was allowed to start.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from uuid import UUID

from chassis.scope import unscoped
from chassis.views import latest_versions
from contracts.events.members_photo_v1 import PhotoStored
from PIL import Image
from reportlab.pdfbase.pdfutils import readJPEGInfo  # what the faces embed: a JPEG it cannot read is refused here
from sqlalchemy import ARRAY, Uuid, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.tables import holder_photos


class UnusablePhoto(ValueError):
    """The event's JPEG cannot go on a card face (its bytes are never in the message)."""


def checked_row(event: PhotoStored) -> dict:
    """The row of a photo the faces can draw: a whole baseline JPEG of the size it declares, in portrait."""
    jpeg = event.jpeg()
    try:
        width, height, components = readJPEGInfo(io.BytesIO(jpeg))[:3]
        with Image.open(io.BytesIO(jpeg)) as image:
            image.load()
    except Exception as error:  # whatever a decoder raises on a broken JPEG
        raise UnusablePhoto(f"the photo of member {event.member_id} is not a readable JPEG") from error
    if (width, height) != (event.width, event.height) or components not in (1, 3) or width >= height:
        raise UnusablePhoto(f"the photo of member {event.member_id} is not the portrait it declares")
    return {
        "member_id": event.member_id,
        "version": event.version,
        "sha256": event.sha256,
        "width": width,
        "height": height,
        "jpeg": jpeg,
    }


class HolderPhotoRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("the consumer applies members' photo events for every unit; no principal is involved")
    async def apply(self, rows: Sequence[dict]) -> None:
        """Keep each member's newest photo: an older or equal version changes nothing (redelivery, replay)."""
        newest = latest_versions(rows, "member_id")
        if not newest:
            return
        statement = pg_insert(holder_photos)
        excluded = statement.excluded
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[holder_photos.c.member_id],
                set_={name: excluded[name] for name in ("version", "sha256", "width", "height", "jpeg")}
                | {"stored_at": excluded.stored_at},
                where=holder_photos.c.version < excluded.version,
            ),
            [newest[key] for key in sorted(newest)],
        )

    @unscoped("the face worker draws one part of an order whose job was started within the officer's scope")
    async def jpegs(self, member_ids: Sequence[UUID]) -> dict[UUID, tuple[str, bytes]]:
        """Each member's photo (its SHA-256 and JPEG) among `member_ids`; members without one are absent."""
        if not member_ids:
            return {}
        rows = await self.session.execute(
            select(holder_photos.c.member_id, holder_photos.c.sha256, holder_photos.c.jpeg).where(
                holder_photos.c.member_id == bindparam("ids", list(member_ids), type_=ARRAY(Uuid)).any_()
            )
        )
        return {member_id: (sha256, bytes(jpeg)) for member_id, sha256, jpeg in rows}
