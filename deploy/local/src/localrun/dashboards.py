"""Grafana dashboards (`deploy/production/monitoring/dashboards/`): one per service and one platform overview,
rendered with the manifests (`python -m localrun manifests`) from the platform's process table, so a new service
gets its dashboard and no panel names a metric the code does not export (the metric names are the chassis')."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from localrun.services import SERVICES, Service

ROOT = Path(__file__).resolve().parents[4]
OUTPUT = ROOT / "deploy" / "production" / "monitoring" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def panel(title: str, expressions: dict[str, str], unit: str, index: int) -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(ord("A") + n), "expr": expr, "legendFormat": legend, "datasource": DATASOURCE}
            for n, (legend, expr) in enumerate(expressions.items())
        ],
    }


def service_panels(service: Service) -> list[tuple[str, dict[str, str], str]]:
    s = service.name
    panels = [
        (
            "Requests per second by status",
            {"{{status}}": f'sum by (status) (rate(http_request_duration_seconds_count{{service="{s}"}}[5m]))'},
            "reqps",
        ),
        (
            "p95 latency by route",
            {
                "{{method}} {{route}}": f"histogram_quantile(0.95, sum by (method, route, le) "
                f'(rate(http_request_duration_seconds_bucket{{service="{s}"}}'
                f"[5m])))"
            },
            "s",
        ),
    ]
    if service.relay:
        panels.append(
            (
                "Outbox: waiting and published per second",
                {
                    "waiting": f'max(outbox_backlog{{service="{s}"}})',
                    "published/s": f'sum(rate(outbox_events_published_total{{service="{s}"}}[5m]))',
                },
                "short",
            )
        )
    if service.consume:
        panels += [
            (
                "Events applied per second by outcome",
                {"{{outcome}}": f'sum by (outcome) (rate(events_consumed_total{{consumer="{s}"}}[5m]))'},
                "ops",
            ),
            (
                "Read-model delay p95 by topic (writer's commit to applied)",
                {
                    "{{topic}}": "histogram_quantile(0.95, sum by (topic, le) "
                    f"(rate(consumer_event_delay_seconds_bucket"
                    f'{{consumer="{s}"}}[5m])))'
                },
                "s",
            ),
            (
                "Consumer lag (messages)",
                {"{{topic}}": f'sum by (topic) (kafka_consumergroup_lag{{consumergroup="{s}"}})'},
                "short",
            ),
        ]
    if s == "members":
        panels.append(("Imports in progress", {"in progress": "sum(member_imports_in_progress)"}, "short"))
    if s == "gateway":
        panels += [
            (
                "Upstream time p95 by service",
                {
                    "{{service}}": "histogram_quantile(0.95, sum by (service, le) "
                    "(rate(gateway_upstream_duration_seconds_bucket[5m])))"
                },
                "s",
            ),
            (
                "Refusals: unit scope and revoked tokens",
                {
                    "scope": "sum(rate(gateway_scope_refusals_total[5m]))",
                    "revoked": "sum(rate(gateway_revoked_tokens_total[5m]))",
                },
                "ops",
            ),
        ]
    return panels


def overview_panels() -> list[tuple[str, dict[str, str], str]]:
    return [
        (
            "5xx share by service",
            {
                "{{service}}": "sum by (service) (rate(http_request_duration_seconds_count"
                '{status=~"5.."}[5m])) / sum by (service) '
                "(rate(http_request_duration_seconds_count[5m]))"
            },
            "percentunit",
        ),
        (
            "Requests per second by service",
            {"{{service}}": "sum by (service) (rate(http_request_duration_seconds_count[5m]))"},
            "reqps",
        ),
        ("Outbox waiting by service", {"{{service}}": "max by (service) (outbox_backlog)"}, "short"),
        ("Consumer lag by group", {"{{consumergroup}}": "sum by (consumergroup) (kafka_consumergroup_lag)"}, "short"),
        (
            "Dead-lettered messages (15 min)",
            {"{{consumer}}": 'sum by (consumer) (increase(events_consumed_total{outcome="dead_lettered"}[15m]))'},
            "short",
        ),
        (
            "Read-model delay p95 by consumer",
            {
                "{{consumer}}": "histogram_quantile(0.95, sum by (consumer, le) "
                "(rate(consumer_event_delay_seconds_bucket[5m])))"
            },
            "s",
        ),
    ]


def dashboard(uid: str, title: str, panels: list[tuple[str, dict[str, str], str]]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["congdoan"],
        "timezone": "browser",
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]
        },
        "panels": [panel(title, expressions, unit, index) for index, (title, expressions, unit) in enumerate(panels)],
    }


def rendered_files() -> dict[Path, str]:
    boards = {"overview": dashboard("congdoan-overview", "Công đoàn: toàn nền tảng", overview_panels())}
    boards |= {
        service.name: dashboard(f"congdoan-{service.name}", f"Công đoàn: {service.name}", service_panels(service))
        for service in SERVICES
    }
    return {
        OUTPUT / f"{name}.json": json.dumps(board, indent=2, ensure_ascii=False) + "\n"
        for name, board in boards.items()
    }
