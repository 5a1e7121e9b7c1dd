"""The gateway app: the one door clients use. Auth, rate limits and routing; no state of its own."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from chassis.errors import NotFound, Problem
from chassis.http import TELEMETRY_CONFIG, MetricsMiddleware, problem_response
from chassis.principal import PUBLIC
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from gateway.auth import JwksCache, TokenVerifier, bearer_token
from gateway.config import GatewaySettings
from gateway.middleware import JsonGzipMiddleware, RequestIdMiddleware, client_ip
from gateway.openapi import MergedOpenApi
from gateway.problems import UnknownService, missing_token
from gateway.proxy import Upstreams
from gateway.ratelimit import RateLimits
from gateway.routes import resolve
from gateway.unittree import UnitTree, UnitTreeFeed, ensure_units_in_scope, named_units

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
JWKS_PATH = "/api/v1/identity/.well-known/jwks.json"


class Gateway:
    """What a request needs: the services' client, the token verifier and the rate limits."""

    def __init__(self, settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.upstreams = Upstreams(settings, transport)
        self.jwks = JwksCache(self._fetch_jwks, settings.jwks_refresh_s, settings.jwks_min_refetch_s)
        self.verifier = TokenVerifier(settings, self.jwks)
        self.limits = RateLimits(settings)
        self.openapi = MergedOpenApi(self.upstreams.client, self.upstreams.urls, settings.openapi_cache_s)
        self.unit_tree = UnitTree()
        self.unit_tree_feed = UnitTreeFeed(settings, self.unit_tree)

    async def _fetch_jwks(self) -> dict[str, Any]:
        # Identity refuses callers without an internal token, the gateway's own calls included.
        token = self.upstreams.internal_token(dataclasses.replace(PUBLIC, request_id="gateway-jwks"))
        response = await self.upstreams.client.get(
            self.upstreams.urls["identity"] + JWKS_PATH, headers={"x-internal-token": token}, timeout=5.0
        )
        response.raise_for_status()
        return response.json()

    async def handle(self, request: Request) -> Response:
        request_id = request.scope["state"]["request_id"]
        caller, forwarded_for = client_ip(request.scope, self.settings.trusted_proxies)
        self.limits.check("ip", caller)
        route = resolve(request.method, request.url.path)
        if route is None:
            raise UnknownService(f"Không có dịch vụ nào phục vụ {request.url.path}",
                                 f"No service serves {request.url.path}")
        if route.limit:
            self.limits.check(route.limit, caller)
        if route.public:
            principal = dataclasses.replace(PUBLIC, request_id=request_id, client_ip=caller)
        else:
            token = bearer_token(request.headers.get("authorization"))
            if token is None:
                raise missing_token()
            principal = await self.verifier.principal(token, request_id, caller)
            self.limits.check("user", str(principal.user_id))
            if self.settings.unit_scope_check:
                units = named_units(route.service, route.upstream_path, request.scope.get("query_string", b""))
                ensure_units_in_scope(self.unit_tree, principal, units)
        return await self.upstreams.forward(request, route, principal, request_id, forwarded_for)


def create_app(settings: GatewaySettings, *, transport: httpx.AsyncBaseTransport | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    gateway = Gateway(settings, transport)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await gateway.jwks.refresh()  # best effort: a failure is retried on the first request
        if settings.unit_scope_check:
            gateway.unit_tree_feed.start()  # in the background: until it catches up, unknown units pass
        yield
        await gateway.unit_tree_feed.stop()
        await gateway.upstreams.aclose()

    telemetry_config = {**TELEMETRY_CONFIG, **({"tracer_provider": tracer_provider} if tracer_provider else {})}
    app = FastAPI(title="Gateway", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None,
                  telemetry=telemetry_config)
    app.state.gateway = gateway

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        response = problem_response(problem, request)
        response.headers.update(getattr(problem, "headers", {}))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        problem = NotFound("Không tìm thấy", "Not found") if error.status_code == 404 else Problem(
            "Yêu cầu không hợp lệ", str(error.detail))
        problem.status = error.status_code
        return problem_response(problem, request)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        if not gateway.jwks.keys:
            await gateway.jwks.refresh()
        ok = bool(gateway.jwks.keys)
        return JSONResponse({"ready": ok, "jwks_keys": len(gateway.jwks.keys), "tree_units": len(gateway.unit_tree)},
                            status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(await gateway.openapi.document())

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Công đoàn — API")

    @app.api_route("/api/{rest:path}", methods=METHODS, include_in_schema=False)
    async def proxy(request: Request) -> Response:
        return await gateway.handle(request)

    # Added innermost first: CORS is the outermost layer, so even refusals carry CORS headers.
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(JsonGzipMiddleware, minimum_size=settings.gzip_min_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_allow_origins, allow_methods=METHODS, allow_headers=["*"],
        expose_headers=["x-request-id", "retry-after", "content-disposition"], max_age=600,
    )
    return app


