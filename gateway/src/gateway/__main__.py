"""`python -m gateway`: serve the gateway (settings from GATEWAY_* environment variables)."""

import logging

import uvicorn
from chassis import telemetry

from gateway.app import create_app
from gateway.config import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    telemetry.configure("gateway", "api", span_log_path=settings.span_log_path, log_level=settings.log_level,
                        log_json=settings.log_json)
    # httpx logs every forwarded request at INFO: that volume belongs to metrics and traces.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, http="httptools", loop="uvloop")


if __name__ == "__main__":
    main()
