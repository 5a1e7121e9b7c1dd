"""Routing, streaming, errors, rate limits, tracing and the merged OpenAPI document."""

from __future__ import annotations

import asyncio
import hashlib
import json

from contracts.schemagen import ASYNCAPI_FILE
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import ADMIN
from .support import CHUNK, dead_url
from .test_auth import bearer


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["message_vi"] and response.json()["message_en"]


async def raw_status(base_url: str, target: str) -> int:
    """Send a request line exactly as written (HTTP clients would collapse the dots, curl --path-as-is does not)."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_unknown_service_and_dot_segments(backends, admin_token):
    async with backends.gateway() as http:
        assert_problem(await http.get("/api/v1/nowhere/x", headers=bearer(admin_token)), 404, "unknown-service")
        assert_problem(await http.get("/elsewhere"), 404, "not-found")
    async with backends.served_gateway() as http:
        base = str(http.base_url).rstrip("/")
        assert await raw_status(base, "/api/v1/public/../../members/echo") == 400
        assert await raw_status(base, "/api/v1/public/%2e%2e/%2e%2e/members/echo") == 400
        assert await raw_status(base, "/api/v1/public/lookup?member_code=A") == 200


async def test_service_down_is_503(backends, admin_token):
    async with backends.gateway() as http:
        response = await http.get("/api/v1/orgtree/units", headers=bearer(admin_token))
    assert_problem(response, 503, "service-unavailable")
    assert "orgtree" in response.json()["message_en"]


async def test_slow_service_is_504(backends, admin_token):
    async with backends.gateway(upstream_read_timeout_s=0.3) as http:
        response = await http.get("/api/v1/members/slow", headers=bearer(admin_token))
    backends.fake.slow_release.set()
    assert_problem(response, 504, "upstream-timeout")


async def test_login_attempts_are_rate_limited_per_ip(backends):
    async with backends.gateway(rate_limit_login_burst=2, rate_limit_login_per_minute=1) as http:
        for _ in range(2):
            assert (
                await http.post("/api/v1/identity/login", json={**ADMIN, "password": "Sai-mat-khau-1"})
            ).status_code == 401
        limited = await http.post("/api/v1/identity/login", json=ADMIN)
        assert_problem(limited, 429, "rate-limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-request-id"]
        # Other routes of the same IP are not affected by the login bucket.
        assert (await http.get("/api/v1/identity/.well-known/jwks.json")).status_code == 200


async def test_a_forged_forwarded_for_changes_neither_the_limit_key_nor_the_address_services_see(backends, admin_token):
    """Served on a socket as production serves it: the peer is 127.0.0.1, which uvicorn's own proxy-header rule
    would trust. With no trusted proxies configured, a fresh forged address per request gains nothing."""
    async with backends.served_gateway(rate_limit_login_burst=2, rate_limit_login_per_minute=1) as http:
        forged = [{"x-forwarded-for": f"203.0.113.{n}", "forwarded": f"for=198.51.100.{n}"} for n in range(3)]
        statuses = [
            (
                await http.post("/api/v1/identity/login", headers=headers, json={**ADMIN, "password": "Sai-mat-khau-1"})
            ).status_code
            for headers in forged
        ]
        assert statuses == [401, 401, 429]
        echo = await http.get("/api/v1/members/echo", headers={**bearer(admin_token), **forged[0]})
    assert echo.json()["client_ip"] == "127.0.0.1"  # what the signed internal token says, so the audit trail too
    assert echo.json()["headers"]["x-forwarded-for"] == "127.0.0.1"
    # Behind a configured proxy the header is believed: the caller is what the proxy saw.
    async with backends.served_gateway(trusted_proxies=["127.0.0.1/32"]) as http:
        echo = await http.get(
            "/api/v1/members/echo", headers={**bearer(admin_token), "x-forwarded-for": "6.6.6.6, 203.0.113.9"}
        )
    assert echo.json()["client_ip"] == "203.0.113.9"


async def test_signed_in_users_are_rate_limited_per_user(backends, admin_token):
    async with backends.gateway(rate_limit_user_burst=3, rate_limit_user_per_minute=6) as http:
        statuses = [(await http.get("/api/v1/members/echo", headers=bearer(admin_token))).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await http.get("/api/v1/members/echo", headers=bearer(admin_token))
        assert int(limited.headers["retry-after"]) >= 1
        other = await http.post("/api/v1/identity/login", json=ADMIN)  # a public route, not this user's bucket
        assert other.status_code == 200


async def test_public_lookups_have_their_own_stricter_limit(backends):
    async with backends.gateway(rate_limit_public_burst=1, rate_limit_public_per_minute=1) as http:
        first = await http.get("/api/v1/public/lookup", params={"member_code": "A"})
        second = await http.get("/api/v1/public/lookup", params={"member_code": "B"})
    assert first.status_code == 200
    assert_problem(second, 429, "rate-limited")


async def test_a_public_question_is_public_and_throttled_whatever_path_or_token_asks_it(backends, admin_token):
    """The public lookup answered under the service's own path, with or without a token, by an officer or not:
    the same public principal, the same answer, the same public bucket of the caller's address."""
    async with backends.gateway(rate_limit_public_burst=3, rate_limit_public_per_minute=1) as http:
        answers = [
            await http.get("/api/v1/public/lookup", params={"member_code": "A"}),
            await http.get("/api/v1/members/public/lookup", params={"member_code": "A"}, headers=bearer(admin_token)),
            await http.get("/api/v1/members/public/lookup", params={"member_code": "A"}),
        ]
        limited = [
            await http.get(path, params={"member_code": "A"}, headers=bearer(admin_token))
            for path in ("/api/v1/members/public/lookup", "/api/v1/public/lookup")
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert (
        answers[0].json()
        == answers[1].json()
        == answers[2].json()
        == {"public": True, "member_code": "A", "username": answers[0].json()["username"]}
    )
    assert [r.status_code for r in limited] == [429, 429]


async def test_gateway_span_is_the_parent_of_the_forwarded_request(backends, admin_token):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    client_parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with backends.gateway(tracer_provider=provider) as http:
        response = await http.get("/api/v1/members/echo", headers={**bearer(admin_token), "traceparent": client_parent})
    [server_span] = [s for s in exporter.get_finished_spans() if s.attributes.get("url.path") == "/api/v1/members/echo"]
    context = server_span.get_span_context()
    _, trace_id, parent_id, _ = response.json()["headers"]["traceparent"].split("-")
    assert trace_id == format(context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert parent_id == format(context.span_id, "016x")
    assert format(server_span.parent.span_id, "016x") == "b7ad6b7169203331"


async def test_json_is_gzipped_and_exports_are_not(backends, admin_token):
    async with backends.gateway() as http:
        big = await http.get("/api/v1/members/big", headers={**bearer(admin_token), "accept-encoding": "gzip"})
        plain = await http.get("/api/v1/members/big", headers={**bearer(admin_token), "accept-encoding": "identity"})
    assert big.headers["content-encoding"] == "gzip"
    assert len(big.json()["items"]) == 500  # httpx decodes it
    assert "content-encoding" not in plain.headers
    assert big.json() == plain.json()
    async with backends.served_gateway() as http:
        backends.fake.download_resume.set()
        csv = await http.get(
            "/api/v1/members/export", params={"chunks": 2}, headers={**bearer(admin_token), "accept-encoding": "gzip"}
        )
    assert csv.headers["content-type"].startswith("text/csv")
    assert "content-encoding" not in csv.headers and len(csv.content) == 2 * CHUNK + len("ma_doan_vien,ho_ten\n")
    backends.fake.download_resume.clear()


async def test_uploads_stream_through_without_buffering(backends, admin_token):
    backends.fake.upload_started.clear()
    total_chunks = 40  # 10 MB
    digest = hashlib.sha256()

    async def body():
        for index in range(total_chunks):
            chunk = bytes([index % 251]) * CHUNK
            digest.update(chunk)
            yield chunk
            if index == 0:
                # Nothing more is sent until the service holds the first chunk: a buffering gateway deadlocks here.
                await asyncio.wait_for(backends.fake.upload_started.wait(), timeout=15)

    async with backends.served_gateway() as http:
        response = await http.post("/api/v1/members/upload", content=body(), headers=bearer(admin_token))
    assert response.status_code == 200, response.text
    assert response.json() == {"bytes": total_chunks * CHUNK, "sha256": digest.hexdigest()}


async def test_downloads_stream_through_without_buffering(backends, admin_token):
    backends.fake.download_resume.clear()
    received = 0
    async with backends.served_gateway() as http:
        async with http.stream(
            "GET", "/api/v1/members/export", params={"chunks": 40}, headers=bearer(admin_token)
        ) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_raw():
                received += len(chunk)
                # The service sends the rest only after we hold the beginning.
                backends.fake.download_resume.set()
    assert received == 40 * CHUNK + len("ma_doan_vien,ho_ten\n")


async def test_oversized_bodies_are_refused(backends, admin_token):
    async with backends.gateway(max_body_bytes=1000) as http:
        declared = await http.post("/api/v1/members/upload", content=b"x" * 2000, headers=bearer(admin_token))

        async def chunked():
            for _ in range(4):
                yield b"x" * 600

        streamed = await http.post("/api/v1/members/upload", content=chunked(), headers=bearer(admin_token))
        small = await http.post("/api/v1/members/upload", content=b"x" * 500, headers=bearer(admin_token))
    assert_problem(declared, 413, "payload-too-large")
    assert_problem(streamed, 413, "payload-too-large")
    assert small.json()["bytes"] == 500


async def test_cors_preflight(backends):
    async with backends.gateway(cors_allow_origins=["https://app.congdoan.vn"]) as http:
        response = await http.options(
            "/api/v1/members/echo",
            headers={
                "origin": "https://app.congdoan.vn",
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )
        other = await http.options(
            "/api/v1/members/echo", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.congdoan.vn"
    assert "access-control-allow-origin" not in other.headers


async def test_health_ready_metrics_and_merged_openapi(backends, admin_token):
    metrics_port = int(dead_url().rsplit(":", 1)[1])
    async with backends.served_gateway(metrics_port=metrics_port) as http:
        assert (await http.get("/health")).json()["status"] == "ok"
        ready = await http.get("/ready")
        await http.get("/api/v1/members/echo", headers=bearer(admin_token))
        public_metrics = await http.get("/metrics")
        metrics = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
        document = await http.get("/openapi.json", headers={"accept-encoding": "gzip"})
        docs = await http.get("/docs")
        bank_channels = await http.get("/asyncapi/banks.json")
    assert ready.status_code == 200 and ready.json()["jwks_keys"] >= 1
    # /metrics is for the platform's monitoring, on its own port: never where clients (the internet) reach.
    assert public_metrics.status_code == 404
    assert public_metrics.headers["content-type"] == "application/problem+json"
    assert 'gateway_upstream_duration_seconds_count{service="members",status="200"}' in metrics.text
    assert document.headers["content-encoding"] == "gzip"
    merged = document.json()
    assert merged["x-services"]["identity"] == merged["x-services"]["members"] == "ok"
    assert merged["x-services"]["orgtree"] == "unavailable"
    assert merged["paths"]["/api/v1/identity/login"]["post"]["security"] == []
    assert "security" not in merged["paths"]["/api/v1/identity/users"]["get"]
    assert "/api/v1/members/echo" in merged["paths"]
    assert merged["paths"]["/api/v1/public/lookup"]["get"]["security"] == []
    assert "TokenOut" in merged["components"]["schemas"]
    assert "swagger" in docs.text.lower()
    # Machine clients' flow is named; the bank-facing channels are served as their checked-in AsyncAPI document.
    flow = merged["components"]["securitySchemes"]["oauth2ClientCredentials"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/identity/oauth/token" and "cards.issuance:answer" in flow["scopes"]
    assert bank_channels.status_code == 200 and bank_channels.json() == json.loads(ASYNCAPI_FILE.read_text())


def test_public_paths_go_to_the_service_that_answers_them():
    from gateway.routes import public_alias, resolve

    card = resolve("GET", "/api/v1/public/cards/verify/ABCD")
    lookup = resolve("GET", "/api/v1/public/lookup")
    assert (card.service, card.upstream_path, card.public, card.limit) == (
        "cards",
        "/api/v1/cards/public/verify/ABCD",
        True,
        "public",
    )
    assert (lookup.service, lookup.upstream_path, lookup.public) == ("members", "/api/v1/members/public/lookup", True)
    assert public_alias("cards", "/api/v1/cards/public/verify/{code}") == "/api/v1/public/cards/verify/{code}"
    assert public_alias("members", "/api/v1/members/public/lookup") == "/api/v1/public/lookup"
    assert public_alias("cards", "/api/v1/cards/cards") is None
    # The service's own path to its public router is the same public route, under the same limit.
    direct = resolve("GET", "/api/v1/cards/public/verify/ABCD")
    assert (direct.service, direct.upstream_path, direct.public, direct.limit) == (
        "cards",
        "/api/v1/cards/public/verify/ABCD",
        True,
        "public",
    )
    assert resolve("GET", "/api/v1/cards/cards").public is False


async def test_spans_keep_which_parameters_were_asked_never_their_values(backends, tmp_path):
    """The provider every process uses (chassis.telemetry): a lookup's member code and ID number, and a card's
    verification code, never reach the exported spans; the span file is its owner's alone."""
    import os
    import stat

    from chassis.telemetry import tracer_provider

    span_file = tmp_path / "spans.jsonl"
    provider = tracer_provider("gateway", "api", str(span_file))
    async with backends.gateway(tracer_provider=provider) as http:
        await http.get("/api/v1/public/lookup", params={"member_code": "00001234567", "id_number": "001090123456"})
        await http.get("/api/v1/public/cards/verify/K7M9Q2X4P8D3R6T1")
    provider.force_flush()
    provider.shutdown()
    spans = span_file.read_text()
    assert "001090123456" not in spans and "00001234567" not in spans and "K7M9Q2X4P8D3R6T1" not in spans
    attributes = [json.loads(line)["attributes"] for line in spans.splitlines()]
    assert {
        "url.query": "member_code=REDACTED&id_number=REDACTED",
        "url.path": "/api/v1/public/lookup",
    }.items() <= next(a for a in attributes if a.get("url.path") == "/api/v1/public/lookup").items()
    assert any(a.get("url.path") == "/api/v1/public/cards/verify/REDACTED" for a in attributes)
    assert stat.S_IMODE(os.stat(span_file).st_mode) == 0o600
