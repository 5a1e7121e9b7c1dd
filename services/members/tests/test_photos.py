"""Photos in bulk: a .zip named by ID number or member code; real images only, cut to 3x4, read in scope."""

from __future__ import annotations

import io
import zipfile

import pytest
from members.application.importing import reading
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
    settings = MembersSettings(database_url=registry.url, internal_token_secret=TEST_SECRET,
                               photo_dir=str(tmp_path_factory.mktemp("photos")), worker_enabled=False)
    async with client(create_app, settings) as http:
        yield http


async def upload(http, registry, content: bytes, unit: str = "HNI-1", who=None):
    return await http.post("/api/v1/members/photos", data={"unit_id": str(registry.units[unit])},
                           files={"file": ("anh.zip", content)}, headers=who or registry.as_("data_entry", unit))


async def test_photos_by_id_number_and_member_code_become_3x4_portraits(registry, photos_http):
    by_id = await registry.approved("HNI-1")
    by_code = await registry.approved("HNI-1")
    id_number = (await registry.row(by_id["member_id"]))["id_number"]
    response = await upload(photos_http, registry, archive({
        f"{id_number}.jpg": image(800, 600), f"anh/{by_code['member_code']}.PNG": image(400, 900, "PNG"),
        # A near miss that is nobody's: another province code (a changed last digit was by_code's number
        # whenever by_id's serial happened to end in 8).
        "ghi-chu.txt": b"x", f"002{id_number[3:]}.jpg": image(300, 400), "001090999999.jpg": b"not an image",
        "__MACOSX/._x.jpg": b"junk"}))
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["stored"] == 2
    assert sorted(p["code"] for p in outcome["problems"]) == ["photo-name", "unknown-member", "unknown-member"]
    photo = await photos_http.get(f"/api/v1/members/members/{by_id['member_id']}/photo",
                                  headers=registry.as_("report_viewer", "HNI"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).size == (300, 400)
    assert (await registry.row(by_code["member_id"]))["has_photo"] is True
    assert (await registry.events_of(by_code["member_id"]))[-1] == "members.member.updated"
    outsider = await photos_http.get(f"/api/v1/members/members/{by_id['member_id']}/photo",
                                     headers=registry.as_("report_viewer", "HCM"))
    assert_problem(outsider, 404, "not-found", "member_id")


async def test_fake_small_or_huge_images_are_reported_and_change_nothing(registry, photos_http):
    members = [await registry.approved("HNI-2") for _ in range(3)]
    ids = [(await registry.row(m["member_id"]))["id_number"] for m in members]
    before = await registry.counts()
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    gif = io.BytesIO()
    Image.new("RGB", (300, 400)).save(gif, "GIF")
    response = await upload(photos_http, registry, archive({
        f"{ids[0]}.png": fake_png, f"{ids[1]}.jpg": image(100, 120), f"{ids[2]}.jpg": gif.getvalue()}), "HNI-2")
    problems = {p["file"]: p for p in response.json()["problems"]}
    assert response.json()["stored"] == 0
    assert problems[f"{ids[0]}.png"]["code"] == "not-an-image"
    assert problems[f"{ids[0]}.png"]["message_vi"] == "Tệp không phải ảnh JPEG hoặc PNG"
    assert problems[f"{ids[1]}.jpg"] == {
        "file": f"{ids[1]}.jpg", "field": "photo", "code": "photo-too-small",
        "message_vi": "Ảnh quá nhỏ (tối thiểu 150x200 điểm ảnh)",
        "message_en": "The photo is too small (at least 150x200 pixels)"}
    assert problems[f"{ids[2]}.jpg"]["code"] == "not-an-image"
    assert await registry.counts() == before


async def test_bad_archives_and_scope(registry, photos_http, monkeypatch):
    before = await registry.counts()
    not_zip = await upload(photos_http, registry, b"%PDF-1.4")
    assert_problem(not_zip, 422, "not-a-zip", "file", "Tệp ảnh phải là tệp .zip", "Photos must come in a .zip file")
    monkeypatch.setattr(reading, "MAX_ZIP_ENTRIES", 10_000)
    from members.application import photos

    monkeypatch.setattr(photos, "MAX_INFLATED", 4 * 1024 * 1024)
    bomb = await upload(photos_http, registry, archive({"001090000001.jpg": b"\x00" * (20 * 1024 * 1024)}))
    assert_problem(bomb, 413, "zip-bomb", "file")
    outside = await upload(photos_http, registry, archive({}), unit="HCM-1", who=registry.as_("data_entry", "HNI-1"))
    assert_problem(outside, 403, "out-of-scope", "unit_id")
    assert await registry.counts() == before
