"""The gateway app: the one door clients use. Auth, rate limits and routing; no state of its own."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from chassis.audit import AuditFilters
from chassis.errors import Forbidden, NotFound, Problem, from_validation_errors
from chassis.http import TELEMETRY_CONFIG, MetricsMiddleware, problem_response
from chassis.principal import PUBLIC, Principal
from contracts.permissions import Permission
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from gateway.audit import MISSING_HEADER, AuditPage, AuditView
from gateway.auth import JwksCache, TokenVerifier, bearer_token, ensure_client_may_call
from gateway.config import GatewaySettings
from gateway.middleware import JsonGzipMiddleware, RequestIdMiddleware, client_ip
from gateway.openapi import MergedOpenApi
from gateway.problems import UnknownService, missing_token
from gateway.proxy import Upstreams
from gateway.ratelimit import RateLimits
from gateway.revocations import RevocationFeed, Revocations
from gateway.routes import resolve
from gateway.unittree import UnitTree, UnitTreeFeed, ensure_units_in_scope, named_units

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
JWKS_PATH = "/api/v1/identity/.well-known/jwks.json"


class Gateway:
    """What a request needs: the services' client, the token verifier and the rate limits."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.upstreams = Upstreams(settings)
        self.jwks = JwksCache(self._fetch_jwks, settings.jwks_refresh_s, settings.jwks_min_refetch_s)
        self.revocations = Revocations()
        self.revocation_feed = RevocationFeed(settings, self.revocations)
        self.verifier = TokenVerifier(settings, self.jwks, revocations=self.revocations)
        self.limits = RateLimits(settings)
        self.openapi = MergedOpenApi(self.upstreams.client, self.upstreams.urls, settings.openapi_cache_s)
        self.unit_tree = UnitTree()
        self.unit_tree_feed = UnitTreeFeed(settings, self.unit_tree)
        self.audit = AuditView(settings, self.upstreams)

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
        path = request.scope["path"]
        route = resolve(request.method, path)
        if route is None:
            raise UnknownService(f"Không có dịch vụ nào phục vụ {path}", f"No service serves {path}")
        if route.limit:
            self.limits.check(route.limit, caller)
        if route.public:
            principal = dataclasses.replace(PUBLIC, request_id=request_id, client_ip=caller)
        else:
            principal = await self.signed_in(request, request_id, caller)
            if principal.is_client:
                ensure_client_may_call(principal, route.service, request.method)
            if self.settings.unit_scope_check:
                units = named_units(route.service, route.upstream_path, request.scope.get("query_string", b""))
                ensure_units_in_scope(self.unit_tree, principal, units)
        return await self.upstreams.forward(request, route, principal, request_id, forwarded_for)

    async def signed_in(self, request: Request, request_id: str, caller: str) -> Principal:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise missing_token()
        verified = await self.verifier.verify(token, request_id, caller)
        principal = verified.principal
        if principal.is_client:
            self.limits.check_client(principal.client_id, verified.rate_limit)
        else:
            self.limits.check("user", str(principal.user_id))
        return principal

    async def audit_page(self, request: Request, filters: AuditFilters, after: str | None, limit: int) -> AuditPage:
        request_id = request.scope["state"]["request_id"]
        caller, forwarded_for = client_ip(request.scope, self.settings.trusted_proxies)
        self.limits.check("ip", caller)
        principal = await self.signed_in(request, request_id, caller)
        # A first wall only: which rows the caller sees is decided by each service, in SQL.
        if not principal.can(Permission.AUDIT_READ):
            raise Forbidden("Bạn không có quyền xem nhật ký kiểm tra", "You may not read the audit trail")
        if self.settings.unit_scope_check and filters.unit_id is not None:
            ensure_units_in_scope(self.unit_tree, principal, [filters.unit_id])
        return await self.audit.page(principal, filters, after, limit, request_id, forwarded_for)


def create_app(settings: GatewaySettings, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    gateway = Gateway(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await gateway.jwks.refresh()  # best effort: a failure is retried on the first request
        if settings.unit_scope_check:
            gateway.unit_tree_feed.start()  # in the background: until it catches up, unknown units pass
        if settings.token_revocation:
            gateway.revocation_feed.start()
        yield
        await gateway.unit_tree_feed.stop()
        await gateway.revocation_feed.stop()
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

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(from_validation_errors(list(error.errors())), request)

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

    @app.get("/api/v1/audit", response_model=AuditPage, tags=["audit"],
             summary="Nhật ký kiểm tra của mọi dịch vụ / the audit trail of every service",
             description="Every service's audit trail within the caller's subtrees (each service decides the "
                         "scope), merged newest first. A service that does not answer is named in "
                         f"`missing_services` and the `{MISSING_HEADER}` header; 503 only when none answers.")
    async def audit(
        request: Request, response: Response, filters: Annotated[AuditFilters, Query()],
        after: str | None = Query(None, description="`next_cursor` of the previous page"),
        limit: int = Query(100, ge=1, le=500),
    ) -> AuditPage:
        page = await gateway.audit_page(request, filters, after, limit)
        if page.missing_services:
            response.headers[MISSING_HEADER] = ", ".join(page.missing_services)
        return page

    # The gateway's own routes (the audit view) join the services' paths in /openapi.json.
    gateway.openapi.own = lambda: get_openapi(title="Gateway", version="1", routes=app.routes)

    app.router.routes.append(ProxyRoute("/api/{rest:path}", gateway))

    # Added innermost first: CORS is the outermost layer, so even refusals carry CORS headers.
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(JsonGzipMiddleware, minimum_size=settings.gzip_min_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_allow_origins, allow_methods=METHODS, allow_headers=["*"],
        expose_headers=["x-request-id", "retry-after", "content-disposition", MISSING_HEADER.lower()], max_age=600,
    )
    return app


class ProxyRoute(Route):
    """Every `/api/...` path not served by the gateway itself, as a bare ASGI endpoint.

    Forwarding needs none of FastAPI's per-request work (dependencies, validation, response
    models): that was a sixth of the gateway's CPU per request. Problems raised here still reach
    the app's handlers, and the route is still named in metrics and the server span.
    """

    def __init__(self, path: str, gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(path, self._forward, methods=METHODS, include_in_schema=False)
        self.app = self._forward

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self  # the metrics middleware labels by route template
        response = await self.gateway.handle(Request(scope, receive))
        await response(scope, receive, send)
