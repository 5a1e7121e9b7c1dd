"""Card faces made in the background benchmark. A script, not a test:
`uv run python tests/benchmarks/bench_card_faces.py --cards 5000 50000`.

For each size, a province's order of that many requested regular cards (the database `bench_cards`, rebuilt per
size, on the test PostgreSQL server) is placed through the cards API in process; the faces job is started through
the API and the background worker (`CardFaceWorker`, the code the API processes run) makes it a part at a time;
then the zip is downloaded. Reports cards per second of the worker and how much the process's resident size grew
while it worked (sampled after every part: flat in the order's size is the point).
With `--photos`, every holder has a photo as cards keeps them (`holder_photos`, a 240x320 JPEG of about 20 KB, each
member's own bytes so no two faces share an image), written set-based before the order is placed.
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from cards.application.card_faces import CardFaceWorker  # noqa: E402
from cards.config import CardsSettings  # noqa: E402
from cards.entrypoints.api import create_app  # noqa: E402
from chassis.database import Database  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.benchmarks.bench_print_orders import MIGRATIONS, ORDERS, generate  # noqa: E402
from tests.benchmarks.support import fresh_database, print_results, record  # noqa: E402
from tests.support.infra import postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def sample_photo() -> bytes:
    """A portrait-sized JPEG with the detail of a photo (noise over a gradient), about 20 KB."""
    noise = Image.effect_noise((240, 320), 40).convert("RGB").filter(ImageFilter.GaussianBlur(0.7))
    image = Image.blend(noise, Image.linear_gradient("L").resize((240, 320)).convert("RGB"), 0.5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


async def give_photos(database: Database) -> int:
    """Every holder's photo: the sample with the member's id in a JPEG comment (COM, 18 bytes) after its start marker,
    so that no two photos are the same object in a PDF. Returns the sample's size."""
    jpeg = sample_photo()
    async with database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO holder_photos (member_id, version, sha256, width, height, jpeg) "
                "SELECT member_id, 1, encode(sha256(photo), 'hex'), 240, 320, photo FROM ("
                "  SELECT member_id,"
                "    '\\xffd8fffe0012'::bytea || uuid_send(member_id) || substring(:jpeg FROM 3) AS photo"
                "  FROM card_holders) AS holders"
            ).bindparams(jpeg=jpeg)
        )
    return len(jpeg)


async def one_size(server: str, cards: int, units: int, part_size: int, photos: bool) -> None:
    url = await fresh_database(server, "bench_cards", MIGRATIONS)
    database = Database(url, 4)
    province, _ = await generate(database, url, units, cards)
    photo_bytes = await give_photos(database) if photos else 0
    settings = CardsSettings(database_url=url, internal_token_secret=TEST_SECRET, faces_part_size=part_size)
    officer = lambda: headers_for(principal("card_officer", province, "hni"))  # noqa: E731 (a fresh token each time)
    try:
        async with client(create_app, settings) as http:
            placed = await http.post(
                ORDERS,
                json={"unit_id": str(province), "kind": "regular", "include_without_photo": True},
                headers=officer(),
                timeout=600,
            )
            assert placed.status_code == 201, placed.text
            order = placed.json()
            started = await http.post(f"{ORDERS}/{order['order_id']}/faces", headers=officer())
            assert started.status_code == 202, started.text
            job = started.json()
            worker = CardFaceWorker(database, settings)
            before = highest = resident_mb()
            began = time.perf_counter()
            while await worker.work_once():
                highest = max(highest, resident_mb())
            seconds = time.perf_counter() - began
            done = (await http.get(f"{ORDERS}/{order['order_id']}/faces/{job['job_id']}", headers=officer())).json()
            assert done["state"] == "ready" and done["done"] == cards, done
            began = time.perf_counter()
            size = 0
            async with http.stream("GET", done["download"], headers=officer(), timeout=600) as download:
                assert download.status_code == 200
                async for chunk in download.aiter_bytes():
                    size += len(chunk)
            download_s = time.perf_counter() - began
            record(
                f"faces of {cards:,} cards in parts of {part_size:,} (worker)"
                + (f", each with its photo ({photo_bytes / 1e3:.0f} KB)" if photos else ", no photos"),
                f"{seconds:.1f} s",
                f"**{cards / seconds:,.0f} cards/s**, {len(done['parts'])} parts; resident size "
                f"{before:,.0f} MB before, +{highest - before:,.0f} MB at most while working",
            )
            record(f"download the zip ({cards:,} cards)", f"{download_s:.1f} s", f"{size / 1e6:.1f} MB, streamed")
    finally:
        await database.dispose()


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--part-size", type=int, default=1_000)
    parser.add_argument("--photos", action="store_true", help="every holder with a photo on the face")
    args = parser.parse_args()
    for cards in args.cards:
        await one_size(server, cards, args.units, args.part_size, args.photos)
    print_results()


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))
