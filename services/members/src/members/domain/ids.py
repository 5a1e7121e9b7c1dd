"""Time-ordered ids (UUID version 7, RFC 9562) for members and their outbox events.

A random (version 4) id puts every new member at a random place in the primary-key b-tree, and
in every index that carries the id (`member_history`'s (member_id, version), the name indexes'
tie-breaker): at 10 M members those indexes do not fit in shared_buffers, so each insert touches
(and after every checkpoint writes a full-page image of) a different leaf page. Ids that start with
the time land next to each other. Each still has 48 random bits (after a sequence number within its
batch); ids are not secrets anyway: scope checks protect members.

The SQL function `uuid_v7()` (migration 0003) builds the same layout inside statements.
"""

from __future__ import annotations

import os
import time
from uuid import UUID

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


def uuid7_texts(count: int) -> list[str]:
    """`count` ids of this millisecond as text (what COPY takes), increasing in the order given: 48 bits of
    time, the version, a 24-bit sequence number split around the variant, then 48 random bits. Past 16 M ids
    in one call the next millisecond is used."""
    ids: list[str] = []
    while len(ids) < count:
        take = min(count - len(ids), 1 << 24)
        stamp = f"{time.time_ns() // 1_000_000:012x}"
        head = f"{stamp[:8]}-{stamp[8:]}-7"
        noise = os.urandom(6 * take).hex()
        ids += [f"{head}{seq >> 12:03x}-{0x8000 | (seq & 0xFFF):04x}-{noise[12 * seq:12 * seq + 12]}"
                for seq in range(take)]
        if len(ids) < count:
            time.sleep(0.001)
    return ids
