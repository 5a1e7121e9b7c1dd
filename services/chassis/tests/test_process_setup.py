"""Every process started by the chassis command line collects young garbage at the configured threshold."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from chassis import cli, telemetry
from chassis.settings import ServiceSettings
from pydantic import ValidationError


def test_the_command_line_sets_the_young_generation_threshold(monkeypatch, capsys):
    monkeypatch.setattr(telemetry, "configure", lambda *args, **kwargs: None)  # keep the test run's logging
    definition = cli.ServiceDefinition(
        name="tiny",
        settings=lambda: ServiceSettings(service_name="tiny", gc_young_threshold=12_345),
        create_app=lambda settings, database: None,
        migrations_dir=Path("."),
    )
    before = gc.get_threshold()
    try:
        cli.main(definition, ["asyncapi"])
        assert gc.get_threshold() == (12_345, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_a_threshold_below_cpythons_default_is_refused():
    with pytest.raises(ValidationError, match="gc_young_threshold"):
        ServiceSettings(service_name="tiny", gc_young_threshold=100)
