"""Card holders' photos from `members.photo.v1`: kept by version, drawn on the card faces; a malformed photo event is
dead-lettered; a holder without a photo keeps the "CHƯA CÓ ẢNH" flag."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid
import zlib
from types import SimpleNamespace

import pytest
from cards.adapters.order_documents import card_faces_pdf
from cards.adapters.tables import holder_photos
from cards.application.card_faces import CardFaceWorker
from cards.config import CardsSettings
from cards.entrypoints.consumers import apply_holder_photo, handlers
from chassis.consumer import EventConsumer
from chassis.kafka import provision_topics
from chassis.tables import inbox_events
from contracts.envelope import Envelope
from contracts.events.members_photo_v1 import TOPIC, PhotoStored
from PIL import Image
from sqlalchemy import select

from services.cards.tests.test_print_orders import ORDERS
from tests.support.services import TEST_SECRET

VERIFY = "https://congdoan.example/the/"


def portrait(colour: tuple[int, int, int], size: tuple[int, int] = (240, 320)) -> bytes:
    image = Image.new("RGB", size, colour)
    for step in range(0, size[1], 8):  # some detail, as a face has
        image.paste((step % 256, 255 - step % 256, colour[2]), (0, step, size[0] // 2, step + 4))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def photo_event(member_id, version: int, jpeg: bytes, **overrides) -> PhotoStored:
    fields = {
        "member_id": member_id,
        "version": version,
        "width": 240,
        "height": 320,
        "sha256": hashlib.sha256(jpeg).hexdigest(),
        "jpeg_base64": base64.b64encode(jpeg).decode(),
    }
    return PhotoStored.model_construct(**(fields | overrides))


async def deliver(office, event: PhotoStored) -> None:
    async with office.db.transaction() as session:
        await apply_holder_photo(session, event, None)


async def stored(office, member_id) -> tuple[int, str] | None:
    async with office.db.transaction() as session:
        row = (
            await session.execute(
                select(holder_photos.c.version, holder_photos.c.sha256).where(holder_photos.c.member_id == member_id)
            )
        ).first()
    return None if row is None else tuple(row)


def page_contents(pdf: bytes) -> list[bytes]:
    """Each page's content stream, inflated (reportlab compresses them, without ASCII85); the font's are left out."""
    streams = re.findall(rb"/Filter \[ /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", pdf, re.S)
    inflated = [zlib.decompress(stream) for stream in streams]
    return [content for content in inflated if b"BT " in content and b") Tj" in content]


async def test_a_photo_lands_by_version_and_an_older_or_equal_one_changes_nothing(office):
    member_id = await office.member("HNI-A")
    red, blue, green = portrait((200, 30, 30)), portrait((30, 30, 200)), portrait((30, 200, 30))
    await deliver(office, photo_event(member_id, 5, red))
    assert await stored(office, member_id) == (5, hashlib.sha256(red).hexdigest())
    await deliver(office, photo_event(member_id, 4, blue))  # older: overtaken
    await deliver(office, photo_event(member_id, 5, blue))  # equal: a redelivery or replay changes nothing
    assert await stored(office, member_id) == (5, hashlib.sha256(red).hexdigest())
    await deliver(office, photo_event(member_id, 6, green))
    assert await stored(office, member_id) == (6, hashlib.sha256(green).hexdigest())


async def test_the_face_pdf_has_the_holders_photo_and_the_flag_for_a_holder_without(office):
    province = await office.province("PHT")
    with_photo = await office.member(f"{province}-A")
    without = await office.member(f"{province}-A", photo=False)
    jpeg = portrait((120, 90, 60))
    await deliver(office, photo_event(with_photo, 3, jpeg))
    await office.request([with_photo, without], unit=f"{province}-A")
    officer = office.as_("card_officer", province)
    placed = await office.http.post(
        ORDERS,
        json={"unit_id": str(office.units[province]), "kind": "regular", "include_without_photo": True},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    faces = f"{ORDERS}/{placed.json()['order_id']}/faces"
    job = (await office.http.post(faces, headers=officer)).json()
    worker = CardFaceWorker(office.db, CardsSettings(database_url="unused", public_verify_base_url=VERIFY))
    while await worker.work_once():
        pass
    pdf = (await office.http.get(f"{faces}/{job['job_id']}/parts/1.pdf", headers=officer)).content
    # One image XObject, the holder's JPEG as it came (DCTDecode), drawn once; none for the holder without.
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 1 and b"/DCTDecode" in pdf
    assert jpeg in pdf
    [content] = page_contents(pdf)
    assert len(re.findall(rb" Do\b", content)) == 1


def test_a_face_without_a_photo_keeps_its_frame_text_and_the_flag():
    def line(has_photo: bool):
        return SimpleNamespace(
            member_id=uuid.uuid4(),
            member_code="7900000001",
            full_name="Trần Thị Bình",
            unit_name="Công đoàn cơ sở",
            card_number=None,
            verification_code="A" * 12,
            has_photo=has_photo,
        )

    flagged, waiting, drawn = line(False), line(True), line(True)
    jpeg = portrait((10, 20, 30))
    pdf = card_faces_pdf(
        [flagged, waiting, drawn], VERIFY, photos={drawn.member_id: (hashlib.sha256(jpeg).hexdigest(), jpeg)}
    )
    [content] = page_contents(pdf)
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 1 and len(re.findall(rb" Do\b", content)) == 1
    # Each face: its text lines; "Ảnh 3×4" in an empty frame; "CHƯA CÓ ẢNH" only for the member without a photo.
    per_face = [
        len(re.findall(rb"\) Tj", single))
        for single in (
            page_contents(card_faces_pdf([face], VERIFY, photos=photos))[0]
            for face, photos in (
                (flagged, {}),
                (waiting, {}),
                (drawn, {drawn.member_id: (hashlib.sha256(jpeg).hexdigest(), jpeg)}),
            )
        )
    ]
    assert per_face[0] == per_face[1] + 1 == per_face[2] + 2, per_face


@pytest.fixture
async def consumer(office, broker):
    settings = CardsSettings(
        database_url="unused",
        internal_token_secret=TEST_SECRET,
        kafka_bootstrap_servers=broker.bootstrap,
        consumer_max_attempts=2,
    )
    await provision_topics(settings)
    consuming = EventConsumer(f"cards-photos-{uuid.uuid4().hex[:8]}", settings, office.db, handlers(settings))
    await consuming.broker.connect()
    yield consuming
    await consuming.broker.stop()


async def dead_letter_details(office, consumer) -> list[str]:
    async with office.db.transaction() as session:
        return list(
            await session.scalars(
                select(inbox_events.c.detail).where(
                    inbox_events.c.consumer == consumer.name, inbox_events.c.outcome == "dead_lettered"
                )
            )
        )


@pytest.mark.parametrize(
    "label, change",
    [
        ("another JPEG's hash", {"sha256": "0" * 64}),
        ("not base64", {"jpeg_base64": "%" * 64}),
        ("not a JPEG", {"jpeg_base64": base64.b64encode(b"GIF89a" + b"x" * 40).decode()}),
        ("a truncated JPEG", "truncated"),
        ("not the size it declares", {"width": 300}),
    ],
)
async def test_a_malformed_photo_event_is_dead_lettered_and_changes_nothing(office, consumer, label, change):
    member_id = await office.member("HNI-A")
    good = portrait((90, 90, 90))
    await deliver(office, photo_event(member_id, 3, good))
    if change == "truncated":
        broken = good[: len(good) // 3]
        change = {"jpeg_base64": base64.b64encode(broken).decode(), "sha256": hashlib.sha256(broken).hexdigest()}
    bad = photo_event(member_id, 4, good, **change)
    envelope = Envelope(
        id=uuid.uuid4(),
        source="members",
        type=PhotoStored.event_type,
        time=Envelope.wrap(photo_event(member_id, 4, good), "members").time,
        subject=str(member_id),
        data=bad.model_dump_json().encode(),
    )
    offset = 10**9 + uuid.uuid4().int % 10**6
    result = await consumer.process(TOPIC, 0, offset, envelope.kafka_headers(), envelope.data, str(member_id).encode())
    assert result == "dead_lettered", label
    # Why, but never the photo: no piece of its bytes in the record.
    [detail] = await dead_letter_details(office, consumer)
    assert detail and bad.jpeg_base64[8:40] not in detail, label
    assert await stored(office, member_id) == (3, hashlib.sha256(good).hexdigest()), label
    # The same event redelivered is not applied nor dead-lettered twice.
    again = await consumer.process(TOPIC, 0, offset, envelope.kafka_headers(), envelope.data, str(member_id).encode())
    assert again == "duplicate", label
