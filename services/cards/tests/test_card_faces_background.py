"""Card faces of a large order made in the background in parts, with progress, downloaded when ready."""

from __future__ import annotations

import io
import re
import uuid
import zipfile

from cards.application.card_faces import CardFaceWorker
from cards.config import CardsSettings

from services.cards.tests.conftest import assert_problem
from services.cards.tests.test_print_orders import ORDERS, place, requested_cards


async def test_faces_are_made_a_part_at_a_time_and_downloaded_when_ready(office):
    province = await office.province("FCE")
    await requested_cards(office, f"{province}-A", 25)
    order = await place(office, province)
    officer = office.as_("card_officer", province)
    faces = f"{ORDERS}/{order['order_id']}/faces"
    started = await office.http.post(faces, headers=officer)
    assert started.status_code == 202, started.text
    job = started.json()
    assert (job["state"], job["total"], job["done"], job["progress"], job["download"]) == ("queued", 25, 0, 0, None)
    waiting = await office.http.get(f"{faces}/{job['job_id']}/cards.zip", headers=officer)
    assert_problem(waiting, 409, "faces-not-ready", "job_id")

    settings = CardsSettings(
        database_url="unused", public_verify_base_url="https://congdoan.example/the/", faces_part_size=10
    )
    worker = CardFaceWorker(office.db, settings)
    assert await worker.work_once()
    first = (await office.http.get(f"{faces}/{job['job_id']}", headers=officer)).json()
    assert (first["state"], first["done"], first["progress"], [p["cards"] for p in first["parts"]]) == (
        "running",
        10,
        0.4,
        [10],
    )
    while await worker.work_once():
        pass
    done = (await office.http.get(f"{faces}/{job['job_id']}", headers=officer)).json()
    assert (done["state"], done["done"], [p["cards"] for p in done["parts"]]) == ("ready", 25, [10, 10, 5])
    assert done["download"] == f"{faces}/{job['job_id']}/cards.zip" and done["finished_at"]

    download = await office.http.get(done["download"], headers=officer)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = archive.namelist()
        pdfs = [archive.read(name) for name in names]
    assert len(names) == 3 and all(pdf.startswith(b"%PDF") for pdf in pdfs)
    # Ten faces a sheet: one sheet per part of ten, one for the last five.
    assert [len(re.findall(rb"/Type /Page\b", pdf)) for pdf in pdfs] == [1, 1, 1]
    part = await office.http.get(f"{faces}/{job['job_id']}/parts/3.pdf", headers=officer)
    assert part.status_code == 200 and part.content == pdfs[2]


async def test_faces_that_cannot_be_made_here_or_seen_are_refused(office):
    province = await office.province("FCL")
    await requested_cards(office, f"{province}-A", 2, card_type="linked")
    linked = await place(office, province, kind="linked")
    officer = office.as_("card_officer", province)
    refused = await office.http.post(f"{ORDERS}/{linked['order_id']}/faces", headers=officer)
    assert_problem(refused, 422, "not-printed-here", "order_id")
    unknown = await office.http.post(f"{ORDERS}/{uuid.uuid4()}/faces", headers=officer)
    assert_problem(unknown, 404, "print-order-not-found", "order_id")
    other = await office.http.post(f"{ORDERS}/{linked['order_id']}/faces", headers=office.as_("card_officer", "HCM"))
    assert other.status_code == 404, other.text
    missing = await office.http.get(f"{ORDERS}/{linked['order_id']}/faces/{uuid.uuid4()}", headers=officer)
    assert_problem(missing, 404, "face-job-not-found", "job_id")


async def test_an_order_lists_its_face_jobs_newest_first_with_progress_and_download(office):
    province = await office.province("FJL")
    await requested_cards(office, f"{province}-A", 12)
    order = await place(office, province)
    officer = office.as_("card_officer", province)
    faces = f"{ORDERS}/{order['order_id']}/faces"
    assert (await office.http.get(faces, headers=officer)).json() == {"items": [], "next_cursor": None}
    first = (await office.http.post(faces, headers=officer)).json()
    settings = CardsSettings(
        database_url="unused", public_verify_base_url="https://congdoan.example/the/", faces_part_size=10
    )
    worker = CardFaceWorker(office.db, settings)
    while await worker.work_once():
        pass
    second = (await office.http.post(faces, headers=officer)).json()

    listed = await office.http.get(faces, params={"limit": 1}, headers=officer)
    assert listed.status_code == 200, listed.text
    [newest] = listed.json()["items"]
    assert (newest["job_id"], newest["state"], newest["progress"], newest["download"]) == (
        second["job_id"],
        "queued",
        0,
        None,
    )
    rest = await office.http.get(faces, params={"after": listed.json()["next_cursor"]}, headers=officer)
    [oldest] = rest.json()["items"]
    assert (oldest["job_id"], oldest["state"], oldest["done"], oldest["progress"]) == (first["job_id"], "ready", 12, 1)
    assert oldest["download"] == f"{faces}/{first['job_id']}/cards.zip" and oldest["requested_at"]
    assert rest.json()["next_cursor"] is None

    # Bad input is refused with the field; an order the caller does not see is not found.
    assert_problem(await office.http.get(f"{ORDERS}/abc/faces", headers=officer), 422, "invalid-input", "order_id")
    assert_problem(await office.http.get(faces, params={"limit": 0}, headers=officer), 422, "invalid-input", "limit")
    assert_problem(await office.http.get(faces, params={"after": "x!"}, headers=officer), 422, "invalid-input", "after")
    unknown = await office.http.get(f"{ORDERS}/{uuid.uuid4()}/faces", headers=officer)
    assert_problem(unknown, 404, "print-order-not-found", "order_id")
    other = await office.http.get(faces, headers=office.as_("card_officer", "HCM"))
    assert_problem(other, 404, "print-order-not-found", "order_id")
