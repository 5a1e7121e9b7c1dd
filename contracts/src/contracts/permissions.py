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
    # confers it (and national_admin holds every permission).
    CARDS_READ_ISSUANCE = "cards.read_issuance"
    # Answer for a bank's linked cards (issued or rejected): only the `cards.issuance:answer` scope confers it, and
    # the answer counts only from a client speaking for the card's bank.
    CARDS_ANSWER_ISSUANCE = "cards.answer_issuance"
    # Add a card fee schedule (national prices): only national_admin, which holds every permission.
    CARDS_SET_FEES = "cards.set_fees"
    REPORTS_READ = "reports.read"
    # Set the member-development targets of the units below one's unit (national centre, provinces).
    REPORTS_SET_TARGETS = "reports.set_targets"
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
        {
            P.UNITS_READ,
            P.UNITS_WRITE,
            P.USERS_READ,
            P.USERS_WRITE,
            P.MEMBERS_READ,
            P.MEMBERS_READ_SENSITIVE,
            P.MEMBERS_WRITE,
            P.MEMBERS_APPROVE,
            P.MEMBERS_TRANSFER,
            P.DUES_READ,
            P.CARDS_READ,
            P.CARDS_ORDER,
            P.REPORTS_READ,
            P.REPORTS_SET_TARGETS,
            P.AUDIT_READ,
        }
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


# Who may grant what. A holder of a role on the left, on a unit or above it, may grant there the roles on the right
# (if the unit may have users; `national_admin` only on the national centre). A unit administrator (a provincial one
# too) makes the officers of its whole subtree, the dues officer included, although it does not write dues itself:
# staffing a grassroots union is its job, doing the union's bookkeeping is not. Nobody else grants roles, and a
# delegation lends only roles its delegator holds. Machine clients' scopes follow another rule (`scopes.py`).
GRANTABLE_BY: dict[Role, frozenset[Role]] = {
    Role.NATIONAL_ADMIN: frozenset(Role),
    Role.UNIT_ADMIN: frozenset(
        {Role.UNIT_ADMIN, Role.DATA_ENTRY, Role.APPROVER, Role.DUES_OFFICER, Role.CARD_OFFICER, Role.REPORT_VIEWER}
    ),
}


def may_grant(holder_role: str, role: str) -> bool:
    """Whether a grant of `holder_role` lets its holder grant `role` (on the same unit or below it)."""
    return role in GRANTABLE_BY.get(holder_role, frozenset())  # type: ignore[call-overload]


def permissions_of(role: str) -> frozenset[Permission]:
    """What a grant allows. A person's grant names a role; a machine client's names a scope (`scopes.py`)."""
    permissions = ROLE_PERMISSIONS.get(role)
    if permissions is not None:
        return permissions
    from contracts.scopes import SCOPES  # imported here: the scope catalogue is built on this table

    scope = SCOPES.get(role)
    return scope.permissions if scope is not None else frozenset()
