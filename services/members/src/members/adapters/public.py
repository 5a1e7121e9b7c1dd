"""The one query the public may run: a member by code AND ID number, four fields (and the card's code) back."""

from __future__ import annotations

from chassis.scope import unscoped
from chassis.tables import tree_units
from sqlalchemy import Row, select

from members.adapters.tables import members


class PublicLookup:
    def __init__(self, session) -> None:
        self.session = session

    @unscoped("public lookup: the member code and the ID number together are the credential; 4 fields return")
    async def find(self, member_code: str, id_number: str) -> Row | None:
        query = (
            select(
                members.c.full_name,
                tree_units.c.name.label("unit_name"),
                members.c.status,
                members.c.card_status,
                members.c.card_verification_code,
            )
            .join(tree_units, tree_units.c.unit_id == members.c.unit_id)
            .where(members.c.member_code == member_code, members.c.id_number == id_number)
        )
        return (await self.session.execute(query)).one_or_none()
