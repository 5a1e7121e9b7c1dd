"""The whole platform on one machine: PostgreSQL, the broker, topics, migrations, then every process."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import importlib.util
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from chassis.database import asyncpg_dsn

from localrun import demo
from localrun.infra import embedded_postgres_pid, ensure_postgres, stop_embedded_postgres, tansu_binary
from localrun.services import (
    SERVICES,
    SERVICES_BY_NAME,
    Layout,
    Process,
    Service,
    database_url,
    environment,
    http_port,
    internal_token_secret,
    metrics_port,
    process_environment,
    processes,
)
from localrun.supervision import FAILED_STATES, Paths, Program, Supervisor, render_config

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "broker"
# The beginning of every outbox: a refilled broker gets each service's whole event history.
HISTORY_START = "1970-01-01T00:00:00+00:00"


class PlatformError(RuntimeError):
    pass


@dataclass(frozen=True)
class BrokerRecovery:
    """When the broker watch noticed a crashed broker and when every Kafka client was ready again (monotonic)."""

    noticed: float
    ready: float
    refill: Refill | None = None

    @property
    def seconds(self) -> float:
        return self.ready - self.noticed


@dataclass(frozen=True)
class Refill:
    """What refilling a broker took: events republished per service, and how long it took."""

    events: dict[str, int]
    seconds: float


class Platform:
    """Use as a context manager, or `start()` / `stop()`; blocking, so call it from sync code or fixtures.

    `services=None` runs every service whose module is installed and warns about the rest;
    an explicit list must all be installed. `bootstrap_servers` points at an existing Kafka
    (then no development broker is started). Two platforms on one PostgreSQL server share
    their databases unless their `database_prefix` differs.
    """

    def __init__(
        self,
        data_dir: Path,
        base_port: int = 8000,
        broker_port: int = 9092,
        database_url: str | None = None,
        demo_data: bool = True,
        services: Iterable[str] | None = None,
        database_prefix: str = "congdoan_",
        bootstrap_servers: str | None = None,
        ready_timeout: float = 180.0,
        settings: dict[str, str] | None = None,
        scale: dict[str, int] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.base_port = base_port
        self.broker_port = broker_port
        self.database_url = database_url or DEFAULT_DATABASE_URL
        self.demo_data = demo_data
        self.own_broker = bootstrap_servers is None
        self.bootstrap_servers = bootstrap_servers or f"127.0.0.1:{broker_port}"
        self.ready_timeout = ready_timeout
        # Settings of the processes beyond the runner's own (e.g. GATEWAY_RATE_LIMIT_LOGIN_BURST for tests).
        self.settings = dict(settings or {})
        self.database_prefix = database_prefix
        self.scale = dict(scale or {})  # worker processes per service and command: {"reporting.consume": 2}
        self.paths = Paths(self.data_dir)
        self.supervisor = Supervisor(self.paths)
        self.services, self.missing = _select(services)
        self.server_url: str | None = None
        self.demo_error: BaseException | None = None
        self._supervisord: subprocess.Popen | None = None
        self._owns_postgres = False
        # One broker restart at a time, whether a caller or the broker watch asks for it.
        self._broker_lock = threading.RLock()
        self._watching = threading.Event()
        self._watch: threading.Thread | None = None
        self.broker_recoveries: list[BrokerRecovery] = []
        self.last_refill: Refill | None = None
        self._broker_pid: int | None = None  # the broker the runner started (and provisioned, and refilled)

    # --- what callers read -------------------------------------------------------------
    @property
    def processes(self) -> list[Process]:
        return processes(self.services, self.scale)

    @property
    def urls(self) -> dict[str, str]:
        return {s.name: f"http://127.0.0.1:{http_port(s, self.base_port)}" for s in self.services}

    @property
    def gateway_url(self) -> str:
        return self.urls["gateway"]

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def spans_path(self) -> Path:
        return self.data_dir / "spans.jsonl"

    def layout(self) -> Layout:
        if self.server_url is None:
            raise PlatformError("PostgreSQL is not known yet: call start() first")
        return Layout(
            self.server_url,
            self.bootstrap_servers,
            self.base_port,
            self.data_dir,
            internal_token_secret(self.data_dir),
            self.database_prefix,
        )

    @property
    def environment(self) -> dict[str, str]:
        """The environment every process runs with: use it to run `python -m <service> replay` and such."""
        return {**os.environ, **environment(self.layout()), **self.settings}

    def database_dsn(self, service: str) -> str:
        """The service's database as a plain DSN for asyncpg.connect."""
        url = database_url(self.layout().server_url, SERVICES_BY_NAME[service], self.database_prefix)
        return asyncpg_dsn(url)

    def metrics_url(self, service: str, command: str, instance: int = 1) -> str:
        """Prometheus metrics of a worker process (`consume` or `relay`)."""
        port = metrics_port(SERVICES_BY_NAME[service], command, self.base_port, instance)
        return f"http://127.0.0.1:{port}/metrics"

    def kill(self, program: str) -> int:
        """SIGKILL one program, as a crashed machine would; supervisord starts it again, as Kubernetes would.
        Returns the killed process id."""
        pid = self.supervisor.info(program)["pid"]
        if not pid:
            raise PlatformError(f"{program} is not running")
        os.kill(pid, signal.SIGKILL)
        return pid

    def programs(self) -> list[Program]:
        broker = []
        if self.own_broker:
            url = f"tcp://127.0.0.1:{self.broker_port}"
            argv = [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ]
            # Its storage is memory only: a graceful stop (about 5 s with clients connected) saves nothing.
            # Not restarted by supervisord: a broker back empty must be provisioned and refilled before any client
            # reaches it (`_watch_broker`).
            broker = [Program(BROKER, argv, autostart=True, priority=1, stopwaitsecs=2, autorestart=False)]
        return broker + [
            Program(
                p.program,
                p.argv,
                priority=200 if p.service.name == "gateway" else 100,
                environment=process_environment(p, self.base_port),
            )
            for p in self.processes
        ]

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> Platform:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        for name, reason in self.missing.items():
            log.warning("not running %s: %s", name, reason)
        self._check_nothing_in_the_way()
        already_running = embedded_postgres_pid(self.pg_dir) is not None
        self.server_url = _blocking(ensure_postgres, self.database_url.replace("+asyncpg", "", 1), self.pg_dir)
        # Stop only an embedded server this platform started: a running one may serve someone else.
        self._owns_postgres = not already_running and embedded_postgres_pid(self.pg_dir) is not None
        self.paths.run_dir.mkdir(parents=True, exist_ok=True)
        self.paths.config.write_text(render_config(self.paths, self.programs()))
        self._supervisord = self.supervisor.spawn(self.environment)
        atexit.register(self.stop)
        self.supervisor.wait_until_up(self._supervisord)
        if self.own_broker:
            self._await_broker()
            self._broker_pid = self.supervisor.info(BROKER)["pid"]
        self._provision()
        self._migrate()
        for process in self.processes:
            self.supervisor.start(process.program, wait=False)
        self._await_ready(self.processes)
        (self.paths.run_dir / "urls.json").write_text(json.dumps(self.urls, indent=2))
        if self.demo_data and "gateway" in self.urls:
            self._seed()
        if self.own_broker:
            self._watching.set()
            self._watch = threading.Thread(target=self._watch_broker, name="broker-watch", daemon=True)
            self._watch.start()

    def stop(self) -> None:
        """Stop every program (gateway, services, then the broker) and supervisord. Safe to call twice."""
        atexit.unregister(self.stop)
        self._watching.clear()
        if self._watch is not None and self._watch is not threading.current_thread():
            self._watch.join(timeout=60)
            self._watch = None
        if self._supervisord is not None:  # never another platform's supervisord on the same data dir
            self.supervisor.shutdown(last=(BROKER,))
            try:
                self._supervisord.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._supervisord.kill()
                self._supervisord.wait()
            self._supervisord = None
        if self._owns_postgres:
            stop_embedded_postgres(self.pg_dir)
            self._owns_postgres = False

    def wait(self) -> int:
        """Block until supervisord exits (it should not, until stop())."""
        if self._supervisord is None:
            raise PlatformError("not started")
        return self._supervisord.wait()

    def restart(self, *programs: str, while_stopped: Callable[[], None] | None = None, kill: bool = False) -> None:
        """Restart these programs together and wait until they are ready again (`kill`: stopped by SIGKILL)."""
        self.supervisor.stop_many(list(programs), kill=kill)
        if while_stopped is not None:
            while_stopped()
        for program in programs:
            self.supervisor.start(program, wait=False)
        self._await_ready([p for p in self.processes if p.program in programs])

    def stop_broker(self) -> None:
        self._require_own_broker()
        with self._broker_lock:
            self.supervisor.stop(BROKER)

    def start_broker(self, crashed: bool = False) -> None:
        """An in-memory broker comes back empty, so every process that talks to Kafka starts afresh.

        Kafka clients do not recover from an emptied broker, and one still running when it comes back
        can write into it before it is provisioned: a consumer's old offsets committed into the new
        group skip the events published since. So they stop first; the broker starts, is provisioned and
        refilled from every service's outbox (`replay`); then they start again and find the history
        they had before: the gateway its unit tree and revocations, each consumer the events its inbox
        already holds. After a crash they are stopped by SIGKILL: waiting for a graceful stop against a
        dead broker took up to `stopwaitsecs` each, and none holds anything its restart would not redo.
        """
        self._require_own_broker()
        with self._broker_lock:
            self.restart(
                *(p.program for p in self.processes if p.command != "api" or p.service.name == "gateway"),
                while_stopped=self._start_refilled_broker,
                kill=crashed,
            )

    def _start_refilled_broker(self) -> None:
        self.supervisor.start(BROKER)
        self._await_broker()
        self._broker_pid = self.supervisor.info(BROKER)["pid"]
        self._provision()
        self._refill()

    def _refill(self) -> None:
        """Every service's outbox, republished from its beginning, all services at once."""
        started = time.monotonic()
        env = self.environment
        running = {
            service.name: subprocess.Popen(
                [sys.executable, "-m", service.module, "replay", "--since", HISTORY_START],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for service in self.services
            if service.migrate
        }
        failed, events = {}, {}
        for name, process in running.items():
            output, _ = process.communicate(timeout=600)
            if process.returncode != 0:
                failed[name] = output[-3000:]
            elif found := re.search(r"republished (\d+) events", output):
                events[name] = int(found[1])
        if failed:
            raise PlatformError("refilling the broker failed: " + "\n".join(f"--- {n}\n{o}" for n, o in failed.items()))
        self.last_refill = Refill(events, time.monotonic() - started)
        log.info(
            "broker refilled with %d events from %d outboxes in %.1f s",
            sum(events.values()),
            len(running),
            self.last_refill.seconds,
        )

    def restart_broker(self) -> None:
        with self._broker_lock:
            self.stop_broker()
            self.start_broker()

    def _watch_broker(self) -> None:
        """A broker that exited on its own (crash, SIGKILL) comes back empty: restart it refilled, and every
        Kafka client with it, as `start_broker` does. A broker stopped on purpose (`stop_broker`) stays down."""
        while self._watching.is_set():
            try:
                with self._broker_lock:
                    info = self.supervisor.info(BROKER)
                    crashed = info["statename"] in FAILED_STATES
                    # Restarted behind the runner's back (`supervisorctl restart broker`): empty as well, and
                    # clients may already have auto-created topics in it; so it is stopped and started afresh.
                    replaced = info["statename"] == "RUNNING" and info["pid"] != self._broker_pid
                    if (crashed or replaced) and self._watching.is_set():
                        noticed = time.monotonic()
                        log.warning(
                            "the broker %s; restarting it and refilling it from the outboxes",
                            "exited" if crashed else "was restarted",
                        )
                        self.supervisor.stop(BROKER)
                        self.start_broker(crashed=True)
                        self.broker_recoveries.append(BrokerRecovery(noticed, time.monotonic(), self.last_refill))
            except Exception as error:  # supervisord going away at stop(); or a failed recovery, retried
                if self._watching.is_set():
                    log.warning("broker watch: %r", error)
            time.sleep(0.25)

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- steps -------------------------------------------------------------------------
    def _check_nothing_in_the_way(self) -> None:
        if self.supervisor.is_running_or_stopping():
            raise PlatformError(
                f"a platform is already running from {self.data_dir}: run `python -m localrun down` first"
            )
        wanted = {self.broker_port: "broker"} if self.own_broker else {}
        for p in self.processes:
            port = (
                http_port(p.service, self.base_port)
                if p.command == "api"
                else metrics_port(p.service, p.command, self.base_port, p.instance)
            )
            if port in wanted:
                raise PlatformError(f"port {port} is wanted by both {wanted[port]} and {p.program}")
            wanted[port] = p.program
        busy = [f"{port} ({name})" for port, name in wanted.items() if not _port_free(port)]
        if busy:
            raise PlatformError(
                f"ports in use: {', '.join(busy)}; another platform running? "
                "choose another base_port/broker_port or run `python -m localrun down`"
            )

    def _await_broker(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not _listening(self.broker_port):
            if time.monotonic() > deadline or self.supervisor.state(BROKER) in FAILED_STATES:
                raise PlatformError(f"the broker did not listen on {self.broker_port}:\n{self.supervisor.tail(BROKER)}")
            time.sleep(0.02)

    def _provision(self, attempts: int = 20) -> None:
        from chassis.kafka import provision_topics
        from chassis.settings import ServiceSettings

        # Unprefixed KAFKA_* (security, replication factor) come from the environment.
        settings = ServiceSettings(kafka_bootstrap_servers=self.bootstrap_servers)
        for attempt in range(attempts):
            try:
                created = _run(provision_topics(settings))
                log.info("topics ready (%d created)", len(created))
                return
            except Exception as error:  # a broker that just opened its port may refuse for a moment
                if attempt == attempts - 1:
                    raise PlatformError(f"could not provision topics on {self.bootstrap_servers}: {error!r}") from error
                time.sleep(0.5)

    def _migrate(self) -> None:
        env = self.environment
        for service in self.services:
            if not service.migrate:
                continue
            log.info("migrating %s", service.name)
            result = subprocess.run(
                [sys.executable, "-m", service.module, "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=600,
            )
            if result.returncode != 0:
                raise PlatformError(
                    f"`python -m {service.module} migrate` failed (exit {result.returncode}):\n{result.stdout[-6000:]}"
                )

    def _await_ready(self, pending: list[Process]) -> None:
        """Each process answers its readiness URL, or we stop waiting at the first that gave up."""
        urls = {p.program: _ready_url(p, self.base_port) for p in pending}
        pids: dict[str, int] = {}
        deadline = time.monotonic() + self.ready_timeout
        with httpx.Client(timeout=2.0) as client:
            while urls:
                for program, url in list(urls.items()):
                    try:
                        info = self.supervisor.info(program)
                    except OSError as error:
                        raise PlatformError(f"supervisord went away ({error}); see {self.paths.log_dir}") from None
                    # A process that exits before it is ready is broken, even if supervisord restarts it.
                    restarted = info["pid"] and pids.setdefault(program, info["pid"]) != info["pid"]
                    if info["statename"] in FAILED_STATES or restarted:
                        raise PlatformError(
                            f"{program} exited before it was ready ({info['statename']}, "
                            f"{info['description']}):\n{self.supervisor.tail(program)}"
                        )
                    try:
                        if client.get(url).status_code == 200:
                            del urls[program]
                    except httpx.HTTPError:
                        pass
                if urls and time.monotonic() > deadline:
                    details = "\n\n".join(
                        f"--- {name} ({url})\n{self.supervisor.tail(name, 15)}" for name, url in urls.items()
                    )
                    raise PlatformError(f"not ready after {self.ready_timeout:.0f}s:\n{details}")
                time.sleep(0.2)

    def _seed(self) -> None:
        try:
            _run(demo.seed(self.gateway_url))
        except Exception as error:  # the platform itself is fine; say exactly what failed
            self.demo_error = error
            log.exception("loading demo data failed; the platform runs without it")

    def _require_own_broker(self) -> None:
        if not self.own_broker:
            raise PlatformError(f"the broker at {self.bootstrap_servers} is not run by this platform")


def _select(names: Iterable[str] | None) -> tuple[tuple[Service, ...], dict[str, str]]:
    """The services to run and, when chosen automatically, those skipped with the reason."""
    if names is None:
        missing = {s.name: reason for s in SERVICES if (reason := _not_runnable(s))}
        return tuple(s for s in SERVICES if s.name not in missing), missing
    unknown = set(names) - set(SERVICES_BY_NAME)
    if unknown:
        raise PlatformError(f"unknown services: {sorted(unknown)}; known: {list(SERVICES_BY_NAME)}")
    chosen = tuple(s for s in SERVICES if s.name in set(names))
    problems = {s.name: reason for s in chosen if (reason := _not_runnable(s))}
    if problems:
        raise PlatformError("cannot run: " + "; ".join(f"{n}: {r}" for n, r in problems.items()))
    return chosen, {}


def _not_runnable(service: Service) -> str | None:
    try:
        found = importlib.util.find_spec(f"{service.module}.__main__")
    except Exception as error:  # a half-written package fails to import: report, don't crash
        return f"`import {service.module}` fails: {error!r}"
    return None if found else f"`python -m {service.module}` does not exist yet (no {service.module}/__main__.py)"


def _ready_url(process: Process, base_port: int) -> str:
    if process.command == "api":
        return f"http://127.0.0.1:{http_port(process.service, base_port)}{process.service.ready_path}"
    return f"http://127.0.0.1:{metrics_port(process.service, process.command, base_port, process.instance)}/ready"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run that also works when the caller already runs an event loop (async fixtures)."""
    return _blocking(asyncio.run, coroutine)


def _blocking(function, *args):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()
