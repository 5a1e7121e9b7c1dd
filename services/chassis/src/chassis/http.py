"""The HTTP side of every service: app factory, problem+json, principal, metrics, health."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis import audit, openapi, telemetry
from chassis.boundary import guard_request
from chassis.database import Database
from chassis.errors import (
    PROBLEM_CONTENT_TYPE,
    RETRYABLE_SQLSTATES,
    Conflict,
    InternalError,
    InvalidInput,
    Problem,
    TryAgain,
    from_http_exception,
    from_validation_errors,
)
from chassis.principal import INTERNAL_TOKEN_HEADER, Principal, verify_internal_token
from chassis.settings import ServiceSettings

log = logging.getLogger(__name__)
# How every process of the platform runs uvicorn. `proxy_headers` off: uvicorn would otherwise replace the TCP
# peer with whatever X-Forwarded-For a caller on a loopback address sends, before any rule of ours runs. The
# gateway alone decides who the caller is (`GATEWAY_TRUSTED_PROXIES`) and signs it into the internal token.
SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "proxy_headers": False,
    "server_header": False,
}
UNTRACED_PATHS = frozenset({"/health", "/ready", "/metrics"})
_PRINCIPAL_KEY = "chassis.principal"


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    response = JSONResponse(
        problem.body(instance=request.url.path, request_id=request.headers.get("x-request-id")),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
    )
    response.headers.update(problem.headers)
    return response


# SQLSTATEs of a value PostgreSQL would not take (too long, out of range, not representable; and class 23, a
# constraint the value breaks). The boundary (chassis.boundary, each field's own limits) should have refused
# it already: answered as bad input, and logged.
UNIQUE_VIOLATION = "23505"
DATA_SQLSTATES = frozenset({"22001", "22003", "22007", "22008", "22021", "22P02", "22P05"})


def install_problem_handlers(app: FastAPI) -> None:
    """Every error as RFC 9457 problem+json: our problems, validation, routing (404, 405 with `Allow`),
    unparsable bodies (malformed JSON or multipart, invalid UTF-8, nesting too deep) and the unexpected."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(from_validation_errors(list(error.errors())), request)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        return problem_response(from_http_exception(error.status_code, str(error.detail), error.headers), request)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, error: DBAPIError) -> JSONResponse:
        state = _sqlstate(error)
        if state in RETRYABLE_SQLSTATES:
            return problem_response(TryAgain(), request)
        if state == UNIQUE_VIOLATION:
            # A use case checks what must be unique first; two requests racing past that check meet here.
            constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
            return problem_response(
                Conflict(
                    "Giá trị này vừa được dùng cho một bản ghi khác; chưa có gì thay đổi",
                    "This value was just taken by another record; nothing was changed",
                    code="already-taken",
                    extra={"constraint": constraint} if constraint else None,
                ),
                request,
            )
        if (
            state in DATA_SQLSTATES
            or (state or "").startswith("23")
            or isinstance(getattr(error.orig, "__cause__", None), ValueError)
        ):
            # (asyncpg's own DataError, e.g. an integer past 64 bits, is a ValueError under the driver's error)
            # The driver's message may quote the value (an ID number, a phone): the state and its kind only.
            log.warning(
                "a value reached the database that the boundary should have refused",
                extra={"fields": {"sqlstate": state, "error": type(error.orig).__name__}},
            )
            return problem_response(
                InvalidInput(
                    "Dữ liệu gửi lên có giá trị không lưu được (quá dài, ngoài khoảng cho phép hoặc sai dạng)",
                    "The request holds a value that cannot be stored (too long, out of range or malformed)",
                    code="value-not-storable",
                ),
                request,
            )
        raise error  # a real failure: the handler below answers it, logged with its trace

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, error: OverflowError) -> JSONResponse:
        # Date arithmetic at the edge of what `date` holds (year 9999 plus a day): the input's extremity.
        log.warning("a value overflowed that the boundary should have refused", extra={"fields": {"error": str(error)}})
        return problem_response(
            InvalidInput("Giá trị nằm ngoài khoảng cho phép", "A value is out of range", code="value-out-of-range"),
            request,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Starlette re-raises after this answer, and uvicorn then closes the connection: say so, so that a
        # client keeping connections alive (the gateway) never sends the next request down a closing one.
        response = problem_response(InternalError(), request)
        response.headers["connection"] = "close"
        return response


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


def create_app(
    settings: Any,
    *,
    title: str,
    readiness: Callable[[], Awaitable[dict[str, Any]]],
    on_startup: Sequence[Callable[[], Awaitable[Any]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
    middleware: Sequence[Middleware] = (),
    metrics_apart: bool = False,
    tracer_provider: TracerProvider | None = None,
    **options: Any,
) -> FastAPI:
    """The one app factory, of every service (`create_service_app`) and of the gateway: problem+json for every
    error, `/health`, `/ready` (`readiness()` says `{"ready": bool, ...}`: 200 or 503), `/metrics` and latency by
    route. `on_startup` hooks run in order before the first request, `on_shutdown` hooks in order after the last.
    `middleware` (innermost first) runs inside the metrics layer; middleware the caller adds afterwards runs
    outside it. `/metrics` is on the app, or with `metrics_apart` only on `settings.metrics_port` (when set): the
    gateway's port faces the internet. Other `options` go to FastAPI."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook()
        async with contextlib.AsyncExitStack() as side:
            if metrics_apart and settings.metrics_port:  # never on the port clients reach
                await side.enter_async_context(
                    SideServer([Route("/metrics", metrics)], settings.http_host, settings.metrics_port)
                )
            yield
        for hook in on_shutdown:
            await hook()

    telemetry_config = {**TELEMETRY_CONFIG, **({"tracer_provider": tracer_provider} if tracer_provider else {})}
    app = FastAPI(title=title, lifespan=lifespan, telemetry=telemetry_config, **options)
    app.state.settings = settings
    install_problem_handlers(app)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        answer = await readiness()
        return JSONResponse(answer, status_code=200 if answer["ready"] else 503)

    if not metrics_apart:
        app.add_api_route("/metrics", metrics, include_in_schema=False)
    for layer in middleware:
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    return app


def create_service_app(
    settings: ServiceSettings,
    database: Database,
    routers: Sequence[APIRouter],
    *,
    title: str,
    version: str = "1.0.0",
    on_startup: Sequence[Callable[[], Awaitable[Any]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[Any]]] = (),
) -> FastAPI:
    """A service's app: `create_app` with the database (its readiness, disposed after the `on_shutdown` hooks),
    the principal and boundary rule on every route, and the audit trail."""

    async def readiness() -> dict[str, Any]:
        ok = await database.is_ready()
        return {"ready": ok, "database": ok}

    app = create_app(
        settings,
        title=title,
        version=version,
        readiness=readiness,
        on_startup=on_startup,
        on_shutdown=[*on_shutdown, database.dispose],
        root_path_in_servers=False,
        middleware=[Middleware(audit.AuditMiddleware, service=settings.service_name, database=database)],
    )
    app.state.database = database
    # The boundary rule runs first on every route (after the principal, so a refused write is audited).
    guarded = [Depends(_guarded)]
    for router in routers:
        app.include_router(router, dependencies=guarded)
    app.include_router(audit.audit_router(f"/api/v1/{settings.service_name}"), dependencies=guarded)
    openapi.declare_problems(app)
    return app


def _sqlstate(error: DBAPIError) -> str | None:
    original = error.orig
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)


def _principal(request: Request) -> Principal:
    if (known := request.scope.get(_PRINCIPAL_KEY)) is not None:
        return known
    settings: ServiceSettings = request.app.state.settings
    principal = verify_internal_token(
        request.headers.get(INTERNAL_TOKEN_HEADER), settings.internal_token_secret, settings.internal_token_audience
    )
    if principal.request_id is None and (request_id := request.headers.get("x-request-id")):
        # The gateway reuses one internal token for a principal's requests for a while, so the
        # request id comes in its own header (set by the gateway, which drops the client's).
        principal = dataclasses.replace(principal, request_id=request_id)
    audit.note_principal(principal)
    request.scope[_PRINCIPAL_KEY] = principal
    return principal


async def _guarded(request: Request) -> None:
    """The boundary rule, first on every route; the caller is known before it (so a refused write is
    audited) when its token is valid, and a route that needs one refuses it by itself otherwise."""
    try:
        _principal(request)
    except Problem:
        pass
    await guard_request(request)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the endpoint returns, rolled back when it raises."""
    database: Database = request.app.state.database
    async with database.transaction() as session:
        yield session


CurrentPrincipal = Annotated[Principal, Depends(_principal)]
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


def new_request_id() -> str:
    return uuid.uuid4().hex


async def metrics(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class SideServer:
    """A few plain routes (`/metrics`, health) on a port of their own inside the running event loop: what the
    platform's own monitoring reads, kept off the port that serves requests (the gateway's faces the internet)."""

    def __init__(self, routes: list, host: str, port: int) -> None:
        import uvicorn
        from starlette.applications import Starlette

        config = uvicorn.Config(Starlette(routes=routes), host=host, port=port, lifespan="off", **SERVER_OPTIONS)
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # the process's own server or runner owns the signals
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> SideServer:
        self.task = asyncio.create_task(self.server.serve())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.task is not None:
            self.server.should_exit = True
            await self.task
