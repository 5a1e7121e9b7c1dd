"""A browser's refresh token lives in an HttpOnly cookie that no script reads: given on login when the client asks
with `X-Token-Transport: cookie`, sent back to refresh and log out, and useless without that header (so a page on
another site cannot use it). Logging out everywhere ends every session of the user."""

from __future__ import annotations

from identity.entrypoints.token_transport import COOKIE

from .support import internal_headers, principal_of

REFRESH = "/api/v1/identity/token/refresh"


def browser(identity, refresh_cookie: str | None = None, access_token: str | None = None) -> dict[str, str]:
    """The headers a browser of the web app sends: the transport header, its cookie, the caller's identity."""
    headers = {
        **(internal_headers(principal_of(access_token)) if access_token else identity.public),
        "x-token-transport": "cookie",
    }
    if refresh_cookie is not None:
        headers["cookie"] = f"{COOKIE}={refresh_cookie}"
    return headers


async def browser_login(identity, password: str):
    user = await identity.create_user(await identity.admin(), identity.units["HNI"], password=password)
    login = await identity.http.post(
        "/api/v1/identity/login", json={"username": user["username"], "password": password}, headers=browser(identity)
    )
    assert login.status_code == 200, login.text
    return user, login


async def test_the_refresh_token_travels_only_in_an_http_only_cookie_and_rotates(identity):
    _, login = await browser_login(identity, "Mat-khau-cookie-1")
    assert login.json()["refresh_token"] is None and login.json()["access_token"]
    cookie = login.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/api/v1/identity/" in cookie
    first = login.cookies[COOKIE]

    refreshed = await identity.http.post(REFRESH, json={}, headers=browser(identity, first))
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] is None
    assert refreshed.cookies[COOKIE] != first
    reused = await identity.http.post(REFRESH, json={}, headers=browser(identity, first))
    assert reused.status_code == 401 and reused.json()["code"] == "refresh-token-reused"


async def test_the_cookie_alone_refreshes_nothing(identity):
    _, login = await browser_login(identity, "Mat-khau-cookie-2")
    forged = await identity.http.post(
        REFRESH, json={}, headers={**identity.public, "cookie": f"{COOKIE}={login.cookies[COOKIE]}"}
    )
    assert forged.status_code == 401 and forged.json()["code"] == "refresh-token-missing"


async def test_logging_out_everywhere_ends_every_session_and_clears_the_cookie(identity):
    user, office = await browser_login(identity, "Mat-khau-cookie-3")
    phone = (await identity.login(user["username"], "Mat-khau-cookie-3")).json()
    out = await identity.http.post(
        "/api/v1/identity/logout",
        json={"everywhere": True},
        headers=browser(identity, office.cookies[COOKIE], office.json()["access_token"]),
    )
    assert out.status_code == 204
    assert f'{COOKIE}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    assert (await identity.refresh(phone["refresh_token"])).status_code == 401
    again = await identity.http.post(REFRESH, json={}, headers=browser(identity, office.cookies[COOKIE]))
    assert again.status_code == 401
