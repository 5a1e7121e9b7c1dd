"""Topic `members.photo.v1`: a member's 3×4 photo at card resolution, one event per stored photo, keyed by member id.

members publishes it in the transaction that records the photo (a single upload or a photo of a .zip), and once for
every photo stored before this topic existed (`python -m members.entrypoints.photo_republish`). Only cards reads it
(its Kafka ACL), to draw the photo on the card face; a photo is personal data: never logged, never in a span.
`version` is the member's version when the photo was stored: a newer one wins, an older or equal one changes nothing.
The JPEG is at most `MAX_JPEG_BYTES` (a few tens of KB in practice), far below the broker's message limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from contracts.base import IntegrationEvent

TOPIC = "members.photo.v1"
# 3×4 at about 300 dpi on the card's 19.5 × 26 mm photo box.
CARD_PHOTO_SIZE = (240, 320)
MAX_JPEG_BYTES = 96 * 1024


class PhotoStored(IntegrationEvent):
    """The member's photo for the card, replacing any earlier one."""

    # A refused photo's bytes never go into an error message (the consumer keeps it in its dead-letter record).
    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)
    topic_name: ClassVar[str] = TOPIC
    aggregate_field: ClassVar[str] = "member_id"
    event_type: ClassVar[str] = "members.photo.stored"

    member_id: UUID
    version: int = Field(ge=1, description="The member's version when the photo was stored: a newer one wins")
    content_type: Literal["image/jpeg"] = "image/jpeg"
    width: int = Field(ge=1, le=2_000)
    height: int = Field(ge=1, le=2_000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the JPEG's bytes, hex")
    jpeg_base64: str = Field(
        max_length=(MAX_JPEG_BYTES + 2) // 3 * 4, description="The JPEG (3×4 portrait, baseline), base64"
    )

    @model_validator(mode="after")
    def _a_whole_jpeg(self) -> PhotoStored:
        try:
            jpeg = base64.b64decode(self.jpeg_base64, validate=True)
        except binascii.Error as error:
            raise ValueError("jpeg_base64 is not base64") from error
        if not jpeg.startswith(b"\xff\xd8\xff"):
            raise ValueError("jpeg_base64 is not a JPEG")
        if hashlib.sha256(jpeg).hexdigest() != self.sha256:
            raise ValueError("sha256 does not match the JPEG")
        return self

    def jpeg(self) -> bytes:
        return base64.b64decode(self.jpeg_base64)


EVENTS: tuple[type[IntegrationEvent], ...] = (PhotoStored,)
