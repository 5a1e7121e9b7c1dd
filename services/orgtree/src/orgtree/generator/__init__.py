"""A realistic national union tree from a seed, for demo data, tests and benchmarks.

The same seed and size give the same tree, ids included. Units come parents first
and hang below the national centre, which every orgtree database already has.

    units = generate_tree(seed=2025, size="national")  # ~150,000 units
    units = generate_tree(seed=1, size="small", era="2024")  # 63 provinces with district federations
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from contracts.wellknown import NATIONAL_CENTRE_ID

from orgtree.domain.catalogue import CATALOGUE
from orgtree.domain.model import Employer, Unit
from orgtree.domain.provinces import MERGERS_2025, PROVINCES_2024, PROVINCES_2025, Province
from orgtree.generator import names

Era = Literal["2024", "2025"]


@dataclass(frozen=True)
class TreeSize:
    sector_unions: int
    upper_units: int
    grassroots_units: int
    sub_units: int


SIZES: dict[str, TreeSize] = {
    "small": TreeSize(sector_unions=4, upper_units=80, grassroots_units=400, sub_units=40),
    # 1 centre + 34 provinces + 20 + 1,200 + 130,000 + 18,745 = 150,000 units.
    "national": TreeSize(sector_unions=20, upper_units=1_200, grassroots_units=130_000, sub_units=18_745),
}

# Relative size of each (2025) province's union: roughly its industrial and public-sector workforce.
WEIGHTS_2025: dict[str, float] = {
    "TP. Hồ Chí Minh": 20,
    "Hà Nội": 12,
    "Đồng Nai": 6,
    "Bắc Ninh": 6,
    "Hải Phòng": 5,
    "Tây Ninh": 4,
    "Hưng Yên": 3,
    "Phú Thọ": 3,
    "Thanh Hóa": 3,
    "Ninh Bình": 3,
    "Thái Nguyên": 2.5,
    "Nghệ An": 2.5,
    "Đà Nẵng": 2.5,
    "Quảng Ninh": 2,
    "Cần Thơ": 2,
    "An Giang": 2,
    "Vĩnh Long": 2,
    "Đồng Tháp": 2,
    "Khánh Hòa": 1.5,
    "Lâm Đồng": 1.5,
    "Gia Lai": 1.5,
    "Đắk Lắk": 1.2,
    "Quảng Ngãi": 1.2,
    "Quảng Trị": 1,
    "Huế": 1,
    "Hà Tĩnh": 1,
    "Tuyên Quang": 1,
    "Lào Cai": 1,
    "Cà Mau": 1,
    "Sơn La": 0.6,
    "Lạng Sơn": 0.6,
    "Cao Bằng": 0.4,
    "Điện Biên": 0.4,
    "Lai Châu": 0.3,
}
INDUSTRIAL = 2.0  # provinces weighing this much or more have an industrial-zone union

# Employer mix by where a grassroots union sits: (enterprise type, weight).
MIX = {
    "zone": (("foreign_invested", 55), ("non_state_domestic", 40), ("state_owned", 5)),
    "local": (
        ("state_administrative", 40),
        ("non_state_domestic", 38),
        ("foreign_invested", 5),
        ("state_owned", 3),
        ("cooperative", 8),
        ("other", 6),
    ),
    "sector": (("state_owned", 45), ("state_administrative", 45), ("non_state_domestic", 10)),
}
MEDIAN_WORKFORCE = {
    "foreign_invested": 600,
    "non_state_domestic": 50,
    "state_owned": 300,
    "state_administrative": 45,
    "cooperative": 20,
    "other": 15,
}


def generate_tree(
    seed: int = 2025,
    size: str | TreeSize = "small",
    era: Era = "2025",
    effective_from: date | None = None,
    code_prefix: str = "",
) -> list[Unit]:
    tree_size = SIZES[size] if isinstance(size, str) else size
    builder = _Builder(random.Random(seed), effective_from or date(2025 if era == "2025" else 2020, 7, 1), code_prefix)
    provinces = PROVINCES_2025 if era == "2025" else PROVINCES_2024
    weights = _weights(provinces, era)
    federations = [
        builder.add(
            "province", province.federation_name, "provincial_federation", None, province, code=f"LD{province.code}"
        )
        for province in provinces
    ]
    sectors = [builder.add("sector", name, type_code, None, None) for type_code, name in _sectors(tree_size)]

    sector_upper = min(round(tree_size.upper_units * 0.08), tree_size.upper_units - len(provinces))
    containers: list[tuple[Unit, str, float]] = []  # (parent, employer mix, share of grassroots)
    for federation, province, count, weight in zip(
        federations, provinces, _apportion(tree_size.upper_units - sector_upper, weights), weights, strict=True
    ):
        containers += builder.province_upper_units(federation, province, count, weight, era)
    for sector, count in zip(sectors, _apportion(sector_upper, [1.0] * len(sectors)), strict=True):
        containers += builder.sector_upper_units(sector, count)

    for (parent, mix, _), count in zip(
        containers, _apportion(tree_size.grassroots_units, [share for *_, share in containers]), strict=True
    ):
        for _ in range(count):
            builder.grassroots(parent, mix)
    builder.sub_units(tree_size.sub_units)
    return builder.units


_IDS_FROM_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z


class _Builder:
    def __init__(self, rng: random.Random, effective_from: date, prefix: str) -> None:
        self.rng = rng
        self.effective_from = effective_from
        self.prefix = prefix
        self.types = {t.code: t for t in CATALOGUE}
        self.units: list[Unit] = []
        self.counters: dict[str, int] = {}
        self.grassroots_units: list[Unit] = []
        self.provinces: dict[str, Province] = {}
        self.made = 0

    def _unit_id(self) -> uuid.UUID:
        """A time-ordered id (UUID v7, as the service makes them) from the seed: one millisecond per unit
        from 1 January 2020, so the ids are reproducible and increase in the order the units are made."""
        self.made += 1
        return uuid.UUID(
            int=((_IDS_FROM_MS + self.made) << 80)
            | (0x7 << 76)
            | (self.rng.getrandbits(12) << 64)
            | (0b10 << 62)
            | self.rng.getrandbits(62)
        )

    def add(
        self,
        kind: str,
        name: str,
        type_code: str,
        parent: Unit | None,
        province: Province | None,
        code: str | None = None,
        employer: Employer | None = None,
        short_name: str | None = None,
    ) -> Unit:
        number = self.counters[kind] = self.counters.get(kind, 0) + 1
        unit = Unit(
            unit_id=self._unit_id(),
            code=self.prefix + (code or f"{_CODE_PREFIX[kind]}{number:0{_CODE_DIGITS[kind]}d}"),
            name=name,
            type=self.types[type_code],
            parent_id=parent.unit_id if parent else NATIONAL_CENTRE_ID,
            effective_from=self.effective_from,
            short_name=short_name,
            province_code=province.code if province else (parent.province_code if parent else None),
            address=self._address(province) if province else None,
            employer=employer or Employer(),
        )
        if province:
            self.provinces[unit.province_code] = province
        self.units.append(unit)
        return unit

    def province_upper_units(
        self, federation: Unit, province: Province, count: int, weight: float, era: Era
    ) -> list[tuple[Unit, str, float]]:
        """Upper-level units of a province and the share of the province's grassroots each holds."""
        containers = [(federation, "local", 0.08 * weight)]
        zones = (1 + count // 60) if weight >= INDUSTRIAL and count >= 2 else 0
        for index in range(zones):
            name = (
                f"Công đoàn các Khu công nghiệp {_of(province)}"
                if index == 0
                else f"Công đoàn Khu công nghiệp {self._place()}"
            )
            zone = self.add("upper", name, "industrial_zone_union", federation, province)
            # The province-wide zone union is the big one (thousands of grassroots in the largest provinces).
            containers.append((zone, "zone", 0.30 * weight * (0.7 if index == 0 else 0.3 / max(zones - 1, 1))))
        if zones == 1:
            containers[-1] = (containers[-1][0], "zone", 0.30 * weight)
        local_share = weight - sum(share for *_, share in containers)
        rest = count - zones
        for _ in range(rest):
            if era == "2025":
                kind = self.rng.choices(("phường", "xã", "đặc khu"), (45, 54, 1))[0]
                unit = self.add("upper", f"Công đoàn {kind} {self._place()}", "commune_union", federation, province)
            else:
                kind = self.rng.choice(("huyện", "quận", "thị xã", "thành phố"))
                unit = self.add(
                    "upper", f"Liên đoàn Lao động {kind} {self._place()}", "district_federation", federation, province
                )
            containers.append((unit, "local", local_share / max(rest, 1) * self.rng.uniform(0.5, 1.5)))
        if not rest:
            containers[0] = (federation, "local", containers[0][2] + local_share)
        return containers

    def sector_upper_units(self, sector: Unit, count: int) -> list[tuple[Unit, str, float]]:
        containers = [(sector, "sector", 0.4)]
        for _ in range(count):
            name = f"Công đoàn Tổng công ty {names.SECTORS[self.rng.choice(list(names.SECTORS))]} {self._brand()}"
            corporation = self.add("upper", name, "corporation_union", sector, None)
            containers.append((corporation, "sector", 0.6 / max(count, 1)))
        return containers

    def grassroots(self, parent: Unit, mix: str) -> None:
        province = self.provinces.get(parent.province_code) if parent.province_code else None
        if parent.type.code in ("commune_union", "district_federation") and self.rng.random() < 0.03:
            name = f"{self.rng.choice(names.PROFESSIONS)} {self._place()}"
            self.add("professional", name, "professional_union", parent, province)
            return
        types, weights = zip(*MIX[mix], strict=True)
        employer = self._employer(self.rng.choices(types, weights)[0], province)
        prefix = "Công đoàn " if employer.enterprise_type == "state_administrative" else "Công đoàn cơ sở "
        self.grassroots_units.append(
            self.add("grassroots", prefix + employer.name, "grassroots_union", parent, province, employer=employer)
        )

    def sub_units(self, count: int) -> None:
        """Departmental unions and union groups, mostly in the largest workplaces."""
        if not count or not self.grassroots_units:
            return
        hosts = self.rng.choices(
            self.grassroots_units, [u.employer.workforce_size or 1 for u in self.grassroots_units], k=count
        )
        per_host: dict[uuid.UUID, tuple[Unit, int]] = {}
        for host in hosts:
            per_host[host.unit_id] = (host, per_host.get(host.unit_id, (host, 0))[1] + 1)
        for host, many in per_host.values():
            department: Unit | None = None
            for index in range(many):
                if index % 4 == 0 and many > 1:
                    department = self.add(
                        "department",
                        f"Công đoàn bộ phận {self.rng.choice(names.DEPARTMENTS)}",
                        "departmental_union",
                        host,
                        None,
                    )
                else:
                    self.add("group", f"Tổ công đoàn số {index + 1}", "union_group", department or host, None)

    def _employer(self, enterprise_type: str, province: Province | None) -> Employer:
        rng = self.rng
        sector = rng.choice(list(names.SECTORS))
        where = province.name if province else "Việt Nam"
        if enterprise_type == "foreign_invested":
            name = f"Công ty TNHH {_foreign(rng)} {rng.choice(names.FOREIGN_SUFFIXES)}"
        elif enterprise_type == "non_state_domestic":
            name = f"Công ty {rng.choice(('TNHH', 'Cổ phần'))} {names.SECTORS[sector]} {self._brand()}"
        elif enterprise_type == "state_owned":
            name = f"Công ty {rng.choice(('TNHH MTV', 'Cổ phần'))} {names.SECTORS[sector]} {where}"
        elif enterprise_type == "state_administrative":
            sector, pattern = rng.choice(names.PUBLIC_EMPLOYERS)
            name = pattern.format(
                person=rng.choice(names.PEOPLE), place=self._place(), flower=rng.choice(names.FLOWERS)
            )
        elif enterprise_type == "cooperative":
            sector = rng.choice(names.COOPERATIVES)
            name = f"Hợp tác xã {sector} {self._place()}"
        else:
            sector = "Dịch vụ"
            name = rng.choice(names.OTHER_EMPLOYERS).format(
                person=rng.choice(names.PEOPLE), place=self._place(), brand=self._brand()
            )
        workforce = max(3, int(rng.lognormvariate(0, 1.0) * MEDIAN_WORKFORCE[enterprise_type]))
        return Employer(
            name=name,
            tax_code=str(rng.randrange(10**9, 10**10)),
            enterprise_type=enterprise_type,
            sector=sector,
            workforce_size=workforce,
        )

    def _place(self) -> str:
        first, second = self.rng.sample(names.PLACE_WORDS, 2)
        return f"{first} {second}"

    def _brand(self) -> str:
        return f"{self.rng.choice(names.BRAND_FIRST)} {self.rng.choice(names.BRAND_SECOND)}"

    def _address(self, province: Province) -> str:
        street = self.rng.choice(names.PEOPLE)
        return f"Số {self.rng.randint(1, 400)} đường {street}, {self._place()}, {province.name}"


_CODE_PREFIX = {
    "province": "LD",
    "sector": "CDN",
    "upper": "CT",
    "grassroots": "CS",
    "professional": "ND",
    "department": "BP",
    "group": "TO",
}
_CODE_DIGITS = {"province": 2, "sector": 2, "upper": 5, "grassroots": 6, "professional": 5, "department": 6, "group": 6}


def _sectors(size: TreeSize) -> list[tuple[str, str]]:
    """Central sector unions first, then corporation unions, in about the real proportion."""
    central = [s for s in names.SECTOR_UNIONS if s[0] == "central_sector_union"]
    corporations = [s for s in names.SECTOR_UNIONS if s[0] == "corporation_union"]
    wanted_central = min(len(central), round(size.sector_unions * len(central) / len(names.SECTOR_UNIONS)))
    chosen = central[:wanted_central] + corporations[: size.sector_unions - wanted_central]
    return chosen[: size.sector_unions]


def _weights(provinces: tuple[Province, ...], era: Era) -> list[float]:
    if era == "2025":
        return [WEIGHTS_2025[p.name] for p in provinces]
    # Before the merger each new province's weight is shared by the provinces merged into it.
    old_weight = {old: WEIGHTS_2025[new] / len(olds) for new, olds in MERGERS_2025.items() for old in olds}
    return [old_weight[p.name] for p in provinces]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` by `weights` (largest remainder), at least one each when there is enough to go round."""
    if not weights:
        return []
    floor = 1 if total >= len(weights) else 0
    spare = total - floor * len(weights)
    whole = sum(weights) or 1.0
    exact = [spare * w / whole for w in weights]
    counts = [int(x) for x in exact]
    for index in sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)[: spare - sum(counts)]:
        counts[index] += 1
    return [floor + c for c in counts]


def _of(province: Province) -> str:
    return (
        "Thành phố Hồ Chí Minh"
        if province.code == "79"
        else f"{'thành phố' if province.is_city else 'tỉnh'} {province.name}"
    )


def _foreign(rng: random.Random) -> str:
    firsts, seconds, joined = rng.choice(names.FOREIGN_BRANDS)
    return rng.choice(firsts) + ("" if joined else " ") + rng.choice(seconds)
