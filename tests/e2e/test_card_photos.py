"""A member's photo from upload to the card face: uploaded through the gateway to members, carried on
`members.photo.v1` (outbox → relay → Kafka → cards' consumer), drawn on the face of the printed order."""

from __future__ import annotations

import io
import re
import uuid
import zipfile

from contracts.wellknown import NATIONAL_CENTRE_ID
from PIL import Image

from tests.e2e.test_walking_skeleton import create_member, create_unit
from tests.support.polling import eventually


def photo() -> bytes:
    image = Image.new("RGB", (600, 800), (180, 140, 110))
    image.paste((40, 40, 60), (150, 200, 450, 500))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def test_an_uploaded_photo_is_drawn_on_the_card_face(platform, admin):
    suffix = uuid.uuid4().hex[:6].upper()
    province = await create_unit(
        admin, f"AP{suffix}", "Liên đoàn Lao động tỉnh Ảnh", "provincial_federation", NATIONAL_CENTRE_ID
    )
    grassroots = await create_unit(admin, f"AG{suffix}", "Công đoàn cơ sở Công ty Ảnh", "grassroots_union", province)
    member = await create_member(admin, grassroots, name="Đinh Thị Hoa", gender="female", year=1990)
    approved = await admin.post(f"/api/v1/members/members/{member['member_id']}/decision", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    uploaded = await admin.put(
        f"/api/v1/members/members/{member['member_id']}/photo", files={"file": ("anh.jpg", photo(), "image/jpeg")}
    )
    assert uploaded.status_code == 204, uploaded.text

    async def request_card():
        return await admin.post("/api/v1/cards/requests", json={"member_ids": [member["member_id"]]})

    assert (await eventually(request_card, lambda r: r.status_code == 201, timeout=30)).status_code == 201

    # Without `include_without_photo`: the order takes the card only once cards knows the member has a photo.
    async def place_order():
        return await admin.post("/api/v1/cards/print-orders", json={"unit_id": province, "kind": "regular"})

    order = await eventually(place_order, lambda r: r.status_code == 201, timeout=30)
    assert order.json()["card_count"] == 1, order.text
    faces = f"/api/v1/cards/print-orders/{order.json()['order_id']}/faces"

    async def faces_made() -> bytes:
        """A new faces job, made by the worker beside the cards API, downloaded once ready: its one part's PDF."""
        started = await admin.post(faces)
        assert started.status_code == 202, started.text
        job = started.json()["job_id"]
        ready = await eventually(
            lambda: admin.get(f"{faces}/{job}"), lambda r: r.json()["state"] in ("ready", "failed"), timeout=30
        )
        assert ready.json()["state"] == "ready", ready.text
        download = await admin.get(ready.json()["download"])
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            return archive.read(archive.namelist()[0])

    # The photo travels on its own topic: a job made before it lands has an empty frame; the next one has it.
    pdf = await eventually(faces_made, lambda made: b"/Subtype /Image" in made, timeout=60)
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 1 and b"/DCTDecode" in pdf
    assert re.search(rb"/Width 240\b", pdf) and re.search(rb"/Height 320\b", pdf)
