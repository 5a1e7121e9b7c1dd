"""The web app for union officers, served by the gateway at `/` from its built files (`web/dist`).

Hashed files under `/assets/` never change, so browsers keep them for a year; `index.html` is revalidated
on every visit so a release reaches everyone at their next page load. Any other path without a file name
extension is one of the app's own routes (`/don-vi/...`) and gets `index.html` (the app routes in the
browser); `/api/...` and the gateway's own paths never fall back to it. The sign-in page has its own copy,
`dang-nhap.html`, with the form already rendered in it by the build, so a phone on a slow network can type before
the app's script has arrived (the app then takes the page over). A unit's screen whose code is large (the reports'
dashboard, the members list) has a page of its own, `screens/<its last path segment>.html`: `index.html` whose head
names the screen's code (`modulepreload` links the page's first script adds), so the browser fetches it with the
app's instead of after the app has run; those pages and `app.html` (served for every other `/don-vi/...`) draw the
signed-in screens' frame in their HTML, shown before the app has run. Files were compressed at build time
(`.br`, `.gz` beside each), so the gateway only picks the variant the browser accepts.

Every page carries a Content-Security-Policy without inline scripts: a name typed into a member's record can
never run as code even if some screen rendered it as HTML. Styles may be inline because Ant Design writes
its CSS at run time.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from chassis.errors import NotFound
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# The app's icons keep their names (the pages and the digital card's manifest name them): kept a day rather than
# revalidated, since a revalidation on every page is a round trip (400 ms on slow 3G) holding one of a phone's
# six connections while the page's data waits for one.
ICONS = (".svg", ".png")
ICON_CACHE = "public, max-age=86400"
# Paths the app never answers, whatever their shape: the API and the gateway's own endpoints.
NOT_APP = ("/api/", "/docs", "/openapi.json", "/asyncapi/", "/metrics", "/health", "/ready")
# API addresses people open in a browser (the QR code on a member card): a browser gets the app's page for them,
# a program that asks for JSON gets the API's answer at the same address.
PAGES_IN_THE_API = ("/api/v1/public/cards/verify/",)
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
# App routes whose page the build prerendered: the route's markup is in the HTML, the same script takes it over.
PRERENDERED = {"/dang-nhap": "dang-nhap.html"}
# A unit's screen (`/don-vi/<unit>/<screen>`): its own page if the build wrote one (a name of letters and dashes).
UNIT_SCREEN = re.compile(r"/don-vi/[^/]+/([a-z-]+)/?")
# Every other unit's screen: index.html with the signed-in screens' frame drawn in it (the build's `app.html`), shown
# from the first response until the app has run. Not for the sign-in or the public pages, which have no such frame.
SIGNED_IN = "/don-vi/"
APP_PAGE = "app.html"
# The digital card's manifest (not every system's MIME table knows the extension).
mimetypes.add_type("application/manifest+json", ".webmanifest")


class WebApp:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.index = self.root / "index.html"

    @property
    def built(self) -> bool:
        return self.index.is_file()

    def page_instead_of_api(self, request: Request) -> Response | None:
        """The app's page for a browser opening one of `PAGES_IN_THE_API`, else None (the API answers)."""
        if (
            request.method != "GET"
            or not self.built
            or not request.url.path.startswith(PAGES_IN_THE_API)
            or not _prefers_html(request.headers.get("accept", ""))
        ):
            return None
        return self._file(self.index, request, REVALIDATE, page=True)

    def routes(self) -> list[Route]:
        return [Route("/{path:path}", self.serve, methods=["GET", "HEAD"], include_in_schema=False)]

    async def serve(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith(NOT_APP) or not self.built:
            raise _not_found()
        name = path.rsplit("/", 1)[-1]
        if "." not in name:  # an app route: the browser-side router decides what it shows
            return self._file(self._page(path), request, REVALIDATE, page=True)
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root) or not target.is_file() or target.suffix in (".br", ".gz"):
            raise _not_found()
        if path.startswith("/assets/"):
            cache = IMMUTABLE
        else:
            cache = ICON_CACHE if target.suffix in ICONS else REVALIDATE
        return self._file(target, request, cache, page=target == self.index)

    def _page(self, path: str) -> Path:
        """The page of an app route: its prerendered or screen page if the build wrote one, else the signed-in
        screens' page for a unit's screen, else index.html."""
        screen = UNIT_SCREEN.fullmatch(path)
        names = [f"screens/{screen[1]}.html"] if screen else []
        if path.startswith(SIGNED_IN):
            names.append(APP_PAGE)
        names.append(PRERENDERED.get(path.rstrip("/") or "/", "index.html"))
        return next((self.root / name for name in names if (self.root / name).is_file()), self.index)

    def _file(self, target: Path, request: Request, cache: str, *, page: bool) -> Response:
        headers = {"cache-control": cache, "vary": "accept-encoding"}
        if page:
            headers.update(SECURITY_HEADERS)
        media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        accepted = request.headers.get("accept-encoding", "")
        for encoding, suffix in ENCODINGS:
            compressed = target.with_name(target.name + suffix)
            if encoding in accepted and compressed.is_file():
                headers["content-encoding"] = encoding
                return FileResponse(compressed, media_type=media_type, headers=headers)
        return FileResponse(target, media_type=media_type, headers=headers)


def _prefers_html(accept: str) -> bool:
    """A browser's navigation asks for text/html before anything else; fetch() and programs do not."""
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first == "text/html"


def docs_page() -> Response:
    """Swagger UI from the platform's own files (`/vendor/swagger-ui/`, copied there by the web build): unit
    offices often have no outside internet, so nothing may come from a CDN. Its start-up is a file, not an inline
    script, so the page keeps the same Content-Security-Policy as the app."""
    html = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Công đoàn — API</title>
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/vendor/swagger-ui/start.js"></script>
</body>
</html>
"""
    return Response(html, media_type="text/html", headers={**SECURITY_HEADERS, "cache-control": REVALIDATE})


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy", "Not found")
