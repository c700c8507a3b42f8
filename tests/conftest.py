"""Shared test settings: the anyio backend, and what happens without Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.redis_cluster_support import LocalCluster, base_port, tools_missing
from tests.redis_support import REDIS_TEST_URL, redis_answers

# Property tests check rules, not speed: no per-example deadline and no "too
# slow" health check, which fail on a busy 2-core machine (speed is measured in
# loadtests/). Examples and seeds stay Hypothesis's defaults.
settings.register_profile("dialograum", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dialograum")

# Servers that tests start in subprocesses (e2e, Redis workers, load-test smoke runs)
# commit without waiting for the disk: a test checks behaviour, not power-cut safety,
# and on a busy CI disk one fsync per batch made acks wait for seconds.
os.environ.setdefault("DIALOGRAUM_SQLITE_SYNC", "NORMAL")

_skipped_for_redis: list[int] = []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[LocalCluster]:
    """A real three-master Redis Cluster with replicas, once per session (and xdist worker).

    Without redis-server or redis-cli the cluster tests skip with one line;
    under CI, where .ci/run has Redis, that is an error instead.
    """
    missing = tools_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {' and '.join(missing)} for the Redis Cluster tests")
        pytest.skip(f"no {' or '.join(missing)}: the Redis Cluster tests are skipped")
    cluster = LocalCluster(base_port())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Redis, leave its tests out and say so once; under CI, fail instead.

    (In ``make test``'s parallel run each worker flushes a database of its own:
    tests/redis_support.py.)
    """
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
