"""Reading an uploaded member list: what the file really is, that it is safe to open, and its rows.

.xlsx is a zip: before any parser touches it we check it is a workbook and that its
uncompressed size stays under a limit, counted while inflating (a zip bomb declares
small sizes). .xls must be an OLE2 compound file (old systems often save HTML as .xls).
.csv must be UTF-8, with or without a BOM. Cells come out as Python values; formulas
give their cached result (what Excel showed).
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from chassis.errors import InvalidInput, PayloadTooLarge
from python_calamine import CalamineError, CalamineWorkbook

from members.domain.import_columns import column_for

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
HEADER_SCAN_ROWS = 15
KINDS = {"xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "csv": "csv", "txt": "csv"}


def wrong_type(extension: str) -> InvalidInput:
    return InvalidInput(
        f"Tệp không phải là tệp {extension} thật (nội dung không khớp phần mở rộng)",
        f"The file is not a real .{extension} file (its content does not match its extension)",
        code="wrong-file-type", field="file",
    )


def sniff(file_name: str, content: bytes) -> str:
    """The file's kind from its name, confirmed by its content; refuses anything else."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    kind = KINDS.get(extension)
    if kind is None:
        raise InvalidInput("Chỉ nhận tệp .xlsx, .xls hoặc .csv", "Only .xlsx, .xls or .csv files are accepted",
                           code="unsupported-file-type", field="file")
    if not content.strip():
        raise InvalidInput("Tệp rỗng", "The file is empty", code="empty-file", field="file")
    if kind == "xlsx":
        check_workbook_zip(content, extension)
    elif kind == "xls" and not content.startswith(OLE2_MAGIC):
        raise wrong_type(extension)
    elif kind == "csv":
        head = content[:65536]
        if b"\x00" in head or content.startswith((b"PK\x03\x04", OLE2_MAGIC, b"%PDF")):
            raise wrong_type(extension)
        decode_csv(content)
    return kind


def check_workbook_zip(content: bytes, extension: str = "xlsx") -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise wrong_type(extension) from error
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
            raise wrong_type(extension)
        inflate_safely(archive)


def inflate_safely(archive: zipfile.ZipFile, limit: int | None = None) -> None:
    """Refuse an archive that inflates past `limit`, counting what inflating really produces (declared
    sizes may lie), or whose sizes or checksums do not match its data."""
    limit = limit or MAX_UNCOMPRESSED
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > limit:
        raise zip_bomb(limit)
    total = 0
    try:
        for entry in entries:
            with archive.open(entry) as stream:
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise zip_bomb(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        # Sizes or checksums that do not match the data: a forged archive, never handed to a parser.
        raise InvalidInput("Tệp nén bị hỏng hoặc bị chỉnh sửa bất thường", "The archive is corrupt "
                           "(its sizes or checksums do not match its content)", code="corrupt-workbook",
                           field="file") from error


def zip_bomb(limit: int | None = None) -> PayloadTooLarge:
    limit = limit or MAX_UNCOMPRESSED
    return PayloadTooLarge(
        f"Tệp nén giải nén ra quá lớn (trên {limit // 2**20} MB): có thể là tệp độc hại",
        f"The archive inflates to more than {limit // 2**20} MB: refused as a possible zip bomb",
        code="zip-bomb", field="file",
    )


@dataclass
class Sheet:
    name: str
    header_row: int  # 1-based, as Excel shows it
    mapping: dict[int, str]  # column index -> field key
    headers: list[str] = field(default_factory=list)  # the header row as shown, merged cells filled in
    unknown_headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)  # every row after the header, as read
    first_row: int = 0  # 1-based number of rows[0]


def read_sheet(kind: str, content: bytes) -> Sheet:
    """The first sheet with a recognisable header row, and its rows."""
    for name, rows in _sheets(kind, content):
        found = find_header(rows)
        if found is not None:
            header_index, mapping, unknown = found
            above = rows[header_index - 1] if header_index else []
            headers = [str(cell) if cell not in (None, "") else (str(above[i]) if i < len(above) else "")
                       for i, cell in enumerate(rows[header_index])]
            return Sheet(name, header_index + 1, mapping, headers, unknown, rows[header_index + 1:], header_index + 2)
    raise InvalidInput(
        "Không tìm thấy dòng tiêu đề (cần ít nhất các cột Họ và tên, Ngày sinh, Số CCCD/CMND)",
        "No header row found (at least Full name, Date of birth and ID number columns are needed)",
        code="no-header-row", field="file",
    )


def _sheets(kind: str, content: bytes) -> Iterator[tuple[str, list[list]]]:
    if kind == "csv":
        yield "csv", read_csv(content)
        return
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, ValueError, OSError) as error:
        raise wrong_type(kind) from error
    for name in workbook.sheet_names:
        try:
            yield name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as error:
            raise wrong_type(kind) from error


def decode_csv(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("Tệp CSV phải được lưu với bảng mã UTF-8", "A CSV file must be encoded in UTF-8",
                           code="csv-encoding", field="file") from error


def read_csv(content: bytes) -> list[list]:
    text = decode_csv(content)
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def find_header(rows: list[list]) -> tuple[int, dict[int, str], list[str]] | None:
    """The row naming the most known columns among the first rows. A header cell merged over two rows
    keeps its text in the upper row, so an empty header cell borrows the text above it."""
    best: tuple[int, dict[int, str], list[str]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        above = rows[index - 1] if index > 0 else []
        mapping: dict[int, str] = {}
        unknown: list[str] = []
        for column, cell in enumerate(row):
            text = cell if cell not in (None, "") else (above[column] if column < len(above) else "")
            key = column_for(text)
            if key is not None and key not in mapping.values():
                mapping[column] = key
            elif text not in (None, "") and key is None and cell not in (None, ""):
                unknown.append(str(cell))
        if {"full_name", "date_of_birth", "id_number"} <= set(mapping.values()) and (
            best is None or len(mapping) > len(best[1])
        ):
            best = (index, mapping, unknown)
    return best
