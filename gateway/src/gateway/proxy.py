"""Forwarding to the services: bodies stream through in both directions; only small answers are buffered.

Requests go out on the gateway's own keep-alive HTTP/1.1 pools (`gateway.connections`); the client's
header bytes are passed on as they came, without decoding, minus what the gateway decides itself.
A response that announces a Content-Length of at most `BUFFER_MAX_BYTES` is read whole and sent in one
piece (no streaming machinery for the common small JSON answer); anything larger or of unknown length
streams. The internal token is signed once per principal and client address and reused for
`internal_token_reuse_s` of its 60 s life; the request id travels in the `x-request-id` header.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from urllib.parse import quote, urlsplit

import httpx
from chassis import telemetry
from chassis.errors import PayloadTooLarge
from chassis.principal import INTERNAL_TOKEN_HEADER, INTERNAL_TOKEN_TTL_S, Principal, issue_internal_token
from prometheus_client import Histogram
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.connections import Exchange, ServicePool, TimedOut, Unavailable
from gateway.problems import ServiceUnavailable, UpstreamTimeout
from gateway.routes import Route, upstream_urls

log = logging.getLogger(__name__)

UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_duration_seconds",
    "Time until a service answered with its response headers",
    ["service", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Never passed on: the client's credentials and anything the gateway itself decides. `expect` too: the
# gateway's own server already answered the client's 100-continue.
REQUEST_DROP = HOP_BY_HOP | {
    b"host",
    b"authorization",
    INTERNAL_TOKEN_HEADER.encode(),
    b"traceparent",
    b"tracestate",
    b"x-request-id",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-real-ip",
    b"expect",
}
# Our own server writes these.
RESPONSE_DROP = HOP_BY_HOP | {b"date", b"server"}
# Answers up to this size (by their Content-Length) are read whole instead of streamed.
BUFFER_MAX_BYTES = 64 * 1024
# Characters left as they are when a decoded path is written back into a request line.
PATH_SAFE = "/:@!$&'()*+,;=-._~"


class BodyTooLarge(Exception):
    pass


class Upstreams:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.urls = upstream_urls(settings)
        self.pools = {service: _pool(url, settings) for service, url in self.urls.items()}
        # The gateway's own calls (JWKS, OpenAPI, the audit view): few, so httpx's comfort is worth it.
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=settings.upstream_connect_timeout_s,
                read=settings.upstream_read_timeout_s,
                write=settings.upstream_write_timeout_s,
                pool=settings.upstream_connect_timeout_s,
            ),
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
            follow_redirects=False,
        )
        # Never reused past half its life, so a service still has >= 30 s of validity to check it in.
        self.token_reuse_s = min(settings.internal_token_reuse_s, INTERNAL_TOKEN_TTL_S / 2)
        self.token_cache_size = max(settings.token_cache_size, 1)
        self._tokens: OrderedDict[Principal, tuple[str, float]] = OrderedDict()

    def internal_token(self, principal: Principal, now: float | None = None) -> str:
        """The signed internal token of `principal`, reused for a while: signing every request costs.

        The token carries no request id (the services read it from `x-request-id`), so one token
        serves all of a principal's requests from the same address for `token_reuse_s`.
        """
        now = time.time() if now is None else now
        key = dataclasses.replace(principal, request_id=None)
        cached = self._tokens.get(key)
        if cached is not None and 0 <= now - cached[1] < self.token_reuse_s:
            self._tokens.move_to_end(key)
            return cached[0]
        token = issue_internal_token(
            key, self.settings.internal_token_secret, self.settings.internal_token_audience, now=now
        )
        self._tokens[key] = (token, now)
        self._tokens.move_to_end(key)
        if len(self._tokens) > self.token_cache_size:
            self._tokens.popitem(last=False)
        return token

    async def forward(
        self, request: Request, route: Route, principal: Principal, request_id: str, forwarded_for: str
    ) -> Response:
        scope = request.scope
        pool = self.pools[route.service]
        headers, length, chunked = self._headers(scope, route, principal, request_id, forwarded_for, pool)
        if length is not None and length > self.settings.max_body_bytes:
            raise _too_large(self.settings.max_body_bytes)
        body = _request_body(request.receive, self.settings.max_body_bytes) if length or chunked else None
        target = quote(route.upstream_path, safe=PATH_SAFE).encode()
        if query := scope.get("query_string"):
            target += b"?" + query
        head = b"".join(
            [
                scope["method"].encode(),
                b" ",
                target,
                b" HTTP/1.1\r\n",
                *[b"%s: %s\r\n" % pair for pair in headers],
                b"\r\n",
            ]
        )
        started = time.perf_counter()
        try:
            exchange = await pool.request(scope["method"], head, body, chunked)
        except BodyTooLarge as error:
            raise _too_large(self.settings.max_body_bytes) from error
        except TimedOut as error:
            UPSTREAM_SECONDS.labels(route.service, "timeout").observe(time.perf_counter() - started)
            raise (_down(route.service) if error.phase == "connect" else _late(route.service)) from error
        except Unavailable as error:
            UPSTREAM_SECONDS.labels(route.service, "unavailable").observe(time.perf_counter() - started)
            raise _down(route.service) from error
        UPSTREAM_SECONDS.labels(route.service, str(exchange.status)).observe(time.perf_counter() - started)
        # Raw pairs keep repeated headers (Set-Cookie, Link) as the service sent them.
        answer_headers = [(k, v) for k, v in exchange.headers if k.lower() not in RESPONSE_DROP]
        length = exchange.content_length()
        if length is None or length > BUFFER_MAX_BYTES:
            return _Streamed(exchange, answer_headers, route.service)
        try:
            content = await exchange.read()
        except TimedOut as error:
            raise _late(route.service) from error
        except Unavailable as error:
            raise _down(route.service) from error
        finally:
            await exchange.release()
        return _Answer(exchange.status, answer_headers, content)

    def _headers(
        self, scope: Scope, route: Route, principal: Principal, request_id: str, forwarded_for: str, pool: ServicePool
    ) -> tuple[list[tuple[bytes, bytes]], int | None, bool]:
        """The headers to send, the body's announced length, and whether it comes chunked."""
        headers: list[tuple[bytes, bytes]] = [(b"host", pool.host_header)]
        length, chunked, client_host, trace = None, False, None, []
        for name, value in scope["headers"]:
            if name not in REQUEST_DROP:
                if name == b"content-length":
                    if not value.isdigit():
                        continue
                    length = int(value)
                headers.append((name, value))
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"host":
                client_host = value
            elif name in (b"traceparent", b"tracestate"):
                trace.append((name, value))
            elif name == b"authorization" and route.basic_auth and value[:6].lower() == b"basic ":
                headers.append((name, value))  # the OAuth2 token endpoint authenticates the client itself
        if chunked:
            headers.append((b"transfer-encoding", b"chunked"))
        # The gateway's server span is the parent of the service's span.
        current = telemetry.current_trace_headers()
        headers += [(k.encode(), v.encode()) for k, v in current.items()] if current else trace
        headers += [
            (INTERNAL_TOKEN_HEADER.encode(), self.internal_token(principal).encode()),
            (b"x-request-id", request_id.encode()),
            (b"x-forwarded-for", forwarded_for.encode()),
            (b"x-forwarded-proto", scope.get("scheme", "http").encode()),
        ]
        if client_host:
            headers.append((b"x-forwarded-host", client_host))
        return headers, length, chunked

    async def aclose(self) -> None:
        for pool in self.pools.values():
            pool.close()
        await self.client.aclose()


def _pool(url: str, settings: GatewaySettings) -> ServicePool:
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise ValueError(f"service URLs are plain HTTP inside the platform, not {url}")
    return ServicePool(
        parts.hostname or "127.0.0.1",
        parts.port or 80,
        max_connections=settings.upstream_max_connections,
        max_idle=settings.upstream_max_keepalive,
        idle_expiry_s=settings.upstream_keepalive_expiry_s,
        connect_timeout=settings.upstream_connect_timeout_s,
        read_timeout=settings.upstream_read_timeout_s,
        write_timeout=settings.upstream_write_timeout_s,
    )


class _Answer(Response):
    """A small answer, read whole: sent as it came, headers untouched."""

    def __init__(self, status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status
        self.raw_headers = raw_headers
        self.body = body
        self.background = None


class _Streamed(StreamingResponse):
    """A large or open-ended answer, streamed; its connection goes back to the pool (or closes) in any case."""

    def __init__(self, exchange: Exchange, raw_headers: list[tuple[bytes, bytes]], service: str) -> None:
        self.exchange = exchange
        self.body_iterator = _relay(exchange, service)
        self.status_code = exchange.status
        self.raw_headers = raw_headers
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.exchange.release()


async def _request_body(receive: Receive, max_bytes: int) -> AsyncIterator[bytes]:
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > max_bytes:
            raise BodyTooLarge()
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _relay(exchange: Exchange, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in exchange.chunks():
            yield chunk
    except (Unavailable, TimedOut) as error:
        # Headers are already out: all we can do is cut the connection so the client sees a broken body.
        log.warning("upstream broke off a response", extra={"fields": {"service": service, "error": repr(error)}})
        raise


def _down(service: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"Dịch vụ {service} tạm thời không truy cập được", f"The {service} service is unavailable"
    )


def _late(service: str) -> UpstreamTimeout:
    return UpstreamTimeout(f"Dịch vụ {service} không trả lời kịp", f"The {service} service did not answer in time")


def _too_large(limit: int) -> PayloadTooLarge:
    megabytes = limit // (1024 * 1024)
    return PayloadTooLarge(
        f"Dữ liệu gửi lên vượt quá giới hạn {megabytes} MB", f"The request body exceeds the {megabytes} MB limit"
    )
