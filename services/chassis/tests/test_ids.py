"""Time-ordered ids keep increasing within a millisecond, across calls, and when the clock steps back."""

from __future__ import annotations

import time
from uuid import UUID

from chassis.ids import SEQUENCE_LIMIT, _Clock, uuid7


def test_ids_made_one_by_one_increase_even_within_a_millisecond():
    made = [uuid7() for _ in range(20_000)]
    milliseconds = [value.int >> 80 for value in made]
    assert len(set(milliseconds)) < len(made)  # many share a millisecond, so the order is the sequence's
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(isinstance(value, UUID) and value.version == 7 for value in made)


def test_a_clock_that_steps_back_or_a_full_millisecond_borrows_the_next():
    clock = _Clock()
    ahead = time.time_ns() // 1_000_000 + 5_000  # the last id was made by a clock 5 s ahead
    clock.millisecond, clock.sequence = ahead, SEQUENCE_LIMIT - 2
    assert clock.reserve(10) == (ahead, SEQUENCE_LIMIT - 1, 1)
    assert clock.reserve(10) == (ahead + 1, 0, 10)
    assert clock.reserve(3) == (ahead + 1, 10, 3)
