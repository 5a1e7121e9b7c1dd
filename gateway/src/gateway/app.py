"""The gateway app: the one door clients use. Auth, rate limits and routing; no state of its own."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Annotated, Any

from chassis.audit import AuditFilters
from chassis.boundary import guard_request
from chassis.errors import Forbidden, from_http_exception
from chassis.http import create_app as create_platform_app
from chassis.principal import PUBLIC, Principal
from contracts.permissions import Permission
from fastapi import Depends, FastAPI, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from opentelemetry.trace import TracerProvider
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contracts.asyncapi import bank_document
from gateway.audit import MISSING_HEADER, AuditPage, AuditView
from gateway.auth import JwksCache, TokenVerifier, bearer_token, ensure_client_may_call, ensure_may_act
from gateway.config import GatewaySettings
from gateway.middleware import JsonGzipMiddleware, RequestIdMiddleware, client_ip
from gateway.openapi import MergedOpenApi
from gateway.problems import UnknownService, checks_unavailable, missing_token
from gateway.proxy import Upstreams
from gateway.ratelimit import RateLimits
from gateway.revocations import RevocationFeed, Revocations
from gateway.routes import resolve
from gateway.unittree import UnitTree, UnitTreeFeed, ensure_units_in_scope, named_units
from gateway.webapp import WebApp, docs_page

# Generated once from the contracts: the same document as contracts/asyncapi/banks.json (checked in CI).
BANK_CHANNELS = bank_document()

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
        self.own_paths: dict[str, list[str]] = {}  # the gateway's own /api routes and their methods

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
            if path in self.own_paths:  # the gateway's own route, asked with another method
                raise from_http_exception(405, "", {"Allow": ", ".join(self.own_paths[path])})
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

    def unreliable_feeds(self) -> list[str]:
        """The topics the gateway relies on for tokens that it cannot vouch for right now."""
        feeds = [
            (self.settings.token_revocation, self.revocation_feed),
            (self.settings.unit_scope_check, self.unit_tree_feed),
        ]
        return [feed.topic for enabled, feed in feeds if enabled and not feed.current()]

    async def signed_in(self, request: Request, request_id: str, caller: str) -> Principal:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise missing_token()
        if unreliable := self.unreliable_feeds():
            # Fail closed: without the revocations (or the tree) an ended session or a foreign unit would pass.
            raise checks_unavailable(unreliable)
        verified = await self.verifier.verify(token, request_id, caller)
        ensure_may_act(verified, request.method, request.scope["path"])
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

    async def start() -> None:
        await gateway.jwks.refresh()  # best effort: a failure is retried on the first request
        if settings.unit_scope_check:
            gateway.unit_tree_feed.start()  # in the background: until it catches up, tokens are refused (503)
        if settings.token_revocation:
            gateway.revocation_feed.start()

    async def readiness() -> dict[str, Any]:
        if not gateway.jwks.keys:
            await gateway.jwks.refresh()
        unreliable = gateway.unreliable_feeds()
        return {
            "ready": bool(gateway.jwks.keys) and not unreliable,
            "jwks_keys": len(gateway.jwks.keys),
            "tree_units": len(gateway.unit_tree),
            "feeds_behind": unreliable,
        }

    # `/metrics` only on GATEWAY_METRICS_PORT: the public port faces the internet.
    app = create_platform_app(
        settings,
        title="Gateway",
        readiness=readiness,
        on_startup=[start],
        on_shutdown=[gateway.unit_tree_feed.stop, gateway.revocation_feed.stop, gateway.upstreams.aclose],
        metrics_apart=True,
        tracer_provider=tracer_provider,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.gateway = gateway

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(await gateway.openapi.document())

    @app.get("/asyncapi/banks.json", include_in_schema=False)
    async def bank_channels() -> JSONResponse:
        """The AsyncAPI 3 document of the bank-facing channels (signed webhooks), generated from the contracts."""
        return JSONResponse(BANK_CHANNELS)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return docs_page()

    @app.get(
        "/api/v1/audit",
        response_model=AuditPage,
        tags=["audit"],
        dependencies=[Depends(guard_request)],
        summary="Nhật ký kiểm tra của mọi dịch vụ / the audit trail of every service",
        description="Every service's audit trail within the caller's subtrees (each service decides the "
        "scope), merged newest first. A service that does not answer is named in "
        f"`missing_services` and the `{MISSING_HEADER}` header; 503 only when none answers.",
    )
    async def audit(
        request: Request,
        response: Response,
        filters: Annotated[AuditFilters, Query()],
        after: str | None = Query(None, description="`next_cursor` of the previous page"),
        limit: int = Query(100, ge=1, le=500),
    ) -> AuditPage:
        page = await gateway.audit_page(request, filters, after, limit)
        if page.missing_services:
            response.headers[MISSING_HEADER] = ", ".join(page.missing_services)
        return page

    # The gateway's own routes (the audit view) join the services' paths in /openapi.json.
    gateway.openapi.own = lambda: get_openapi(title="Gateway", version="1", routes=app.routes)
    gateway.own_paths = {
        route.path: sorted(route.methods - {"HEAD"})
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
    }

    web_app = WebApp(Path(settings.web_dir)) if settings.web_dir else None
    app.router.routes.append(ProxyRoute("/api/{rest:path}", gateway, web_app))
    if web_app is not None:
        app.router.routes.extend(web_app.routes())

    # Added innermost first (outside the factory's metrics layer): CORS is the outermost layer, so even refusals
    # carry CORS headers.
    app.add_middleware(JsonGzipMiddleware, minimum_size=settings.gzip_min_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_allow_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=METHODS,
        allow_headers=["*"],
        expose_headers=["x-request-id", "retry-after", "content-disposition", MISSING_HEADER.lower()],
        max_age=600,
    )
    return app


class ProxyRoute(Route):
    """Every `/api/...` path not served by the gateway itself, as a bare ASGI endpoint.

    Forwarding needs none of FastAPI's per-request work (dependencies, validation, response
    models): that was a sixth of the gateway's CPU per request. Problems raised here still reach
    the app's handlers, and the route is still named in metrics and the server span.
    """

    def __init__(self, path: str, gateway: Gateway, web_app: WebApp | None) -> None:
        self.gateway = gateway
        self.web_app = web_app
        super().__init__(path, self._forward, methods=METHODS, include_in_schema=False)
        self.app = self._forward

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self  # the metrics middleware labels by route template
        request = Request(scope, receive)
        page = self.web_app.page_instead_of_api(request) if self.web_app else None
        response = page or await self.gateway.handle(request)
        await response(scope, receive, send)
