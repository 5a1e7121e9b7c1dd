"""The columns of the member list (template and upload): Vietnamese headers, aliases and coded values.

Headers are matched on their search key (no diacritics, lower case, punctuation as spaces),
so "Ngày sinh", "NGAY SINH" and "ngay_sinh" are the same column, in any order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chassis.text import search_key


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text | date | id | choice | int
    choices: tuple[tuple[str, str], ...] = ()  # (Vietnamese label, stored value)
    note: str = ""
    width: int = 18


GENDERS = (("Nam", "male"), ("Nữ", "female"))
ID_KINDS = (("CCCD", "cccd"), ("CMND", "cmnd"), ("Hộ chiếu", "passport"), ("Giấy phép lao động", "work_permit"))
CARD_TYPES = (("Thẻ thường", "regular"), ("Thẻ liên kết", "linked"))

COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", ("Họ tên", "Tên đoàn viên"), note="Bắt buộc", width=28),
    Column("gender", "Giới tính", ("Phái",), "choice", GENDERS, "Bắt buộc: Nam hoặc Nữ", 10),
    Column("date_of_birth", "Ngày sinh", ("Sinh ngày",), "date", note="Bắt buộc, dạng dd/mm/yyyy", width=12),
    Column("id_kind", "Loại giấy tờ", ("Loại GTTT",), "choice", ID_KINDS, "CCCD (mặc định), CMND, Hộ chiếu..."),
    Column(
        "id_number",
        "Số CCCD/CMND",
        ("Số CCCD", "CCCD", "Số CMND", "CMND", "Số định danh", "Số giấy tờ", "Số định danh cá nhân", "CCCD/CMND"),
        "id",
        note="Bắt buộc; nhập dạng văn bản để giữ số 0 ở đầu",
        width=16,
    ),
    Column("id_issued_on", "Ngày cấp", ("Ngày cấp CCCD",), "date", width=12),
    Column("id_issued_place", "Nơi cấp", ("Nơi cấp CCCD",)),
    Column("joined_on", "Ngày vào công đoàn", ("Ngày vào CĐ", "Ngày kết nạp"), "date", width=12),
    Column("position", "Chức vụ công đoàn", ("Chức vụ", "Chức vụ CĐ")),
    Column("phone", "Số điện thoại", ("Điện thoại", "SĐT", "Di động"), "id", width=14),
    Column("email", "Email", ("Thư điện tử",)),
    Column("hometown", "Quê quán", ("Nguyên quán",)),
    Column("ethnicity", "Dân tộc", (), width=10),
    Column("religion", "Tôn giáo", (), width=10),
    Column("education", "Trình độ", ("Trình độ học vấn", "Trình độ chuyên môn")),
    Column("occupation", "Nghề nghiệp", ("Công việc", "Việc làm")),
    Column("employer", "Nơi làm việc", ("Đơn vị công tác", "Doanh nghiệp")),
    Column("nationality", "Quốc tịch", (), note="Để trống nếu là người Việt Nam; mã 2 chữ (VD: KR, JP)", width=10),
    Column("card_type", "Loại thẻ", ("Loại thẻ đoàn viên",), "choice", CARD_TYPES, width=14),
    Column("vpoint_code", "Mã Vpoint", ("Vpoint",), "id", note="5 đến 16 ký tự", width=14),
)
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_DEFAULT = ("full_name", "gender", "date_of_birth", "id_number")


def header_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", search_key(str(text))).split())


_HEADER_INDEX = {header_key(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)}
_HEADER_INDEX.update({header_key(column.key): column.key for column in COLUMNS})


def column_for(header_text: object) -> str | None:
    return _HEADER_INDEX.get(header_key(str(header_text))) if header_text not in (None, "") else None


# Other names people write for a listed value: the identity card's legal name since 1/7/2024 is
# "Thẻ căn cước" (Luật Căn cước 2023); its number is the same 12-digit personal number as the CCCD's.
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "id_kind": {
        header_key(name): "cccd"
        for name in (
            "Thẻ căn cước",
            "Căn cước",
            "Căn cước công dân",
            "Thẻ CCCD",
            "Căn cước điện tử",
            "Số định danh cá nhân",
        )
    }
    | {header_key(name): "cmnd" for name in ("Chứng minh nhân dân", "Chứng minh thư")},
}


@lru_cache(maxsize=4096)
def choice_value(column: Column, raw: str) -> str | None:
    wanted = header_key(raw)
    for label, value in column.choices:
        if wanted in (header_key(label), header_key(value)):
            return value
    if (alias := CHOICE_ALIASES.get(column.key, {}).get(wanted)) is not None:
        return alias
    if column.key == "gender" and wanted in ("m", "f", "nu", "nam"):
        return "male" if wanted in ("m", "nam") else "female"
    return None
