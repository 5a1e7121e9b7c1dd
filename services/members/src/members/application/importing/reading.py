"""Reading an uploaded member list with the chassis's one spreadsheet reader (`chassis.spreadsheets`: the
file is what its name says, zips and sheets within limits before parsing, .xlsx/.xls/.ods/CSV alike), then
finding its header row and its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chassis.errors import InvalidInput
from chassis.spreadsheets import HEADER_ROWS, Limits, Spreadsheet, open_spreadsheet

from members.domain.import_columns import column_for

MAX_INFLATED = 512 * 1024 * 1024
HEADER_SCAN_ROWS = HEADER_ROWS


def open_upload(file_name: str, content: bytes, max_rows: int) -> Spreadsheet:
    """The upload checked as a spreadsheet (CPU work: run it in a thread)."""
    return open_spreadsheet(file_name, content, Limits(max_rows=max_rows, max_inflated=MAX_INFLATED))


def sniff(file_name: str, content: bytes, max_rows: int) -> str:
    """The file's kind, once it passed every check of the reader; refuses anything else."""
    return open_upload(file_name, content, max_rows).kind


@dataclass
class MemberSheet:
    name: str
    header_row: int  # 1-based, as Excel shows it
    mapping: dict[int, str]  # column index -> field key
    headers: list[str] = field(default_factory=list)  # the header row as shown, merged cells filled in
    unknown_headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)  # every row after the header, as read
    first_row: int = 0  # 1-based number of rows[0]


def read_sheet(kind: str, content: bytes, max_rows: int) -> MemberSheet:
    """The first sheet with a recognisable header row, and its rows."""
    spreadsheet = open_upload(f"upload.{kind}", content, max_rows)
    for name in spreadsheet.sheet_names:
        rows = spreadsheet.rows(name)
        found = find_header(rows)
        if found is not None:
            header_index, mapping, unknown = found
            above = rows[header_index - 1] if header_index else []
            headers = [
                str(cell) if cell not in (None, "") else (str(above[i]) if i < len(above) else "")
                for i, cell in enumerate(rows[header_index])
            ]
            return MemberSheet(
                name, header_index + 1, mapping, headers, unknown, rows[header_index + 1 :], header_index + 2
            )
    raise InvalidInput(
        "Không tìm thấy dòng tiêu đề (cần ít nhất các cột Họ và tên, Ngày sinh, Số CCCD/CMND)",
        "No header row found (at least Full name, Date of birth and ID number columns are needed)",
        code="no-header-row",
        field="file",
    )


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
