"""supervisord: its configuration file, starting it, and talking to it over XML-RPC on its unix socket."""

from __future__ import annotations

import hashlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport

FAILED_STATES = {"FATAL", "EXITED", "BACKOFF", "UNKNOWN"}
ACTIVE_STATES = {"STARTING", "RUNNING", "BACKOFF"}
_MAX_UNIX_SOCKET_PATH = 100  # Linux allows 107 bytes; pytest's tmp paths can be longer


@dataclass(frozen=True)
class Program:
    name: str
    argv: list[str]
    autostart: bool = False
    # Lower starts first and stops last: the broker outlives the services that publish to it.
    priority: int = 100
    # False for the development broker: the runner itself brings it back, refilled (Platform's broker watch).
    autorestart: bool = True
    environment: dict[str, str] = field(default_factory=dict)  # small, quote-free values only
    stopwaitsecs: int = 15


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def config(self) -> Path:
        return self.run_dir / "supervisord.conf"

    @property
    def socket(self) -> Path:
        path = self.run_dir / "supervisor.sock"
        if len(str(path).encode()) <= _MAX_UNIX_SOCKET_PATH:
            return path
        digest = hashlib.sha1(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"localrun-{digest}.sock"

    def program_log(self, program: str) -> Path:
        return self.log_dir / f"{program}.log"


def render_config(paths: Paths, programs: list[Program]) -> str:
    lines = [
        "[unix_http_server]",
        f"file={paths.socket}",
        "chmod=0700",
        "",
        "[supervisord]",
        f"logfile={paths.log_dir / 'supervisord.log'}",
        f"pidfile={paths.run_dir / 'supervisord.pid'}",
        f"childlogdir={paths.log_dir}",
        # Logs and the span file hold who did what: every file supervisord and the processes create is the
        # owner's alone (0600).
        "umask=077",
        "nodaemon=true",
        "loglevel=info",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{paths.socket}",
    ]
    for program in programs:
        lines += [
            "",
            f"[program:{program.name}]",
            f"command={shlex.join(program.argv)}",
            f"autostart={str(program.autostart).lower()}",
            f"autorestart={str(program.autorestart).lower()}",
            "startsecs=1",
            "startretries=5",
            f"priority={program.priority}",
            "stopasgroup=true",
            "killasgroup=true",
            f"stopwaitsecs={program.stopwaitsecs}",
            "redirect_stderr=true",
            f"stdout_logfile={paths.program_log(program.name)}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=2",
        ]
        if program.environment:
            pairs = ",".join(f'{key}="{value}"' for key, value in program.environment.items())
            lines.append(f"environment={pairs}")
    return "\n".join(lines).replace("%", "%%") + "\n"


class Supervisor:
    """A thin client of one supervisord; every call opens a fresh connection, so it is thread-safe."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    @property
    def rpc(self) -> xmlrpc.client.ServerProxy:
        transport = SupervisorTransport(None, None, f"unix://{self.paths.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def is_running(self) -> bool:
        try:
            return self.rpc.supervisor.getState()["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Error):
            return False

    def spawn(self, env: dict[str, str]) -> subprocess.Popen:
        """supervisord in the foreground of a child process, in its own session so Ctrl-C reaches us only."""
        self.paths.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        output = (self.paths.log_dir / "supervisord.out").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.paths.config)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_until_up(self, process: subprocess.Popen, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.is_running():
            if process.poll() is not None or time.monotonic() > deadline:
                output = self.tail_file(self.paths.log_dir / "supervisord.out")
                raise RuntimeError(f"supervisord did not start:\n{output}")
            time.sleep(0.05)

    def state(self, program: str) -> str:
        return self.info(program)["statename"]

    def info(self, program: str) -> dict:
        return self.rpc.supervisor.getProcessInfo(program)

    def all_processes(self) -> list[dict]:
        return self.rpc.supervisor.getAllProcessInfo()

    def start(self, program: str, wait: bool = True) -> None:
        try:
            self.rpc.supervisor.startProcess(program, wait)
        except xmlrpc.client.Fault as fault:
            if "ALREADY_STARTED" not in fault.faultString:
                raise RuntimeError(f"{program} did not start ({fault.faultString}):\n{self.tail(program)}") from None

    def stop(self, program: str) -> None:
        try:
            self.rpc.supervisor.stopProcess(program, True)
        except xmlrpc.client.Fault as fault:
            if "NOT_RUNNING" not in fault.faultString:
                raise

    def shutdown(self, last: tuple[str, ...] = (), timeout: float = 90.0) -> None:
        """Stop every program, those in `last` after all others, then supervisord itself.

        supervisord alone would stop its programs one after another, about half a second each.
        """
        try:
            self.stop_many([info["name"] for info in self.all_processes() if info["name"] not in last], timeout)
            # Stopped here: under supervisord's own shutdown the broker took its full 5 s graceful stop.
            self.stop_many(list(last), timeout)
            self.rpc.supervisor.shutdown()
        except (OSError, xmlrpc.client.Error):
            return
        deadline = time.monotonic() + timeout
        while self.paths.socket.exists() and self.is_running_or_stopping() and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop_many(self, names: list[str], timeout: float = 60.0, kill: bool = False) -> None:
        """Stop these programs in parallel and wait until none is active. `kill`: SIGKILL each once supervisord
        stops it (so it does not restart it), for processes with nothing to finish gracefully."""
        for name in names:
            try:
                pid = self.info(name)["pid"]
                self.rpc.supervisor.stopProcess(name, False)
                if kill and pid:
                    os.kill(pid, signal.SIGKILL)
            except (xmlrpc.client.Fault, ProcessLookupError):
                pass  # not running: nothing to stop
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(
            info["statename"] in ACTIVE_STATES | {"STOPPING"} for info in self.all_processes() if info["name"] in names
        ):
            time.sleep(0.1)

    def is_running_or_stopping(self) -> bool:
        try:
            self.rpc.supervisor.getState()
            return True
        except (OSError, xmlrpc.client.Error):
            return False

    def tail(self, program: str, lines: int = 40) -> str:
        return self.tail_file(self.paths.program_log(program), lines)

    @staticmethod
    def tail_file(path: Path, lines: int = 40) -> str:
        if not path.exists():
            return f"(no log at {path})"
        text = "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return text or f"(its log {path} is empty)"
