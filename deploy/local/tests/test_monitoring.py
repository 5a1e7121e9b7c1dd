"""Alert rules and dashboards: valid for Prometheus (promtool, with unit tests of each alert), and naming only
metrics the platform exports (or Strimzi's Kafka Exporter), so a renamed metric cannot leave an alert silent."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import prometheus_client
import yaml
from localrun import dashboards

MONITORING = Path(__file__).resolve().parents[3] / "deploy" / "production" / "monitoring"
# Exported by Strimzi's Kafka Exporter, and by Prometheus itself.
EXTERNAL = {"kafka_consumergroup_lag", "up"}
# What is not a metric name in an expression: label matchers, label lists, strings, ranges; then functions.
NOT_METRICS = re.compile(r'\{[^}]*\}|\b(?:by|on|without|ignoring)\s*\([^)]*\)|"[^"]*"|\[[^\]]*\]')
IDENTIFIER = re.compile(r"\b([a-z_:][a-z0-9_:]*)\b(?!\s*\()")
OPERATORS = {"and", "or", "unless"}


def exported_metrics() -> set[str]:
    # Importing the modules registers their metrics, as the processes do.
    import chassis.telemetry  # noqa: F401
    import gateway.proxy  # noqa: F401
    import gateway.revocations  # noqa: F401
    import gateway.unittree  # noqa: F401
    import members.application.importing.processor  # noqa: F401

    names = set()
    for metric in prometheus_client.REGISTRY.collect():
        names.add(metric.name)
        names |= {metric.name + suffix for suffix in ("_total", "_bucket", "_count", "_sum")}
    return names


def expressions() -> list[str]:
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text())
    found = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    for path in dashboards.OUTPUT.glob("*.json"):
        found += [target["expr"] for panel in json.loads(path.read_text())["panels"] for target in panel["targets"]]
    return found


def test_the_alert_rules_are_valid_and_each_alert_fires_when_it_should():
    for command in (["promtool", "check", "rules", "alerts.yaml"], ["promtool", "test", "rules", "alerts-test.yaml"]):
        result = subprocess.run(command, cwd=MONITORING, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_and_dashboards_name_only_metrics_that_exist():
    known = exported_metrics() | EXTERNAL
    named = {name for expr in expressions() for name in IDENTIFIER.findall(NOT_METRICS.sub(" ", expr))} - OPERATORS
    assert {"member_imports_in_progress", "outbox_backlog", "kafka_consumergroup_lag"} <= named
    assert named <= known, sorted(named - known)


def test_every_service_has_a_dashboard():
    boards = {path.stem for path in dashboards.OUTPUT.glob("*.json")}
    assert boards == {service.name for service in dashboards.SERVICES} | {"overview"}
