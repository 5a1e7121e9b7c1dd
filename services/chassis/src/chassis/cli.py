"""Every service runs as the same processes: `api`, `consume`, `relay`, plus `migrate` and `replay`.

Usage: `python -m <service> <command>`; each service's `__main__` hands its definition here.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import uvicorn
from contracts.base import IntegrationEvent
from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.routing import Route

from chassis import migrations, telemetry
from chassis.consumer import EventConsumer, Handler
from chassis.database import Database
from chassis.http import SERVER_OPTIONS, SideServer, metrics
from chassis.outbox import OutboxRelay, replay
from chassis.settings import ServiceSettings, ensure_deployable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    settings: Callable[[], ServiceSettings]
    create_app: Callable[[ServiceSettings, Database], FastAPI]
    migrations_dir: Path
    handlers: Callable[[ServiceSettings], Mapping[type[IntegrationEvent], Handler]] | None = None

    def database(self, settings: ServiceSettings) -> Database:
        return Database(settings.database_url, settings.database_pool_size, settings.database_settings)

    def consumer(self, settings: ServiceSettings, database: Database) -> EventConsumer | None:
        if self.handlers is None:
            return None
        return EventConsumer(self.name, settings, database, self.handlers(settings))


def main(definition: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("api", help="serve the HTTP API")
    commands.add_parser("consume", help="run the Kafka consumers")
    commands.add_parser("relay", help="publish the outbox to Kafka")
    commands.add_parser("migrate", help="create the database and apply migrations")
    commands.add_parser("asyncapi", help="print the AsyncAPI document of the consumers")
    replay_parser = commands.add_parser("replay", help="republish outbox history from a point in time")
    replay_parser.add_argument("--since", type=datetime.fromisoformat, required=True)
    replay_parser.add_argument("--topic")
    args = parser.parse_args(argv)

    settings = definition.settings()
    if args.command != "asyncapi":
        ensure_deployable(settings)
    tune_garbage_collector(settings)
    telemetry.configure(
        definition.name,
        args.command,
        span_log_path=settings.span_log_path,
        log_level=settings.log_level,
        log_json=settings.log_json,
    )
    if args.command in ("api", "consume", "relay", "replay"):
        try:
            migrations.require_migrated(settings.database_url, definition.migrations_dir, definition.name)
        except migrations.DatabaseNotReady as error:
            raise SystemExit(str(error)) from None
    if args.command == "migrate":
        migrations.upgrade(settings.database_url, definition.migrations_dir)
        print(f"{definition.name}: database migrated")
    elif args.command == "api":
        app = definition.create_app(settings, definition.database(settings))
        uvicorn.run(
            app, host=settings.http_host, port=settings.http_port, http="httptools", loop="uvloop", **SERVER_OPTIONS
        )
    elif args.command == "consume":
        asyncio.run(_consume(definition, settings))
    elif args.command == "relay":
        asyncio.run(_relay(definition, settings))
    elif args.command == "replay":
        count = asyncio.run(_replay(definition, settings, args.since, args.topic))
        print(f"{definition.name}: republished {count} events since {args.since.isoformat()}")
    elif args.command == "asyncapi":
        consumer = definition.consumer(settings, definition.database(settings))
        if consumer is not None:
            from faststream.specification import AsyncAPI

            spec = AsyncAPI(consumer.broker, title=f"{definition.name} consumers", schema_version="3.0.0")
            print(json.dumps(spec.to_specification().to_jsonable(), indent=2, ensure_ascii=False))


def tune_garbage_collector(settings: ServiceSettings) -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(settings.gc_young_threshold, middle, old)


async def _consume(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    database = definition.database(settings)
    consumer = definition.consumer(settings, database)
    if consumer is None:
        return
    async with _worker_http(settings, database):
        await consumer.app().run()
    await database.dispose()


async def _relay(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    database = definition.database(settings)
    relay = OutboxRelay(settings, database)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, relay.stop)
    async with _worker_http(settings, database):
        await relay.run()
    await database.dispose()


async def _replay(definition: ServiceDefinition, settings: ServiceSettings, since: datetime, topic: str | None) -> int:
    database = definition.database(settings)
    try:
        return await replay(settings, database, since, topic)
    finally:
        await database.dispose()


class _worker_http:
    """`/health`, `/ready` and `/metrics` for processes that are not HTTP APIs."""

    def __init__(self, settings: ServiceSettings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.server: SideServer | None = None

    async def __aenter__(self) -> None:
        if not self.settings.metrics_port:
            return

        async def health(_):
            return JSONResponse({"status": "ok"})

        async def ready(_):
            ok = await self.database.is_ready()
            return JSONResponse({"ready": ok}, status_code=200 if ok else 503)

        routes = [Route("/health", health), Route("/ready", ready), Route("/metrics", metrics)]
        self.server = await SideServer(routes, self.settings.http_host, self.settings.metrics_port).__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        if self.server is not None:
            await self.server.__aexit__(*exc)
