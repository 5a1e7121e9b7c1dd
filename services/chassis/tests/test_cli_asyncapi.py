"""`python -m <service> asyncapi` documents a service's consumers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chassis import cli, telemetry
from chassis.settings import ServiceSettings
from contracts.events.orgtree_unit_v1 import EVENTS as UNIT_EVENTS


async def _ignore(session, event, envelope) -> None:
    return None


def test_asyncapi_of_a_small_service(monkeypatch, capsys):
    monkeypatch.setattr(telemetry, "configure", lambda *args, **kwargs: None)  # keep the test run's logging
    definition = cli.ServiceDefinition(
        name="tiny",
        settings=lambda: ServiceSettings(service_name="tiny", kafka_bootstrap_servers="127.0.0.1:9"),
        create_app=lambda settings, database: None,
        migrations_dir=Path("."),
        handlers=lambda settings: {event: _ignore for event in UNIT_EVENTS},
    )

    cli.main(definition, ["asyncapi"])

    document = json.loads(capsys.readouterr().out)
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] == "tiny consumers"
    [channel] = document["channels"].values()
    assert channel["address"] == "orgtree.unit.v1"
    assert "orgtree.unit.moved" in channel["description"]
    assert [op["action"] for op in document["operations"].values()] == ["receive"]


def test_asyncapi_of_a_real_service_from_the_command_line():
    finished = subprocess.run(
        [sys.executable, "-m", "reporting", "asyncapi"], capture_output=True, text=True, timeout=60, check=False
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    document = json.loads(finished.stdout)
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert {"members.member.v1", "orgtree.unit.v1"} <= addresses
