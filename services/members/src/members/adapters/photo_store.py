"""Where member photos live, behind one small interface: the filesystem now, object storage later."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol
from uuid import UUID


class PhotoStore(Protocol):
    def put(self, member_id: UUID, jpeg: bytes) -> None: ...

    def get(self, member_id: UUID) -> bytes | None: ...


class FilesystemPhotoStore:
    """`<root>/<2 hex>/<member_id>.jpg`; written to a temporary file and renamed, so readers never see half."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, member_id: UUID) -> Path:
        return self.root / member_id.hex[:2] / f"{member_id}.jpg"

    def put(self, member_id: UUID, jpeg: bytes) -> None:
        path = self._path(member_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(jpeg)
        os.replace(temporary, path)

    def get(self, member_id: UUID) -> bytes | None:
        path = self._path(member_id)
        return path.read_bytes() if path.is_file() else None
