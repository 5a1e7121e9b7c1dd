"""A grassroots union's payroll list (bảng lương) read into the month's dues lines, free of frameworks.

The list has a header row (within the first rows) naming at least the member code column ("Mã đoàn viên") and the
salary column ("Tiền lương", "Lương"); headings are matched without diacritics or case. Salaries come as numbers
or as text the way Vietnamese Excel shows them ("9.000.000", "9,000,000 đ").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chassis.spreadsheets import HEADER_ROWS
from chassis.text import normalise, search_key

CODE_HEADINGS = ("ma doan vien", "ma so doan vien", "member code", "member_code")
SALARY_HEADINGS = ("tien luong", "luong", "muc luong", "tien luong dong doan phi", "salary", "salary_vnd")
MAX_SALARY_VND = 10_000_000_000


@dataclass(frozen=True)
class PayrollRow:
    row: int  # as Excel numbers it
    member_code: str
    salary_vnd: int | None  # None: missing or unreadable


def header(rows: list[list]) -> tuple[int, int, int] | None:
    """(header row index, code column, salary column), or None when no row names both."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        keys = [search_key(str(cell)) if cell not in (None, "") else "" for cell in row]
        code = next((i for i, key in enumerate(keys) if key in CODE_HEADINGS), None)
        salary = next((i for i, key in enumerate(keys) if key in SALARY_HEADINGS), None)
        if code is not None and salary is not None:
            return index, code, salary
    return None


def salary_of(cell) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        value = int(cell)
    else:
        digits = re.sub(r"[\s.,]|đ|vnd|VND|₫", "", str(cell))
        if not digits.isdigit():
            return None
        value = int(digits)
    return value if 0 <= value <= MAX_SALARY_VND else None


def code_of(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return normalise(str(cell)) if cell is not None else ""


def code_key(code: str) -> str:
    """Member codes (11 digits, the first ones often zeros) are identifiers, but Excel may have turned one into a
    number and dropped its leading zeros (and a CSV keeps what Excel showed): codes match without them."""
    return code.lstrip("0") if code.isdigit() else code


def payroll_rows(rows: list[list]) -> list[PayrollRow] | None:
    """The list's data rows (blank ones skipped), or None when it has no recognisable header."""
    found = header(rows)
    if found is None:
        return None
    start, code, salary = found
    read = []
    for index, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = row + [""] * (max(code, salary) + 1 - len(row))
        if all(cell in (None, "") for cell in cells):
            continue
        read.append(PayrollRow(index, code_of(cells[code]), salary_of(cells[salary])))
    return read
