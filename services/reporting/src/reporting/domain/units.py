"""How unit events move the figures of the units of a subtree (số liệu tổ chức công đoàn), free of frameworks.

An active unit adds one to its type (`unit_type`) and, a grassroots union, to its employer's enterprise type
(`grassroots_enterprise_type`), for itself and every unit above it, from its effective day; a unit that closes
(merged, dissolved) leaves them that day. Units established and closed are flows (`unit_established`,
`unit_closed`), kept with the members' movements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from contracts.events.orgtree_unit_v1 import UnitState

from reporting.domain.facts import FigureKey, MovementKey
from reporting.domain.figures import NOT_KNOWN

GRASSROOTS = "grassroots_union"
# The Vietnamese names of orgtree's unit types (its catalogue), for the forms.
UNIT_TYPE_LABELS = {
    "national_centre": "Tổng Liên đoàn Lao động Việt Nam",
    "provincial_federation": "Liên đoàn Lao động tỉnh, thành phố",
    "central_sector_union": "Công đoàn ngành trung ương",
    "corporation_union": "Công đoàn tập đoàn, tổng công ty",
    "industrial_zone_union": "Công đoàn khu công nghiệp",
    "district_federation": "Liên đoàn Lao động quận, huyện, thị xã (đến 30/6/2025)",
    "commune_union": "Công đoàn xã, phường, đặc khu",
    "grassroots_union": "Công đoàn cơ sở",
    "professional_union": "Nghiệp đoàn cơ sở",
    "member_union": "Công đoàn cơ sở thành viên",
    "departmental_union": "Công đoàn bộ phận",
    "union_group": "Tổ công đoàn",
}
UNIT_KINDS = ("unit_established", "unit_closed")
# Lower bounds of the bands of members per grassroots union; 0 is "without any member".
SIZE_BANDS = (0, 1, 10, 30, 100, 500, 1000)
# The figure of the grassroots unions by band (value: the band's lower bound), rolled up by a trigger (migration 0009).
GRASSROOTS_BANDS = "grassroots_members"


def size_band_label(lower: int) -> str:
    if lower == 0:
        return "Chưa có đoàn viên"
    index = SIZE_BANDS.index(lower)
    if index == len(SIZE_BANDS) - 1:
        return f"Từ {lower:,} đoàn viên trở lên".replace(",", ".")
    return f"Từ {lower} đến {SIZE_BANDS[index + 1] - 1} đoàn viên"


@dataclass(frozen=True, slots=True)
class UnitShape:
    """What the units' figures count a unit by."""

    status: str
    type_code: str
    enterprise_type: str | None

    def values(self) -> dict[str, str]:
        if self.status != "active":
            return {}
        found = {"unit_type": self.type_code}
        if self.type_code == GRASSROOTS:
            found["grassroots_enterprise_type"] = self.enterprise_type or NOT_KNOWN
        return found


def unit_changes(
    known: Mapping[UUID, UnitShape | None], states: Iterable[UnitState]
) -> tuple[dict[FigureKey, int], dict[MovementKey, int]]:
    """The figure changes and flows of `states` (new versions, in event order) of units whose shapes are `known`:
    None for a unit new to reporting; a unit absent from `known` is one whose past is not known, left uncounted."""
    shapes = dict(known)
    figures: Counter[FigureKey] = Counter()
    flows: Counter[MovementKey] = Counter()
    for state in states:
        if state.unit_id not in shapes:
            continue
        before = shapes[state.unit_id]
        after = UnitShape(state.status, state.type_code, state.enterprise_type)
        day = state.effective_from
        for dimension, value in (before.values() if before else {}).items():
            figures[state.unit_id, day, dimension, value] -= 1
        for dimension, value in after.values().items():
            figures[state.unit_id, day, dimension, value] += 1
        if before is None and after.status == "active":
            flows[state.unit_id, None, day, "unit_established", False] += 1
        elif before is not None and before.status == "active" and after.status != "active":
            flows[state.unit_id, None, day, "unit_closed", False] += 1
        shapes[state.unit_id] = after
    return {key: delta for key, delta in figures.items() if delta}, dict(flows)
