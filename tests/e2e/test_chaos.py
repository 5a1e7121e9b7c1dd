"""Chaos, with counts: during an Excel import and its bulk approval through the gateway, SIGKILL the members API,
the members relay, the reporting, cards and dues consumers, and the broker (back empty, refilled by the runner).
Afterwards every read model equals the members table row by row (same members, statuses and versions), each
consumer's inbox holds each of the members' events exactly once, nothing is left unpublished, and the client
saw no 5xx but refusals while something was down. The 20,000-row figures: tests/benchmarks/bench_chaos.py."""

from __future__ import annotations

import uuid

from tests.support import chaos

ROWS = 600


async def test_faults_during_an_import_and_its_approval_lose_nothing_and_apply_nothing_twice(platform, admin):
    # Six-digit ID serials no other test uses (the scale-out test: 600,000-974,000; demo: below 500,000).
    serial = 980_000 + uuid.uuid4().int % 20 * 800
    figures = await chaos.run(platform, admin, ROWS, serial, timeout=240)
    print(chaos.markdown(figures))  # the figures, with `pytest -s`

    assert figures.members == ROWS
    assert [f.what for f in figures.faults] == [
        "members-api",
        "members-relay",
        "reporting-consume",
        "cards-consume",
        "dues-consume",
        "broker",
    ]
    # Created, then approved: two events per member, each in every consumer's inbox once.
    assert figures.member_events == 2 * ROWS
    assert figures.inbox == {service: (2 * ROWS, 2 * ROWS) for service in chaos.CONSUMERS}
    assert figures.server_errors == []
    assert figures.requests > figures.refused_while_down
    assert figures.refilled_events >= figures.member_events  # the whole history, ours included
