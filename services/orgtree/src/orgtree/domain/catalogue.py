"""The unit-type catalogue shipped for the Trade Union Law 2024 and the 2025 rules.

It is seed data: the first migration writes it to the `unit_types` table, and
from then on the table (not this file) is what the service obeys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class UnitType:
    code: str
    name_vi: str
    name_en: str
    level: int
    can_admit_members: bool = False
    can_approve_members: bool = False
    can_collect_dues: bool = False
    can_order_cards: bool = False
    can_have_users: bool = True
    allowed_children: tuple[str, ...] = ()
    # From this date no new unit of the type may be created; existing ones can still be moved or closed.
    abolished_on: date | None = None

    def is_abolished(self, on: date) -> bool:
        return self.abolished_on is not None and on >= self.abolished_on


_UPPER = ("industrial_zone_union", "commune_union", "corporation_union", "grassroots_union", "professional_union")
# District federations were abolished on 1/7/2025; the type stays so the history before that date reads right.
_PROVINCIAL_CHILDREN = (*_UPPER, "district_federation")
_GRASSROOTS_CHILDREN = ("member_union", "departmental_union", "union_group")

CATALOGUE: tuple[UnitType, ...] = (
    UnitType(
        "national_centre",
        "Tổng Liên đoàn Lao động Việt Nam",
        "National centre",
        1,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=("provincial_federation", "central_sector_union", "corporation_union"),
    ),
    UnitType(
        "provincial_federation",
        "Liên đoàn Lao động tỉnh, thành phố",
        "Provincial federation",
        2,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=_PROVINCIAL_CHILDREN,
    ),
    UnitType(
        "central_sector_union",
        "Công đoàn ngành trung ương",
        "Central sector union",
        2,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=_UPPER,
    ),
    UnitType(
        "corporation_union",
        "Công đoàn tập đoàn, tổng công ty",
        "Corporation union",
        2,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=("grassroots_union", "corporation_union"),
    ),
    UnitType(
        "industrial_zone_union",
        "Công đoàn khu công nghiệp",
        "Industrial-zone union",
        3,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=("grassroots_union", "professional_union"),
    ),
    UnitType(
        "district_federation",
        "Liên đoàn Lao động quận, huyện, thị xã (đến 30/6/2025)",
        "District federation (abolished 1/7/2025)",
        3,
        can_approve_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=("grassroots_union", "professional_union"),
        abolished_on=date(2025, 7, 1),
    ),
    # 2025 rules: commune unions can neither admit members nor collect dues; the province keeps both.
    UnitType(
        "commune_union",
        "Công đoàn xã, phường, đặc khu",
        "Commune/ward union",
        3,
        can_approve_members=False,
        can_collect_dues=False,
        can_order_cards=False,
        allowed_children=("grassroots_union", "professional_union"),
    ),
    UnitType(
        "grassroots_union",
        "Công đoàn cơ sở",
        "Grassroots union",
        4,
        can_admit_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=_GRASSROOTS_CHILDREN,
    ),
    UnitType(
        "professional_union",
        "Nghiệp đoàn cơ sở",
        "Grassroots professional union (nghiệp đoàn)",
        4,
        can_admit_members=True,
        can_collect_dues=True,
        can_order_cards=True,
        allowed_children=("union_group",),
    ),
    UnitType(
        "member_union",
        "Công đoàn cơ sở thành viên",
        "Member union",
        5,
        can_admit_members=True,
        allowed_children=("departmental_union", "union_group"),
    ),
    UnitType(
        "departmental_union",
        "Công đoàn bộ phận",
        "Departmental union",
        5,
        can_admit_members=True,
        allowed_children=("union_group",),
    ),
    UnitType("union_group", "Tổ công đoàn", "Union group", 6, can_admit_members=True, can_have_users=False),
)
