"""The gateway client waits out a 429 as the gateway tells it to, and gives up after its limit."""

from __future__ import annotations

import httpx
from localrun.client import RetryAfterTransport


def refusing(times: int, calls: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= times:
            return httpx.Response(429, headers={"retry-after": "0"}, json={"code": "rate-limited"})
        return httpx.Response(201, json={"ok": True})

    return httpx.MockTransport(answer)


async def test_a_refused_request_is_sent_again_with_its_body():
    calls: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=RetryAfterTransport(refusing(2, calls)), base_url="http://gw") as http:
        response = await http.post("/api/v1/orgtree/units", json={"code": "HNI"})
    assert response.status_code == 201
    assert len(calls) == 3
    assert all(call.content == b'{"code":"HNI"}' for call in calls)


async def test_it_gives_up_once_it_has_waited_its_limit():
    calls: list[httpx.Request] = []
    transport = RetryAfterTransport(refusing(100, calls), max_wait_s=0.25)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        response = await http.get("/api/v1/orgtree/units")
    assert response.status_code == 429
    assert len(calls) == 4  # waits of 0.1 s (the floor) until 0.3 s ≥ 0.25 s


async def test_a_503_is_sent_again_only_when_it_says_when():
    answers = [
        httpx.Response(503, headers={"retry-after": "0"}),
        httpx.Response(201),
        httpx.Response(503),
        httpx.Response(201),
    ]
    calls: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answers[len(calls) - 1]

    async with httpx.AsyncClient(
        transport=RetryAfterTransport(httpx.MockTransport(answer)), base_url="http://gw"
    ) as http:
        assert (await http.post("/api/v1/cards/requests")).status_code == 201  # a lost deadlock, sent again
        assert (await http.post("/api/v1/cards/requests")).status_code == 503  # no Retry-After: an outage
    assert len(calls) == 3
