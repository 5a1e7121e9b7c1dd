"""Waiting on a condition with a deadline: the only way tests wait for asynchronous work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    timeout: float = 30.0,
    interval: float = 0.05,
    max_interval: float = 0.5,
) -> T:
    """Call `probe` until `accept` holds for its result; fail with the last result at the deadline.

    The pause grows from `interval` to `max_interval`: quick when the answer is near, gentle on a
    rate-limited gateway when it is not."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last result: {result!r}")
        await asyncio.sleep(interval)  # pause between probes; the condition above is what we wait for
        interval = min(interval * 1.5, max(max_interval, interval))
