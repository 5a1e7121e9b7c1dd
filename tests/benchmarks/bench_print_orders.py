"""Card print orders benchmark. A script, not a test: `uv run python tests/benchmarks/bench_print_orders.py`.

A province with `--units` grassroots units (default 1,000) and `--cards` requested regular cards (default
100,000: a province's whole backlog at a card campaign) in its own database (`bench_cards`, rebuilt every run)
on the test PostgreSQL server (DATABASE_URL). Through the cards API in process (auth, scope, JSON and all):
1. place one order gathering every requested card (one UPDATE, history rows, an event per card)
2. download the order's list as .xlsx (for the print shop) and as PDF (the payment voucher), and the card faces
3. mark the order printed (a 10-digit national number per card, history, an event per card)
4. one grassroots unit confirms its cards received
Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import chassis.http  # noqa: E402,F401  (imported first: chassis.scope and chassis.audit import each other)
from cards.config import CardsSettings  # noqa: E402
from cards.domain.model import new_verification_code  # noqa: E402
from cards.entrypoints.api import create_app  # noqa: E402
from chassis.database import Database, asyncpg_dsn  # noqa: E402
from chassis.ids import uuid7_texts  # noqa: E402
from chassis.tree import apply_unit_state  # noqa: E402
from contracts.events.orgtree_unit_v1 import UnitCapabilities, UnitState  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402

from tests.benchmarks.support import fresh_database, print_results, record  # noqa: E402
from tests.support.infra import postgres_url  # noqa: E402
from tests.support.services import TEST_SECRET, client, headers_for, principal  # noqa: E402

MIGRATIONS = ROOT / "services" / "cards" / "src" / "cards" / "migrations"
ORDERS = "/api/v1/cards/print-orders"


def unit(unit_id: uuid.UUID, code: str, parent: uuid.UUID | None, type_code: str, **capabilities) -> UnitState:
    return UnitState(
        unit_id=unit_id,
        code=code,
        name=f"Công đoàn cơ sở {code}",
        type_code=type_code,
        parent_id=parent,
        capabilities=UnitCapabilities(**capabilities),
        effective_from=date(2025, 7, 1),
        version=1,
    )


async def generate(database: Database, url: str, units: int, count: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    province, grassroots = uuid.uuid4(), [uuid.uuid4() for _ in range(units)]
    async with database.transaction() as session:
        await apply_unit_state(session, unit(NATIONAL_CENTRE_ID, "TLD", None, "national_centre"))
        await apply_unit_state(
            session, unit(province, "HNI", NATIONAL_CENTRE_ID, "provincial_federation", can_order_cards=True)
        )
        for number, unit_id in enumerate(grassroots):
            await apply_unit_state(
                session, unit(unit_id, f"HNI-{number:04d}", province, "grassroots_union", can_admit_members=True)
            )
    members = uuid7_texts(count)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table(
            "card_holders",
            columns=["member_id", "unit_id", "member_code", "full_name", "status", "card_type", "version"],
            records=[
                (uuid.UUID(m), grassroots[n % units], f"01{n:08d}", "Nguyễn Thị Minh Khai", "active", "regular", 2)
                for n, m in enumerate(members)
            ],
        )
        await connection.copy_records_to_table(
            "cards",
            columns=[
                "card_id",
                "member_id",
                "unit_id",
                "member_code",
                "kind",
                "status",
                "reason",
                "verification_code",
                "requested_by",
            ],
            records=[
                (
                    uuid.UUID(c),
                    uuid.UUID(m),
                    grassroots[n % units],
                    f"01{n:08d}",
                    "regular",
                    "requested",
                    "new",
                    new_verification_code(),
                    "bench",
                )
                for n, (c, m) in enumerate(zip(uuid7_texts(count), members, strict=True))
            ],
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return province, grassroots


async def timed(call):
    started = time.perf_counter()
    response = await call
    assert response.status_code in (200, 201), response.text
    return time.perf_counter() - started, response


async def main(server: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--skip-faces", action="store_true", help="no card faces (~1.5 ms a card, 2.5 min at 100,000)")
    args = parser.parse_args()
    url = await fresh_database(server, "bench_cards", MIGRATIONS)
    database = Database(url, 4)
    province, grassroots = await generate(database, url, args.units, args.cards)
    settings = CardsSettings(database_url=url, internal_token_secret=TEST_SECRET)

    # Internal tokens are short-lived: a fresh one for each request, as the gateway makes them.
    def officer() -> dict[str, str]:
        return headers_for(principal("card_officer", province, "hni"))

    def print_shop() -> dict[str, str]:
        return headers_for(principal("card_officer", NATIONAL_CENTRE_ID, "tld"))

    try:
        async with client(create_app, settings) as http:
            seconds, placed = await timed(
                http.post(
                    ORDERS,
                    json={"unit_id": str(province), "kind": "regular", "include_without_photo": True},
                    headers=officer(),
                    timeout=600,
                )
            )
            order = placed.json()
            assert order["card_count"] == args.cards, order
            record(
                f"place one order of {args.cards:,} requested cards ({args.units:,} units)",
                f"{seconds:.1f} s",
                f"{args.cards / seconds:,.0f} cards/s: UPDATE (a number per card) + history, an event per card, commit",
            )
            seconds, sheet = await timed(
                http.get(f"{ORDERS}/{order['order_id']}/list.xlsx", headers=officer(), timeout=600)
            )
            record("the order's list as .xlsx", f"{seconds:.1f} s", f"{len(sheet.content) / 1e6:.1f} MB")
            seconds, voucher = await timed(
                http.get(f"{ORDERS}/{order['order_id']}/list.pdf", headers=officer(), timeout=600)
            )
            record(
                "the order's list as PDF (payment voucher)",
                f"{seconds:.1f} s",
                f"{len(voucher.content) / 1e6:.1f} MB, {voucher.content.count(b'/Type /Page') - 1:,} pages",
            )
            if not args.skip_faces:
                seconds, faces = await timed(
                    http.get(f"{ORDERS}/{order['order_id']}/cards.pdf", headers=print_shop(), timeout=3600)
                )
                record(
                    "the card faces as PDF (barcode and QR on each)",
                    f"{seconds:.1f} s",
                    f"{len(faces.content) / 1e6:.1f} MB, {args.cards / seconds:,.0f} cards/s",
                )
            seconds, _ = await timed(
                http.post(f"{ORDERS}/{order['order_id']}/printed", headers=print_shop(), timeout=600)
            )
            record("mark the order printed", f"{seconds:.1f} s", "history and an event per card")
            seconds, received = await timed(
                http.post(f"{ORDERS}/{order['order_id']}/received", json={"unit_id": str(province)}, headers=officer())
            )
            record(
                "the province confirms the order received", f"{seconds:.1f} s", f"{received.json()['received']} cards"
            )
            seconds, handed = await timed(
                http.post(
                    f"{ORDERS}/{order['order_id']}/handed-down",
                    json={"unit_id": str(province), "to_unit_id": str(grassroots[0])},
                    headers=officer(),
                )
            )
            record(
                "it hands one grassroots unit its cards",
                f"{seconds * 1000:.0f} ms",
                f"{handed.json()['handed_down']} cards",
            )
            receiver = headers_for(principal("card_officer", grassroots[0], "grassroots"))
            seconds, received = await timed(
                http.post(
                    f"{ORDERS}/{order['order_id']}/received", json={"unit_id": str(grassroots[0])}, headers=receiver
                )
            )
            record(
                "the grassroots unit confirms them received (delivered)",
                f"{seconds * 1000:.0f} ms",
                f"{received.json()['received']} cards",
            )
    finally:
        await database.dispose()
    print_results()


if __name__ == "__main__":
    asyncio.run(main(postgres_url()))  # postgres_url() starts its own event loop, so it runs first
