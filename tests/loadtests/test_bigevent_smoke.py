"""The big-event scenario (issue 19), shortened to a smoke test: 30 phones, 2 workers, Redis.

The real harness against a real ``dialograum serve --workers 2`` on a
redis-server of the test's own, so a change that breaks the scenario, or
loses a vote between two workers across a reconnect storm, fails here
rather than in the next ``make bench``. The 5,000-phone targets live in
``make bench``; this asserts outcomes only: every vote counted once in the
burst, every phone back with its own ballot after the storm, and the
moderator's tally and the screen's last push exactly the new choices.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from loadtests.redis_cluster import tools_missing
from loadtests.scenarios.bigevent import BigEventConfig, run

N = 30


@pytest.fixture(autouse=True)
def _redis_server() -> None:
    missing = tools_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {' and '.join(missing)} for the big-event smoke run")
        pytest.skip(f"no {' or '.join(missing)}: the big-event smoke run is skipped")


def test_a_big_event_on_two_workers_loses_nothing_in_a_burst_and_a_reconnect_storm() -> None:
    lines: list[str] = []
    config = BigEventConfig(
        n=N, ramp_s=0.5, vote_spread_s=1.0, storm_s=1.0, back_within_s=20.0, timeout_s=90.0
    )
    result = asyncio.run(run(config, lines.append))

    assert result["ok"], (result.get("error"), lines[-5:])
    burst, storm = result["burst"], result["storm"]
    assert burst["connected"] == N
    assert burst["votes"]["acked_ok"] == N
    assert burst["tally"]["exact"]
    assert burst["screen_check"]["pushes_checked"] > 0
    assert burst["screen_check"]["mismatches"] == 0
    assert storm["back"] == N
    assert storm["back_with_state"] == N
    assert storm["checks"]["changed_votes_acked_ok"]
    assert storm["tally"]["voters"] == N
    assert storm["tally"]["counts"] == storm["tally"]["expected"]
    assert storm["screen_final"]["exact"]
    assert result["targets"]["all_back_s"] is not None
    assert result["server_log"]["tracebacks"] == 0
    # two workers and Redis really ran, and each did work
    workers = [v for k, v in result["cpu_by_process_s"].items() if k.startswith("worker")]
    assert sum(1 for cpu in workers if cpu > 0.5) >= 2
