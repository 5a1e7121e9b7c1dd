"""`python -m gateway`: serve the gateway (settings from GATEWAY_* environment variables)."""

import logging

import uvicorn
from chassis import telemetry
from chassis.http import SERVER_OPTIONS
from chassis.settings import ensure_deployable

from gateway.app import create_app
from gateway.config import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    ensure_deployable(settings, settings.production_problems())
    telemetry.configure(
        "gateway", "api", span_log_path=settings.span_log_path, log_level=settings.log_level, log_json=settings.log_json
    )
    # httpx logs every forwarded request at INFO: that volume belongs to metrics and traces.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        http="httptools",
        loop="uvloop",
        **SERVER_OPTIONS,
    )


if __name__ == "__main__":
    main()
