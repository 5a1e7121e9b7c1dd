"""Set-based changes of many members at once: approval, rejection, suspensions ending, units closing.

Each is ONE UPDATE ... RETURNING, whatever the number of members; the history rows and
events of the changed members are then built as text and written with COPY in the same
transaction (`event_rows.py`): 100,000 members cost three round trips. (`record_events`, one
Member object and one contract model per member, is for the few members a request changes.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from chassis.principal import Principal
from chassis.scope import restrict_to_scope, subtree_of, unscoped
from chassis.tables import tree_closure, tree_units
from contracts.events.members_member_v1 import (
    MemberApproved,
    MemberRejected,
    MemberStatusChanged,
    MemberTransferred,
    MemberUpdated,
)
from contracts.permissions import Permission
from sqlalchemy import Text, Update, exists, func, select, text, update, values
from sqlalchemy import column as value_column
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.event_rows import SNAPSHOT_COLUMNS, record_changes
from members.adapters.repository import member_of
from members.adapters.tables import member_transfers, members
from members.domain.model import Member


def approving_ancestor_in_reach(principal: Principal, unit_column=members.c.unit_id):
    """True for a unit (by default a member's) when a unit strictly above it may approve (its type says so) and
    the principal holds `members.approve` on that unit or above it."""
    above, reach = tree_closure.alias("above"), tree_closure.alias("reach")
    return exists().where(
        above.c.descendant_id == unit_column,
        above.c.depth > 0,
        tree_units.c.unit_id == above.c.ancestor_id,
        tree_units.c.can_approve_members,
        tree_units.c.status == "active",
        reach.c.descendant_id == above.c.ancestor_id,
        reach.c.ancestor_id.in_(principal.scope_roots(Permission.MEMBERS_APPROVE)),
    )


class BulkMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("runs a statement its caller built already scoped (restrict_to_scope or its own @unscoped)")
    async def _apply(
        self,
        statement: Update,
        change: str,
        changed_by: str,
        acting_for: str | None,
        reason: str | None,
        details: dict | None,
        event_type: str,
        event_fields: dict[str, object],
        members_back: bool = True,
    ) -> list:
        """Run the UPDATE and write its history rows and events; returns the changed members (`members_back`) or,
        for callers that only count or list them, the rows of SNAPSHOT_COLUMNS without building Members."""
        # The GIN name index gets an entry for every changed row (no HOT update when an indexed column changes):
        # a bigger pending list for this transaction means a few big merges instead of many small ones.
        await self.session.execute(text("SET LOCAL gin_pending_list_limit = '32MB'"))
        returned = members.c if members_back else SNAPSHOT_COLUMNS
        rows = (await self.session.execute(statement.returning(*returned))).all()
        snapshots = [[row._mapping[column] for column in SNAPSHOT_COLUMNS] for row in rows] if members_back else rows
        await record_changes(
            self.session,
            snapshots,
            change=change,
            changed_by=changed_by,
            acting_for=acting_for,
            reason=reason,
            details=details,
            event_type=event_type,
            event_fields=event_fields,
        )
        return [member_of(row) for row in rows] if members_back else rows

    async def decide_pending(
        self,
        principal: Principal,
        *,
        approve: bool,
        reason: str | None,
        unit_id: UUID | None = None,
        member_ids: Sequence[UUID] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        members_back: bool = True,
    ) -> list:
        """Approve (issuing member codes) or reject every pending member the filter selects that the
        principal may decide on. Codes come from the sequence row by row inside the statement."""
        chosen = select(members.c.member_id).where(members.c.status == "pending")
        if unit_id is not None:
            # Who may decide depends on the unit only: checked once per unit of the subtree, not per member.
            chosen = chosen.where(
                members.c.unit_id.in_(
                    select(tree_closure.c.descendant_id).where(
                        tree_closure.c.ancestor_id == unit_id,
                        approving_ancestor_in_reach(principal, tree_closure.c.descendant_id),
                    )
                )
            )
        else:
            chosen = chosen.where(approving_ancestor_in_reach(principal))
        if member_ids is not None:
            chosen = chosen.where(members.c.member_id.in_(list(member_ids)))
        if created_from is not None:
            chosen = chosen.where(members.c.created_at >= created_from)
        if created_to is not None:
            chosen = chosen.where(members.c.created_at < created_to)
        if approve:
            # The serial is drawn here so that member_code_of() gets a plain column and is inlined into the UPDATE
            # (with nextval() as its argument, used twice in its body, it ran as a function call per member).
            chosen = chosen.add_columns(func.nextval("member_code_seq").label("serial"))
        chosen = restrict_to_scope(chosen, principal, Permission.MEMBERS_APPROVE, members.c.unit_id).cte("chosen")
        decided = (
            {
                "status": "active",
                "member_code": func.member_code_of(chosen.c.serial),
                "approved_at": func.now(),
                "approved_by": principal.username,
                "status_reason": None,
            }
            if approve
            else {"status": "rejected", "status_reason": reason}
        )
        # status is checked again here: a concurrent decision on the same member makes this one skip it.
        statement = (
            update(members)
            .where(members.c.member_id == chosen.c.member_id, members.c.status == "pending")
            .values(**decided, version=members.c.version + 1, updated_at=func.now())
        )
        acting_for = str(principal.acting_for) if principal.acting_for else None
        if approve:
            return await self._apply(
                statement,
                "approved",
                principal.username,
                acting_for,
                reason,
                None,
                MemberApproved.event_type,
                {},
                members_back,
            )
        return await self._apply(
            statement,
            "rejected",
            principal.username,
            acting_for,
            reason,
            None,
            MemberRejected.event_type,
            {"reason": reason},
            members_back,
        )

    async def mark_photos(self, principal: Principal, member_ids: list[UUID]) -> list[Member]:
        statement = restrict_to_scope(
            update(members).where(members.c.member_id.in_(member_ids)),
            principal,
            Permission.MEMBERS_WRITE,
            members.c.unit_id,
        ).values(has_photo=True, version=members.c.version + 1, updated_at=func.now())
        return await self._apply(
            statement,
            "photo",
            principal.username,
            str(principal.acting_for) if principal.acting_for else None,
            None,
            {"changed_fields": ["photo"]},
            MemberUpdated.event_type,
            {"changed_fields": ["photo"]},
        )

    async def set_vpoint_codes(self, principal: Principal, codes: dict[UUID, str]) -> list[Member]:
        """Each member's Vpoint code, in one statement (UPDATE ... FROM VALUES) with history and events;
        members outside the principal's `members.write` reach are left alone."""
        if not codes:
            return []
        given = values(
            value_column("member_id", members.c.member_id.type), value_column("code", Text), name="given"
        ).data(list(codes.items()))
        statement = restrict_to_scope(
            update(members).where(
                members.c.member_id == given.c.member_id,
                members.c.status.notin_(("removed", "rejected")),
                members.c.vpoint_code.is_distinct_from(given.c.code),
            ),
            principal,
            Permission.MEMBERS_WRITE,
            members.c.unit_id,
        ).values(vpoint_code=given.c.code, version=members.c.version + 1, updated_at=func.now())
        return await self._apply(
            statement,
            "vpoint",
            principal.username,
            str(principal.acting_for) if principal.acting_for else None,
            None,
            {"changed_fields": ["vpoint_code"]},
            MemberUpdated.event_type,
            {"changed_fields": ["vpoint_code"]},
        )

    async def members_in_reach(self, principal: Principal, id_numbers: list[str], member_codes: list[str]) -> list:
        """Members (not removed) the principal may write, named by ID number or member code."""
        query = select(members.c.member_id, members.c.id_number, members.c.member_code, members.c.vpoint_code).where(
            members.c.status.notin_(("removed", "rejected")),
            members.c.id_number.in_(id_numbers) | members.c.member_code.in_(member_codes),
        )
        return list(
            await self.session.execute(restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, members.c.unit_id))
        )

    @unscoped("a Vpoint code is unique nationally; only the holder's id is read, never shown")
    async def vpoint_holders(self, codes: list[str]) -> dict[str, UUID]:
        """Who (not removed) already holds each of these Vpoint codes, wherever they are."""
        rows = await self.session.execute(
            select(members.c.vpoint_code, members.c.member_id).where(
                members.c.vpoint_code.in_(codes), members.c.status.notin_(("removed", "rejected"))
            )
        )
        return {row.vpoint_code: row.member_id for row in rows}

    async def members_by_keys(
        self, principal: Principal, unit_id: UUID, id_numbers: list[str], member_codes: list[str]
    ) -> list:
        """Members of `unit_id`'s subtree (not removed) named by ID number or member code."""
        query = select(members.c.member_id, members.c.id_number, members.c.member_code).where(
            members.c.unit_id.in_(subtree_of(unit_id)),
            members.c.status.notin_(("removed", "rejected")),
            members.c.id_number.in_(id_numbers) | members.c.member_code.in_(member_codes),
        )
        return list(
            await self.session.execute(restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, members.c.unit_id))
        )

    @unscoped("system job: suspensions end on their own date in every unit")
    async def resume_due_suspensions(self, today: date) -> list[Member]:
        statement = (
            update(members)
            .where(members.c.status == "suspended", members.c.suspended_until <= today)
            .values(
                status="active",
                status_reason=None,
                suspended_until=None,
                version=members.c.version + 1,
                updated_at=func.now(),
            )
        )
        return await self._apply(
            statement,
            "resume",
            "system",
            None,
            "suspension ended",
            {"from": "suspended", "to": "active"},
            MemberStatusChanged.event_type,
            {"old_status": "suspended", "reason": "Hết thời hạn tạm dừng sinh hoạt / suspension ended"},
        )

    @unscoped("orgtree closed the unit; its members must follow wherever they are")
    async def move_all_members(self, closed_unit: UUID, receiver: UUID, why: str) -> list[Member]:
        statement = (
            update(members)
            .where(members.c.unit_id == closed_unit)
            .values(unit_id=receiver, version=members.c.version + 1, updated_at=func.now())
        )
        units = {"from_unit_id": str(closed_unit), "to_unit_id": str(receiver)}
        moved = await self._apply(
            statement, "unit_closed", "system", None, why, units, MemberTransferred.event_type, units
        )
        # Open transfers follow too: the closed unit's side becomes the receiver; one that would now
        # lead from a unit to itself has nothing left to do and is cancelled.
        for column in (member_transfers.c.from_unit_id, member_transfers.c.to_unit_id):
            await self.session.execute(
                update(member_transfers)
                .where(column == closed_unit, member_transfers.c.status == "released")
                .values({column.name: receiver})
            )
        await self.session.execute(
            update(member_transfers)
            .where(
                member_transfers.c.status == "released",
                member_transfers.c.from_unit_id == member_transfers.c.to_unit_id,
            )
            .values(status="cancelled", closed_by="system", closed_at=func.now(), close_reason=why)
        )
        return moved

    @unscoped("operator's one-off republication of every stored photo to cards: no principal, nothing shown")
    async def photo_versions_after(self, after: UUID | None, limit: int) -> dict[UUID, int]:
        """The next `limit` members with a photo after `after` (member id order), each with its version."""
        statement = select(members.c.member_id, members.c.version).where(members.c.has_photo)
        if after is not None:
            statement = statement.where(members.c.member_id > after)
        rows = await self.session.execute(statement.order_by(members.c.member_id).limit(limit))
        return {member_id: version for member_id, version in rows}
