"""Time-ordered ids (UUID version 7, RFC 9562) for aggregates and outbox events of every service.

A random (version 4) id puts every new row at a random place in each b-tree that carries it: the
members' primary key and name indexes' tie-breaker, the replicas' closure table (one row per unit and
ancestor, indexed both ways). At national scale those indexes do not fit in shared_buffers, so each
insert touches (and after every checkpoint writes a full-page image of) a different leaf page. Ids
that start with the time land next to each other. Each still has 48 random bits after the time and a
sequence number; ids are not secrets anyway: scope checks protect the data.

Ids made by one process increase in the order they were made, also within a millisecond. The SQL
function `uuid_v7()` (installed by a service's migration) builds the same layout inside statements.
"""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

SEQUENCE_LIMIT = 1 << 24

# The same layout in SQL (PostgreSQL 15 has no uuidv7()): a random UUID whose first 48 bits become the
# millisecond time and whose version nibble becomes 7 (bits 52 and 53 set on top of version 4's 0100).
UUID_V7_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
    substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')::uuid
$$
"""


def uuid7() -> UUID:
    return UUID(uuid7_texts(1)[0])


class _Clock:
    """The last (millisecond, sequence number) handed out, so that ids keep increasing within a millisecond
    and when the wall clock steps back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.millisecond = 0
        self.sequence = -1

    def reserve(self, count: int) -> tuple[int, int, int]:
        """(millisecond, first sequence number, how many) for up to `count` ids."""
        with self.lock:
            now = time.time_ns() // 1_000_000
            if now > self.millisecond:
                self.millisecond, self.sequence = now, -1
            if self.sequence + 1 >= SEQUENCE_LIMIT:  # this millisecond is used up: borrow the next one
                self.millisecond, self.sequence = self.millisecond + 1, -1
            first = self.sequence + 1
            take = min(count, SEQUENCE_LIMIT - first)
            self.sequence = first + take - 1
            return self.millisecond, first, take


_clock = _Clock()


def uuid7_texts(count: int) -> list[str]:
    """`count` ids as text (what COPY takes), increasing in the order given: 48 bits of time, the version,
    a 24-bit sequence number split around the variant, then 48 random bits."""
    ids: list[str] = []
    while len(ids) < count:
        millisecond, first, take = _clock.reserve(count - len(ids))
        stamp = f"{millisecond:012x}"
        head = f"{stamp[:8]}-{stamp[8:]}-7"
        noise = os.urandom(6 * take).hex()
        ids += [
            f"{head}{seq >> 12:03x}-{0x8000 | (seq & 0xFFF):04x}-{noise[12 * n : 12 * n + 12]}"
            for n, seq in enumerate(range(first, first + take))
        ]
    return ids
