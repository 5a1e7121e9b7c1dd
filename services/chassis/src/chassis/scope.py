"""The one place that decides which units a principal reaches. Nothing filters by unit scope by hand.

Every query on a table that belongs to a unit goes through `restrict_to_scope`;
`tests/test_scope_linter.py` fails when a repository touches a scoped table without it.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from contracts.permissions import Permission, permissions_of
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import ColumnElement, Select, exists, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.errors import OutOfScope
from chassis.principal import Principal
from chassis.tables import tree_closure

S = TypeVar("S", bound=Select)


def subtree_of(unit_id) -> Select:
    """A subquery of the unit's id and the ids of every unit below it (the closure table, depth 0 included)."""
    return select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id == unit_id)


def in_subtree(unit_column: ColumnElement, unit_id) -> ColumnElement[bool]:
    """`unit_column` is the unit or one below it. Every unit hangs from the national centre, so for it the
    condition is simply true: a semi-join against all 150,000 units would only slow a national query down."""
    return true() if unit_id == NATIONAL_CENTRE_ID else unit_column.in_(subtree_of(unit_id))


def units_in_scope(principal: Principal, permission: Permission) -> Select:
    """A subquery of every unit id inside the principal's subtrees for `permission`."""
    return select(tree_closure.c.descendant_id).where(tree_closure.c.ancestor_id.in_(principal.scope_roots(permission)))


def restrict_to_scope(statement: S, principal: Principal, permission: Permission, unit_column: ColumnElement) -> S:
    roots = principal.scope_roots(permission)
    if not roots:
        return statement.where(false())
    if NATIONAL_CENTRE_ID in roots:
        # Every unit hangs from the national centre: filtering by its subtree would hash all
        # 150,000 unit ids into every national query for nothing.
        return statement
    return statement.where(unit_column.in_(units_in_scope(principal, permission)))


async def is_in_scope(session: AsyncSession, principal: Principal, permission: Permission, unit_id: UUID) -> bool:
    roots = principal.scope_roots(permission)
    if not roots:
        return False
    query = select(exists().where(tree_closure.c.descendant_id == unit_id, tree_closure.c.ancestor_id.in_(roots)))
    return bool(await session.scalar(query))


async def ensure_in_scope(session: AsyncSession, principal: Principal, permission: Permission, unit_id: UUID) -> None:
    """Refuse (403 out-of-scope) unless `unit_id` is inside the principal's subtrees for `permission`.

    When only a delegated grant reaches the unit, the action is done under that delegation:
    the audit record notes the delegator and the delegation with the actor.
    """
    # Imported here: the audit trail's own queries are scoped with this module, so a top-level import is a cycle.
    from chassis import audit

    audit.note_unit(unit_id)
    grants = [g for g in principal.grants if permission in permissions_of(g.role)]
    if not any(g.delegated for g in grants):
        in_scope = await is_in_scope(session, principal, permission, unit_id)
    else:
        reaching = set(
            await session.scalars(
                select(tree_closure.c.ancestor_id).where(
                    tree_closure.c.descendant_id == unit_id,
                    tree_closure.c.ancestor_id.in_({g.unit_id for g in grants}),
                )
            )
        )
        used = [g for g in grants if g.unit_id in reaching]
        in_scope = bool(used)
        if used and all(g.delegated for g in used):
            audit.note_delegation(used[0])
    if not in_scope:
        raise OutOfScope(
            f"Đơn vị {unit_id} nằm ngoài phạm vi quản lý của bạn (quyền {permission.value})",
            f"Unit {unit_id} is outside your scope for {permission.value}",
            field="unit_id",
        )


def unscoped(reason: str):
    """Marks a repository method that reads a scoped table without a principal, and says why.

    The scope linter accepts such a method; the reason is what a reviewer checks.
    """

    def mark(function):
        function.__unscoped_reason__ = reason
        return function

    return mark
