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

from chassis.text import normalise, search_key

from members.adapters.imports import STAGED_COLUMNS
from members.domain.identity_numbers import check_cccd
from members.domain.import_columns import BY_KEY, choice_value
from members.domain.model import Member, member_problems, normalise_phone

EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
TEXT_KEYS = ("full_name", "id_issued_place", "position", "email", "hometown", "ethnicity", "religion", "education",
             "occupation", "employer")


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
    text = str(cell).strip()
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if text.isdigit() and 10_000 <= int(text) <= 80_000:  # an Excel serial that became text
        return EXCEL_EPOCH + timedelta(days=int(text))
    raise ValueError(text)


@dataclass
class RowOutcome:
    record: tuple
    has_errors: bool
    has_warnings: bool


class RowChecker:
    def __init__(self, import_id: UUID, unit_id: UUID, mapping: dict[int, str], required: tuple[str, ...],
                 today: date) -> None:
        self.import_id, self.unit_id, self.today = import_id, unit_id, today
        self.mapping = sorted(mapping.items())
        self.required = required

    def check(self, row_number: int, cells: list) -> RowOutcome | None:
        """The staged record of a row, or None for an empty row (skipped, not an error)."""
        raw: dict[str, object] = {}
        for index, key in self.mapping:
            cell = cells[index] if index < len(cells) else None
            if cell not in (None, "") and not (isinstance(cell, str) and not cell.strip()):
                raw[key] = cell
        if not raw:
            return None
        errors: list[dict] = []
        warnings: list[dict] = []
        values: dict[str, object] = {key: cell_text(raw[key]) or None for key in TEXT_KEYS if key in raw}
        for key in self.required:
            if key not in raw:
                column = BY_KEY[key]
                errors.append(problem(key, "required", f"Thiếu {column.header}", f"{column.header} is missing"))
        for key in ("gender", "id_kind", "card_type"):
            if key in raw:
                values[key] = choice_value(BY_KEY[key], str(raw[key]))
                if values[key] is None:
                    errors.append(problem(key, "not-in-list", f"{BY_KEY[key].header}: \"{cell_text(raw[key])}\" "
                                          "không thuộc danh sách cho phép",
                                          f"{BY_KEY[key].header}: \"{cell_text(raw[key])}\" is not an allowed value"))
        for key in ("date_of_birth", "id_issued_on", "joined_on"):
            if key in raw:
                try:
                    values[key] = parse_date(raw[key])
                except ValueError:
                    errors.append(problem(key, "date-format", f"{BY_KEY[key].header} không phải ngày hợp lệ "
                                          "(dd/mm/yyyy)", f"{BY_KEY[key].header} is not a valid date (dd/mm/yyyy)"))
        values["nationality"] = self._nationality(raw.get("nationality"), errors)
        if "phone" in raw:
            values["phone"] = self._phone(raw["phone"], warnings)
        if "vpoint_code" in raw:
            values["vpoint_code"] = cell_text(raw["vpoint_code"]).replace(" ", "")
        if "id_number" in raw:
            self._id_number(raw["id_number"], values, errors, warnings)
        if not errors:
            member = Member(member_id=UUID(int=0), unit_id=self.unit_id, **{
                k: v for k, v in values.items() if k in Member.__dataclass_fields__})
            errors += [problem(e.field, e.code, e.message_vi, e.message_en)
                       for e in member_problems(member, self.today)]
        original = [cell_text(cell) for cell in cells]
        full_name = values.get("full_name")
        record = (
            self.import_id, row_number, json.dumps(original, ensure_ascii=False),
            _name_key(str(full_name)) if full_name else None,
            *(values.get(name) for name in STAGED_COLUMNS[4:24]),
            json.dumps(errors, ensure_ascii=False) if errors else "[]",
            json.dumps(warnings, ensure_ascii=False) if warnings else "[]",
        )
        return RowOutcome(record, bool(errors), bool(warnings))

    def _nationality(self, cell: object, errors: list[dict]) -> str:
        if cell is None:
            return "VN"
        text = cell_text(cell)
        if text.upper() in ("VN", "VIỆT NAM", "VIET NAM", "VIETNAM"):
            return "VN"
        if len(text) == 2 and text.isalpha():
            return text.upper()
        errors.append(problem("nationality", "nationality-format", "Quốc tịch phải là mã 2 chữ cái (VD: VN, KR)",
                              "Nationality must be a 2-letter code (e.g. VN, KR)"))
        return "VN"

    def _phone(self, cell: object, warnings: list[dict]) -> str:
        text = cell_text(cell)
        phone = normalise_phone(text)
        if isinstance(cell, int | float) and len(phone) == 9:
            warnings.append(problem("phone", "leading-zero-restored", "Đã thêm số 0 bị mất ở đầu số điện thoại",
                                    "Restored the phone number's lost leading zero"))
            phone = "0" + phone
        return phone

    def _id_number(self, cell: object, values: dict, errors: list[dict], warnings: list[dict]) -> None:
        text = "".join(cell_text(cell).split()).upper()
        if _SCIENTIFIC.match(text) or (isinstance(cell, float) and not cell.is_integer()):
            errors.append(problem("id_number", "id-scientific-notation",
                                  "Số giấy tờ bị Excel đổi sang dạng số mũ và đã mất chữ số; hãy nhập dạng văn bản",
                                  "Excel turned the ID number into scientific notation and lost digits; "
                                  "enter it as text"))
            return
        kind = values.get("id_kind")
        if text.isdigit() and kind in (None, "cccd", "cmnd"):
            text = self._restore_zeros(text, kind, values, errors, warnings)
            if text is None:
                return
            kind = kind or ("cmnd" if len(text) == 9 else "cccd")
        if kind is None:
            errors.append(problem("id_number", "id-kind-unknown", "Không xác định được loại giấy tờ; hãy ghi rõ cột "
                                  "Loại giấy tờ", "Cannot tell the kind of ID; fill in the ID kind column"))
        values["id_kind"], values["id_number"] = kind, text

    def _restore_zeros(self, text: str, kind: str | None, values: dict, errors: list[dict],
                       warnings: list[dict]) -> str | None:
        if text.startswith("0"):  # nothing was lost: a number never keeps a leading zero
            return text
        if len(text) in (10, 11) and kind != "cmnd":
            padded = text.zfill(12)
            gender, born = values.get("gender"), values.get("date_of_birth")
            if gender and isinstance(born, date) and not check_cccd(padded, str(gender), born):
                warnings.append(problem("id_number", "leading-zeros-restored",
                                        f"Số CCCD bị mất số 0 ở đầu, đã khôi phục thành {padded}",
                                        f"The CCCD lost its leading zeros; restored to {padded}"))
                return padded
            errors.append(problem("id_number", "id-leading-zeros-ambiguous",
                                  f"Số CCCD chỉ có {len(text)} chữ số và không thể khôi phục chắc chắn",
                                  f"The CCCD has only {len(text)} digits and cannot be restored unambiguously"))
            return None
        if len(text) == 8 and kind != "cccd":
            warnings.append(problem("id_number", "leading-zeros-restored",
                                    f"Số CMND bị mất số 0 ở đầu, đã khôi phục thành 0{text}",
                                    f"The CMND lost its leading zero; restored to 0{text}"))
            return "0" + text
        return text
