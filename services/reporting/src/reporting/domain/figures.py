"""The dimensions a subtree's members are counted by (số liệu đoàn viên theo tiêu chí), free of frameworks.

Every member adds one to one value of each dimension: its status always, the other dimensions only while it
counts (active or suspended). A value not known (an event written before the field existed, a field left
empty) is "", shown as "Chưa rõ". Age is kept as the year of birth and banded when asked, as of the report's
year (tuổi tính theo năm sinh, as the union's statistical forms count it), so the bands are the caller's choice
and a past date gets the ages of its own year. Ethnicity and religion are counted, never listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reporting.domain.movements import COUNTED_STATUSES

NOT_KNOWN = ""
NOT_KNOWN_LABEL = "Chưa rõ"

# Dimension as asked (`by=`) → the dimension stored; only the age band is derived at query time.
DIMENSIONS: dict[str, str] = {
    "status": "Trạng thái",
    "gender": "Giới tính",
    "age_band": "Nhóm tuổi",
    "nationality": "Quốc tịch",
    "ethnicity": "Dân tộc",
    "religion": "Tôn giáo",
    "education": "Trình độ",
    "position": "Chức vụ công đoàn",
    "enterprise_type": "Loại hình doanh nghiệp",
    "sector": "Ngành nghề",
    "employer_size": "Quy mô lao động",
    "card_status": "Thẻ đoàn viên",
    "has_photo": "Ảnh",
    "has_id_number": "Số CCCD/CMND",
    "has_phone": "Số điện thoại",
}
STORED_AS = {"age_band": "birth_year"}

_YES_NO = {"yes": "Có", "no": "Chưa có"}
LABELS: dict[str, dict[str, str]] = {
    "status": {
        "pending": "Chờ phê duyệt",
        "rejected": "Không được phê duyệt",
        "active": "Đang sinh hoạt",
        "suspended": "Tạm dừng sinh hoạt",
        "retired": "Nghỉ hưu",
        "removed": "Xóa tên",
    },
    "gender": {"male": "Nam", "female": "Nữ"},
    "nationality": {"VN": "Việt Nam"},
    "position": {"officer": "Cán bộ công đoàn", "member": "Đoàn viên (không giữ chức vụ)"},
    "enterprise_type": {
        "state_administrative": "Hành chính, sự nghiệp nhà nước",
        "state_owned": "Doanh nghiệp nhà nước",
        "non_state_domestic": "Doanh nghiệp ngoài nhà nước",
        "foreign_invested": "Doanh nghiệp có vốn đầu tư nước ngoài",
        "cooperative": "Hợp tác xã",
        "other": "Khác",
    },
    "employer_size": {
        "lt10": "Dưới 10 lao động",
        "10-99": "Từ 10 đến 99 lao động",
        "100-199": "Từ 100 đến 199 lao động",
        "200-999": "Từ 200 đến 999 lao động",
        "ge1000": "Từ 1.000 lao động trở lên",
    },
    "card_status": {
        "none": "Chưa đề nghị cấp thẻ",
        "requested": "Đã đề nghị, chờ in",
        "printed": "Đã in",
        "delivered": "Đã phát thẻ",
    },
    "has_photo": _YES_NO,
    "has_id_number": _YES_NO,
    "has_phone": _YES_NO,
}

# Lower bounds of the employer size bands (số lao động), after the enterprise sizes of Decree 80/2021.
_EMPLOYER_SIZES = ((1000, "ge1000"), (200, "200-999"), (100, "100-199"), (10, "10-99"), (0, "lt10"))


@dataclass(frozen=True, slots=True)
class UnitProfile:
    """What a member's figures take from its unit (the employer of a grassroots union)."""

    enterprise_type: str | None = None
    sector: str | None = None
    workforce_size: int | None = None

    @property
    def employer_size(self) -> str | None:
        if self.workforce_size is None:
            return None
        return next(band for lower, band in _EMPLOYER_SIZES if self.workforce_size >= lower)


def _known(value: object) -> str:
    if value is None:
        return NOT_KNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


# The dimensions a member's fact counts in (the first migration of figures seeds them too).
FACT_DIMENSIONS = (
    "gender",
    "birth_year",
    "nationality",
    "ethnicity",
    "religion",
    "education",
    "enterprise_type",
    "sector",
    "employer_size",
    "card_status",
    "has_photo",
    "has_id_number",
    "has_phone",
)


def values_of(fact: object) -> dict[str, str]:
    """The value of each stored dimension that a member's fact (`facts.Fact`) adds one to."""
    status: str = fact.status  # type: ignore[attr-defined]
    if status not in COUNTED_STATUSES:
        return {"status": status}
    return {
        "status": status,
        "position": "officer" if fact.is_officer else "member",  # type: ignore[attr-defined]
        **{dimension: _known(getattr(fact, dimension)) for dimension in FACT_DIMENSIONS},
    }


def check_age_bands(bounds: Sequence[int]) -> str | None:
    """Why `bounds` (the first age of each band after the first) cannot band ages, or None when they can."""
    if not bounds:
        return "empty"
    if any(not 1 <= bound <= 120 for bound in bounds):
        return "out-of-range"
    if any(later <= earlier for earlier, later in zip(bounds, bounds[1:], strict=False)):
        return "not-increasing"
    return None


def age_band(birth_year: str, year: int, bounds: Sequence[int]) -> str:
    """The band (e.g. "30-39") of a member born in `birth_year`, in `year`; bounds as `check_age_bands` accepts."""
    if birth_year == NOT_KNOWN:
        return NOT_KNOWN
    age = year - int(birth_year)
    if age < bounds[0]:
        return f"lt{bounds[0]}"
    for lower, upper in zip(bounds, bounds[1:], strict=False):
        if lower <= age < upper:
            return f"{lower}-{upper - 1}"
    return f"ge{bounds[-1]}"


def age_band_label(band: str) -> str:
    if band.startswith("lt"):
        return f"Dưới {band[2:]} tuổi"
    if band.startswith("ge"):
        return f"Từ {band[2:]} tuổi trở lên"
    lower, upper = band.split("-")
    return f"Từ {lower} đến {upper} tuổi"


def age_bands_in_order(bounds: Sequence[int]) -> list[str]:
    return [
        f"lt{bounds[0]}",
        *(f"{lo}-{hi - 1}" for lo, hi in zip(bounds, bounds[1:], strict=False)),
        f"ge{bounds[-1]}",
    ]


def label(dimension: str, value: str) -> str:
    if value == NOT_KNOWN:
        return NOT_KNOWN_LABEL
    if dimension == "age_band":
        return age_band_label(value)
    return LABELS.get(dimension, {}).get(value, value)


@dataclass(frozen=True)
class BreakdownRow:
    value: str
    label: str
    members: int


def breakdown_rows(
    dimension: str, counts: Mapping[str, int], year: int, age_bounds: Sequence[int]
) -> list[BreakdownRow]:
    """Rows of a breakdown from the stored counts per value: known values in their natural order (age bands
    youngest first, labelled codes in catalogue order, free text alphabetically), "not known" last, empty
    values left out except the age bands and labelled codes, which always show."""
    if dimension == "age_band":
        banded: dict[str, int] = dict.fromkeys(age_bands_in_order(age_bounds), 0)
        for birth_year, members in counts.items():
            band = age_band(birth_year, year, age_bounds)
            banded[band] = banded.get(band, 0) + members
        counts = banded
        order = list(banded)
    else:
        catalogue = list(LABELS.get(dimension, {}))
        fixed = catalogue if dimension not in ("nationality",) else []
        found = sorted(value for value in counts if value not in fixed and value != NOT_KNOWN)
        order = [*fixed, *found]
        counts = {**dict.fromkeys(fixed, 0), **counts}
    if counts.get(NOT_KNOWN):
        order.append(NOT_KNOWN)
    return [BreakdownRow(value, label(dimension, value), counts.get(value, 0)) for value in order if value in counts]
