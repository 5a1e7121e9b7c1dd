"""One data row of an upload, normalised and checked: the traps of real Excel files live here.

- ID numbers stored as numbers lose their leading zeros. Every CCCD starts with 0 (province
  codes are 001-096), so an 11- or 10-digit number is padded back to 12 digits only when the
  result is a valid CCCD for that person's gender and birth year; an 8-digit one becomes a
  9-digit CMND. Each restoration is a warning; anything else is an error. Scientific
  notation (1.09E+11) lost digits for good and is an error.
- Dates as text (dd/mm/yyyy, d-m-yyyy, ISO), as Excel dates or as Excel serial numbers.
- Decomposed Unicode and stray spaces: every text is NFC with collapsed whitespace.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from uuid import UUID

from chassis.ids import uuid7_texts
from chassis.text import normalise, search_key

from members.adapters.imports import STAGED_COLUMNS
from members.domain.identity_numbers import restore_leading_zeros, written_id_number
from members.domain.import_columns import BY_KEY, choice_value
from members.domain.model import Member, member_problems, normalise_phone

EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
TEXT_KEYS = (
    "full_name",
    "id_issued_place",
    "position",
    "email",
    "hometown",
    "ethnicity",
    "religion",
    "education",
    "occupation",
    "employer",
)
# The checked values staged after `original` and `name_search`, in STAGED_COLUMNS order.
VALUE_COLUMNS = STAGED_COLUMNS[STAGED_COLUMNS.index("full_name") : STAGED_COLUMNS.index("errors")]
_NO_ID = UUID(int=0)
_json_text = json.encoder.encode_basestring  # a str as a JSON string, non-ASCII kept (C)


def problem(field: str, code: str, vi: str, en: str) -> dict:
    return {"field": field, "code": code, "message_vi": vi, "message_en": en}


@lru_cache(maxsize=200_000)
def _clean(text: str) -> str:
    # Real lists repeat the same names, positions and dates over and over: normalise each text once.
    return normalise(text)


@lru_cache(maxsize=200_000)
def _name_key(full_name: str) -> str:
    return search_key(full_name)


def cell_text(cell: object) -> str:
    """What a person saw in the cell, as text (numbers without a trailing .0)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        # ASCII (ID numbers, phones, dates) needs no NFC and would only flood the cache of Vietnamese texts.
        return " ".join(cell.split()) if cell.isascii() else _clean(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M") if cell.time() != datetime.min.time() else f"{cell:%d/%m/%Y}"
    if isinstance(cell, date):
        return f"{cell:%d/%m/%Y}"
    return _clean(str(cell))


def parse_date(cell: object) -> date | None:
    """A date from any of the forms Excel users type; raises ValueError when it is none of them."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 1 <= cell < 2_958_466:
            return EXCEL_EPOCH + timedelta(days=int(cell))
        raise ValueError(cell)
    day = _date_of_text(str(cell).strip())
    if day is None:
        raise ValueError(cell)
    return day


@lru_cache(maxsize=100_000)
def _date_of_text(text: str) -> date | None:
    """parse_date for text (birthdays repeat across a list, so each is parsed once); None when not a date."""
    try:
        return _parse_date_text(text)
    except ValueError:
        return None


def _parse_date_text(text: str) -> date:
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if text.isdigit() and 10_000 <= int(text) <= 80_000:  # an Excel serial that became text
        return EXCEL_EPOCH + timedelta(days=int(text))
    raise ValueError(text)


@dataclass(slots=True)
class RowOutcome:
    """A checked row: its staged values (VALUE_COLUMNS order) and its problems. Checks that need the rest of
    the file or the registry (duplicates, people already members) add to `errors` before it is staged."""

    row_number: int
    original: str  # the cells as the person saw them, a JSON array
    name_search: str | None
    values: tuple
    errors: list[dict]
    warnings: list[dict]
    id_number: str | None
    vpoint_code: str | None = None

    def record(self, import_id: str, member_id: str) -> tuple:
        """The row as COPY wants it, in STAGED_COLUMNS order. The member id is time-ordered (chassis/ids.py) and
        fixed here once and for all, so a resumed commit inserts the very same ids."""
        return (
            import_id,
            self.row_number,
            member_id,
            self.original,
            self.name_search,
            *self.values,
            json.dumps(self.errors, ensure_ascii=False) if self.errors else "[]",
            json.dumps(self.warnings, ensure_ascii=False) if self.warnings else "[]",
        )


def duplicate_in_file(first_row: int) -> dict:
    return problem(
        "id_number",
        "duplicate-in-file",
        f"Trùng số giấy tờ với dòng {first_row} trong cùng tệp",
        f"Same ID number as row {first_row} of this file",
    )


VPOINT_TAKEN = problem(
    "vpoint_code",
    "vpoint-taken",
    "Mã Vpoint đã được dùng cho đoàn viên khác",
    "The Vpoint code already belongs to another member",
)
ALREADY_A_MEMBER = problem(
    "id_number",
    "already-a-member",
    "Người này đã là đoàn viên (ở đơn vị này hoặc đơn vị khác); nếu đổi nơi làm việc hãy làm thủ tục chuyển sinh hoạt",
    "This person is already a member (here or in another unit); if they changed workplace, request a transfer",
)
_ID_NUMBER = STAGED_COLUMNS.index("id_number")
_VPOINT = STAGED_COLUMNS.index("vpoint_code")
_ERRORS = STAGED_COLUMNS.index("errors")


@dataclass
class CheckedChunk:
    """Consecutive rows of the file, checked and ready for COPY."""

    first_row: int  # the first and last row numbers of the file in this chunk (empty rows included)
    through: int
    records: list[tuple]  # STAGED_COLUMNS order
    error_rows: int
    warning_rows: int

    def id_numbers(self) -> list[str]:
        return [record[_ID_NUMBER] for record in self.records if record[_ID_NUMBER] is not None]

    def vpoint_codes(self) -> list[str]:
        return [record[_VPOINT] for record in self.records if record[_VPOINT] is not None]

    def mark_already_members(self, id_numbers: set[str]) -> None:
        """Add `already-a-member` to the rows of these ID numbers (found in the registry)."""
        self._mark(_ID_NUMBER, id_numbers, ALREADY_A_MEMBER)

    def mark_vpoint_taken(self, codes: set[str]) -> None:
        """Add `vpoint-taken` to the rows of these Vpoint codes (held by members already)."""
        self._mark(_VPOINT, codes, VPOINT_TAKEN)

    def _mark(self, column: int, values: set[str], error: dict) -> None:
        if not values:
            return
        for index, record in enumerate(self.records):
            if record[column] in values:
                errors = json.loads(record[_ERRORS])
                if not errors:
                    self.error_rows += 1
                errors.append(error)
                self.records[index] = (
                    *record[:_ERRORS],
                    json.dumps(errors, ensure_ascii=False),
                    *record[_ERRORS + 1 :],
                )


def check_chunk(checker: RowChecker, first_seen: dict[str, int], first_row: int, rows: list[list]) -> CheckedChunk:
    """Check rows of the file (the first one is row `first_row`). `first_seen` maps each ID number met so far in
    the file to its first row; a later row with the same number is a duplicate in the file. Pure CPU work: the
    processor runs it in a thread, one chunk ahead of the database."""
    outcomes: list[RowOutcome] = []
    errors = warnings = 0
    for offset, cells in enumerate(rows):
        outcome = checker.check(first_row + offset, cells)
        if outcome is None:
            continue
        if outcome.id_number is not None:
            first = first_seen.setdefault(outcome.id_number, outcome.row_number)
            if first != outcome.row_number:
                outcome.errors.append(duplicate_in_file(first))
        if outcome.vpoint_code is not None:
            first = checker.vpoint_rows.setdefault(outcome.vpoint_code, outcome.row_number)
            if first != outcome.row_number:
                outcome.errors.append(
                    problem(
                        "vpoint_code",
                        "vpoint-duplicate-in-file",
                        f"Trùng mã Vpoint với dòng {first} trong cùng tệp",
                        f"Same Vpoint code as row {first} of this file",
                    )
                )
        errors += bool(outcome.errors)
        warnings += bool(outcome.warnings)
        outcomes.append(outcome)
    # Ids as text (COPY takes them so): tuples holding only strings, dates and numbers are no work for the
    # garbage collector, tuples holding a UUID object are.
    import_id, member_ids = str(checker.import_id), uuid7_texts(len(outcomes))
    return CheckedChunk(
        first_row,
        first_row + len(rows) - 1,
        [outcome.record(import_id, member_id) for outcome, member_id in zip(outcomes, member_ids, strict=True)],
        errors,
        warnings,
    )


class RowChecker:
    def __init__(
        self, import_id: UUID, unit_id: UUID, mapping: dict[int, str], required: tuple[str, ...], today: date
    ) -> None:
        self.import_id, self.unit_id, self.today = import_id, unit_id, today
        self.mapping = sorted(mapping.items())
        self.required = required
        self._text_keys = [key for key in TEXT_KEYS if key in mapping.values()]
        self._choices: dict[tuple[str, str], str | None] = {}
        self.vpoint_rows: dict[str, int] = {}  # each Vpoint code met in the file and its first row

    def check(self, row_number: int, cells: list) -> RowOutcome | None:
        """The checked row, or None for an empty row (skipped, not an error)."""
        # Every cell as the person saw it (cell_text, inlined for text cells: most of them). A cell is empty
        # exactly when its text is: None, "" and white space all give "".
        shown = [
            (" ".join(cell.split()) if cell.isascii() else _clean(cell)) if type(cell) is str else cell_text(cell)
            for cell in cells
        ]
        count = len(shown)
        raw: dict[str, object] = {}
        texts: dict[str, str] = {}
        for index, key in self.mapping:
            if index < count and shown[index]:
                raw[key] = cells[index]
                texts[key] = shown[index]
        if not raw:
            return None
        errors: list[dict] = []
        warnings: list[dict] = []
        values: dict[str, object] = {key: texts[key] or None for key in self._text_keys if key in raw}
        for key in self.required:
            if key not in raw:
                column = BY_KEY[key]
                errors.append(problem(key, "required", f"Thiếu {column.header}", f"{column.header} is missing"))
        for key in ("gender", "id_kind", "card_type"):
            if key in raw:
                values[key] = self._choice(key, str(raw[key]))
                if values[key] is None:
                    errors.append(
                        problem(
                            key,
                            "not-in-list",
                            f'{BY_KEY[key].header}: "{texts[key]}" không thuộc danh sách cho phép',
                            f'{BY_KEY[key].header}: "{texts[key]}" is not an allowed value',
                        )
                    )
        for key in ("date_of_birth", "id_issued_on", "joined_on"):
            if key in raw:
                try:
                    values[key] = parse_date(raw[key])
                except ValueError:
                    errors.append(
                        problem(
                            key,
                            "date-format",
                            f"{BY_KEY[key].header} không phải ngày hợp lệ (dd/mm/yyyy)",
                            f"{BY_KEY[key].header} is not a valid date (dd/mm/yyyy)",
                        )
                    )
        values["nationality"] = self._nationality(texts.get("nationality"), errors)
        if "phone" in raw:
            values["phone"] = self._phone(raw["phone"], texts["phone"], warnings)
        if "vpoint_code" in raw:
            values["vpoint_code"] = texts["vpoint_code"].replace(" ", "")
        if "id_number" in raw:
            self._id_number(raw["id_number"], texts["id_number"], values, errors, warnings)
        if not errors:
            # Every key of `values` is a Member field; the record is valid as a member when these rules pass.
            member = Member(member_id=_NO_ID, unit_id=self.unit_id, **values)
            errors += [
                problem(e.field, e.code, e.message_vi, e.message_en) for e in member_problems(member, self.today)
            ]
        original = "[" + ", ".join(map(_json_text, shown)) + "]"
        full_name = values.get("full_name")
        return RowOutcome(
            row_number,
            original,
            _name_key(str(full_name)) if full_name else None,
            tuple(map(values.get, VALUE_COLUMNS)),
            errors,
            warnings,
            values.get("id_number"),
            values.get("vpoint_code"),
        )

    def _choice(self, key: str, text: str) -> str | None:
        # choice_value's own cache hashes the whole Column (a frozen dataclass) on every call.
        try:
            return self._choices[key, text]
        except KeyError:
            value = self._choices[key, text] = choice_value(BY_KEY[key], text)
            return value

    def _nationality(self, text: str | None, errors: list[dict]) -> str:
        if text is None:
            return "VN"
        if text.upper() in ("VN", "VIỆT NAM", "VIET NAM", "VIETNAM"):
            return "VN"
        if len(text) == 2 and text.isalpha():
            return text.upper()
        errors.append(
            problem(
                "nationality",
                "nationality-format",
                "Quốc tịch phải là mã 2 chữ cái (VD: VN, KR)",
                "Nationality must be a 2-letter code (e.g. VN, KR)",
            )
        )
        return "VN"

    def _phone(self, cell: object, text: str, warnings: list[dict]) -> str:
        phone = normalise_phone(text)
        # Nine digits without the leading 0: a number cell in Excel, or a CSV saved from one (the same text).
        if len(phone) == 9 and phone.isdigit() and not phone.startswith("0"):
            warnings.append(
                problem(
                    "phone",
                    "leading-zero-restored",
                    "Đã thêm số 0 bị mất ở đầu số điện thoại",
                    "Restored the phone number's lost leading zero",
                )
            )
            phone = "0" + phone
        return phone

    def _id_number(self, cell: object, text: str, values: dict, errors: list[dict], warnings: list[dict]) -> None:
        if _SCIENTIFIC.match(text.replace(" ", "").upper()) or (isinstance(cell, float) and not cell.is_integer()):
            errors.append(
                problem(
                    "id_number",
                    "id-scientific-notation",
                    "Số giấy tờ bị Excel đổi sang dạng số mũ và đã mất chữ số; hãy nhập dạng văn bản",
                    "Excel turned the ID number into scientific notation and lost digits; enter it as text",
                )
            )
            return
        text = written_id_number(text)
        kind = values.get("id_kind")
        if text.isdigit() and kind in (None, "cccd", "cmnd"):
            text = self._restore_zeros(text, kind, values, errors, warnings)
            if text is None:
                return
            kind = kind or ("cmnd" if len(text) == 9 else "cccd")
        if kind is None:
            errors.append(
                problem(
                    "id_number",
                    "id-kind-unknown",
                    "Không xác định được loại giấy tờ; hãy ghi rõ cột Loại giấy tờ",
                    "Cannot tell the kind of ID; fill in the ID kind column",
                )
            )
        values["id_kind"], values["id_number"] = kind, text

    def _restore_zeros(
        self, text: str, kind: str | None, values: dict, errors: list[dict], warnings: list[dict]
    ) -> str | None:
        gender, born = values.get("gender"), values.get("date_of_birth")
        restored, note = restore_leading_zeros(
            text, kind, str(gender) if gender else None, born if isinstance(born, date) else None
        )
        if note is not None:
            (warnings if restored is not None else errors).append(
                problem(note.field, note.code, note.message_vi, note.message_en)
            )
        return restored
