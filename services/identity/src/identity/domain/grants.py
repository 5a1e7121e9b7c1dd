"""Who may hand out which role where.

A role can be granted on a unit only by someone who holds, on that unit (through a grant on it
or above it), every permission the role carries: a unit admin can make data-entry officers in
their subtree but not a dues officer (dues.write) nor a national admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from chassis.errors import Forbidden, InvalidInput
from chassis.principal import Grant as PrincipalGrant
from contracts.permissions import Permission, Role, permissions_of
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
    return permissions_of(role) <= permissions_on(grants, ancestors_of_unit)


def ensure_can_grant(grants, role: str, unit_id: UUID, ancestors_of_unit: Iterable[UUID], field: str = "role") -> None:
    known_role(role, field)
    if role == Role.NATIONAL_ADMIN and unit_id != NATIONAL_CENTRE_ID:
        raise InvalidInput(
            "Vai trò quản trị toàn quốc chỉ được cấp trên Tổng Liên đoàn",
            "The national_admin role can only be granted on the national centre",
            code="national-admin-on-centre-only", field="unit_id",
        )
    if not can_grant(grants, role, unit_id, ancestors_of_unit):
        raise Forbidden(
            f"Bạn không thể cấp vai trò '{role}' trên đơn vị {unit_id}: bạn không có đủ các quyền của vai trò này ở đó",
            f"You cannot grant '{role}' on unit {unit_id}: you do not hold all of its permissions there",
            code="role-not-grantable", field=field,
        )
