"""Each stored photo goes to cards on `members.photo.v1`, in the transaction that records it, at card resolution;
photos stored before the topic existed are sent once by the republish command."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
from chassis.tables import outbox_events
from contracts.events.members_photo_v1 import CARD_PHOTO_SIZE, MAX_JPEG_BYTES, PhotoStored
from members.adapters.photo_store import FilesystemPhotoStore
from members.application.photo_republish import republish_photos
from members.config import MembersSettings
from members.entrypoints.api import create_app
from PIL import Image
from sqlalchemy import select

from services.members.tests.test_photos import archive, image
from tests.support.services import TEST_SECRET, client


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("photos")


@pytest.fixture(scope="module")
async def photos_http(registry, photo_dir):
    settings = MembersSettings(
        database_url=registry.url, internal_token_secret=TEST_SECRET, photo_dir=str(photo_dir), worker_enabled=False
    )
    async with client(create_app, settings) as http:
        yield http


async def photo_events(registry, member_id) -> list[PhotoStored]:
    async with registry.db.transaction() as session:
        rows = await session.execute(
            select(outbox_events.c.payload)
            .where(outbox_events.c.message_key == str(member_id), outbox_events.c.topic == "members.photo.v1")
            .order_by(outbox_events.c.id)
        )
    return [PhotoStored.model_validate(p if isinstance(p, dict) else json.loads(p)) for (p,) in rows]


def assert_card_photo(event: PhotoStored) -> None:
    jpeg = base64.b64decode(event.jpeg_base64)
    assert len(jpeg) <= MAX_JPEG_BYTES and hashlib.sha256(jpeg).hexdigest() == event.sha256
    assert Image.open(io.BytesIO(jpeg)).size == CARD_PHOTO_SIZE == (event.width, event.height)


async def test_storing_a_photo_records_its_event_at_the_members_new_version(registry, photos_http):
    member = await registry.approved("HNI-1")
    path = f"/api/v1/members/members/{member['member_id']}/photo"
    officer = registry.as_("data_entry", "HNI-1")
    refused = await photos_http.put(path, files={"file": ("anh.jpg", b"plain text")}, headers=officer)
    assert refused.status_code == 422
    assert await photo_events(registry, member["member_id"]) == []

    stored = await photos_http.put(path, files={"file": ("anh.png", image(600, 900, "PNG"))}, headers=officer)
    assert stored.status_code == 204, stored.text
    [event] = await photo_events(registry, member["member_id"])
    assert event.version == (await registry.row(member["member_id"]))["version"]
    assert_card_photo(event)
    # Another photo: a newer version, another content.
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (20, 60, 200)).save(buffer, "JPEG")
    again = await photos_http.put(path, files={"file": ("anh.jpg", buffer.getvalue())}, headers=officer)
    assert again.status_code == 204
    first, second = await photo_events(registry, member["member_id"])
    assert second.version > first.version and second.sha256 != first.sha256


async def test_a_zip_records_one_event_per_stored_photo(registry, photos_http):
    one, two = await registry.approved("HNI-1"), await registry.approved("HNI-1")
    response = await photos_http.post(
        "/api/v1/members/photos",
        data={"unit_id": str(registry.units["HNI-1"])},
        files={
            "file": (
                "anh.zip",
                archive({f"{one['member_code']}.jpg": image(800, 600), f"{two['member_code']}.jpg": b"not an image"}),
            )
        },
        headers=registry.as_("data_entry", "HNI-1"),
    )
    assert response.json()["stored"] == 1, response.text
    [event] = await photo_events(registry, one["member_id"])
    assert_card_photo(event)
    assert await photo_events(registry, two["member_id"]) == []


async def test_photos_stored_before_the_topic_are_republished_once_each(registry, photos_http, photo_dir):
    member = await registry.approved("HNI-2")
    path = f"/api/v1/members/members/{member['member_id']}/photo"
    stored = await photos_http.put(
        path, files={"file": ("anh.jpg", image(300, 400))}, headers=registry.as_("data_entry", "HNI-2")
    )
    assert stored.status_code == 204
    version = (await registry.row(member["member_id"]))["version"]
    async with registry.db.transaction() as session:
        with_photo = (
            (
                await session.execute(
                    select(outbox_events.c.message_key).where(outbox_events.c.topic == "members.photo.v1")
                )
            )
            .scalars()
            .all()
        )
    count = await republish_photos(registry.db, FilesystemPhotoStore(photo_dir), chunk=2)
    # Every member with a photo in this module's registry, whatever chunk it fell in.
    assert count == len(set(with_photo))
    original, republished = await photo_events(registry, member["member_id"])
    assert republished.version == version and republished.sha256 == original.sha256
