"""The many-events load scenario, shortened to a smoke test: 3 events of 8 phones, 2 workers.

It runs the real harness against real processes: a ``redis-server`` of the
scenario's own (as ``make bench`` does) and ``dialograum serve --workers
2`` on it, so a change that breaks rooms living side by side on shared
workers (a vote or card landing in the wrong event, a projector that misses
its event's changes) fails here rather than in the next ``make bench``.
Speed targets live in ``make bench``; this asserts outcomes: every command
acked, every event's polls and board exactly what it acknowledged, nothing
of one event in another, every ack seen on its own projector, and the
burst windows measured next to the quiet ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil

import pytest

from loadtests.scenarios.manyevents import quick_config, run

pytestmark = pytest.mark.timeout(240)  # two fresh workers take 15-40 s to start on a busy CI


def test_events_side_by_side_on_two_workers_keep_their_own_votes_and_cards() -> None:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs redis-server and redis-cli for the many-events smoke run")
        pytest.skip("no redis-server: the many-events smoke run starts one of its own")
    # free ports (within DIALOGRAUM_BENCH_PORTS when set, see loadtests/server_proc.py)
    config = dataclasses.replace(
        quick_config(rooms=3, phones=8),
        window_s=2.5,
        warmup_s=1.0,
        timeout_s=200.0,
    )
    lines: list[str] = []
    result = asyncio.run(run(config, lines.append))

    assert result["ok"], (result.get("error"), lines[-5:])
    assert result["checks"] == {
        "participants": 3,
        "polls_exact": 3,
        "cards_exact": 3,
        "nothing_foreign": 3,
        "events": 3,
        "cards_on_boards": result["answers"]["cards"],
    }
    answers = result["answers"]
    assert answers["acked_ok"] == answers["commands"] == answers["votes"] + answers["cards"]
    assert answers["votes"] >= 2 * 8  # the burst event alone votes twice with every phone
    assert answers["cards"] > 0 or answers["votes"] > 2 * 8  # the paced events did their part
    (measured,) = result["rounds"]
    latency = measured["latency"]
    assert latency["acked_never_on_screen"] == 0
    assert [e["event"] for e in latency["per_event"]] == [0, 1, 2]
    assert latency["per_event"][0]["burst"] and latency["per_event"][0]["commands"] == 16
    rule = latency["burst_rule"]
    assert rule["quiet_ack_ms"]["count"] > 0 and rule["burst_ack_ms"]["count"] > 0
    assert measured["cpu"]["server_cores"] > 0 and measured["cpu"]["generator_cores"] > 0
    assert set(measured["cpu"]["server_cores_by_process"]) >= {"worker1", "worker2", "redis"}
    assert result["server_log"]["tracebacks"] == 0
