"""The gateway serves the built web app at `/`: hashed assets cached for a year (compressed at build time),
`index.html` revalidated and under a Content-Security-Policy without inline scripts, app routes falling back to
it, and nothing of the API or outside the build ever served as a file."""

from __future__ import annotations

import gzip

import pytest

INDEX = b"<!doctype html><html lang=vi><div id=root></div><script type=module src=/assets/app-1a2b.js></script>"
SCRIPT = b"console.log('ung dung');" * 100


@pytest.fixture
def web_dir(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "app-1a2b.js").write_bytes(SCRIPT)
    (tmp_path / "assets" / "app-1a2b.js.gz").write_bytes(gzip.compress(SCRIPT))
    (tmp_path / "assets" / "app-1a2b.js.br").write_bytes(b"brotli bytes")
    (tmp_path.parent / "secret.txt").write_text("not part of the app")
    return tmp_path


async def test_app_routes_get_the_page_with_its_security_headers_and_no_long_cache(backends, web_dir):
    async with backends.gateway(web_dir=str(web_dir)) as http:
        for path in ("/", "/don-vi/123/doan-vien", "/dang-nhap"):
            response = await http.get(path)
            assert response.status_code == 200, path
            assert response.content == INDEX
            assert response.headers["content-type"].startswith("text/html")
            assert response.headers["cache-control"] == "no-cache"
            policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
            assert "frame-ancestors 'none'" in policy
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_sign_in_route_gets_its_prerendered_page_compressed_and_other_routes_do_not(backends, web_dir):
    signin = b"<!doctype html><html lang=vi><div id=root><form data-prerendered>...</form></div>" * 20
    (web_dir / "dang-nhap.html").write_bytes(signin)
    (web_dir / "dang-nhap.html.gz").write_bytes(gzip.compress(signin))
    async with backends.gateway(web_dir=str(web_dir)) as http:
        for path in ("/dang-nhap", "/dang-nhap?next=%2Fdon-vi%2F1", "/dang-nhap/"):
            response = await http.get(path, headers={"accept-encoding": "gzip"})
            assert response.status_code == 200, path
            assert response.content == signin  # httpx undoes the gzip the gateway sent
            assert response.headers["content-encoding"] == "gzip"
            assert response.headers["cache-control"] == "no-cache"
            assert "script-src 'self';" in response.headers["content-security-policy"]
        for path in ("/", "/don-vi/1/doan-vien", "/dang-nhap-khac"):
            assert (await http.get(path)).content == INDEX, path


async def test_a_units_screen_gets_its_own_page_when_the_build_wrote_one(backends, web_dir):
    code = b'<template id=screen-code><link rel=modulepreload href="/assets/dashboard-1a2b.js"></template>'
    dashboard = INDEX.replace(b"<div", code + b"<div")
    (web_dir / "screens").mkdir()
    (web_dir / "screens" / "bao-cao.html").write_bytes(dashboard)
    async with backends.gateway(web_dir=str(web_dir)) as http:
        for path in ("/don-vi/123/bao-cao", "/don-vi/123/bao-cao/"):
            response = await http.get(path)
            assert response.status_code == 200, path
            assert response.content == dashboard
            assert response.headers["cache-control"] == "no-cache"
            assert "script-src 'self';" in response.headers["content-security-policy"]
        # Other screens, deeper paths and names that are not a screen's get index.html.
        for path in ("/don-vi/123/doan-vien", "/don-vi/123/bao-cao/phat-trien", "/bao-cao", "/don-vi/123/khong-co"):
            assert (await http.get(path)).content == INDEX, path
        assert (await http.get("/screens/bao-cao.html")).status_code == 200  # a file of the build, like any other


async def test_hashed_assets_are_cached_for_a_year_and_sent_compressed_as_the_browser_accepts(backends, web_dir):
    async with backends.gateway(web_dir=str(web_dir)) as http:
        plain = await http.get("/assets/app-1a2b.js", headers={"accept-encoding": "identity"})
        assert plain.content == SCRIPT and "content-encoding" not in plain.headers
        assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
        zipped = await http.get("/assets/app-1a2b.js", headers={"accept-encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.content == SCRIPT
        async with http.stream("GET", "/assets/app-1a2b.js", headers={"accept-encoding": "br, gzip"}) as brotli:
            assert brotli.headers["content-encoding"] == "br"
            assert await brotli.aread() == b"brotli bytes"
        assert (await http.get("/assets/app-1a2b.js.br")).status_code == 404  # only as an encoding


async def test_nothing_outside_the_build_and_nothing_of_the_api_is_served_as_a_file(backends, web_dir):
    async with backends.gateway(web_dir=str(web_dir)) as http:
        for path in ("/assets/missing-0000.js", "/..%2Fsecret.txt", "/assets/..%2F..%2Fsecret.txt"):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
        api = await http.get("/api/v1/nothing-here")
        assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
        assert (await http.post("/")).status_code == 405


async def test_the_api_docs_come_from_the_platform_not_a_cdn(backends, web_dir):
    async with backends.gateway(web_dir=str(web_dir)) as http:
        docs = await http.get("/docs")
        assert docs.status_code == 200
        assert "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
        assert "http" not in docs.text.split("<body>")[1]  # no outside address
        assert "<script>" not in docs.text  # no inline script: the page keeps the app's policy
        assert "script-src 'self'" in docs.headers["content-security-policy"]


async def test_without_a_built_app_the_gateway_serves_the_api_only(backends):
    async with backends.gateway() as http:
        assert (await http.get("/")).status_code == 404


async def test_a_cards_qr_address_gives_browsers_the_page_and_programs_the_api(backends, web_dir):
    async with backends.gateway(web_dir=str(web_dir)) as http:
        path = "/api/v1/public/cards/verify/4Z8K6H525YCGB06R"
        browser = await http.get(path, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert browser.status_code == 200 and browser.content == INDEX
        assert "script-src 'self'" in browser.headers["content-security-policy"]
        program = await http.get(path, headers={"accept": "application/json"})
        assert program.content != INDEX  # the API answered (here: cards is not running, so a problem)
        assert program.headers["content-type"] == "application/problem+json"
        other = await http.get("/api/v1/public/lookup", headers={"accept": "text/html"})
        assert other.content != INDEX  # only the card's address is a page


async def test_the_apps_icons_are_kept_a_day_not_revalidated_on_every_page(backends, web_dir):
    (web_dir / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    async with backends.gateway(web_dir=str(web_dir)) as http:
        icon = await http.get("/favicon.svg")
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.headers["cache-control"] == "public, max-age=86400"


async def test_the_digital_cards_manifest_and_service_worker_are_served_as_such_and_revalidated(backends, web_dir):
    (web_dir / "the-dien-tu.webmanifest").write_text('{"name": "Thẻ đoàn viên"}', encoding="utf-8")
    (web_dir / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    async with backends.gateway(web_dir=str(web_dir)) as http:
        manifest = await http.get("/the-dien-tu.webmanifest")
        assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("application/manifest+json")
        worker = await http.get("/sw.js")
        assert worker.status_code == 200 and "javascript" in worker.headers["content-type"]
        # A new release's worker must reach the phones at their next visit.
        assert worker.headers["cache-control"] == "no-cache"
        page = await http.get("/the-dien-tu/ABCD2345")
        assert page.content == INDEX
        policy = page.headers["content-security-policy"]
        assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


async def test_a_units_other_screens_get_the_page_with_the_frame_drawn_when_the_build_wrote_it(backends, web_dir):
    framed = INDEX.replace(b"</div>", b"</div><div class=boot-shell></div>")
    (web_dir / "app.html").write_bytes(framed)
    (web_dir / "screens").mkdir()
    (web_dir / "screens" / "bao-cao.html").write_bytes(b"dashboard")
    async with backends.gateway(web_dir=str(web_dir)) as http:
        for path in ("/don-vi/123", "/don-vi/123/doan-vien", "/don-vi/123/doan-vien/456", "/don-vi/123/bao-cao/x"):
            response = await http.get(path)
            assert response.content == framed, path
            assert response.headers["cache-control"] == "no-cache"
            assert "script-src 'self';" in response.headers["content-security-policy"]
        assert (await http.get("/don-vi/123/bao-cao")).content == b"dashboard"  # a screen's own page first
        # The sign-in, the public pages and the start page have no such frame.
        for path in ("/", "/dang-nhap", "/tra-cuu", "/the-dien-tu/abc", "/tai-khoan"):
            assert (await http.get(path)).content == INDEX, path
