"""Streaming a temporary file to the client, then removing it."""

from __future__ import annotations

import os
from collections.abc import Iterator


def file_chunks(path: str) -> Iterator[bytes]:
    """A plain generator: Starlette iterates it in a worker thread, so file reads do not block the loop."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 16):
                yield chunk
    finally:
        os.unlink(path)
