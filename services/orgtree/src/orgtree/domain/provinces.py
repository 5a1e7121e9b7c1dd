"""Vietnam's provinces before and after the 2025 merger (Resolution 202/2025/QH15, in force 1/7/2025).

Codes are the two-digit administrative codes; a merged province took the code of
the province that hosts its seat (new Lào Cai is 15, Yên Bái's old code).
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis.text import search_key


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    is_city: bool = False

    @property
    def federation_name(self) -> str:
        if self.code == "79":
            return "Liên đoàn Lao động Thành phố Hồ Chí Minh"
        return f"Liên đoàn Lao động {'thành phố' if self.is_city else 'tỉnh'} {self.name}"


PROVINCES_2025: tuple[Province, ...] = (
    Province("01", "Hà Nội", True),
    Province("46", "Huế", True),
    Province("12", "Lai Châu"),
    Province("11", "Điện Biên"),
    Province("14", "Sơn La"),
    Province("20", "Lạng Sơn"),
    Province("22", "Quảng Ninh"),
    Province("38", "Thanh Hóa"),
    Province("40", "Nghệ An"),
    Province("42", "Hà Tĩnh"),
    Province("04", "Cao Bằng"),
    Province("08", "Tuyên Quang"),
    Province("15", "Lào Cai"),
    Province("19", "Thái Nguyên"),
    Province("25", "Phú Thọ"),
    Province("24", "Bắc Ninh"),
    Province("33", "Hưng Yên"),
    Province("31", "Hải Phòng", True),
    Province("37", "Ninh Bình"),
    Province("44", "Quảng Trị"),
    Province("48", "Đà Nẵng", True),
    Province("51", "Quảng Ngãi"),
    Province("52", "Gia Lai"),
    Province("56", "Khánh Hòa"),
    Province("68", "Lâm Đồng"),
    Province("66", "Đắk Lắk"),
    Province("79", "TP. Hồ Chí Minh", True),
    Province("75", "Đồng Nai"),
    Province("80", "Tây Ninh"),
    Province("92", "Cần Thơ", True),
    Province("86", "Vĩnh Long"),
    Province("82", "Đồng Tháp"),
    Province("96", "Cà Mau"),
    Province("91", "An Giang"),
)

PROVINCES_2024: tuple[Province, ...] = (
    Province("01", "Hà Nội", True),
    Province("02", "Hà Giang"),
    Province("04", "Cao Bằng"),
    Province("06", "Bắc Kạn"),
    Province("08", "Tuyên Quang"),
    Province("10", "Lào Cai"),
    Province("11", "Điện Biên"),
    Province("12", "Lai Châu"),
    Province("14", "Sơn La"),
    Province("15", "Yên Bái"),
    Province("17", "Hòa Bình"),
    Province("19", "Thái Nguyên"),
    Province("20", "Lạng Sơn"),
    Province("22", "Quảng Ninh"),
    Province("24", "Bắc Giang"),
    Province("25", "Phú Thọ"),
    Province("26", "Vĩnh Phúc"),
    Province("27", "Bắc Ninh"),
    Province("30", "Hải Dương"),
    Province("31", "Hải Phòng", True),
    Province("33", "Hưng Yên"),
    Province("34", "Thái Bình"),
    Province("35", "Hà Nam"),
    Province("36", "Nam Định"),
    Province("37", "Ninh Bình"),
    Province("38", "Thanh Hóa"),
    Province("40", "Nghệ An"),
    Province("42", "Hà Tĩnh"),
    Province("44", "Quảng Bình"),
    Province("45", "Quảng Trị"),
    Province("46", "Huế", True),
    Province("48", "Đà Nẵng", True),
    Province("49", "Quảng Nam"),
    Province("51", "Quảng Ngãi"),
    Province("52", "Bình Định"),
    Province("54", "Phú Yên"),
    Province("56", "Khánh Hòa"),
    Province("58", "Ninh Thuận"),
    Province("60", "Bình Thuận"),
    Province("62", "Kon Tum"),
    Province("64", "Gia Lai"),
    Province("66", "Đắk Lắk"),
    Province("67", "Đắk Nông"),
    Province("68", "Lâm Đồng"),
    Province("70", "Bình Phước"),
    Province("72", "Tây Ninh"),
    Province("74", "Bình Dương"),
    Province("75", "Đồng Nai"),
    Province("77", "Bà Rịa - Vũng Tàu"),
    Province("79", "TP. Hồ Chí Minh", True),
    Province("80", "Long An"),
    Province("82", "Tiền Giang"),
    Province("83", "Bến Tre"),
    Province("84", "Trà Vinh"),
    Province("86", "Vĩnh Long"),
    Province("87", "Đồng Tháp"),
    Province("89", "An Giang"),
    Province("91", "Kiên Giang"),
    Province("92", "Cần Thơ", True),
    Province("93", "Hậu Giang"),
    Province("94", "Sóc Trăng"),
    Province("95", "Bạc Liêu"),
    Province("96", "Cà Mau"),
)

# New province name → the old provinces merged into it; the first keeps its federation (the survivor).
MERGERS_2025: dict[str, tuple[str, ...]] = {
    "Hà Nội": ("Hà Nội",),
    "Huế": ("Huế",),
    "Lai Châu": ("Lai Châu",),
    "Điện Biên": ("Điện Biên",),
    "Sơn La": ("Sơn La",),
    "Lạng Sơn": ("Lạng Sơn",),
    "Quảng Ninh": ("Quảng Ninh",),
    "Thanh Hóa": ("Thanh Hóa",),
    "Nghệ An": ("Nghệ An",),
    "Hà Tĩnh": ("Hà Tĩnh",),
    "Cao Bằng": ("Cao Bằng",),
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "TP. Hồ Chí Minh": ("TP. Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "An Giang": ("An Giang", "Kiên Giang"),
}

_PREFIXES = (("thanh", "pho"), ("tp",), ("tinh",))


def _key(value: str) -> str:
    """ "Tỉnh Thanh Hóa", "thanh hoa" and "Thanh Hoá" give one key; "TP." and "Thành phố" are dropped."""
    words = "".join(c if c.isalnum() else " " for c in search_key(value)).split()
    for prefix in _PREFIXES:
        if tuple(words[: len(prefix)]) == prefix:
            words = words[len(prefix) :]
            break
    return " ".join(words)


_BY_KEY: dict[str, Province] = {}
# Names resolve to the current (2025) province; old names that disappeared still resolve to their old code.
for _province in (*PROVINCES_2025, *PROVINCES_2024):
    _BY_KEY.setdefault(_key(_province.name), _province)
    _BY_KEY.setdefault(_province.code, _province)
_BY_KEY.update({"hcm": _BY_KEY["79"], "thua thien hue": _BY_KEY["46"]})


def province_code_of(value: str) -> str | None:
    """The code of a province given by code or by name, with or without diacritics; None when unknown."""
    key = _key(value)
    if key.isdigit() and len(key) == 1:
        key = "0" + key
    found = _BY_KEY.get(key)
    return found.code if found else None
