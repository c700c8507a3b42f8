"""Redis tests need a real Redis on REDIS_TEST_URL (default redis://127.0.0.1:6379/15).

On a laptop without Redis they skip with one line; under CI (CI=true) a
missing Redis is a failure, because .ci/run starts one.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_answers(url: str = REDIS_TEST_URL) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    redis_items = [i for i in items if "tests/redis/" in str(i.path)]
    if not redis_items or redis_answers():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs Redis at {REDIS_TEST_URL}; .ci/run should start it")
    skip = pytest.mark.skip(reason=f"no Redis at {REDIS_TEST_URL}: Redis tests skipped")
    for item in redis_items:
        item.add_marker(skip)
