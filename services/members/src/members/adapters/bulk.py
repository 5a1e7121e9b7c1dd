"""Set-based changes of many members at once: approval, rejection, suspensions ending, units closing.

Each is ONE statement: an UPDATE ... RETURNING in a CTE, an INSERT of the history rows and an
INSERT of the outbox rows selected from it, so 100,000 members cost one round trip. Building
100,000 events in Python (`record_events`) took longer than the whole statement, so the
event JSON is built in SQL here; the history `state` and the event bodies use the same keys
as `Member.snapshot()` and the event contracts, and tests parse every kind with the contract
models to keep the two in step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from chassis import telemetry
from chassis.principal import Principal
from chassis.scope import restrict_to_scope, unscoped
from chassis.tables import outbox_events, tree_closure, tree_units
from contracts.events.members_member_v1 import (
    TOPIC,
    MemberApproved,
    MemberRejected,
    MemberStatusChanged,
    MemberTransferred,
    MemberUpdated,
)
from contracts.permissions import Permission
from sqlalchemy import Text, Update, cast, exists, func, literal, select, text, update, values
from sqlalchemy import column as value_column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from members.adapters.repository import member_of
from members.adapters.tables import member_history, member_transfers, members
from members.domain.model import Member


def snapshot_json(source) -> object:
    """`MemberSnapshot` as JSONB, from a row source with the members columns."""
    c = source.c
    return func.jsonb_build_object(
        "member_id", c.member_id, "unit_id", c.unit_id, "status", c.status, "full_name", c.full_name,
        "gender", c.gender, "date_of_birth", c.date_of_birth, "member_code", c.member_code,
        "joined_on", c.joined_on, "position", c.position, "card_type", c.card_type,
        "is_foreign", c.nationality != "VN", "has_photo", c.has_photo, "version", c.version,
    )


def approving_ancestor_in_reach(principal: Principal, unit_column=members.c.unit_id):
    """True for a unit (by default a member's) when a unit strictly above it may approve (its type says so) and
    the principal holds `members.approve` on that unit or above it."""
    above, reach = tree_closure.alias("above"), tree_closure.alias("reach")
    return exists().where(
        above.c.descendant_id == unit_column, above.c.depth > 0,
        tree_units.c.unit_id == above.c.ancestor_id, tree_units.c.can_approve_members,
        tree_units.c.status == "active",
        reach.c.descendant_id == above.c.ancestor_id,
        reach.c.ancestor_id.in_(principal.scope_roots(Permission.MEMBERS_APPROVE)),
    )


class BulkMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @unscoped("runs a statement its caller built already scoped (restrict_to_scope or its own @unscoped)")
    async def _apply(self, statement: Update, change: str, changed_by: str, acting_for: str | None,
                     reason: str | None, details: object, event_type: str,
                     event_fields: dict[str, object], members_back: bool = True) -> list:
        """Run the UPDATE with its history rows and events; returns the changed members (`members_back`) or, for
        callers that only count or list them, rows of (member_id, member_code) without building 100,000 Members."""
        # The GIN name index gets an entry for every changed row (no HOT update when an indexed column changes):
        # a bigger pending list for this transaction means a few big merges instead of many small ones.
        await self.session.execute(text("SET LOCAL gin_pending_list_limit = '32MB'"))
        changed = statement.returning(*members.c).cte("changed")
        # The snapshot is built once per member, for the history row and for the event.
        snapshot = select(changed.c.member_id, changed.c.version, snapshot_json(changed).label("state")).cte("snapshot")
        history = member_history.insert().from_select(
            ["member_id", "version", "change", "state", "reason", "details", "changed_by", "acting_for"],
            select(snapshot.c.member_id, snapshot.c.version, literal(change), snapshot.c.state,
                   literal(reason), details, literal(changed_by), literal(acting_for)),
        ).cte("history")
        # The event body as text around the snapshot's text: a jsonb_build_object holding the snapshot copied it
        # into a new jsonb only to print it again.
        body = literal('{"member_id": "', Text) + cast(snapshot.c.member_id, Text) + literal('", "member": ', Text) \
            + cast(snapshot.c.state, Text)
        for name, value in event_fields.items():
            body = body + literal(f", {json.dumps(name)}: ", Text) + cast(func.to_jsonb(value), Text)
        outbox = outbox_events.insert().from_select(
            ["event_id", "topic", "message_key", "event_type", "payload", "trace_headers", "occurred_at"],
            select(func.uuid_v7(), literal(TOPIC), cast(snapshot.c.member_id, Text), literal(event_type),
                   body + literal("}", Text), cast(literal(json.dumps(telemetry.current_trace_headers())), JSONB),
                   func.now()),
        ).cte("outbox")
        if not members_back:
            return list(await self.session.execute(
                select(changed.c.member_id, changed.c.member_code).add_cte(snapshot).add_cte(history).add_cte(outbox)))
        rows = await self.session.execute(select(changed).add_cte(snapshot).add_cte(history).add_cte(outbox))
        return [member_of(row) for row in rows]

    async def decide_pending(
        self, principal: Principal, *, approve: bool, reason: str | None, unit_id: UUID | None = None,
        member_ids: Sequence[UUID] | None = None, created_from: datetime | None = None,
        created_to: datetime | None = None, members_back: bool = True,
    ) -> list:
        """Approve (issuing member codes) or reject every pending member the filter selects that the
        principal may decide on. Codes come from the sequence row by row inside the statement."""
        chosen = select(members.c.member_id).where(members.c.status == "pending")
        if unit_id is not None:
            # Who may decide depends on the unit only: checked once per unit of the subtree, not per member.
            chosen = chosen.where(members.c.unit_id.in_(
                select(tree_closure.c.descendant_id).where(
                    tree_closure.c.ancestor_id == unit_id,
                    approving_ancestor_in_reach(principal, tree_closure.c.descendant_id))))
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
        decided = {"status": "active", "member_code": func.member_code_of(chosen.c.serial),
                   "approved_at": func.now(), "approved_by": principal.username, "status_reason": None} \
            if approve else {"status": "rejected", "status_reason": reason}
        # status is checked again here: a concurrent decision on the same member makes this one skip it.
        statement = (
            update(members)
            .where(members.c.member_id == chosen.c.member_id, members.c.status == "pending")
            .values(**decided, version=members.c.version + 1, updated_at=func.now())
        )
        acting_for = str(principal.acting_for) if principal.acting_for else None
        if approve:
            return await self._apply(statement, "approved", principal.username, acting_for, reason,
                                     cast(None, JSONB), MemberApproved.event_type, {}, members_back)
        return await self._apply(statement, "rejected", principal.username, acting_for, reason, cast(None, JSONB),
                                 MemberRejected.event_type, {"reason": literal(reason)}, members_back)

    async def mark_photos(self, principal: Principal, member_ids: list[UUID]) -> list[Member]:
        statement = restrict_to_scope(
            update(members).where(members.c.member_id.in_(member_ids)),
            principal, Permission.MEMBERS_WRITE, members.c.unit_id,
        ).values(has_photo=True, version=members.c.version + 1, updated_at=func.now())
        return await self._apply(statement, "photo", principal.username,
                                 str(principal.acting_for) if principal.acting_for else None, None,
                                 func.jsonb_build_object("changed_fields", func.jsonb_build_array("photo")),
                                 MemberUpdated.event_type, {"changed_fields": func.jsonb_build_array("photo")})

    async def set_vpoint_codes(self, principal: Principal, codes: dict[UUID, str]) -> list[Member]:
        """Each member's Vpoint code, in one statement (UPDATE ... FROM VALUES) with history and events;
        members outside the principal's `members.write` reach are left alone."""
        if not codes:
            return []
        given = values(value_column("member_id", members.c.member_id.type), value_column("code", Text),
                       name="given").data(list(codes.items()))
        statement = restrict_to_scope(
            update(members).where(members.c.member_id == given.c.member_id,
                                  members.c.status.notin_(("removed", "rejected")),
                                  members.c.vpoint_code.is_distinct_from(given.c.code)),
            principal, Permission.MEMBERS_WRITE, members.c.unit_id,
        ).values(vpoint_code=given.c.code, version=members.c.version + 1, updated_at=func.now())
        return await self._apply(statement, "vpoint", principal.username,
                                 str(principal.acting_for) if principal.acting_for else None, None,
                                 func.jsonb_build_object("changed_fields", func.jsonb_build_array("vpoint_code")),
                                 MemberUpdated.event_type, {"changed_fields": func.jsonb_build_array("vpoint_code")})

    async def members_in_reach(self, principal: Principal, id_numbers: list[str], member_codes: list[str]) -> list:
        """Members (not removed) the principal may write, named by ID number or member code."""
        query = select(members.c.member_id, members.c.id_number, members.c.member_code, members.c.vpoint_code).where(
            members.c.status.notin_(("removed", "rejected")),
            members.c.id_number.in_(id_numbers) | members.c.member_code.in_(member_codes),
        )
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, members.c.unit_id)))

    @unscoped("a Vpoint code is unique nationally; only the holder's id is read, never shown")
    async def vpoint_holders(self, codes: list[str]) -> dict[str, UUID]:
        """Who (not removed) already holds each of these Vpoint codes, wherever they are."""
        rows = await self.session.execute(
            select(members.c.vpoint_code, members.c.member_id).where(
                members.c.vpoint_code.in_(codes), members.c.status.notin_(("removed", "rejected"))))
        return {row.vpoint_code: row.member_id for row in rows}

    async def members_by_keys(self, principal: Principal, unit_id: UUID, id_numbers: list[str],
                              member_codes: list[str]) -> list:
        """Members of `unit_id`'s subtree (not removed) named by ID number or member code."""
        query = select(members.c.member_id, members.c.id_number, members.c.member_code).where(
            members.c.unit_id.in_(select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id == unit_id)),
            members.c.status.notin_(("removed", "rejected")),
            members.c.id_number.in_(id_numbers) | members.c.member_code.in_(member_codes),
        )
        return list(await self.session.execute(
            restrict_to_scope(query, principal, Permission.MEMBERS_WRITE, members.c.unit_id)))

    @unscoped("system job: suspensions end on their own date in every unit")
    async def resume_due_suspensions(self, today: date) -> list[Member]:
        statement = (
            update(members)
            .where(members.c.status == "suspended", members.c.suspended_until <= today)
            .values(status="active", status_reason=None, suspended_until=None, version=members.c.version + 1,
                    updated_at=func.now())
        )
        return await self._apply(statement, "resume", "system", None, "suspension ended",
                                 func.jsonb_build_object("from", "suspended", "to", "active"),
                                 MemberStatusChanged.event_type,
                                 {"old_status": literal("suspended"),
                                  "reason": literal("Hết thời hạn tạm dừng sinh hoạt / suspension ended")})

    @unscoped("orgtree closed the unit; its members must follow wherever they are")
    async def move_all_members(self, closed_unit: UUID, receiver: UUID, why: str) -> list[Member]:
        statement = (
            update(members)
            .where(members.c.unit_id == closed_unit)
            .values(unit_id=receiver, version=members.c.version + 1, updated_at=func.now())
        )
        moved = await self._apply(statement, "unit_closed", "system", None, why, func.jsonb_build_object(
            "from_unit_id", str(closed_unit), "to_unit_id", str(receiver)), MemberTransferred.event_type,
            {"from_unit_id": literal(str(closed_unit)), "to_unit_id": literal(str(receiver))})
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
            .where(member_transfers.c.status == "released",
                   member_transfers.c.from_unit_id == member_transfers.c.to_unit_id)
            .values(status="cancelled", closed_by="system", closed_at=func.now(), close_reason=why)
        )
        return moved


