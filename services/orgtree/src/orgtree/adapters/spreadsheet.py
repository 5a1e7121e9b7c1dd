"""Reading a unit tree from .xlsx/.xls/.ods or .csv (the chassis's one reader, `chassis.spreadsheets`).

Headers are matched by meaning, with or without diacritics ("Mã đơn vị cấp trên",
"ma don vi cap tren", "parent_code"); unknown columns are reported, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chassis.errors import FieldError, InvalidInput, PayloadTooLarge
from chassis.spreadsheets import Limits, open_spreadsheet
from chassis.text import search_key

from orgtree.domain.plan import UnitRow

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024

# Column → accepted headers, compared as search keys (lower-case, no diacritics, single spaces).
HEADERS: dict[str, tuple[str, ...]] = {
    "parent_code": ("ma don vi cap tren", "ma cap tren", "don vi cap tren", "ma don vi cha", "parent code", "parent"),
    "code": ("ma don vi", "ma", "code", "unit code"),
    "name": ("ten don vi", "ten", "name", "unit name"),
    "type_code": ("loai don vi", "loai", "cap", "type", "type code", "unit type"),
    "short_name": ("ten viet tat", "ten ngan", "short name"),
    "province": ("tinh thanh pho", "tinh", "ma tinh", "tinh tp", "province", "province code"),
    "address": ("dia chi", "address"),
    "employer_name": (
        "ten doanh nghiep",
        "don vi su dung lao dong",
        "ten don vi su dung lao dong",
        "chu su dung lao dong",
        "employer",
        "employer name",
    ),
    "employer_tax_code": ("ma so thue", "mst", "tax code", "employer tax code"),
    "enterprise_type": ("loai hinh doanh nghiep", "loai hinh", "enterprise type"),
    "sector": ("nganh nghe", "nganh", "linh vuc", "sector"),
    "workforce_size": ("so lao dong", "quy mo lao dong", "tong so lao dong", "workforce", "workforce size"),
}
REQUIRED = ("code", "name", "type_code")
_BY_HEADER = {header: column for column, headers in HEADERS.items() for header in headers}


@dataclass
class UnitSheet:
    rows: list[UnitRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_unit_rows(filename: str, content: bytes) -> UnitSheet:
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(
            f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB",
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            field="file",
        )
    table = _cells(filename, content)
    header_at = next((i for i, cells in enumerate(table) if any(_text(c) for c in cells)), None)
    if header_at is None:
        raise InvalidInput("Tệp không có dữ liệu", "The file is empty", code="empty-file", field="file")
    columns: dict[int, str] = {}
    sheet = UnitSheet()
    for index, header in enumerate(table[header_at]):
        column = _BY_HEADER.get(_header_key(_text(header) or ""))
        if column and column not in columns.values():
            columns[index] = column
        elif _text(header):
            sheet.ignored_columns.append(_text(header))
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise InvalidInput(
            "Tệp thiếu cột bắt buộc: " + ", ".join(missing),
            "The file lacks required columns: " + ", ".join(missing),
            code="missing-columns",
            field="file",
            errors=[FieldError(c, "missing-column", f"Thiếu cột {c}", f"Column {c} is missing") for c in missing],
        )
    for offset, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        values = {column: _text(cells[i]) if i < len(cells) else None for i, column in columns.items()}
        if not any(values.values()):
            continue
        sheet.rows.append(UnitRow(row=offset, **values))
    if len(sheet.rows) > MAX_ROWS:
        raise PayloadTooLarge(
            f"Tệp có {len(sheet.rows)} dòng, tối đa {MAX_ROWS}",
            f"The file has {len(sheet.rows)} rows, at most {MAX_ROWS}",
            field="file",
        )
    return sheet


def _cells(filename: str, content: bytes) -> list[list]:
    """The first sheet's rows, read by the chassis's one reader (limits checked before parsing)."""
    spreadsheet = open_spreadsheet(filename, content, Limits(max_rows=MAX_ROWS))
    return spreadsheet.rows()


def _text(cell) -> str | None:
    """A cell as text: Excel stores codes and tax numbers typed as numbers as floats (1234.0)."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    value = str(cell).strip()
    return value or None


def _header_key(header: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in search_key(header)).split())
