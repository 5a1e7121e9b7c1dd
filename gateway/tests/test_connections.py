"""The forwarding client's HTTP/1.1 edges, against a scripted server on a real socket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from gateway.connections import ServicePool, TimedOut, Unavailable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def scripted(handler: Handler) -> AsyncIterator[tuple[ServicePool, list[int]]]:
    """A server running `handler` for every connection; yields a pool to it and the list of connections made."""
    connections: list[int] = []

    async def serve(reader, writer):
        connections.append(1)
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = ServicePool(
        "127.0.0.1",
        port,
        max_connections=10,
        max_idle=5,
        idle_expiry_s=4.0,
        connect_timeout=2.0,
        read_timeout=2.0,
        write_timeout=2.0,
    )
    try:
        yield pool, connections
    finally:
        pool.close()
        server.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    return head, length


def ok(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), b"".join(extra), body)


def head(path: bytes, method: bytes = b"GET", *extra: bytes) -> bytes:
    return method + b" " + path + b" HTTP/1.1\r\nhost: test\r\n" + b"".join(extra) + b"\r\n"


async def call(pool: ServicePool, request: bytes, method: str = "GET", body=None, chunked: bool = False):
    exchange = await pool.request(method, request, body, chunked)
    try:
        return exchange.status, dict(exchange.headers), await exchange.read()
    finally:
        await exchange.release()


async def test_one_kept_alive_connection_serves_request_after_request():
    async def handler(reader, writer):
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(ok(b'{"ok":true}'))

    async with scripted(handler) as (pool, connections):
        for _ in range(5):
            assert await call(pool, head(b"/x")) == (200, {b"content-length": b"11"}, b'{"ok":true}')
    assert len(connections) == 1


async def test_a_service_that_closes_gets_a_new_connection_next_time():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(ok(b"bye", b"connection: close\r\n"))
        await writer.drain()

    async with scripted(handler) as (pool, connections):
        assert (await call(pool, head(b"/x")))[2] == b"bye"
        assert (await call(pool, head(b"/x")))[2] == b"bye"
    assert len(connections) == 2


async def test_a_head_answer_has_no_body_and_its_connection_is_not_reused():
    async def handler(reader, writer):
        while True:
            try:
                request, _ = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            answer = ok(b"x" * 100)
            writer.write(answer[: answer.index(b"\r\n\r\n") + 4] if request.startswith(b"HEAD") else answer)

    async with scripted(handler) as (pool, connections):
        status, headers, body = await call(pool, head(b"/x", b"HEAD"), method="HEAD")
        assert (status, headers[b"content-length"], body) == (200, b"100", b"")
        assert (await call(pool, head(b"/x")))[2] == b"x" * 100
    assert len(connections) == 2


async def test_answers_in_chunks_or_until_close_are_read_whole():
    async def handler(reader, writer):
        request, _ = await read_request(reader)
        if b"/chunked" in request:
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
        await writer.drain()

    async with scripted(handler) as (pool, _):
        assert (await call(pool, head(b"/chunked")))[2] == b"hello world"
        assert (await call(pool, head(b"/close")))[2] == b"until the end"


async def test_a_refusal_before_the_body_is_read_reaches_the_caller():
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno")
        await writer.drain()
        await asyncio.sleep(0.5)

    async def upload():
        for _ in range(200):
            yield b"x" * 65536
            await asyncio.sleep(0)

    async with scripted(handler) as (pool, _):
        request = head(b"/upload", b"POST", b"content-length: %d\r\n" % (200 * 65536))
        status, _, body = await call(pool, request, method="POST", body=upload())
    assert (status, body) == (413, b"no")


async def test_a_silent_service_times_out_and_a_closed_port_is_unavailable():
    async def handler(reader, writer):
        await read_request(reader)
        await asyncio.sleep(5)

    async with scripted(handler) as (pool, _):
        pool.read_timeout = 0.2
        with pytest.raises(TimedOut) as timed_out:
            await call(pool, head(b"/slow"))
        assert timed_out.value.phase == "read"
        pool.port = 1
        with pytest.raises(Unavailable):
            await call(pool, head(b"/x"))


async def test_a_failed_answer_never_costs_the_next_request_its_connection():
    """A service that failed a request may be closing its connection without saying so (uvicorn does after an
    unhandled error): the next request, often another user's write, must not be sent down it and lost."""

    async def handler(reader, writer):
        while True:
            try:
                request, length = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            await reader.readexactly(length)
            if b"/fails" in request:
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\nno")
                await writer.drain()
                await read_request(reader)  # the next request arrives on a connection being torn down: dropped
                return
            writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")

    async def body():
        yield b"{}"

    write = head(b"/write", b"POST", b"content-length: 2\r\n")
    async with scripted(handler) as (pool, connections):
        assert (await call(pool, head(b"/fails", b"POST", b"content-length: 2\r\n"), "POST", body()))[0] == 500
        assert (await call(pool, write, "POST", body()))[:3:2] == (201, b"ok")
        assert (await call(pool, write, "POST", body()))[:3:2] == (201, b"ok")
    assert len(connections) == 2


async def test_a_kept_alive_connection_the_service_closed_while_idle_is_not_used():
    """The service closed an idle connection (its keep-alive ran out): a write goes out on a fresh one."""
    served = asyncio.Event()

    async def handler(reader, writer):
        request, length = await read_request(reader)
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # right after answering, while the gateway keeps the connection as idle
        await writer.wait_closed()
        served.set()

    async def body():
        yield b"{}"

    write = head(b"/write", b"POST", b"content-length: 2\r\n")
    async with scripted(handler) as (pool, connections):
        assert (await call(pool, write, "POST", body()))[0] == 201
        await served.wait()
        assert (await call(pool, write, "POST", body()))[0] == 201
    assert len(connections) == 2
