"""The platform's processes and the environment that wires them together on one machine."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from chassis.database import database_on_server

WORKER_COMMANDS = ("consume", "relay")


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    # HTTP port = base + offset; the worker metrics ports share its last two digits (82xx, 83xx).
    port_offset: int
    api: bool = True
    consume: bool = True
    relay: bool = True
    migrate: bool = True
    ready_path: str = "/ready"

    @property
    def prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def commands(self) -> tuple[str, ...]:
        return tuple(c for c in ("api", "consume", "relay") if getattr(self, c))


# The one table: start order of the programs and migrations follows it.
SERVICES: tuple[Service, ...] = (
    Service("orgtree", "orgtree", 101),
    Service("members", "members", 102),
    Service("identity", "identity", 103),
    Service("reporting", "reporting", 104),
    Service("dues", "dues", 105),
    Service("cards", "cards", 106),
    Service("gateway", "gateway", 0, consume=False, relay=False, migrate=False, ready_path="/ready"),
)
SERVICES_BY_NAME = {service.name: service for service in SERVICES}
BACKENDS = tuple(service for service in SERVICES if service.name != "gateway")

LOCAL_DEFAULTS = {
    # The one-machine demo: repository secrets allowed, the bootstrap admin keeps its documented password.
    "ENVIRONMENT": "local",
    # Joining a group on the development broker takes about half the session timeout.
    "KAFKA_SESSION_TIMEOUT_MS": "3000",
    "KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
}
# Worker processes a service runs on one machine unless `--scale` says otherwise. Reporting's consumer needs about
# twice the CPU of each other follower of member events (its poll writes facts, the ledger and the figures); alone it
# was the last read model, 1-2 s after the others at 20,000 events and ~50 s at a million. Two of them (the topic's
# 12 partitions split) met the 5 s and 120 s on a quiet 2-core machine (docs/BENCHMARKS.md, issue 12,
# "On a quiet machine"); the other followers keep up alone.
ONE_MACHINE_SCALE = {"reporting.consume": 2}
DEFAULT_ADMIN = ("admin", "Admin@12345")
# The web app as `web/build.sh` builds it; the gateway serves it at `/`.
WEB_DIST = Path(__file__).resolve().parents[4] / "web" / "dist"


@dataclass(frozen=True)
class Layout:
    """Where everything is on this machine."""

    server_url: str  # plain postgresql:// URL of the server (any database)
    bootstrap: str
    base_port: int
    data_dir: Path
    secret: str
    # Tests sharing one PostgreSQL server keep their databases apart with their own prefix.
    database_prefix: str = "congdoan_"

    @property
    def span_log_path(self) -> Path:
        return self.data_dir / "spans.jsonl"


@dataclass(frozen=True)
class Process:
    program: str  # supervisord program name
    service: Service
    command: str  # api, consume or relay
    instance: int = 1  # the n-th process of this service and command (`--scale`)

    @property
    def argv(self) -> list[str]:
        # The gateway is a single FastAPI process without subcommands.
        tail = [] if self.service.name == "gateway" else [self.command]
        return [sys.executable, "-m", self.service.module, *tail]


def http_port(service: Service, base_port: int) -> int:
    return base_port + service.port_offset


def metrics_port(service: Service, command: str, base_port: int, instance: int = 1) -> int:
    """82xx for consumers and 83xx for relays; a second instance 10 above the first, and so on (up to nine: the
    ports stay inside the runner's block and below the next command's)."""
    return base_port + service.port_offset + {"consume": 100, "relay": 200}[command] + 10 * (instance - 1)


def processes(services: tuple[Service, ...] = SERVICES, scale: dict[str, int] | None = None) -> list[Process]:
    """One process per service and command, or as many as `scale` says ({"reporting.consume": 2}): workers
    only, since several APIs of one service would need a load balancer in front of them."""
    scale = scale or {}
    found = []
    for service in services:
        for command in service.commands:
            base = service.name if service.name == "gateway" else f"{service.name}-{command}"
            count = scale.get(f"{service.name}.{command}", 1)
            found += [Process(base if n == 1 else f"{base}-{n}", service, command, n) for n in range(1, count + 1)]
    return found


def parse_scale(text: str) -> dict[str, int]:
    """`reporting.consume=2,members.relay=2` -> {"reporting.consume": 2, "members.relay": 2}, or ValueError."""
    scale = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, _, count = part.partition("=")
        service, _, command = name.partition(".")
        valid = service in SERVICES_BY_NAME and command in WORKER_COMMANDS and count.isdigit() and 1 <= int(count) <= 9
        if not valid:
            raise ValueError(
                f"{part!r}: expected <service>.<consume|relay>=<count of 1 to 9>, e.g. reporting.consume=2"
            )
        scale[name] = int(count)
    return scale


def database_url(server_url: str, service: Service, prefix: str = "congdoan_") -> str:
    return database_on_server(server_url, f"{prefix}{service.name}")


def environment(layout: Layout, inherited: dict[str, str] | None = None) -> dict[str, str]:
    """Every service's settings at once: their prefixes keep them apart, so one environment serves all.

    The wiring (addresses, ports, secret) is ours; local defaults yield to what the caller's
    environment already sets, and unprefixed `KAFKA_*` (security for Apache Kafka) fans out to all.
    """
    inherited = dict(os.environ if inherited is None else inherited)
    shared_kafka = {
        key: value for key, value in inherited.items() if key.startswith("KAFKA_") and key != "KAFKA_BOOTSTRAP_SERVERS"
    }
    env: dict[str, str] = {"PYTHONUNBUFFERED": "1"}
    for service in SERVICES:
        defaults = {**LOCAL_DEFAULTS, **shared_kafka, "SPAN_LOG_PATH": str(layout.span_log_path)}
        for key, value in defaults.items():
            env[service.prefix + key] = inherited.get(service.prefix + key, value)
        env.update(
            {
                service.prefix + "HTTP_HOST": "127.0.0.1",
                service.prefix + "HTTP_PORT": str(http_port(service, layout.base_port)),
                service.prefix + "KAFKA_BOOTSTRAP_SERVERS": layout.bootstrap,
                service.prefix + "INTERNAL_TOKEN_SECRET": layout.secret,
            }
        )
        if service.migrate:
            env[service.prefix + "DATABASE_URL"] = database_url(layout.server_url, service, layout.database_prefix)
    for service in BACKENDS:
        env[f"GATEWAY_{service.name.upper()}_URL"] = f"http://127.0.0.1:{http_port(service, layout.base_port)}"
    env["GATEWAY_WEB_DIR"] = inherited.get("GATEWAY_WEB_DIR", str(WEB_DIST))
    # The gateway's /metrics, on a port of its own (base + 200: the services' workers use base + 2xx from 201).
    env["GATEWAY_METRICS_PORT"] = inherited.get("GATEWAY_METRICS_PORT", str(layout.base_port + 200))
    gateway = next(service for service in SERVICES if service.name == "gateway")
    env["CARDS_PUBLIC_VERIFY_BASE_URL"] = inherited.get(
        "CARDS_PUBLIC_VERIFY_BASE_URL",
        f"http://127.0.0.1:{http_port(gateway, layout.base_port)}/api/v1/public/cards/verify/",
    )
    env["IDENTITY_BOOTSTRAP_ADMIN_USERNAME"] = inherited.get("IDENTITY_BOOTSTRAP_ADMIN_USERNAME", DEFAULT_ADMIN[0])
    env["IDENTITY_BOOTSTRAP_ADMIN_PASSWORD"] = inherited.get("IDENTITY_BOOTSTRAP_ADMIN_PASSWORD", DEFAULT_ADMIN[1])
    # Production requires TOTP of administrators; locally the bootstrap admin logs in with a password alone.
    env["IDENTITY_REQUIRE_TOTP_FOR_ADMINS"] = inherited.get("IDENTITY_REQUIRE_TOTP_FOR_ADMINS", "false")
    return env


def process_environment(process: Process, base_port: int) -> dict[str, str]:
    """What differs between two processes of one service: only the worker metrics port."""
    if process.command in WORKER_COMMANDS:
        port = metrics_port(process.service, process.command, base_port, process.instance)
        return {process.service.prefix + "METRICS_PORT": str(port)}
    return {}


def internal_token_secret(data_dir: Path) -> str:
    """Generated once per data dir so tokens survive restarts of single processes."""
    path = data_dir / "internal-token-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
