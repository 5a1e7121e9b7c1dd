"""Photos in bulk: a .zip named by ID number or member code; real images only, cut to 3x4, read in scope."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from members.config import MembersSettings
from members.entrypoints.api import create_app
from PIL import Image

from services.members.tests.conftest import assert_problem
from tests.support.services import TEST_SECRET, client


def image(width: int, height: int, kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()


def archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
async def photos_http(registry, tmp_path_factory):
    settings = MembersSettings(
        database_url=registry.url,
        internal_token_secret=TEST_SECRET,
        photo_dir=str(tmp_path_factory.mktemp("photos")),
        worker_enabled=False,
    )
    async with client(create_app, settings) as http:
        yield http


async def upload(http, registry, content: bytes, unit: str = "HNI-1", who=None):
    return await http.post(
        "/api/v1/members/photos",
        data={"unit_id": str(registry.units[unit])},
        files={"file": ("anh.zip", content)},
        headers=who or registry.as_("data_entry", unit),
    )


async def test_photos_by_id_number_and_member_code_become_3x4_portraits(registry, photos_http):
    by_id = await registry.approved("HNI-1")
    by_code = await registry.approved("HNI-1")
    id_number = (await registry.row(by_id["member_id"]))["id_number"]
    response = await upload(
        photos_http,
        registry,
        archive(
            {
                f"{id_number}.jpg": image(800, 600),
                f"anh/{by_code['member_code']}.PNG": image(400, 900, "PNG"),
                # A near miss that is nobody's: another province code (a changed last digit was by_code's number
                # whenever by_id's serial happened to end in 8).
                "ghi-chu.txt": b"x",
                f"002{id_number[3:]}.jpg": image(300, 400),
                "001090999999.jpg": b"not an image",
                "__MACOSX/._x.jpg": b"junk",
            }
        ),
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["stored"] == 2
    assert sorted(p["code"] for p in outcome["problems"]) == ["photo-name", "unknown-member", "unknown-member"]
    photo = await photos_http.get(
        f"/api/v1/members/members/{by_id['member_id']}/photo", headers=registry.as_("report_viewer", "HNI")
    )
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).size == (300, 400)
    assert (await registry.row(by_code["member_id"]))["has_photo"] is True
    assert (await registry.events_of(by_code["member_id"]))[-2:] == ["members.member.updated", "members.photo.stored"]
    outsider = await photos_http.get(
        f"/api/v1/members/members/{by_id['member_id']}/photo", headers=registry.as_("report_viewer", "HCM")
    )
    assert_problem(outsider, 404, "not-found", "member_id")


async def test_fake_small_or_huge_images_are_reported_and_change_nothing(registry, photos_http):
    members = [await registry.approved("HNI-2") for _ in range(3)]
    ids = [(await registry.row(m["member_id"]))["id_number"] for m in members]
    before = await registry.counts()
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    gif = io.BytesIO()
    Image.new("RGB", (300, 400)).save(gif, "GIF")
    response = await upload(
        photos_http,
        registry,
        archive({f"{ids[0]}.png": fake_png, f"{ids[1]}.jpg": image(100, 120), f"{ids[2]}.jpg": gif.getvalue()}),
        "HNI-2",
    )
    problems = {p["file"]: p for p in response.json()["problems"]}
    assert response.json()["stored"] == 0
    assert problems[f"{ids[0]}.png"]["code"] == "not-an-image"
    assert problems[f"{ids[0]}.png"]["message_vi"] == "Tệp không phải ảnh JPEG hoặc PNG"
    assert problems[f"{ids[1]}.jpg"] == {
        "file": f"{ids[1]}.jpg",
        "field": "photo",
        "code": "photo-too-small",
        "message_vi": "Ảnh quá nhỏ (tối thiểu 150x200 điểm ảnh)",
        "message_en": "The photo is too small (at least 150x200 pixels)",
    }
    assert problems[f"{ids[2]}.jpg"]["code"] == "not-an-image"
    assert await registry.counts() == before


async def test_bad_archives_and_scope(registry, photos_http, monkeypatch):
    before = await registry.counts()
    not_zip = await upload(photos_http, registry, b"%PDF-1.4")
    assert_problem(not_zip, 422, "not-a-zip", "file", "Tệp ảnh phải là tệp .zip", "Photos must come in a .zip file")
    from members.application import photos

    monkeypatch.setattr(photos, "MAX_INFLATED", 4 * 1024 * 1024)
    declared = await upload(
        photos_http, registry, archive({f"00109000000{i}.jpg": image(300, 400) + b"\x00" * 2**20 for i in range(5)})
    )
    assert_problem(declared, 413, "zip-bomb", "file")
    outside = await upload(photos_http, registry, archive({}), unit="HCM-1", who=registry.as_("data_entry", "HNI-1"))
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    assert await registry.counts() == before


async def test_one_members_photo_is_cut_to_3x4_and_a_refusal_changes_nothing(registry, photos_http):
    member = await registry.approved("HNI-1")
    path = f"/api/v1/members/members/{member['member_id']}/photo"
    not_an_image = await photos_http.put(
        path, files={"file": ("anh.jpg", b"plain text")}, headers=registry.as_("data_entry", "HNI-1")
    )
    assert_problem(not_an_image, 422, "not-an-image", "file")
    assert (await registry.row(member["member_id"]))["has_photo"] is False
    outsider = await photos_http.put(
        path, files={"file": ("anh.jpg", image(600, 800))}, headers=registry.as_("data_entry", "HCM")
    )
    assert outsider.status_code == 404
    stored = await photos_http.put(
        path, files={"file": ("anh.png", image(600, 900, "PNG"))}, headers=registry.as_("data_entry", "HNI-1")
    )
    assert stored.status_code == 204, stored.text
    assert (await registry.row(member["member_id"]))["has_photo"] is True
    assert (await registry.events_of(member["member_id"]))[-2:] == ["members.member.updated", "members.photo.stored"]
    photo = await photos_http.get(path, headers=registry.as_("data_entry", "HNI-1"))
    assert Image.open(io.BytesIO(photo.content)).size == (300, 400)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (a decompression bomb's first step)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


async def test_a_bomb_or_a_huge_image_is_refused_for_that_file_only(registry, photos_http):
    """A file inflating far past a photo's size, an image declaring 20000x20000 pixels and a corrupt entry are
    each reported for themselves; the batch's good photo is stored all the same."""
    members = [await registry.approved("HNI-2") for _ in range(4)]
    ids = [(await registry.row(m["member_id"]))["id_number"] for m in members]
    content = archive(
        {
            f"{ids[0]}.jpg": b"\x00" * (64 * 1024 * 1024),
            f"{ids[1]}.png": png_declaring(20000, 20000),
            f"{ids[2]}.jpg": image(300, 400),
        }
    )
    response = await upload(photos_http, registry, content, "HNI-2")
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    assert {p["file"]: p["code"] for p in response.json()["problems"]} == {
        f"{ids[0]}.jpg": "photo-too-large",
        f"{ids[1]}.png": "photo-too-big",
    }
    assert (await registry.row(members[2]["member_id"]))["has_photo"] is True
    assert (await registry.row(members[1]["member_id"]))["has_photo"] is False
