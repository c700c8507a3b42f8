"""Shared test settings: the anyio backend, and what happens without Redis."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.redis_support import REDIS_TEST_URL, redis_answers

# No per-example deadline: on a shared 2-core machine an example that takes 0.2 ms
# alone sometimes takes a second, and the test then fails on timing alone (seen in
# tests/rooms/test_replay.py). Speed is measured in loadtests/, never in unit tests.
settings.register_profile("dialograum", deadline=None)
settings.load_profile("dialograum")

_skipped_for_redis: list[int] = []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Redis, leave its tests out and say so once; under CI, fail instead."""
    needs_redis = [item for item in items if item.get_closest_marker("redis")]
    if not needs_redis or redis_answers():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs Redis at {REDIS_TEST_URL}; .ci/run starts one")
    config.hook.pytest_deselected(items=needs_redis)
    items[:] = [item for item in items if not item.get_closest_marker("redis")]
    _skipped_for_redis.append(len(needs_redis))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_redis:
        terminalreporter.write_line(
            f"redis: no Redis at {REDIS_TEST_URL}, so its {_skipped_for_redis[0]} tests were "
            "skipped (start redis-server, or set REDIS_TEST_URL)",
            yellow=True,
        )
