"""The HTTP side of every service: app factory, problem+json, principal, metrics, health."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis import audit, telemetry
from chassis.database import Database
from chassis.errors import PROBLEM_CONTENT_TYPE, RETRYABLE_SQLSTATES, Problem, TryAgain, from_validation_errors
from chassis.principal import INTERNAL_TOKEN_HEADER, Principal, verify_internal_token
from chassis.settings import ServiceSettings

log = logging.getLogger(__name__)
UNTRACED_PATHS = frozenset({"/health", "/ready", "/metrics"})


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path, request_id=request.headers.get("x-request-id")),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
    )


class MetricsMiddleware:
    """Prometheus latency by route template. Tracing is FastAPI's own (native OpenTelemetry)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        status_holder = {"status": 500}

        async def send_with_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            telemetry.HTTP_REQUEST_SECONDS.labels(
                self.service, scope["method"], template, str(status_holder["status"])
            ).observe(time.perf_counter() - started)


TELEMETRY_CONFIG = {"exclude": lambda scope: scope.get("path") in UNTRACED_PATHS, "operation_spans": False}


def create_service_app(
    settings: ServiceSettings,
    database: Database,
    routers: Sequence[APIRouter],
    *,
    title: str,
    version: str = "1.0.0",
    on_startup: Sequence[Callable[[], Any]] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook()
        yield
        await database.dispose()

    app = FastAPI(
        title=title, version=version, lifespan=lifespan, root_path_in_servers=False, telemetry=TELEMETRY_CONFIG
    )
    app.state.settings = settings
    app.state.database = database

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem, request)

    @app.exception_handler(DBAPIError)
    async def _database_conflict(request: Request, error: DBAPIError) -> JSONResponse:
        if _sqlstate(error) not in RETRYABLE_SQLSTATES:
            raise error  # a 500: a real failure, logged with its trace
        response = problem_response(TryAgain(), request)
        response.headers["Retry-After"] = str(TryAgain.retry_after_s)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(from_validation_errors(list(error.errors())), request)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        ok = await database.is_ready()
        return JSONResponse({"ready": ok, "database": ok}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    app.include_router(audit.audit_router(f"/api/v1/{settings.service_name}"))
    app.add_middleware(audit.AuditMiddleware, service=settings.service_name, database=database)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    return app


def _sqlstate(error: DBAPIError) -> str | None:
    original = error.orig
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)


def _principal(request: Request) -> Principal:
    settings: ServiceSettings = request.app.state.settings
    principal = verify_internal_token(
        request.headers.get(INTERNAL_TOKEN_HEADER), settings.internal_token_secret, settings.internal_token_audience
    )
    if principal.request_id is None and (request_id := request.headers.get("x-request-id")):
        # The gateway reuses one internal token for a principal's requests for a while, so the
        # request id comes in its own header (set by the gateway, which drops the client's).
        principal = dataclasses.replace(principal, request_id=request_id)
    audit.note_principal(principal)
    return principal


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the endpoint returns, rolled back when it raises."""
    database: Database = request.app.state.database
    async with database.transaction() as session:
        yield session


CurrentPrincipal = Annotated[Principal, Depends(_principal)]
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


def new_request_id() -> str:
    return uuid.uuid4().hex
