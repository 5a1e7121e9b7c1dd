"""Zip archives from uploads (workbooks, photo batches), inflated within limits.

A zip's directory declares each entry's size, and a bomb declares small ones: the declared sizes are
checked before anything is inflated, then every entry is inflated in a counting stream that stops at its
limit whatever was declared. All of it is CPU work: callers run it off the event loop.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from chassis.errors import InvalidInput, PayloadTooLarge

MAX_ENTRIES = 10_000
_CHUNK = 1 << 20


class EntryTooLarge(Exception):
    """The entry inflates past its limit (whatever its declared size)."""


class EntryCorrupt(Exception):
    """The entry's data does not match its sizes or checksum, or cannot be inflated at all."""


def open_zip(content: bytes, not_a_zip: InvalidInput) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError) as error:
        raise not_a_zip from error


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Tệp nén giải nén ra quá lớn (trên {limit // 2**20} MB): có thể là tệp độc hại",
        f"The archive inflates to more than {limit // 2**20} MB: refused as a possible zip bomb",
        code="zip-bomb",
        field="file",
    )


def corrupt() -> InvalidInput:
    return InvalidInput(
        "Tệp nén bị hỏng hoặc bị chỉnh sửa bất thường",
        "The archive is corrupt (its sizes or checksums do not match its content)",
        code="corrupt-archive",
        field="file",
    )


def check_declared(entries: list[zipfile.ZipInfo], limit: int, max_entries: int = MAX_ENTRIES) -> None:
    """Refuse, before inflating anything, an archive whose directory already declares too much."""
    if len(entries) > max_entries or sum(entry.file_size for entry in entries) > limit:
        raise too_large(limit)


def read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, inflated at most to `limit` (EntryTooLarge past it, EntryCorrupt if it lies)."""
    parts: list[bytes] = []
    inflate(archive, entry, limit, parts.append)
    return b"".join(parts)


def inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int, sink) -> int:
    if entry.file_size > limit:
        raise EntryTooLarge(entry.filename)
    total = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(min(_CHUNK, limit + 1 - total)):
                total += len(chunk)
                if total > limit:
                    raise EntryTooLarge(entry.filename)
                sink(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        # RuntimeError: encrypted; NotImplementedError: a compression method zipfile does not have.
        raise EntryCorrupt(entry.filename) from error
    return total


def inflate_all(archive: zipfile.ZipFile, limit: int) -> None:
    """Refuse an archive that inflates past `limit` in all, counting what inflating really produces, or
    whose sizes or checksums do not match its data: nothing of it reaches a parser then."""
    entries = archive.infolist()
    check_declared(entries, limit)
    left = limit
    for entry in entries:
        try:
            left -= inflate(archive, entry, left, lambda _: None)
        except EntryTooLarge as error:
            raise too_large(limit) from error
        except EntryCorrupt as error:
            raise corrupt() from error
