"""One reader for every uploaded spreadsheet (member import, Vpoint codes, unit import): .xlsx/.xlsm, .xls,
.ods and CSV (UTF-8 with or without BOM, or Windows-1258), with one set of rules.

- The file is what its name says (a workbook zip, an OLE2 compound file, an OpenDocument zip, text).
- Nothing is parsed before its size is known to be bounded: a zip's declared sizes are checked before
  inflating, every entry is inflated in a counting stream (`chassis.archives`), and each sheet's declared
  dimension and the cells that really hold values are checked against the row and column limits before
  python-calamine builds its grid (it allocates every cell of the rectangle: a 1.6 KB file declaring cell
  (1500, 1500) would become 2.25 million cells). .xls is bounded by its format (65,536 x 256 cells).
- The row limit holds while reading (CSV is never read past it).
- A cell holding a NUL character is refused, naming the cell (the boundary rule, `chassis.boundary`).
- Cells come out as python-calamine gives them (str, int, float, bool, date, datetime; formulas as their
  cached result); CSV cells are text. Repairs of what Excel did to the values (lost leading zeros, numbers
  as text) belong to the caller and apply to every format alike, because they work on the text shown.

All of it is CPU work: callers run it off the event loop (`asyncio.to_thread`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

from chassis.archives import EntryCorrupt, EntryTooLarge, check_declared, corrupt, inflate, open_zip, too_large
from chassis.errors import InvalidInput, PayloadTooLarge

KINDS = {"xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "ods": "ods", "csv": "csv", "txt": "csv"}
NAMES = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods", "csv": ".csv"}
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_INFLATED = 512 * 1024 * 1024
HEADER_ROWS = 15  # rows above the data a caller may search for its header row


@dataclass(frozen=True)
class Limits:
    max_rows: int  # data rows of a sheet (header rows come on top)
    max_columns: int = 256
    max_inflated: int = MAX_INFLATED


def wrong_type(kind: str) -> InvalidInput:
    return InvalidInput(
        f"Tệp không phải là tệp {kind} thật (nội dung không khớp phần mở rộng)",
        f"The file is not a real {NAMES.get(kind, kind)} file (its content does not match its extension)",
        code="wrong-file-type",
        field="file",
    )


def too_many_rows(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Tệp có quá {limit:,} dòng dữ liệu".replace(",", "."),
        f"The file has more than {limit:,} data rows",
        code="too-many-rows",
        field="file",
    )


def too_many_columns(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Trang tính có quá {limit} cột",
        f"A sheet has more than {limit} columns",
        code="too-many-columns",
        field="file",
    )


def kind_of(file_name: str, allowed: tuple[str, ...]) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    kind = KINDS.get(extension)
    if kind not in allowed:
        names = [NAMES[k] for k in allowed]
        listed = ", ".join(names[:-1])
        raise InvalidInput(
            f"Chỉ nhận tệp {listed} hoặc {names[-1]}",
            f"Only {listed} or {names[-1]} files are accepted",
            code="unsupported-file-type",
            field="file",
        )
    return kind


class Spreadsheet:
    """An uploaded file, checked: its kind, its sheets' names and, sheet by sheet, its rows."""

    def __init__(self, kind: str, content: bytes, limits: Limits, suspect_nul: bool) -> None:
        self.kind, self.content, self.limits = kind, content, limits
        self._suspect_nul = suspect_nul
        self._workbook: CalamineWorkbook | None = None
        self._text: str | None = None
        if kind == "csv":
            self._text = decode_text(content)
            self.sheet_names = ["csv"]
        else:
            try:
                self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
                self.sheet_names = list(self._workbook.sheet_names)
            except (CalamineError, ValueError, OSError) as error:
                raise wrong_type(kind) from error

    def rows(self, name: str | None = None) -> list[list]:
        """The rows of sheet `name` (the first by default), at most the row limit past the header rows."""
        limit = self.limits.max_rows + HEADER_ROWS
        rows: list[list] = []
        for index, row in enumerate(self._rows(name or self.sheet_names[0])):
            if index >= limit:
                raise too_many_rows(self.limits.max_rows)
            if len(row) > self.limits.max_columns:
                if any(cell not in (None, "") for cell in row[self.limits.max_columns :]):
                    raise too_many_columns(self.limits.max_columns)
                row = row[: self.limits.max_columns]
            if self._suspect_nul:
                _refuse_nul(row, index)
            rows.append(row)
        return rows

    def _rows(self, name: str) -> Iterator[list]:
        if self._text is not None:
            yield from csv.reader(io.StringIO(self._text, newline=""), delimiter=_delimiter(self._text))
            return
        try:
            sheet = self._workbook.get_sheet_by_name(name)
            # Rows come from the first row on, but from the first used column only: pad them back, so
            # that cells keep the positions Excel shows.
            padding = [""] * (sheet.start[1] if sheet.start else 0)
            for row in sheet.iter_rows():
                yield padding + row if padding else row
        except (CalamineError, ValueError) as error:
            raise wrong_type(self.kind) from error


def open_spreadsheet(
    file_name: str, content: bytes, limits: Limits, allowed: tuple[str, ...] = ("xlsx", "xls", "ods", "csv")
) -> Spreadsheet:
    """The upload as a spreadsheet, once every rule above holds; refused with a 4xx problem otherwise."""
    kind = kind_of(file_name, allowed)
    if not content.strip():
        raise InvalidInput("Tệp rỗng", "The file is empty", code="empty-file", field="file")
    suspect_nul = False
    if kind in ("xlsx", "ods"):
        suspect_nul = _check_zip(kind, content, limits)
    elif kind == "xls":
        if not content.startswith(OLE2_MAGIC):
            raise wrong_type(kind)
        suspect_nul = True  # binary strings: each cell is looked at
    elif content.startswith((b"PK\x03\x04", OLE2_MAGIC, b"%PDF")) or b"\x00" in content[:65536]:
        raise wrong_type(kind)  # text has no NUL bytes: this is some binary file
    else:
        suspect_nul = b"\x00" in content
    return Spreadsheet(kind, content, limits, suspect_nul)


def decode_text(content: bytes) -> str:
    """CSV text: UTF-8 (with or without a BOM) or, failing that, Windows-1258 (older Vietnamese Excel)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes most tone marks as combining characters: composed here, as every other format has it.
        return unicodedata.normalize("NFC", content.decode("cp1258"))
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "Tệp CSV phải được lưu với bảng mã UTF-8 (hoặc Windows-1258)",
            "A CSV file must be encoded in UTF-8 (or Windows-1258)",
            code="csv-encoding",
            field="file",
        ) from error


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:65536].split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _refuse_nul(row: list, index: int) -> None:
    for column, cell in enumerate(row):
        if isinstance(cell, str) and "\x00" in cell:
            where = f"{_column_name(column)}{index + 1}"
            raise InvalidInput(
                f"Ô {where} chứa ký tự NUL (\\u0000), không lưu được",
                f"Cell {where} holds the NUL character (\\u0000), which cannot be stored",
                code="nul-character",
                field="file",
                extra={"cell": where},
            )


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _column_index(letters: bytes) -> int:
    value = 0
    for letter in letters:
        value = value * 26 + letter - 64
    return value


# ---- zip-based workbooks: every entry inflated within limits, each sheet's extent measured meanwhile ----

_XLSX_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"'
)
_XLSX_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R_ATTRIBUTE = re.compile(rb'\br="([A-Z]{0,3})(\d{1,7})"')
# The fast path: cells written as Excel and every common writer write them, the position first. A cell with
# content holds a value (self-closing ones carry only a style); other cell forms take the token walk.
_VALUED_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"[^>/]*>')
_VALUED_ROWS = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"[^>/]*>')
_ROW_NUMBERS = re.compile(rb'<row r="(\d{1,7})"')
_OTHER_CELLS = re.compile(rb'<c(?:>| (?!r="[A-Z]))')
_ODS_TOKEN = re.compile(
    rb"<table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>|</table:table-row>"
)
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')
_ODS_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d{1,9})"')
_NUL_ESCAPES = (b"_x0000_", b"&#0;", b"&#x0;", b"&#00;", b"&#x00;")


class _Extent:
    """The rows and columns a sheet's cells with values reach, measured on its XML as it is inflated."""

    def __init__(self, kind: str, limits: Limits) -> None:
        self.kind, self.limits = kind, limits
        self.tail = b""
        self.rows = self.columns = 0
        self.first = True
        self.nul = False
        self.walk = False  # xlsx: cells in a form the fast path does not know: walked token by token
        # xlsx: the current row and column; ods: rows met in the sheet, the current row's repeat and columns.
        self.row = self.column = 0
        self.repeat = 1
        self.last_valued_column = 0

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        # Tokens never span more than a few hundred bytes: the unfinished end waits for the next chunk.
        cut = data.rfind(b"<")
        cut = len(data) if cut == -1 else cut
        work, self.tail = data[:cut], data[cut:]
        if len(self.tail) > 65536:  # not XML we know: measured as it is
            work, self.tail = data, b""
        if any(escape in work for escape in _NUL_ESCAPES):
            self.nul = True
        if self.kind == "xlsx":
            if self.first and (declared := _XLSX_DIMENSION.search(work)) is not None:
                last_letters, last_row = declared.group(3) or declared.group(1), declared.group(4) or declared.group(2)
                self._check(int(last_row), _column_index(last_letters))
            if not self.walk and _OTHER_CELLS.search(work):
                self.walk = True
            if self.walk:
                self._xlsx(work)
            else:
                if columns := set(_VALUED_COLUMNS.findall(work)):
                    self.columns = max(self.columns, *map(_column_index, columns))
                if rows := _VALUED_ROWS.findall(work):
                    self.rows = max(self.rows, *map(int, rows))
                if numbers := _ROW_NUMBERS.findall(work):
                    self.row = int(numbers[-1])
        else:
            self._ods(work)
        self.first = False
        self._check(self.rows, self.columns)

    def _check(self, rows: int, columns: int) -> None:
        if columns > self.limits.max_columns:
            raise too_many_columns(self.limits.max_columns)
        if rows > self.limits.max_rows + HEADER_ROWS:
            raise too_many_rows(self.limits.max_rows)

    def _xlsx(self, work: bytes) -> None:
        for match in _XLSX_TOKEN.finditer(work):
            name, attributes, empty = match.groups()
            position = _R_ATTRIBUTE.search(attributes)
            if name == b"row":
                self.row = int(position.group(2)) if position else self.row + 1
                self.column = 0
                continue
            if position and position.group(1):
                self.column = _column_index(position.group(1))
                self.row = int(position.group(2))
            else:
                self.column += 1
            if not empty:  # a cell element with content holds a value; a self-closing one only a style
                self.rows = max(self.rows, self.row)
                self.columns = max(self.columns, self.column)

    def _ods(self, work: bytes) -> None:
        for match in _ODS_TOKEN.finditer(work):
            name, attributes, empty = match.groups()
            if name is None:  # </table:table-row>
                if self.last_valued_column:
                    self.rows = max(self.rows, self.row + self.repeat)
                    self.columns = max(self.columns, self.last_valued_column)
                self.row += self.repeat
            elif name == b"table":
                self.row = 0
            elif name == b"table-row":
                repeated = _ODS_ROWS.search(attributes)
                self.repeat = int(repeated.group(1)) if repeated else 1
                self.column = self.last_valued_column = 0
                if empty:
                    self.row += self.repeat
            else:
                repeated = _ODS_COLUMNS.search(attributes)
                self.column += int(repeated.group(1)) if repeated else 1
                if not empty or b"value-type" in attributes:
                    self.last_valued_column = self.column


def _check_zip(kind: str, content: bytes, limits: Limits) -> bool:
    """Check a zip-based workbook; True when some text in it may hold a NUL character."""
    archive = open_zip(content, wrong_type(kind))
    with archive:
        names = set(archive.namelist())
        if kind == "xlsx" and (
            "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names)
        ):
            raise wrong_type(kind)
        if kind == "ods" and ("content.xml" not in names or _mimetype(archive) != ODS_MIMETYPE):
            raise wrong_type(kind)
        entries = archive.infolist()
        check_declared(entries, limits.max_inflated)
        left, suspect = limits.max_inflated, False
        for entry in entries:
            sheet = entry.filename.startswith("xl/worksheets/") if kind == "xlsx" else entry.filename == "content.xml"
            measured = _Extent(kind, limits) if sheet or entry.filename == "xl/sharedStrings.xml" else None
            try:
                left -= inflate(archive, entry, left, measured.feed if measured else _ignore)
            except EntryTooLarge as error:
                raise too_large(limits.max_inflated) from error
            except EntryCorrupt as error:
                raise corrupt() from error
            if measured is not None:
                measured.feed(b"")
                suspect = suspect or measured.nul
    return suspect


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    try:
        return archive.read("mimetype").strip()
    except KeyError:
        return b""


def _ignore(_: bytes) -> None:
    pass
