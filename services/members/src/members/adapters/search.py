"""Searching the registry: by name with or without diacritics, ID number, member code or phone, with filters.

Names are matched on `name_search` (no diacritics, lower case, "C" collation): by default the full
name starts with the text typed (a b-tree range in name order, ~10 ms at 10 M members); with
`name_match=contains` anywhere in it, through the pg_trgm GIN index (150-250 ms at 10 M members when
the text is made of common syllables: their posting lists are millions long). Exact keys (code, ID
number, phone) use their b-tree indexes. Keyset pagination on (name_search, member_id) or
(created_at, member_id). Searching by ID number needs `members.read_sensitive` where the member
is: otherwise it would confirm someone's ID number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, subtree_of
from chassis.tables import tree_closure, tree_units
from chassis.text import search_key
from contracts.permissions import Permission
from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select, text

from members.adapters.tables import ENDED, members

# "Complete" data for the completeness filter and report: photo, phone, joining date, home town, occupation.
COMPLETE = and_(
    members.c.has_photo,
    members.c.phone.isnot(None),
    members.c.joined_on.isnot(None),
    members.c.hometown.isnot(None),
    members.c.occupation.isnot(None),
)


@dataclass(frozen=True)
class MemberFilter:
    name: str | None = None
    id_number: str | None = None
    member_code: str | None = None
    phone: str | None = None
    unit_id: UUID | None = None
    status: tuple[str, ...] = ()
    gender: str | None = None
    age_from: int | None = None
    age_to: int | None = None
    position: str | None = None
    enterprise_type: str | None = None
    complete: bool | None = None
    card_status: str | None = None
    sort: str = "name"
    # prefix: the full name starts with the text ("nguyen van a"), a b-tree range in name order, fast at any
    # size; contains: anywhere in the name, via the trigram index (slower for common syllables at 10 M).
    name_match: str = "prefix"


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def id_number_of_any_status(id_number: str) -> ColumnElement[bool]:
    """Members holding `id_number`, whatever their status. Two partial indexes hold ID numbers (members_one_person
    and members_id_number_closed); the status arms, always true together, let the planner combine the two."""
    # Literal statuses (not bound parameters): the planner proves an index predicate only from constants.
    ended = ", ".join(f"'{status}'" for status in ENDED)
    return and_(
        members.c.id_number == id_number, text(f"(members.status NOT IN ({ended}) OR members.status IN ({ended}))")
    )


class MemberSearch:
    def __init__(self, session) -> None:
        self.session = session

    def query(self, principal: Principal, wanted: MemberFilter, columns: list, today: date) -> Select:
        # EXISTS per row (an index probe) rather than IN (all units in reach): a national officer reaches
        # 130,000 units, and hashing them all for every query cost 30 ms.
        reach = tree_closure.alias("sensitive_reach")
        sensitive = exists().where(
            reach.c.descendant_id == members.c.unit_id,
            reach.c.ancestor_id.in_(principal.scope_roots(Permission.MEMBERS_READ_SENSITIVE)),
        )
        query = select(*columns, sensitive.label("sensitive_visible")).select_from(
            members.join(tree_units, tree_units.c.unit_id == members.c.unit_id)
        )
        query = restrict_to_scope(query, principal, Permission.MEMBERS_READ, members.c.unit_id)
        if wanted.unit_id is not None:
            query = query.where(members.c.unit_id.in_(subtree_of(wanted.unit_id)))
        if wanted.name:
            key = _escape_like(search_key(wanted.name))
            pattern = f"{key}%" if wanted.name_match == "prefix" else f"%{key}%"
            query = query.where(members.c.name_search.like(pattern, escape="\\"))
        if wanted.id_number:
            query = restrict_to_scope(
                query.where(id_number_of_any_status(wanted.id_number)),
                principal,
                Permission.MEMBERS_READ_SENSITIVE,
                members.c.unit_id,
            )
        if wanted.member_code:
            query = query.where(members.c.member_code == wanted.member_code)
        if wanted.phone:
            query = query.where(members.c.phone == wanted.phone)
        if wanted.status:
            query = query.where(members.c.status.in_(wanted.status))
        if wanted.gender:
            query = query.where(members.c.gender == wanted.gender)
        if wanted.age_from is not None:
            query = query.where(members.c.date_of_birth <= _years_before(today, wanted.age_from))
        if wanted.age_to is not None:
            query = query.where(members.c.date_of_birth > _years_before(today, wanted.age_to + 1))
        if wanted.position:
            query = query.where(func.lower(members.c.position).contains(wanted.position.lower(), autoescape=True))
        if wanted.enterprise_type:
            query = query.where(tree_units.c.enterprise_type == wanted.enterprise_type)
        if wanted.complete is not None:
            query = query.where(COMPLETE if wanted.complete else not_(COMPLETE))
        if wanted.card_status:
            query = query.where(members.c.card_status == wanted.card_status)
        return query

    def ordered(self, query: Select, wanted: MemberFilter, after: tuple | None) -> Select:
        if wanted.sort == "newest":
            if after:
                query = query.where(
                    or_(
                        members.c.created_at < after[0],
                        and_(members.c.created_at == after[0], members.c.member_id < after[1]),
                    )
                )
        elif after:
            query = query.where((members.c.name_search, members.c.member_id) > (after[0], after[1]))
        return query.order_by(*_sort_keys(wanted, members))

    async def page(
        self, principal: Principal, wanted: MemberFilter, after: list | None, limit: int, today: date
    ) -> list:
        columns = [
            members.c.member_id,
            members.c.unit_id,
            members.c.full_name,
            members.c.gender,
            members.c.date_of_birth,
            members.c.status,
            members.c.member_code,
            members.c.position,
            members.c.card_status,
            members.c.name_search,
            members.c.created_at,
            # The unit's name from the join the scope already needs: a list naming each row's unit would otherwise
            # ask the org tree once per unit shown, after the rows (half a second on a desktop).
            tree_units.c.name.label("unit_name"),
        ]
        query = self.ordered(self.query(principal, wanted, columns, today), wanted, after)
        if wanted.name and wanted.name_match == "contains":
            query = _matches_first(query, wanted)
        return list(await self.session.execute(query.limit(limit)))


def _matches_first(query: Select, wanted: MemberFilter) -> Select:
    """The same (scoped) rows in the same order, found before they are sorted.

    A contains-search ("%tran thi%") looks selective to the planner, which then walks members_name_order in
    order and filters every entry, hoping to fill a page early: at 10 M members a search within a province
    took 20-40 s that way. Behind the fence (OFFSET 0) the matches are found first, by the trigram index,
    and only those are sorted."""
    matches = query.order_by(None).offset(0).subquery("matches")
    return select(matches).order_by(*_sort_keys(wanted, matches))


def _sort_keys(wanted: MemberFilter, source) -> list:
    """The order of a search's results, over `source` (the members table or a subquery of its columns)."""
    if wanted.sort == "newest":
        return [source.c.created_at.desc(), source.c.member_id.desc()]
    return [source.c.name_search, source.c.member_id]


EXPORT_COLUMNS = [
    ("Mã đoàn viên", members.c.member_code),
    ("Họ và tên", members.c.full_name),
    ("Giới tính", members.c.gender),
    ("Ngày sinh", members.c.date_of_birth),
    ("Số CCCD/CMND", members.c.id_number),
    ("Dân tộc", members.c.ethnicity),
    ("Tôn giáo", members.c.religion),
    ("Đơn vị", tree_units.c.name),
    ("Chức vụ", members.c.position),
    ("Ngày vào công đoàn", members.c.joined_on),
    ("Số điện thoại", members.c.phone),
    ("Quê quán", members.c.hometown),
    ("Trạng thái", members.c.status),
    ("Loại thẻ", members.c.card_type),
    ("Tình trạng thẻ", members.c.card_status),
    ("Mã Vpoint", members.c.vpoint_code),
]
