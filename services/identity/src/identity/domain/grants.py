"""Who may hand out which role where.

A role can be granted on a unit only by someone holding, on that unit or above it, a role that
`contracts.permissions.GRANTABLE_BY` lets grant it: a unit admin (a provincial one included) makes every
officer of its subtree, the dues officer too, but never a national admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from chassis.errors import Forbidden, InvalidInput
from chassis.principal import Grant as PrincipalGrant
from contracts.permissions import Permission, Role, may_grant, permissions_of
from contracts.wellknown import NATIONAL_CENTRE_ID


def known_role(role: str, field: str = "role") -> Role:
    try:
        return Role(role)
    except ValueError as error:
        raise InvalidInput(
            f"Vai trò '{role}' không tồn tại", f"Unknown role '{role}'", code="unknown-role", field=field
        ) from error


def permissions_on(grants: Iterable[PrincipalGrant], ancestors_of_unit: Iterable[UUID]) -> frozenset[Permission]:
    """Everything the grants allow on a unit, given the unit and every unit above it."""
    above = set(ancestors_of_unit)
    held: set[Permission] = set()
    for grant in grants:
        if grant.unit_id in above:
            held |= permissions_of(grant.role)
    return frozenset(held)


def can_grant(grants: Iterable[PrincipalGrant], role: str, unit_id: UUID, ancestors_of_unit: Iterable[UUID]) -> bool:
    if role == Role.NATIONAL_ADMIN and unit_id != NATIONAL_CENTRE_ID:
        return False
    above = set(ancestors_of_unit)
    return any(grant.unit_id in above and may_grant(grant.role, role) for grant in grants)


def ensure_can_grant(grants, role: str, unit_id: UUID, ancestors_of_unit: Iterable[UUID], field: str = "role") -> None:
    known_role(role, field)
    if role == Role.NATIONAL_ADMIN and unit_id != NATIONAL_CENTRE_ID:
        raise InvalidInput(
            "Vai trò quản trị toàn quốc chỉ được cấp trên Tổng Liên đoàn",
            "The national_admin role can only be granted on the national centre",
            code="national-admin-on-centre-only",
            field="unit_id",
        )
    if not can_grant(grants, role, unit_id, ancestors_of_unit):
        raise Forbidden(
            f"Bạn không thể cấp vai trò '{role}' trên đơn vị {unit_id}: "
            "vai trò của bạn ở đó không được cấp vai trò này",
            f"You cannot grant '{role}' on unit {unit_id}: no role you hold there may grant it",
            code="role-not-grantable",
            field=field,
        )
