"""ASGI middleware of the gateway: request ids, and gzip for JSON only (exports stream through untouched)."""

from __future__ import annotations

import re
import uuid
import zlib
from functools import lru_cache
from ipaddress import ip_address, ip_network

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_RAW = REQUEST_ID_HEADER.encode()
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_THREAD_MIN_BYTES = 128 * 1024


class RequestIdMiddleware:
    """Keeps a sane incoming `x-request-id` or makes one; the handler and the response both see it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != REQUEST_ID_HEADER.encode()] + [
            (REQUEST_ID_HEADER.encode(), request_id.encode())
        ]
        scope.setdefault("state", {})["request_id"] = request_id

        raw_id = (_REQUEST_ID_RAW, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != _REQUEST_ID_RAW]
                headers.append(raw_id)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class JsonGzipMiddleware:
    """Gzip for JSON responses when the client accepts it; other types (CSV, XLSX, images) pass as they are."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] == "HEAD"
            or "gzip" not in Headers(scope=scope).get("accept-encoding", "")
        ):
            await self.app(scope, receive, send)
            return
        compressor: zlib._Compress | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal compressor
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                length = headers.get("content-length")
                if (
                    _is_json(headers.get("content-type", ""))
                    and "content-encoding" not in headers
                    and message["status"] not in (204, 304)
                    and (length is None or int(length) >= self.minimum_size)
                ):
                    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                    del headers["content-length"]
                    headers["content-encoding"] = "gzip"
                    headers.add_vary_header("Accept-Encoding")
                message = {**message, "headers": headers.raw}
            elif message["type"] == "http.response.body" and compressor is not None:
                body, more = message.get("body", b""), message.get("more_body", False)
                if len(body) >= _THREAD_MIN_BYTES:
                    data = await anyio.to_thread.run_sync(_compress, compressor, body, more)
                else:
                    data = _compress(compressor, body, more)
                message = {**message, "body": data}
            await send(message)

        await self.app(scope, receive, send_compressed)


def _compress(compressor, body: bytes, more: bool) -> bytes:
    return compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)


@lru_cache(maxsize=16)
def _networks(trusted_proxies: tuple[str, ...]) -> tuple:
    return tuple(ip_network(p, strict=False) for p in trusted_proxies)


def _address(text: str) -> str | None:
    """An address as X-Forwarded-For or a `Forwarded: for=` value writes it, or None when it is none."""
    text = text.strip().strip('"')
    if text.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # for="198.51.100.7:4711"
        text = text.partition(":")[0]
    try:
        return str(ip_address(text))
    except ValueError:
        return None


def _forwarded_chain(headers: Headers) -> list[str | None]:
    """The addresses a request passed through, first hop first: X-Forwarded-For, else RFC 7239 `Forwarded`."""
    if xff := headers.getlist("x-forwarded-for"):
        return [_address(part) for line in xff for part in line.split(",") if part.strip()]
    chain: list[str | None] = []
    for line in headers.getlist("forwarded"):
        for element in line.split(","):
            pairs = dict(pair.strip().partition("=")[::2] for pair in element.split(";"))
            chain.append(_address(pairs.get("for", pairs.get("For", ""))))
    return chain


def client_ip(scope: Scope, trusted_proxies: list[str]) -> tuple[str, str]:
    """The caller's address (rate-limit keys, the audit trail), and the X-Forwarded-For chain to pass on.

    Only the TCP peer is known for sure. X-Forwarded-For (or `Forwarded`) is believed only when that peer is
    a trusted proxy (`GATEWAY_TRUSTED_PROXIES`); then the caller is the right-most address that is not itself
    a trusted proxy, since each trusted proxy appended what it saw and anything left of that is the caller's
    own say. No trusted proxies (the default): the header is ignored, whatever it says.
    """
    peer = (scope.get("client") or ("0.0.0.0", 0))[0]
    if not trusted_proxies:
        return peer, peer
    networks = _networks(tuple(trusted_proxies))

    def trusted(address: str | None) -> bool:
        return address is not None and any(ip_address(address) in network for network in networks)

    if not trusted(_address(peer)):
        return peer, peer
    chain = _forwarded_chain(Headers(scope=scope))
    if not chain:
        return peer, peer
    caller = next((address for address in reversed(chain) if not trusted(address)), chain[0])
    if caller is None:  # what a trusted proxy wrote there is no address: the proxy is the caller we know
        return peer, peer
    return caller, ", ".join([*(a for a in chain if a is not None), peer])
