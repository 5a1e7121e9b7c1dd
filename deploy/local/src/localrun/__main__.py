"""`python -m localrun up | down | status`: the whole platform on this machine.

Environment: CONGDOAN_DATA_DIR (default <repo>/.data/local), DATABASE_URL (a PostgreSQL
server; embedded PostgreSQL when unreachable), KAFKA_BOOTSTRAP_SERVERS (an existing Kafka:
then no development broker is started).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from localrun.demo import ADMIN_PASSWORD, ADMIN_USERNAME
from localrun.demo_people import ACCOUNTS, DEMO_PASSWORD
from localrun.infra import stop_embedded_postgres
from localrun.platform import BROKER, Platform, PlatformError
from localrun.services import ONE_MACHINE_SCALE, parse_scale
from localrun.supervision import Paths, Supervisor


def repo_root() -> Path:
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for directory in (start, *start.parents):
            pyproject = directory / "pyproject.toml"
            if pyproject.is_file() and "[tool.uv.workspace]" in pyproject.read_text():
                return directory
    raise SystemExit("cannot find the repository root (pyproject.toml with [tool.uv.workspace]); set CONGDOAN_DATA_DIR")


def data_dir() -> Path:
    override = os.environ.get("CONGDOAN_DATA_DIR")
    return Path(override) if override else repo_root() / ".data" / "local"


def up(args: argparse.Namespace) -> int:
    def interrupt(*_: object) -> None:
        # Once only: a terminal's Ctrl-C may arrive twice (directly and forwarded by `uv run`),
        # and a second one must not cut the orderly stop short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    platform = Platform(
        data_dir(),
        base_port=args.base_port,
        broker_port=args.broker_port,
        database_url=os.environ.get("DATABASE_URL"),
        demo_data=not args.no_demo_data,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        scale={**ONE_MACHINE_SCALE, **args.scale},
    )
    try:
        platform.start()
        _print_summary(platform)
        if code := platform.wait():
            print(f"supervisord exited unexpectedly ({code}); see {platform.paths.log_dir}", file=sys.stderr)
            return 1
        print("stopped by `python -m localrun down`", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
        return 0
    except PlatformError as error:
        print(f"\nlocalrun: {error}", file=sys.stderr)
        return 1
    finally:
        platform.stop()


def _print_summary(platform: Platform) -> None:
    urls = platform.urls
    if "gateway" in urls:
        print(f"\nWeb app and gateway: {urls['gateway']}")
        if platform.demo_data:
            print(f"  demo accounts: {ADMIN_USERNAME} / {ADMIN_PASSWORD} (quản trị toàn quốc)")
            for account in ACCOUNTS:
                print(f"                 {account.username} / {DEMO_PASSWORD} ({account.what})")
    for name, url in urls.items():
        if name != "gateway":
            print(f"  {name:<10} {url}")
    print(f"  {'kafka':<10} {platform.bootstrap_servers}")
    print(f"  {'logs':<10} {platform.paths.log_dir}")
    for name, reason in platform.missing.items():
        print(f"  NOT RUNNING {name}: {reason}")
    if platform.demo_error is not None:
        print(f"  DEMO DATA FAILED: {platform.demo_error!r} (see the log above)")
    print("Ctrl-C stops everything.", flush=True)


def down(_: argparse.Namespace) -> int:
    supervisor = Supervisor(Paths(data_dir()))
    if supervisor.is_running_or_stopping():
        supervisor.shutdown(last=(BROKER,))
        print("stopped")
    else:
        print("not running")
    stop_embedded_postgres(data_dir() / "pg")  # left behind when `up` was killed
    return 0


def status(_: argparse.Namespace) -> int:
    paths = Paths(data_dir())
    supervisor = Supervisor(paths)
    if not supervisor.is_running_or_stopping():
        print(f"not running (data in {paths.data_dir})")
        return 3
    for info in supervisor.all_processes():
        print(f"{info['name']:<20} {info['statename']:<9} {info['description']}")
    urls = paths.run_dir / "urls.json"
    if urls.exists():
        for name, url in json.loads(urls.read_text()).items():
            print(f"{name:<20} {url}")
    return 0


def openapi(args: argparse.Namespace) -> int:
    from localrun import openapi as document

    if args.check:
        if document.stale():
            print(f"{document.DOCUMENT} is stale: run `python -m localrun openapi`", file=sys.stderr)
            return 1
        print("openapi: up to date")
        return 0
    document.write()
    print(f"wrote {document.DOCUMENT}")
    return 0


def _scale_text(scale: dict[str, int]) -> str:
    return ",".join(f"{name}={count}" for name, count in scale.items())


def _scale(text: str) -> dict[str, int]:
    try:
        return parse_scale(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def manifests(args: argparse.Namespace) -> int:
    from localrun import manifests as rendered

    if args.check:
        if stale := rendered.stale():
            print(
                "stale production manifests (run `python -m localrun manifests`): "
                + ", ".join(str(path.relative_to(rendered.ROOT)) for path in stale),
                file=sys.stderr,
            )
            return 1
        print("manifests: up to date")
        return 0
    print(f"wrote {len(rendered.write())} files under {rendered.OUTPUT.relative_to(rendered.ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localrun", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="start everything and wait for Ctrl-C")
    up_parser.add_argument("--base-port", type=int, default=8000)
    up_parser.add_argument("--broker-port", type=int, default=9092)
    up_parser.add_argument("--no-demo-data", action="store_true")
    up_parser.add_argument(
        "--scale",
        type=_scale,
        default={},
        metavar="SERVICE.PROCESS=N,...",
        help="several consumers or relays of a service, e.g. reporting.consume=3,members.relay=2 "
        f"(on top of the one-machine defaults, {_scale_text(ONE_MACHINE_SCALE)})",
    )
    up_parser.set_defaults(run=up)
    commands.add_parser("down", help="stop a platform started from the same data dir").set_defaults(run=down)
    commands.add_parser("status", help="show every process").set_defaults(run=status)
    openapi_parser = commands.add_parser("openapi", help="write the platform's OpenAPI document (contracts/openapi)")
    openapi_parser.add_argument("--check", action="store_true", help="fail when the committed document is stale")
    openapi_parser.set_defaults(run=openapi)
    manifests_parser = commands.add_parser("manifests", help="render the production Kubernetes manifests")
    manifests_parser.add_argument("--check", action="store_true", help="fail when the committed files are stale")
    manifests_parser.set_defaults(run=manifests)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per readiness poll otherwise
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
