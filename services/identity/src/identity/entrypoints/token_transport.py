"""Where a browser keeps its refresh token: in an HttpOnly cookie, out of reach of any script.

A client that sends `X-Token-Transport: cookie` gets its refresh token as a cookie scoped to identity's paths
instead of in the JSON body, and sends it back the same way to refresh or log out. The web app keeps only
the short-lived access token, in memory. The custom header is also what guards the cookie against
cross-site requests: a page on another origin cannot send it without a CORS preflight the gateway refuses,
and the cookie is SameSite=Strict besides. Machine and mobile clients keep using the JSON body.
"""

from __future__ import annotations

from fastapi import Request, Response

from identity.config import IdentitySettings

HEADER = "x-token-transport"
COOKIE = "congdoan_refresh"
COOKIE_PATH = "/api/v1/identity/"


def wants_cookie(request: Request) -> bool:
    return request.headers.get(HEADER, "").lower() == "cookie"


def refresh_token_of(request: Request, from_body: str | None) -> str | None:
    """The refresh token the client presents: the body's, or (cookie transport only) the cookie's."""
    if from_body is not None:
        return from_body
    return request.cookies.get(COOKIE) if wants_cookie(request) else None


def deliver(request: Request, response: Response, refresh_token: str, settings: IdentitySettings) -> str | None:
    """Set the cookie when the client asked for it; returns what the JSON body carries (None then)."""
    if not wants_cookie(request):
        return refresh_token
    response.set_cookie(
        COOKIE,
        refresh_token,
        max_age=settings.refresh_token_ttl_s,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.headers.get("x-forwarded-proto", request.url.scheme) == "https",
    )
    return None


def forget(request: Request, response: Response) -> None:
    if wants_cookie(request):
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
