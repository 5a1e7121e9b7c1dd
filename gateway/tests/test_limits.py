"""The token bucket and the caller's address, without any server."""

from __future__ import annotations

from gateway.middleware import client_ip
from gateway.ratelimit import TokenBucketLimiter


def test_bucket_allows_the_burst_then_refills_at_the_rate():
    now = [0.0]
    bucket = TokenBucketLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [bucket.take("ip:1") for _ in range(3)] == [None, None, None]
    assert bucket.take("ip:1") == 1.0  # one token per second
    assert bucket.take("ip:2") is None  # keys do not share buckets
    now[0] += 0.5
    assert bucket.take("ip:1") == 0.5
    now[0] += 0.5
    assert bucket.take("ip:1") is None


def test_bucket_forgets_the_oldest_keys_beyond_its_size():
    bucket = TokenBucketLimiter(per_minute=1, burst=1, max_keys=2, clock=lambda: 0.0)
    assert bucket.take("a") is None and bucket.take("a") is not None
    bucket.take("b")
    bucket.take("c")  # "a" is evicted and starts afresh
    assert bucket.take("a") is None


def scope(peer: str, forwarded: str | None = None, header: bytes = b"x-forwarded-for") -> dict:
    headers = [(header, forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 5000), "headers": headers}


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    assert client_ip(scope("203.0.113.9", "1.2.3.4"), []) == ("203.0.113.9", "203.0.113.9")
    trusted = ["10.0.0.0/8"]
    assert client_ip(scope("10.0.0.5", "198.51.100.7"), trusted) == ("198.51.100.7", "198.51.100.7, 10.0.0.5")
    # A client cannot smuggle an address in front of the real one.
    spoofed = client_ip(scope("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9"), trusted)
    assert spoofed[0] == "198.51.100.7"
    assert client_ip(scope("10.0.0.5"), trusted) == ("10.0.0.5", "10.0.0.5")
    # An untrusted peer's header is ignored whatever it claims, a trusted proxy included.
    assert client_ip(scope("203.0.113.9", "10.0.0.5"), trusted)[0] == "203.0.113.9"
    # Garbage where the proxy's entry should be: the proxy is the caller we know.
    assert client_ip(scope("10.0.0.5", "1.2.3.4, not-an-address"), trusted)[0] == "10.0.0.5"


def test_rfc7239_forwarded_is_read_like_x_forwarded_for():
    trusted = ["10.0.0.0/8"]
    forwarded = 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.9'
    assert client_ip(scope("10.0.0.5", forwarded, b"forwarded"), trusted)[0] == "2001:db8:cafe::17"
    assert client_ip(scope("10.0.0.5", "for=198.51.100.7:80", b"forwarded"), trusted)[0] == "198.51.100.7"
    assert client_ip(scope("203.0.113.9", "for=6.6.6.6", b"forwarded"), trusted)[0] == "203.0.113.9"
