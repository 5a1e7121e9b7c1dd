"""Vietnamese identity numbers: the 12-digit CCCD and the legacy 9-digit CMND.

CCCD layout (Circular 07/2016/TT-BCA): 3 digits province of birth registration,
1 digit gender and century, 2 digits year of birth, 6 random digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chassis.errors import FieldError

CCCD_PROVINCE_CODES: frozenset[str] = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)


@dataclass(frozen=True)
class IdNumber:
    kind: str  # cccd | cmnd | passport
    value: str


_CENTURY_OFFSET = {19: 0, 20: 2, 21: 4, 22: 6, 23: 8}


def gender_century_digit(gender: str, birth_year: int) -> str:
    return str(_CENTURY_OFFSET[birth_year // 100] + (1 if gender == "female" else 0))


def check_cccd(value: str, gender: str, date_of_birth: date, field: str = "id_number") -> list[FieldError]:
    if len(value) != 12 or not value.isdigit():
        return [
            FieldError(
                field, "cccd-format", "Số CCCD phải gồm đúng 12 chữ số", "A CCCD number must be exactly 12 digits"
            )
        ]
    errors = []
    if value[:3] not in CCCD_PROVINCE_CODES:
        errors.append(
            FieldError(
                field,
                "cccd-province",
                f"Mã tỉnh {value[:3]} trong số CCCD không tồn tại",
                f"Province code {value[:3]} in the CCCD number does not exist",
            )
        )
    if date_of_birth.year // 100 in (19, 20, 21, 22, 23):
        expected = gender_century_digit(gender, date_of_birth.year)
        if value[3] != expected:
            errors.append(
                FieldError(
                    field,
                    "cccd-gender-century",
                    "Chữ số thứ 4 của CCCD không khớp với giới tính và thế kỷ năm sinh",
                    f"Digit 4 of the CCCD ({value[3]}) does not match gender and birth century (expected {expected})",
                )
            )
    if value[4:6] != f"{date_of_birth.year % 100:02d}":
        errors.append(
            FieldError(
                field,
                "cccd-birth-year",
                "Chữ số 5–6 của CCCD không khớp với năm sinh",
                "Digits 5-6 of the CCCD do not match the year of birth",
            )
        )
    return errors


def check_cmnd(value: str, field: str = "id_number") -> list[FieldError]:
    if len(value) != 9 or not value.isdigit():
        return [
            FieldError(
                field, "cmnd-format", "Số CMND phải gồm đúng 9 chữ số", "A legacy CMND number must be exactly 9 digits"
            )
        ]
    return []


# ---- The one repair of ID numbers as people and Excel write them (import, Vpoint codes, every format) ----

_SEPARATORS = str.maketrans("", "", " .-_")


def written_id_number(text: str) -> str:
    """An ID number as written, without the separators people put in (`001.093.205.517`, `001 093 205 517`)
    when what remains is digits; other documents (passports) only lose their spaces and are upper-cased."""
    compact = text.translate(_SEPARATORS)
    return compact if compact.isdigit() else "".join(text.split()).upper()


def restore_leading_zeros(
    digits: str, kind: str | None, gender: str | None = None, born: date | None = None
) -> tuple[str | None, FieldError | None]:
    """Digits that lost their leading zeros (a number cell in Excel, or a CSV saved from one) as the CCCD or CMND
    they were: (value, None) when nothing was lost, (restored, warning), or (None, error) when it cannot be
    told for sure. Every CCCD starts with 0 (province codes 001-096), so 10 or 11 digits are padded to 12
    when the result is a valid CCCD (for this gender and birth year when they are known); 8 digits become a
    9-digit CMND."""
    if digits.startswith("0") or not digits.isdigit():
        return digits, None  # nothing was lost: a number never keeps a leading zero
    if len(digits) in (10, 11) and kind != "cmnd":
        padded = digits.zfill(12)
        if gender and born is not None:
            valid = not check_cccd(padded, gender, born)
        else:
            valid = padded[:3] in CCCD_PROVINCE_CODES
        if valid:
            return padded, FieldError(
                "id_number",
                "leading-zeros-restored",
                f"Số CCCD bị mất số 0 ở đầu, đã khôi phục thành {padded}",
                f"The CCCD lost its leading zeros; restored to {padded}",
            )
        return None, FieldError(
            "id_number",
            "id-leading-zeros-ambiguous",
            f"Số CCCD chỉ có {len(digits)} chữ số và không thể khôi phục chắc chắn",
            f"The CCCD has only {len(digits)} digits and cannot be restored unambiguously",
        )
    if len(digits) == 8 and kind != "cccd":
        return "0" + digits, FieldError(
            "id_number",
            "leading-zeros-restored",
            f"Số CMND bị mất số 0 ở đầu, đã khôi phục thành 0{digits}",
            f"The CMND lost its leading zero; restored to 0{digits}",
        )
    return digits, None
