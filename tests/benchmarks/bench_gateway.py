"""Gateway benchmark (issue 4). A script, not a test: `uv run python tests/benchmarks/bench_gateway.py`.

One run, everything on 127.0.0.1:
- a development broker (Tansu) holding `orgtree.unit.v1` with a synthetic national tree (`--units`,
  default 150,000 UnitCreated events built with the contracts' Envelope), for the gateway's unit tree;
- the orgtree API (`python -m orgtree api`, subprocess) on a freshly migrated database `bench_gateway_orgtree`
  (dropped at the end unless `--keep`);
- a JWKS stub (a thread here) publishing an Ed25519 key generated for this run, in place of identity;
- the gateway (`python -m gateway`, subprocess) in front of both, with its scope precheck on.
A load tool in another process (`wrk`, falling back to an httpx loop in a subprocess when wrk is missing)
reads `GET /api/v1/orgtree/units/{national centre}` directly (signed internal token) and through the
gateway (EdDSA access token), alternating, `--rounds` times each, bounded by `--duration` seconds a run.
Goals: gateway throughput >= 70 % of direct; added p50 latency < 2 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import jwt  # noqa: E402
from aiokafka import AIOKafkaProducer  # noqa: E402
from chassis import migrations  # noqa: E402
from chassis.kafka import provision_topics  # noqa: E402
from chassis.principal import Grant, Principal, issue_internal_token  # noqa: E402
from chassis.settings import ServiceSettings  # noqa: E402
from contracts.envelope import Envelope  # noqa: E402
from contracts.events.orgtree_unit_v1 import UnitCreated, UnitState  # noqa: E402
from contracts.wellknown import NATIONAL_CENTRE_ID  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from tests.support.infra import free_port, fresh_database, postgres_url, start_broker  # noqa: E402

ORGTREE_MIGRATIONS = ROOT / "services" / "orgtree" / "src" / "orgtree" / "migrations"
SECRET = "bench-internal-secret-0123456789-abcdefghijklmnop"
AUDIENCE = "congdoan-services"
KID = "bench-key-1"
HOST = "127.0.0.1"
TARGET = f"/api/v1/orgtree/units/{NATIONAL_CENTRE_ID}"


# ---- the pieces ---------------------------------------------------------------------------------


def jwks_stub(private_key: Ed25519PrivateKey) -> tuple[ThreadingHTTPServer, str]:
    """Serves identity's JWKS path with this run's public key (the only identity call the gateway makes)."""
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = json.dumps(
        {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": "EdDSA",
                    "use": "sig",
                    "kid": KID,
                    "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
                }
            ]
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200 if self.path.endswith("/.well-known/jwks.json") else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((HOST, free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}"


def access_token(private_key: Ed25519PrivateKey, user_id: uuid.UUID) -> str:
    now = int(time.time())
    claims = {
        "iss": "congdoan-identity",
        "aud": "congdoan",
        "sub": str(user_id),
        "usr": "bench.admin",
        "name": "Bench",
        "grants": [{"role": "national_admin", "unit_id": str(NATIONAL_CENTRE_ID)}],
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, private_key, algorithm="EdDSA", headers={"kid": KID, "typ": "JWT"})


def internal_token(user_id: uuid.UUID) -> str:
    """What the gateway would forward; valid 60 s, so one is minted per run."""
    principal = Principal(
        user_id=user_id,
        username="bench.admin",
        grants=(Grant("national_admin", NATIONAL_CENTRE_ID),),
        request_id="bench",
        client_ip=HOST,
    )
    return issue_internal_token(principal, SECRET, AUDIENCE)


async def publish_tree(bootstrap: str, units: int) -> float:
    """`units` UnitCreated events below the national centre: provinces, upper-level unions, grassroots."""
    await provision_topics(ServiceSettings(kafka_bootstrap_servers=bootstrap))
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, compression_type="lz4", linger_ms=10, max_batch_size=256 * 1024
    )
    await producer.start()
    started = time.perf_counter()
    try:

        def state(unit_id, parent_id, code):
            return UnitState(
                unit_id=unit_id,
                code=code,
                name=f"Công đoàn {code}",
                type_code="grassroots_union",
                parent_id=parent_id,
                effective_from=date(2025, 7, 1),
                version=1,
            )

        centre = Envelope.wrap(
            UnitCreated(unit_id=NATIONAL_CENTRE_ID, unit=state(NATIONAL_CENTRE_ID, None, "TLD")), "/services/orgtree"
        )
        await producer.send_and_wait("orgtree.unit.v1", centre.data, key=centre.key, headers=centre.kafka_headers())
        parents = [NATIONAL_CENTRE_ID]
        levels = [(34, "provincial_federation"), (1_190, "upper"), (units, "grassroots")]
        made, pending = 0, []
        for size, name in levels:
            level = []
            for index in range(size):
                if made >= units:
                    break
                unit_id = uuid.uuid4()
                envelope = Envelope.wrap(
                    UnitCreated(unit_id=unit_id, unit=state(unit_id, parents[index % len(parents)], f"{name}-{index}")),
                    "/services/orgtree",
                )
                pending.append(
                    producer.send("orgtree.unit.v1", envelope.data, key=envelope.key, headers=envelope.kafka_headers())
                )
                level.append(unit_id)
                made += 1
                if len(pending) >= 5_000:
                    await asyncio.gather(*pending)
                    pending = []
            parents = level or parents
        await asyncio.gather(*pending)
        await producer.flush()
    finally:
        await producer.stop()
    return time.perf_counter() - started


def spawn(module_args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = open(log, "wb")
    return subprocess.Popen(
        [sys.executable, "-m", *module_args],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def wait_ready(url: str, accept=lambda body: True, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=2)
            last = response.text
            if response.status_code == 200 and accept(response.json()):
                return response.json()
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout}s: {last}")


# ---- the load -----------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, header: str, connections: int, duration: int) -> dict:
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "--latency",
            "-H",
            header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = {int(p): _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50": percentiles[50],
        "p90": percentiles[90],
        "p99": percentiles[99],
        "requests": total,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


HTTPX_LOOP = r"""
import asyncio, json, sys, time, httpx
url, name, value, connections, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
async def main():
    times, bad = [], 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as http:
        deadline = time.monotonic() + duration
        async def worker():
            nonlocal bad
            while time.monotonic() < deadline:
                t = time.perf_counter(); r = await http.get(url, headers={name: value})
                times.append((time.perf_counter() - t) * 1000); bad += r.status_code != 200
        started = time.monotonic(); await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    times.sort()
    q = lambda f: times[min(len(times) - 1, int(f * len(times)))]
    print(json.dumps({"rps": len(times) / elapsed, "p50": q(.5), "p90": q(.9), "p99": q(.99), "requests": len(times),
                      "non2xx": bad, "socket_errors": ""}))
asyncio.run(main())
"""


def httpx_loop(url: str, header: str, connections: int, duration: int) -> dict:
    name, value = header.split(": ", 1)
    out = subprocess.run(
        [sys.executable, "-c", HTTPX_LOOP, url, name, value, str(connections), str(duration)],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    return json.loads(out)


def load(tool, url: str, header: str, connections: int, duration: int) -> dict:
    assert url.startswith(f"http://{HOST}:"), "load only against this machine"
    return tool(url, header, connections, duration)


# ---- the run ------------------------------------------------------------------------------------


async def prepare(args, server: str) -> str:
    url = await fresh_database(server, "bench_gateway_orgtree")
    await asyncio.to_thread(migrations.upgrade, url, ORGTREE_MIGRATIONS)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=150_000, help="units in the gateway's tree (events on the topic)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run (at most 50)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for the throughput runs")
    parser.add_argument("--rounds", type=int, default=2, help="direct/gateway pairs per concurrency")
    parser.add_argument("--tool", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    args.duration = min(args.duration, 50)  # the direct runs' internal token lives 60 s
    tool = wrk if args.tool == "wrk" else httpx_loop

    server = postgres_url()
    database_url = asyncio.run(prepare(args, server))
    broker = start_broker()
    logs = Path(tempfile.mkdtemp(prefix="bench_gateway_"))
    processes: list[subprocess.Popen] = []
    stub = None
    try:
        published_s = asyncio.run(publish_tree(broker.bootstrap, args.units))
        private_key = Ed25519PrivateKey.generate()
        stub, stub_url = jwks_stub(private_key)
        orgtree_port, gateway_port = free_port(), free_port()
        processes.append(
            spawn(
                ["orgtree", "api"],
                {
                    "ORGTREE_DATABASE_URL": database_url,
                    "ORGTREE_HTTP_HOST": HOST,
                    "ORGTREE_HTTP_PORT": str(orgtree_port),
                    "ORGTREE_INTERNAL_TOKEN_SECRET": SECRET,
                    "ORGTREE_LOG_LEVEL": "WARNING",
                    "ORGTREE_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                },
                logs / "orgtree.log",
            )
        )
        gateway_started = time.monotonic()
        processes.append(
            spawn(
                ["gateway"],
                {
                    "GATEWAY_HTTP_HOST": HOST,
                    "GATEWAY_HTTP_PORT": str(gateway_port),
                    "GATEWAY_ORGTREE_URL": f"http://{HOST}:{orgtree_port}",
                    "GATEWAY_IDENTITY_URL": stub_url,
                    "GATEWAY_INTERNAL_TOKEN_SECRET": SECRET,
                    "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                    "GATEWAY_LOG_LEVEL": "WARNING",
                    "GATEWAY_UNIT_SCOPE_CHECK": "true",
                    # The load comes from one IP and one user: the limits are not what is measured.
                    "GATEWAY_RATE_LIMIT_IP_PER_MINUTE": "1e9",
                    "GATEWAY_RATE_LIMIT_IP_BURST": "1000000000",
                    "GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "1e9",
                    "GATEWAY_RATE_LIMIT_USER_BURST": "1000000000",
                },
                logs / "gateway.log",
            )
        )
        wait_ready(f"http://{HOST}:{orgtree_port}/ready")
        expected = args.units + 1  # the synthetic units and the national centre
        ready = wait_ready(
            f"http://{HOST}:{gateway_port}/ready", lambda body: body.get("tree_units", 0) >= expected, timeout=300
        )
        catch_up_s = time.monotonic() - gateway_started
        gateway_rss_mb = _rss_mb(processes[1].pid)
        print(
            f"tree: {args.units} events published in {published_s:.1f} s; gateway ready with "
            f"{ready['tree_units']} units {catch_up_s:.1f} s after start, RSS {gateway_rss_mb:.0f} MB",
            flush=True,
        )

        user_id = uuid.uuid4()
        token = access_token(private_key, user_id)
        direct_url = f"http://{HOST}:{orgtree_port}{TARGET}"
        gateway_url = f"http://{HOST}:{gateway_port}{TARGET}"
        check = httpx.get(gateway_url, headers={"authorization": f"Bearer {token}"})
        assert check.status_code == 200, check.text
        assert httpx.get(direct_url, headers={"x-internal-token": internal_token(user_id)}).status_code == 200

        results: dict[tuple[str, int], list[dict]] = {}
        for connections in (1, args.connections):
            # Warm-up of both paths (connection pools, caches) before anything is counted.
            load(tool, direct_url, f"x-internal-token: {internal_token(user_id)}", connections, 2)
            load(tool, gateway_url, f"authorization: Bearer {token}", connections, 2)
            for _ in range(args.rounds):
                for path, url, header in (
                    ("direct", direct_url, None),
                    ("gateway", gateway_url, f"authorization: Bearer {token}"),
                ):
                    header = header or f"x-internal-token: {internal_token(user_id)}"
                    result = load(tool, url, header, connections, args.duration)
                    results.setdefault((path, connections), []).append(result)
                    print(
                        f"  c={connections:<3} {path:<8} {result['rps']:8.0f} req/s  p50 {result['p50']:.2f} ms  "
                        f"p90 {result['p90']:.2f} ms  p99 {result['p99']:.2f} ms  non-2xx {result['non2xx']} "
                        f"{result['socket_errors']}",
                        flush=True,
                    )
        report(args, results, catch_up_s, gateway_rss_mb, published_s)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if stub is not None:
            stub.shutdown()
        broker.stop()
        if not args.keep:
            asyncio.run(_drop(server, database_url))
        print(f"logs: {logs}")


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def _drop(server: str, url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


def report(args, results, catch_up_s: float, rss_mb: float, published_s: float) -> None:
    def med(path: str, connections: int, key: str) -> float:
        return statistics.median(r[key] for r in results[(path, connections)])

    c = args.connections
    ratio = med("gateway", c, "rps") / med("direct", c, "rps")
    added_p50_1 = med("gateway", 1, "p50") - med("direct", 1, "p50")
    added_p50_c = med("gateway", c, "p50") - med("direct", c, "p50")
    print()
    print("| What | Direct | Through the gateway | Goal | Result |")
    print("|---|---|---|---|---|")
    print(
        f"| Throughput, {c} connections | {med('direct', c, 'rps'):,.0f} req/s | {med('gateway', c, 'rps'):,.0f} "
        f"req/s | ≥ 70 % | **{ratio:.0%}** |"
    )
    print(
        f"| p50 latency, 1 connection | {med('direct', 1, 'p50'):.2f} ms | {med('gateway', 1, 'p50'):.2f} ms | "
        f"added < 2 ms | **+{added_p50_1:.2f} ms** |"
    )
    print(
        f"| p50 latency, {c} connections | {med('direct', c, 'p50'):.2f} ms | {med('gateway', c, 'p50'):.2f} ms | "
        f"– | +{added_p50_c:.2f} ms |"
    )
    print(
        f"| p99 latency, 1 / {c} connections | {med('direct', 1, 'p99'):.2f} / {med('direct', c, 'p99'):.2f} ms | "
        f"{med('gateway', 1, 'p99'):.2f} / {med('gateway', c, 'p99'):.2f} ms | – | |"
    )
    print(
        f"| Unit tree: {args.units:,} events read at start | | {catch_up_s:.1f} s to ready, RSS {rss_mb:.0f} MB "
        f"| – | published in {published_s:.1f} s |"
    )
    print(
        f"\ntool {args.tool}, {args.duration} s per run, {args.rounds} rounds per path (medians), load average "
        f"{os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
