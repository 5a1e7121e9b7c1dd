"""Forwarding to the services: bodies stream through in both directions; only small answers are buffered.

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

import httpcore
import httpx
from chassis import telemetry
from chassis.errors import PayloadTooLarge
from chassis.principal import INTERNAL_TOKEN_HEADER, INTERNAL_TOKEN_TTL_S, Principal, issue_internal_token
from httpcore._backends.anyio import AnyIOBackend
from httpcore._utils import is_socket_readable
from prometheus_client import Histogram
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gateway.config import GatewaySettings
from gateway.problems import ServiceUnavailable, UpstreamTimeout
from gateway.routes import Route, upstream_urls

log = logging.getLogger(__name__)

UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_duration_seconds", "Time until a service answered with its response headers",
    ["service", "status"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
    "transfer-encoding", "upgrade",
})
# Never passed on: the client's credentials and anything the gateway itself decides.
REQUEST_DROP = HOP_BY_HOP | {
    "host", "authorization", INTERNAL_TOKEN_HEADER, "traceparent", "tracestate", "x-request-id",
    "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip",
}

# Our own server writes these.
RESPONSE_DROP = HOP_BY_HOP | {"date", "server"}
# Answers up to this size (by their Content-Length) are read whole instead of streamed.
BUFFER_MAX_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    pass


# The stream and backend keep httpcore's method signatures (its `timeout` keywords included: ASYNC109).
class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's anyio stream with a cheaper readability probe.

    On every request httpcore asks each idle pooled connection whether its socket is readable (a
    server that closed it); the anyio stream answers by rebuilding a dict of attribute getters each
    time. Here the socket is looked up once and probed directly (the same `poll`).
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # noqa: ASYNC109
        return await self._inner.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str):
        if info == "is_readable":
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._inner = AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ASYNC109
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # noqa: ASYNC109
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _pooled_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (its error mapping included), over a keep-alive HTTP/1.1 pool on `_Backend`."""
    transport = httpx.AsyncHTTPTransport(limits=limits, http1=True, http2=False)
    transport._pool = httpcore.AsyncConnectionPool(  # httpx offers no parameter for the network backend
        max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False, network_backend=_Backend(),
    )
    return transport


class Upstreams:
    def __init__(self, settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.urls = upstream_urls(settings)
        # One client for the process: a keep-alive HTTP/1.1 connection pool shared by all requests.
        limits = httpx.Limits(max_connections=settings.upstream_max_connections,
                              max_keepalive_connections=settings.upstream_max_keepalive)
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=settings.upstream_connect_timeout_s, read=settings.upstream_read_timeout_s,
                write=settings.upstream_write_timeout_s, pool=settings.upstream_connect_timeout_s,
            ),
            limits=limits,
            follow_redirects=False,
            transport=transport or _pooled_transport(limits),
        )
        # Never reused past half its life, so a service still has >= 30 s of validity to check it in.
        self.token_reuse_s = min(settings.internal_token_reuse_s, INTERNAL_TOKEN_TTL_S / 2)
        self.token_cache_size = max(settings.token_cache_size, 1)
        self._tokens: OrderedDict[tuple, tuple[str, float]] = OrderedDict()

    def internal_token(self, principal: Principal, now: float | None = None) -> str:
        """The signed internal token of `principal`, reused for a while: signing every request costs.

        The token carries no request id (the services read it from `x-request-id`), so one token
        serves all of a principal's requests from the same address for `token_reuse_s`.
        """
        now = time.time() if now is None else now
        key = (principal.user_id, principal.username, principal.grants, principal.acting_for,
               principal.delegation_id, principal.client_ip, principal.is_public)
        cached = self._tokens.get(key)
        if cached is not None and 0 <= now - cached[1] < self.token_reuse_s:
            self._tokens.move_to_end(key)
            return cached[0]
        token = issue_internal_token(dataclasses.replace(principal, request_id=None),
                                     self.settings.internal_token_secret, self.settings.internal_token_audience,
                                     now=now)
        self._tokens[key] = (token, now)
        self._tokens.move_to_end(key)
        if len(self._tokens) > self.token_cache_size:
            self._tokens.popitem(last=False)
        return token

    async def forward(self, request: Request, route: Route, principal: Principal, request_id: str,
                      forwarded_for: str) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.settings.max_body_bytes:
            raise _too_large(self.settings.max_body_bytes)
        url = self.urls[route.service] + route.upstream_path
        query = request.scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        upstream_request = self.client.build_request(
            request.method, url, headers=self._headers(request, principal, request_id, forwarded_for),
            content=self._body(request),
        )
        started = time.perf_counter()
        try:
            upstream = await self.client.send(upstream_request, stream=True)
        except httpx.TimeoutException as error:
            UPSTREAM_SECONDS.labels(route.service, "timeout").observe(time.perf_counter() - started)
            if isinstance(error, httpx.ConnectTimeout):
                raise _down(route.service) from error
            raise UpstreamTimeout(f"Dịch vụ {route.service} không trả lời kịp",
                                  f"The {route.service} service did not answer in time") from error
        except httpx.TransportError as error:
            if _caused_by(error, BodyTooLarge):
                raise _too_large(self.settings.max_body_bytes) from error
            UPSTREAM_SECONDS.labels(route.service, "unavailable").observe(time.perf_counter() - started)
            raise _down(route.service) from error
        except BodyTooLarge as error:
            raise _too_large(self.settings.max_body_bytes) from error
        UPSTREAM_SECONDS.labels(route.service, str(upstream.status_code)).observe(time.perf_counter() - started)
        length = upstream.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) <= BUFFER_MAX_BYTES:
            try:
                body = b"".join([chunk async for chunk in upstream.aiter_raw()])
            except httpx.TimeoutException as error:
                raise UpstreamTimeout(f"Dịch vụ {route.service} không trả lời kịp",
                                      f"The {route.service} service did not answer in time") from error
            except httpx.TransportError as error:
                raise _down(route.service) from error
            finally:
                await upstream.aclose()
            response = Response(body, status_code=upstream.status_code)
        else:
            response = StreamingResponse(
                _relay(upstream, route.service), status_code=upstream.status_code,
                background=BackgroundTask(upstream.aclose),
            )
        # Raw pairs keep repeated headers (Set-Cookie, Link) as the service sent them.
        response.raw_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in upstream.headers.multi_items() if k.lower() not in RESPONSE_DROP
        ]
        return response

    def _headers(self, request: Request, principal: Principal, request_id: str,
                 forwarded_for: str) -> list[tuple[str, str]]:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in REQUEST_DROP]
        # The gateway's server span is the parent of the service's span.
        trace_headers = telemetry.current_trace_headers() or {
            k: v for k in ("traceparent", "tracestate") if (v := request.headers.get(k))
        }
        headers += list(trace_headers.items())
        headers += [
            (INTERNAL_TOKEN_HEADER, self.internal_token(principal)),
            ("x-request-id", request_id),
            ("x-forwarded-for", forwarded_for),
            ("x-forwarded-proto", request.scope.get("scheme", "http")),
        ]
        if host := request.headers.get("host"):
            headers.append(("x-forwarded-host", host))
        return headers

    def _body(self, request: Request) -> AsyncIterator[bytes] | None:
        has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
        return _limited(request.stream(), self.settings.max_body_bytes) if has_body else None

    async def aclose(self) -> None:
        await self.client.aclose()


async def _limited(stream: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > max_bytes:
            raise BodyTooLarge()
        if chunk:
            yield chunk


async def _relay(upstream: httpx.Response, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.TransportError as error:
        # Headers are already out: all we can do is cut the connection so the client sees a broken body.
        log.warning("upstream broke off a response", extra={"fields": {"service": service, "error": repr(error)}})
        raise


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    while error is not None:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
    return False


def _down(service: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"Dịch vụ {service} tạm thời không truy cập được",
                              f"The {service} service is unavailable")


def _too_large(limit: int) -> PayloadTooLarge:
    megabytes = limit // (1024 * 1024)
    return PayloadTooLarge(f"Dữ liệu gửi lên vượt quá giới hạn {megabytes} MB",
                           f"The request body exceeds the {megabytes} MB limit")
