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


def gateway_client(base_url: str, timeout: float = 30) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=RetryAfterTransport())
