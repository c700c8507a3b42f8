"""Finding the test Redis, and the rule for when it is missing.

Tests marked ``redis`` need a real Redis at REDIS_TEST_URL (default
redis://127.0.0.1:6379/15, a database of its own that the tests flush; under
``make test``'s parallel run each worker takes its own: gw0 15, gw1 14, …). On a
laptop without Redis they skip with one line; under CI (CI=true) a missing
Redis fails the run, because .ci/run starts one.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import redis.asyncio as aioredis


def _default_url() -> str:
    """Database 15, or one below it per xdist worker, so parallel workers never flush
    each other's data (``PYTEST_XDIST_WORKER`` is gw0, gw1, …; at most four run)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    return f"redis://127.0.0.1:6379/{15 - number % 8}"


REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL") or _default_url()


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
