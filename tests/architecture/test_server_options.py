"""Every process starts uvicorn the one way (`chassis.http.SERVER_OPTIONS`): without its proxy-header rewriting,
which would let any caller on a loopback address name its own client address before the gateway's rule runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("gateway/src/**/*.py"), *ROOT.glob("deploy/*/src/**/*.py")]
# A call and its arguments, up to the first line that ends the call.
STARTS = re.compile(r"uvicorn\.(run|Config)\((?P<args>.*?)\)\s*$", re.S | re.M)


def test_every_uvicorn_start_takes_the_platforms_server_options():
    starts = [(path, m) for path in SOURCES for m in STARTS.finditer(path.read_text())]
    assert len(starts) >= 3  # the services' API, the workers' metrics server, the gateway
    wrong = [
        f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for path, m in starts if "**SERVER_OPTIONS" not in m["args"]
    ]
    assert not wrong, wrong


def test_server_options_turn_proxy_headers_off():
    from chassis.http import SERVER_OPTIONS

    assert SERVER_OPTIONS["proxy_headers"] is False
