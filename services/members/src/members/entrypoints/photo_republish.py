"""`python -m members.entrypoints.photo_republish [--after <member id>]`: send every stored photo to cards once
(after this service first publishes `members.photo.v1`); see `application/photo_republish.py`."""

from __future__ import annotations

import argparse
import asyncio
from uuid import UUID

from chassis.database import Database

from members.adapters.photo_store import FilesystemPhotoStore
from members.application.photo_republish import republish_photos
from members.config import MembersSettings


async def run(settings: MembersSettings, after: UUID | None) -> int:
    database = Database(settings.database_url, 2)
    try:
        return await republish_photos(
            database,
            FilesystemPhotoStore(settings.photo_dir),
            after,
            progress=lambda count, last: print(f"members: {count} photos recorded, last member {last}", flush=True),
        )
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m members.entrypoints.photo_republish", description=__doc__)
    parser.add_argument("--after", type=UUID, help="resume after this member id (the last one printed)")
    args = parser.parse_args()
    count = asyncio.run(run(MembersSettings(), args.after))
    print(f"members: {count} photos recorded for cards (members.photo.v1)")


if __name__ == "__main__":
    main()
