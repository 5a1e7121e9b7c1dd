"""Keep-alive HTTP/1.1 connections to the services: the client of the gateway's forwarding path.

httpx cost about half of the gateway's CPU per forwarded request (its client layers, h11 in pure
Python, and a pool that inspects every idle connection on every request). Forwarding needs far
less: header bytes passed through as they are, llhttp (httptools, already uvicorn's parser) to
read answers, a stack of idle connections per service, and bodies streamed both ways with flow
control. The gateway's few other calls (JWKS, OpenAPI, the audit view) keep using httpx.
"""

from __future__ import annotations

import asyncio
import select
import time
from collections import deque
from collections.abc import AsyncIterator

import httptools

# Reading from a service pauses while this much of its answer waits for a slower client.
HIGH_WATER = 256 * 1024
LOW_WATER = HIGH_WATER // 4
# Only these are retried on a fresh connection when a kept-alive one breaks after the request went out;
# any request is, when it broke before a byte of it was written.
RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS"})


class Unavailable(Exception):
    """No connection could be made, or it broke before the answer was complete."""


class TimedOut(Exception):
    def __init__(self, phase: str) -> None:
        super().__init__(f"{phase} timeout")
        self.phase = phase  # "connect", "write", "read" or "pool"


def _expire(waiter: asyncio.Future, phase: str) -> None:
    if not waiter.done():
        waiter.set_exception(TimedOut(phase))


class _Connection(asyncio.Protocol):
    """One TCP connection; it carries one exchange at a time."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.lost = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future | None = None
        self._writable: asyncio.Future | None = None
        self._reading_paused = False
        self.reset(True)

    def reset(self, expect_body: bool) -> None:
        self.expect_body = expect_body
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.complete = False
        self.keep_alive = False
        self.delimited_by_close = False
        self.error: BaseException | None = None
        self.received = False
        self.in_use = True
        self.wrote = False
        self.body_unsent = False
        self.body: deque[bytes] = deque()
        self.buffered = 0

    # ---- asyncio.Protocol ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.in_use:  # bytes nobody asked for on an idle connection: it cannot be trusted again
            self.close()
            return
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self.error = error
            self.transport.close()
            self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.headers_done and not self.complete and self.delimited_by_close and exc is None:
            self.complete = True  # an answer without length or chunks ends when the service closes
        elif not self.complete and self.error is None:
            self.error = exc or ConnectionResetError("the service closed the connection")
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # ---- httptools callbacks -------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        if self.status < 200:
            self.headers = []  # an interim answer (1xx): the real one follows
            return
        self.headers_done = True
        self.keep_alive = self.parser.should_keep_alive()
        if not self.expect_body:
            # llhttp cannot be told that a HEAD answer has no body: finish here, never reuse the connection.
            self.complete, self.keep_alive = True, False
        else:
            names = {name.lower() for name, _ in self.headers}
            self.delimited_by_close = b"content-length" not in names and b"transfer-encoding" not in names
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self.complete:
            return
        self.body.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.status >= 200:
            self.complete = True
            self._wake()

    # ---- the exchange --------------------------------------------------------------------------
    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self, wait_s: float, phase: str) -> None:
        self._waiter = waiter = self.loop.create_future()
        timer = self.loop.call_later(wait_s, _expire, waiter, phase)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def _check(self) -> None:
        if self.error is not None:
            raise Unavailable(repr(self.error)) from self.error

    def stale(self) -> bool:
        """Whether the service closed (or wrote to) this idle connection: readable while idle means an end of
        file or bytes nobody asked for, maybe not yet seen by the event loop."""
        if self.lost or self.transport is None or self.transport.is_closing():
            return True
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return False
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))

    async def send(self, head: bytes, body: AsyncIterator[bytes] | None, chunked: bool, wait_s: float) -> None:
        self._check()
        self.wrote = True
        self.transport.write(head)
        if body is None:
            return
        async for chunk in body:
            if self.headers_done:
                # The service answered before taking the whole body (a refusal): stop sending, read the answer.
                self.body_unsent = True
                return
            self._check()
            if not chunk:
                continue
            if chunked:
                self.transport.writelines((b"%x\r\n" % len(chunk), chunk, b"\r\n"))
            else:
                self.transport.write(chunk)
            if self._writable is not None:
                await self._drained(wait_s)
        if chunked:
            self.transport.write(b"0\r\n\r\n")

    async def _drained(self, wait_s: float) -> None:
        waiter = self._writable
        timer = self.loop.call_later(wait_s, _expire, waiter, "write")
        try:
            await waiter
        finally:
            timer.cancel()

    async def answer(self, wait_s: float) -> None:
        while not self.headers_done:
            self._check()
            await self._wait(wait_s, "read")

    async def chunks(self, wait_s: float) -> AsyncIterator[bytes]:
        while True:
            if self.body:
                chunk = self.body.popleft()
                self.buffered -= len(chunk)
                if self._reading_paused and self.buffered < LOW_WATER:
                    self._reading_paused = False
                    self.transport.resume_reading()
                yield chunk
            elif self.complete:
                return
            else:
                self._check()
                await self._wait(wait_s, "read")

    def close(self) -> None:
        self.lost = True
        if self.transport is not None:
            self.transport.close()


class Exchange:
    """A service's answer: status and raw headers now, the body read whole or streamed; `release` once."""

    def __init__(self, pool: ServicePool, connection: _Connection) -> None:
        self.pool = pool
        self.connection = connection
        self.status = connection.status
        self.headers = connection.headers
        self._released = False

    def content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                return int(value) if value.isdigit() else None
        return None

    def chunks(self) -> AsyncIterator[bytes]:
        return self.connection.chunks(self.pool.read_timeout)

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    async def release(self) -> None:
        if not self._released:
            self._released = True
            self.pool.release(self.connection)


class ServicePool:
    """Connections to one service: at most `max_connections` at once, the last idle one reused first."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_connections: int,
        max_idle: int,
        idle_expiry_s: float,
        connect_timeout: float,
        read_timeout: float,
        write_timeout: float,
    ) -> None:
        self.host, self.port = host, port
        self.host_header = f"{host}:{port}".encode()
        self.max_idle = max_idle
        self.idle_expiry_s = idle_expiry_s
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []

    async def request(self, method: str, head: bytes, body: AsyncIterator[bytes] | None, chunked: bool) -> Exchange:
        """Send a request (`head` is its request line and headers, ready to write) and wait for the answer's head."""
        await self._slot()
        try:
            for attempt in range(2):
                connection, reused = await self._connection()
                connection.reset(expect_body=method != "HEAD")
                try:
                    await connection.send(head, body, chunked, self.write_timeout)
                    await connection.answer(self.read_timeout)
                    return Exchange(self, connection)
                except Unavailable:
                    connection.close()
                    # A kept-alive connection the service closed just now: one fresh try where it is safe, that is
                    # when the service cannot have seen the request.
                    unseen = not connection.wrote
                    replayable = not connection.received and body is None and method in RETRYABLE
                    if attempt or not reused or not (unseen or replayable):
                        raise
                except BaseException:
                    connection.close()
                    raise
        except BaseException:
            self._slots.release()
            raise
        raise AssertionError("unreachable")

    async def _slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: no suspension
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self.connect_timeout)
        except TimeoutError as error:
            raise TimedOut("pool") from error

    async def _connection(self) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if now - connection.idle_since < self.idle_expiry_s and not connection.stale():
                return connection, True
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(_Connection, self.host, self.port)
        except TimeoutError as error:
            raise TimedOut("connect") from error
        except OSError as error:
            raise Unavailable(repr(error)) from error
        return connection, False

    def release(self, connection: _Connection) -> None:
        self._slots.release()
        connection.in_use = False
        # Never reused after a server error: a service that failed may close the connection right after its
        # answer without saying so (uvicorn does after an unhandled exception), and the next request sent down
        # it would be lost, however healthy the service is for everyone else.
        if (
            connection.complete
            and connection.keep_alive
            and connection.status < 500
            and not connection.lost
            and not connection.body
            and not connection.body_unsent
            and len(self._idle) < self.max_idle
        ):
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
