"""Roles and what they allow: the one permission table of the platform.

A role is granted on a unit and reaches that unit and everything below it.
The unit's capability flags (from the type catalogue) further bound what a
role may do there: a commune union's officer cannot admit members.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    UNITS_READ = "units.read"
    UNITS_WRITE = "units.write"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    MEMBERS_READ = "members.read"
    MEMBERS_READ_SENSITIVE = "members.read_sensitive"
    MEMBERS_WRITE = "members.write"
    MEMBERS_APPROVE = "members.approve"
    MEMBERS_TRANSFER = "members.transfer"
    DUES_READ = "dues.read"
    DUES_WRITE = "dues.write"
    CARDS_READ = "cards.read"
    CARDS_ORDER = "cards.order"
    # Follow card issuance (linked cards for a bank): only the `cards.issuance:read` scope of machine clients
    # confers it (and national_admin holds every permission); no endpoint checks it yet.
    CARDS_READ_ISSUANCE = "cards.read_issuance"
    REPORTS_READ = "reports.read"
    AUDIT_READ = "audit.read"


class Role(StrEnum):
    NATIONAL_ADMIN = "national_admin"
    UNIT_ADMIN = "unit_admin"
    DATA_ENTRY = "data_entry"
    APPROVER = "approver"
    DUES_OFFICER = "dues_officer"
    CARD_OFFICER = "card_officer"
    REPORT_VIEWER = "report_viewer"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NATIONAL_ADMIN: frozenset(Permission),
    Role.UNIT_ADMIN: frozenset(
        {P.UNITS_READ, P.UNITS_WRITE, P.USERS_READ, P.USERS_WRITE, P.MEMBERS_READ, P.MEMBERS_READ_SENSITIVE,
         P.MEMBERS_WRITE, P.MEMBERS_APPROVE, P.MEMBERS_TRANSFER, P.DUES_READ, P.CARDS_READ, P.CARDS_ORDER,
         P.REPORTS_READ, P.AUDIT_READ}
    ),
    Role.DATA_ENTRY: frozenset(
        {P.UNITS_READ, P.MEMBERS_READ, P.MEMBERS_READ_SENSITIVE, P.MEMBERS_WRITE, P.MEMBERS_TRANSFER, P.REPORTS_READ}
    ),
    Role.APPROVER: frozenset(
        {P.UNITS_READ, P.MEMBERS_READ, P.MEMBERS_READ_SENSITIVE, P.MEMBERS_APPROVE, P.REPORTS_READ}
    ),
    Role.DUES_OFFICER: frozenset({P.UNITS_READ, P.MEMBERS_READ, P.DUES_READ, P.DUES_WRITE, P.REPORTS_READ}),
    Role.CARD_OFFICER: frozenset({P.UNITS_READ, P.MEMBERS_READ, P.CARDS_READ, P.CARDS_ORDER, P.REPORTS_READ}),
    Role.REPORT_VIEWER: frozenset({P.UNITS_READ, P.MEMBERS_READ, P.REPORTS_READ}),
}


def permissions_of(role: str) -> frozenset[Permission]:
    """What a grant allows. A person's grant names a role; a machine client's names a scope (`scopes.py`)."""
    permissions = ROLE_PERMISSIONS.get(role)
    if permissions is not None:
        return permissions
    from contracts.scopes import SCOPES  # imported here: the scope catalogue is built on this table

    scope = SCOPES.get(role)
    return scope.permissions if scope is not None else frozenset()
