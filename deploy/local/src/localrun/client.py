"""An HTTP client for the gateway that behaves like a polite web or mobile client under rate limits."""

from __future__ import annotations

import asyncio

import httpx

MAX_WAIT_S = 60.0


class RetryAfterTransport(httpx.AsyncBaseTransport):
    """Resends a request refused with 429 (rate limit) or 503 with Retry-After (a transaction that lost a
    deadlock and changed nothing), after the Retry-After it named.

    The demo loader and the end-to-end tests share one administrator account, so together they can
    exceed its per-user rate; a real client waits as told instead of failing, and so do they."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None, max_wait_s: float = MAX_WAIT_S) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._max_wait_s = max_wait_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        waited = 0.0
        while True:
            response = await self._inner.handle_async_request(request)
            told_to_wait = response.status_code == 429 or (
                response.status_code == 503 and "retry-after" in response.headers
            )
            if not told_to_wait or waited >= self._max_wait_s:
                return response
            delay = _retry_after_s(response)
            await response.aclose()
            await asyncio.sleep(delay)  # the server's own back-off instruction, not a guess at timing
            waited += delay

    async def aclose(self) -> None:
        await self._inner.aclose()


def _retry_after_s(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", "1")), 0.1), 10.0)
    except ValueError:
        return 1.0


class PasswordSession(httpx.Auth):
    """Signs in with a password, and again when the access token has run out: tokens live ten minutes, and a test
    session or a demo load outlives one. A request that carries its own authorization is sent as it is."""

    requires_response_body = True

    def __init__(self, username: str, password: str) -> None:
        self._credentials = {"username": username, "password": password}
        self.access_token: str | None = None

    def auth_flow(self, request: httpx.Request):
        if "authorization" in request.headers:
            yield request
            return
        if self.access_token is None:
            self._accept((yield self._login(request)))
        request.headers["authorization"] = f"Bearer {self.access_token}"
        response = yield request
        if response.status_code == 401:
            self._accept((yield self._login(request)))
            request.headers["authorization"] = f"Bearer {self.access_token}"
            yield request

    def _login(self, request: httpx.Request) -> httpx.Request:
        return httpx.Request("POST", request.url.join("/api/v1/identity/login"), json=self._credentials)

    def _accept(self, login: httpx.Response) -> None:
        if login.status_code != 200:
            raise RuntimeError(f"login refused: {login.status_code} {login.text[:300]}")
        self.access_token = login.json()["access_token"]


def gateway_client(base_url: str, timeout: float = 30, auth: httpx.Auth | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=RetryAfterTransport(), auth=auth)
