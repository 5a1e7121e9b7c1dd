"""Tracing, JSON logs with trace ids, and the Prometheus metrics every process exposes."""

from __future__ import annotations

import collections
import json
import logging
import os
import re
import sys
import threading
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by a consumer", ["consumer", "event_type", "outcome"]
)
EVENTS_PUBLISHED = Counter("outbox_events_published_total", "Outbox events published", ["service"])
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox events not yet published", ["service"])
LAST_EVENT_PROCESSED = Gauge(
    "consumer_last_event_timestamp_seconds", "When the consumer last committed an event", ["consumer"]
)
# Freshness of a read model without broker lag figures (which the development broker reports wrongly): how long
# after its writer's transaction an event was applied, and how recent the newest applied event of a topic is.
EVENT_APPLY_DELAY = Histogram(
    "consumer_event_delay_seconds",
    "From an event's time (its writer's transaction) to the commit of the consumer's transaction that applied it",
    ["consumer", "topic"],
    buckets=(
        0.01,
        0.025,
        0.05,
        0.075,
        0.1,
        0.15,
        0.2,
        0.3,
        0.5,
        0.75,
        1,
        1.5,
        2,
        3,
        5,
        7.5,
        10,
        15,
        30,
        60,
        120,
        300,
        600,
        1800,
        3600,
    ),
)
NEWEST_APPLIED_EVENT = Gauge(
    "consumer_newest_applied_event_timestamp_seconds",
    "Time of the newest event the consumer has applied from the topic (now minus this: how far behind it is)",
    ["consumer", "topic"],
)


def observe_many(histogram: Any, amounts: Sequence[float]) -> None:
    """`histogram.observe(amount)` for each amount, in one pass: a consumer's poll reports thousands at once,
    and prometheus_client's observe walks the buckets in Python for each (~8 µs an event)."""
    bounds = histogram._upper_bounds
    # Each amount counts in the first bucket whose bound it does not exceed, as `observe` does.
    counts = collections.Counter(bisect_left(bounds, amount) for amount in amounts)
    histogram._sum.inc(sum(amounts))
    for index, count in counts.items():
        histogram._buckets[index].inc(count)


_propagator = TraceContextTextMapPropagator()
_configured = False

# What a person typed travels in query strings (the public lookup's member code and ID number, searches by
# name, phone or ID number) and a card's verification code in its path: spans keep which parameters were
# asked, never their values. Span attributes reach files, collectors and whoever reads traces.
QUERY_ATTRIBUTES = ("url.query",)
PATH_ATTRIBUTES = ("url.path", "http.target", "url.full", "http.url")
REDACTED = "REDACTED"
_PUBLIC_CODE = re.compile(r"(/public/(?:cards/)?verify/)[^/?#]+")
_QUERY_IN_URL = re.compile(r"\?.*$")


def redact_query(query: str) -> str:
    """`member_code=1&id_number=2` → `member_code=REDACTED&id_number=REDACTED`."""
    return "&".join(f"{part.partition('=')[0]}={REDACTED}" for part in query.split("&") if part)


def redact_path(value: str) -> str:
    """A card's verification code out of a path, and any query string out of a URL or request target."""
    return _PUBLIC_CODE.sub(r"\1" + REDACTED, _QUERY_IN_URL.sub(lambda m: "?" + redact_query(m.group(0)[1:]), value))


class RedactingSpanProcessor(SpanProcessor):
    """Rewrites the personal parts of a span's request attributes as the span starts (servers set them then),
    before any exporter sees it: one rule for every process and whatever exporter production adds."""

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        attributes = span.attributes or {}
        for key in QUERY_ATTRIBUTES:
            if isinstance(value := attributes.get(key), str) and value:
                span.set_attribute(key, redact_query(value))
        for key in PATH_ATTRIBUTES:
            if isinstance(value := attributes.get(key), str) and ("?" in value or "/verify/" in value):
                span.set_attribute(key, redact_path(value))


def tracer_provider(service: str, process: str, span_log_path: str | None) -> TracerProvider:
    """Every process's provider: redaction first, then (locally) the span file."""
    provider = TracerProvider(resource=Resource.create({"service.name": service, "process.kind": process}))
    provider.add_span_processor(RedactingSpanProcessor())
    if span_log_path:
        # In batches from a background thread: written one by one, the relay's span per event cost it more
        # than publishing the event (a file opened and written per span).
        provider.add_span_processor(
            BatchSpanProcessor(
                JsonLinesSpanExporter(span_log_path), schedule_delay_millis=250, max_export_batch_size=2048
            )
        )
    return provider


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file: how the one-machine setup and the tests see whole traces."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        if os.path.exists(path):  # a file from before this rule
            os.chmod(path, 0o600)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            context = span.get_span_context()
            lines.append(
                json.dumps(
                    {
                        "trace_id": format(context.trace_id, "032x"),
                        "span_id": format(context.span_id, "016x"),
                        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
                        "name": span.name,
                        "kind": span.kind.name,
                        "service": span.resource.attributes.get("service.name"),
                        "start": span.start_time,
                        "end": span.end_time,
                        "attributes": dict(span.attributes or {}),
                    },
                    default=str,
                )
            )
        with self._lock, open(self._path, "a", encoding="utf-8", opener=_owner_only) as sink:
            sink.write("\n".join(lines) + "\n")
        return SpanExportResult.SUCCESS


def _owner_only(path: str, flags: int) -> int:
    """Spans hold who called what: a new span file is readable by its owner only (mode 0600)."""
    return os.open(path, flags, 0o600)


class JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        span_context = trace.get_current_span().get_span_context()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        for key, value in getattr(record, "fields", {}).items():
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(service: str, process: str, *, span_log_path: str | None, log_level: str, log_json: bool) -> None:
    """Set up tracing and logging once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    trace.set_tracer_provider(tracer_provider(service, process, span_log_path))

    handler = logging.StreamHandler(sys.stdout)
    if log_json:
        handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_trace_headers(context: otel_context.Context | None = None) -> dict[str, str]:
    """The W3C trace context of the current span (or of `context`'s), to store with an outbox event."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=context)
    return carrier


def context_from_headers(headers: Mapping[str, str]) -> otel_context.Context:
    return _propagator.extract(dict(headers))
