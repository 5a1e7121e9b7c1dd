"""Servers for the gateway tests: identity and a small fake service on real sockets, in this event loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
from collections.abc import AsyncIterator

import asyncpg
import uvicorn
from chassis.database import Database
from chassis.http import SERVER_OPTIONS, CurrentPrincipal, create_service_app
from chassis.settings import ServiceSettings
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import make_url

from tests.support.polling import eventually
from tests.support.services import TEST_SECRET

CHUNK = 256 * 1024


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # the test runner owns the signals
        yield


@contextlib.asynccontextmanager
async def serving(app) -> AsyncIterator[str]:
    """Serve `app` on a free port until the block ends; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # As every process of the platform runs (no proxy-header rewriting), so tests see what production does.
    server = _QuietServer(uvicorn.Config(app, lifespan="on", **SERVER_OPTIONS))
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        if task.done():
            task.result()  # surfaces a start-up failure instead of waiting for the deadline
        return server.started

    await eventually(started, bool, timeout=20)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def drop_database(server_url: str, url: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


def dead_url() -> str:
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


class FakeService:
    """A downstream service built on the chassis like the real ones: it refuses anything without the gateway's token."""

    def __init__(self) -> None:
        self.upload_started = asyncio.Event()
        self.download_resume = asyncio.Event()
        self.slow_release = asyncio.Event()
        self.unit_calls: list[str] = []
        router = APIRouter(prefix="/api/v1/members", tags=["members"])

        async def echo(request: Request, principal: CurrentPrincipal) -> dict:
            return {
                "user_id": str(principal.user_id) if principal.user_id else None,
                "username": principal.username,
                "grants": [{"role": g.role, "unit_id": str(g.unit_id)} for g in principal.grants],
                "public": principal.is_public,
                "client_id": principal.client_id,
                "partner": principal.partner,
                "request_id": principal.request_id,
                "client_ip": principal.client_ip,
                "query": request.url.query,
                "body": (await request.body()).decode(),
                "headers": {
                    k: request.headers.get(k)
                    for k in ("traceparent", "x-request-id", "authorization", "x-forwarded-for", "x-custom")
                },
            }

        for method in ("GET", "POST"):
            router.add_api_route("/echo", echo, methods=[method], operation_id=f"echo_{method.lower()}")

        @router.get("/units/{unit_id}/members")
        async def unit_members(unit_id: str, _: CurrentPrincipal) -> dict:
            self.unit_calls.append(unit_id)
            return {"unit_id": unit_id, "items": []}

        @router.get("/public/lookup")
        async def lookup(principal: CurrentPrincipal, member_code: str) -> dict:
            return {"public": principal.is_public, "member_code": member_code, "username": principal.username}

        @router.post("/upload")
        async def upload(request: Request, _: CurrentPrincipal) -> dict:
            digest, size = hashlib.sha256(), 0
            async for chunk in request.stream():
                if chunk:
                    self.upload_started.set()
                digest.update(chunk)
                size += len(chunk)
            return {"bytes": size, "sha256": digest.hexdigest()}

        @router.get("/export")
        async def export(_: CurrentPrincipal, chunks: int = 8) -> StreamingResponse:
            async def rows():
                yield b"ma_doan_vien,ho_ten\n" + b"x" * CHUNK
                # Only a client that already holds the first chunk can release the rest: proof of streaming.
                await asyncio.wait_for(self.download_resume.wait(), timeout=15)
                for _ in range(chunks - 1):
                    yield b"y" * CHUNK

            return StreamingResponse(rows(), media_type="text/csv")

        @router.get("/slow")
        async def slow(_: CurrentPrincipal) -> dict:
            await asyncio.wait_for(self.slow_release.wait(), timeout=30)
            return {"late": True}

        @router.get("/big")
        async def big(_: CurrentPrincipal) -> dict:
            return {"items": [{"ho_ten": "Nguyễn Văn An", "index": i} for i in range(500)]}

        settings = ServiceSettings(service_name="members", internal_token_secret=TEST_SECRET)
        # The database is never touched by these routes; the chassis app only needs one to exist.
        database = Database("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres", 1)
        self.app: FastAPI = create_service_app(settings, database, [router], title="Fake members")
