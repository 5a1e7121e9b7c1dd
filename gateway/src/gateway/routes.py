"""Which service a path belongs to, and which paths need no login."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.config import GatewaySettings
from gateway.problems import BadPath

SERVICES = ("orgtree", "members", "identity", "reporting", "dues", "cards")
API_PREFIX = "/api/v1/"
PUBLIC_PREFIX = "/api/v1/public/"
# Public routes live in the services under /api/v1/<service>/public/; clients see them under
# /api/v1/public/: card verification in cards, everything else (the member lookup) in members.
PUBLIC_TARGETS = {"cards/": ("cards", "/api/v1/cards/public/")}
PUBLIC_DEFAULT_TARGET = ("members", "/api/v1/members/public/")
# A service's public router reached by the service's own path is the same public question: no token is looked at
# (the service sees the public principal, so a miss answers alike), and the public limit applies, so a signed-in
# officer or a machine client gets no lookup oracle beside the throttled one.
SERVICE_PUBLIC_SEGMENT = "public"

# (method, path) reachable without a token, and the stricter rate limit each falls under.
PUBLIC_ROUTES: dict[tuple[str, str], str | None] = {
    ("POST", "/api/v1/identity/login"): "login",
    # A refresh token is 256 random bits: nothing to guess, so no stricter limit than any request (a page load
    # refreshes, and an office of officers behind one address must not share the login bucket for it).
    ("POST", "/api/v1/identity/token/refresh"): None,
    # Two-factor enrolment of an account that may not get tokens before it has TOTP (password in the body).
    ("POST", "/api/v1/identity/login/totp"): "login",
    ("POST", "/api/v1/identity/login/totp/confirm"): "login",
    # OAuth2 client credentials of machine clients (banks, provincial apps); HTTP Basic passes through.
    ("POST", "/api/v1/identity/oauth/token"): "token",
    ("GET", "/api/v1/identity/.well-known/jwks.json"): None,
}
# Routes that authenticate their caller themselves with HTTP Basic: only there `Authorization: Basic` goes on.
BASIC_AUTH_ROUTES = frozenset({("POST", "/api/v1/identity/oauth/token")})


@dataclass(frozen=True)
class Route:
    service: str
    upstream_path: str
    public: bool = False
    limit: str | None = None
    basic_auth: bool = False


def resolve(method: str, path: str) -> Route | None:
    """The route of a request path, or None when no service serves it."""
    if not path.startswith(API_PREFIX):
        return None
    _reject_dot_segments(path)
    if path.startswith(PUBLIC_PREFIX):
        rest = path[len(PUBLIC_PREFIX) :]
        for start, (service, prefix) in PUBLIC_TARGETS.items():
            if rest.startswith(start):
                return Route(service, prefix + rest[len(start) :], public=True, limit="public")
        service, prefix = PUBLIC_DEFAULT_TARGET
        return Route(service, prefix + rest, public=True, limit="public")
    service = path[len(API_PREFIX) :].split("/", 1)[0]
    if service not in SERVICES:
        return None
    if path.split("/", 5)[4:5] == [SERVICE_PUBLIC_SEGMENT]:
        return Route(service, path, public=True, limit="public")
    key = (method.upper(), path)
    return Route(
        service, path, public=key in PUBLIC_ROUTES, limit=PUBLIC_ROUTES.get(key), basic_auth=key in BASIC_AUTH_ROUTES
    )


def is_public(method: str, path: str) -> bool:
    """Whether the gateway answers (method, path) without a token."""
    route = resolve(method, path)
    return route is not None and route.public


def public_alias(service: str, path: str) -> str | None:
    """The public path (`/api/v1/public/...`) under which a service's own path is served, if any."""
    targets = [*((start, target) for start, target in PUBLIC_TARGETS.items()), ("", PUBLIC_DEFAULT_TARGET)]
    for start, (target_service, prefix) in targets:
        if service == target_service and path.startswith(prefix):
            return PUBLIC_PREFIX + start + path[len(prefix) :]
    return None


def upstream_urls(settings: GatewaySettings) -> dict[str, str]:
    return {name: getattr(settings, f"{name}_url").rstrip("/") for name in SERVICES}


def _reject_dot_segments(path: str) -> None:
    # HTTP clients collapse "..", which would turn /api/v1/public/../../x into another service's path.
    if any(segment in (".", "..") for segment in path.split("/")):
        raise BadPath("Đường dẫn không hợp lệ", "Path segments '.' and '..' are not allowed")
