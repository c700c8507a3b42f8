"""The brainstorm load scenario, shortened to a smoke test: a few phones, a few seconds.

It runs the real harness against a real server process, so a change that
breaks the scenario (or the server's text polls under concurrent posts)
fails here rather than in the next ``make bench``. Speed targets live in
``make bench``; this only asserts outcomes: every post acked, one answer
per phone (its last), the word cloud right in the console and on screen.
"""

from __future__ import annotations

import asyncio

from loadtests.scenarios.brainstorm import BrainstormConfig, run


def test_brainstorm_counts_every_answer_and_the_screen_shows_the_cloud() -> None:
    lines: list[str] = []
    config = BrainstormConfig(n=12, posts=3, duration_s=2.0, ramp_s=0.5, timeout_s=60)
    result = asyncio.run(run(config, lines.append))

    assert result["ok"], (result.get("error"), lines[-5:])
    assert result["posts"] == {"planned": 36, "acked_ok": 36, "refused": 0, "not_sent": 0}
    check = result["check"]
    assert check["answers"] == 12
    assert check["answers_exact"]
    assert check["cloud_exact"]
    assert check["cloud_words"] > 0
    assert check["screen_voters_exact"]
    assert check["screen_cloud_exact"]
    assert result["ack_ms"]["count"] == 36
    assert result["server_log"]["tracebacks"] == 0
