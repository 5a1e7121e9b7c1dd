"""The scope catalogue of machine clients: well-formed, built only on permissions that exist."""

from __future__ import annotations

from contracts.permissions import ROLE_PERMISSIONS, Permission, Role, permissions_of
from contracts.scopes import SCOPE_NAME, SCOPES, scopes_opening

SERVICES = {"orgtree", "members", "identity", "reporting", "dues", "cards"}


def test_every_scope_is_well_formed_and_confers_existing_permissions():
    assert SCOPES
    for name, scope in SCOPES.items():
        assert scope.name == name and SCOPE_NAME.match(name), name
        assert scope.permissions and scope.permissions <= set(Permission), name
        assert scope.services and scope.services <= SERVICES - {"identity"}, name  # identity is users-only
        assert scope.methods and scope.description_vi and scope.description_en


def test_a_grant_naming_a_scope_confers_its_permissions_and_a_role_is_unchanged():
    assert permissions_of("members:read") == {Permission.MEMBERS_READ}
    assert permissions_of("cards.issuance:read") == {Permission.CARDS_READ_ISSUANCE}
    assert permissions_of("unit_admin") == ROLE_PERMISSIONS[Role.UNIT_ADMIN]
    assert permissions_of("khong_co") == frozenset()
    assert not set(SCOPES) & {role.value for role in Role}  # a scope can never be mistaken for a role


def test_issuance_is_read_only_for_partners_and_only_national_admins_hold_it():
    assert SCOPES["cards.issuance:read"].needs_partner
    assert [r for r, p in ROLE_PERMISSIONS.items() if Permission.CARDS_READ_ISSUANCE in p] == [Role.NATIONAL_ADMIN]
    assert scopes_opening("cards", "GET") == ["cards.issuance:read"]
    # The bank answers for its cards (issued, rejected): the one write a client may make, also a partner's only.
    assert SCOPES["cards.issuance:answer"].needs_partner
    assert scopes_opening("cards", "POST") == ["cards.issuance:answer"]
    assert [r for r, p in ROLE_PERMISSIONS.items() if Permission.CARDS_ANSWER_ISSUANCE in p] == [Role.NATIONAL_ADMIN]
    assert scopes_opening("orgtree", "POST") == [] and scopes_opening("identity", "GET") == []
