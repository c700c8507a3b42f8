"""Finding the test Redis, and the rule for when it is missing.

Tests marked ``redis`` need a real Redis at REDIS_TEST_URL (default
redis://127.0.0.1:6379/15, a database of its own that the tests flush). On a
laptop without Redis they skip with one line; under CI (CI=true) a missing
Redis fails the run, because .ci/run starts one.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import redis.asyncio as aioredis

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_answers(url: str = REDIS_TEST_URL) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def flush_test_db() -> None:
    client = aioredis.Redis.from_url(REDIS_TEST_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
