"""The scope catalogue of machine clients (OAuth2 client credentials: banks' and provinces' apps).

A machine client is not a person and holds no role: it is granted scopes, all on its owning unit.
A scope confers its permissions on that unit and everything below it, exactly as a role does
(`permissions.py`; a client's grants name the scope where a person's name the role), and opens
the listed services at the gateway for the listed methods. Every other service, identity's user
and administration endpoints included, refuses client tokens at the gateway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.permissions import Permission

P = Permission
SCOPE_NAME = re.compile(r"^[a-z][a-z.]*:[a-z]+$")
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Scope:
    name: str
    permissions: frozenset[Permission]
    # Route prefixes (`/api/v1/<service>/`) the scope opens at the gateway, and with which methods.
    services: frozenset[str]
    description_vi: str
    description_en: str
    methods: frozenset[str] = READ_METHODS
    # Only for a client with a partner code (a bank's): the services limit the data to that partner.
    needs_partner: bool = False


SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        Scope(
            "orgtree:read",
            frozenset({P.UNITS_READ}),
            frozenset({"orgtree"}),
            "Đọc cây tổ chức công đoàn của đơn vị sở hữu và cấp dưới",
            "Read the union tree of the owning unit's subtree",
        ),
        Scope(
            "members:read",
            frozenset({P.MEMBERS_READ}),
            frozenset({"members"}),
            "Đọc hồ sơ đoàn viên (các trường nhạy cảm bị che)",
            "Read member records (sensitive fields masked)",
        ),
        Scope(
            "reports:read",
            frozenset({P.REPORTS_READ}),
            frozenset({"reporting"}),
            "Đọc số liệu thống kê đoàn viên",
            "Read member statistics",
        ),
        Scope(
            "cards.issuance:read",
            frozenset({P.CARDS_READ_ISSUANCE}),
            frozenset({"cards"}),
            "Theo dõi việc phát hành thẻ liên kết của ngân hàng đối tác",
            "Follow the issuance of the partner bank's linked cards",
            needs_partner=True,
        ),
        Scope(
            "cards.issuance:answer",
            frozenset({P.CARDS_ANSWER_ISSUANCE}),
            frozenset({"cards"}),
            "Ngân hàng đối tác báo kết quả phát hành thẻ liên kết (đã phát hành hoặc từ chối)",
            "The partner bank answers for its linked cards (issued or rejected)",
            methods=frozenset({"POST"}),
            needs_partner=True,
        ),
    )
}


def scopes_opening(service: str, method: str) -> list[str]:
    """The scopes that let a client call `service` with `method`, for the refusal to name them."""
    return sorted(s.name for s in SCOPES.values() if service in s.services and method.upper() in s.methods)
