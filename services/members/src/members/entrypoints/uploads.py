"""Reading an uploaded file into memory, refused past the service's limit before it is all read."""

from __future__ import annotations

from chassis.errors import PayloadTooLarge
from fastapi import UploadFile


async def read_limited(file: UploadFile, limit: int) -> bytes:
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(
            f"Tệp vượt quá {limit // 2**20} MB",
            f"The file is larger than {limit // 2**20} MB",
            code="file-too-large",
            field="file",
        )
    return content
