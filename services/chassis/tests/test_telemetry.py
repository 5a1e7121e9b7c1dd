"""Metrics a consumer reports a poll at a time."""

from __future__ import annotations

from chassis.telemetry import observe_many
from prometheus_client import CollectorRegistry, Histogram


def test_observing_many_amounts_at_once_counts_as_observing_each():
    registry = CollectorRegistry()
    buckets = (0.1, 0.5, 1, 5)
    one_by_one = Histogram("one_by_one_seconds", "", ["topic"], buckets=buckets, registry=registry)
    at_once = Histogram("at_once_seconds", "", ["topic"], buckets=buckets, registry=registry)
    amounts = [0.0, 0.1, 0.10001, 0.5, 0.7, 1, 4.9, 5, 7, 600]

    for amount in amounts:
        one_by_one.labels("t").observe(amount)
    observe_many(at_once.labels("t"), amounts)

    def samples(name: str) -> list[tuple[str, dict, float]]:
        return [
            (sample.name.removeprefix(name), sample.labels, sample.value)
            for family in registry.collect()
            if family.name == name
            for sample in family.samples
            if not sample.name.endswith("_created")
        ]

    assert samples("at_once_seconds") == samples("one_by_one_seconds")
    assert registry.get_sample_value("at_once_seconds_bucket", {"topic": "t", "le": "0.1"}) == 2
    assert registry.get_sample_value("at_once_seconds_count", {"topic": "t"}) == len(amounts)
