"""The upvote load scenario, shortened to a smoke test: a few phones, a few seconds.

It runs the real harness against a real server process, so a change that
breaks the scenario (or Q&A upvotes under concurrent phones, or the
screen's top 5) fails here rather than in the next ``make bench``. Speed
targets live in ``make bench``; this only asserts outcomes: every vote and
upvote acked, the counts equal the plan's, the screen's top 5 right, and
a phone that applies patches ends with exactly the plan's votes.
"""

from __future__ import annotations

import asyncio

from loadtests.scenarios.upvote import UpvoteConfig, expected_top, run


def test_the_reference_top_5_breaks_ties_by_age() -> None:
    counts = {"q2": 3, "q10": 3, "q1": 1, "q7": 5}
    questions = ["q1", "q2", "q3", "q7", "q10", "q11"]
    assert expected_top(counts, questions) == [
        ("q7", 5), ("q2", 3), ("q10", 3), ("q1", 1), ("q3", 0),
    ]  # fmt: skip


def test_upvotes_and_votes_are_counted_and_the_screen_shows_the_top_5() -> None:
    lines: list[str] = []
    config = UpvoteConfig(n=16, questions=8, spread_s=1.5, ramp_s=0.5, timeout_s=90)
    result = asyncio.run(run(config, lines.append))

    assert result["ok"], (result.get("error"), lines[-5:])
    for phase in ("vote", "upvote"):
        commands = result[phase]["commands"]
        assert commands == {"planned": 16, "acked_ok": 16, "refused": {}, "not_sent": 0}
        assert result[phase]["ack_ms"]["count"] == 16
    assert result["vote"]["check"] == {"tally_exact": True, "voters": 16}
    check = result["upvote"]["check"]
    assert check["votes_exact"] and check["votes"] == 16
    assert check["screen_votes_exact"]
    assert check["screen_top5_exact"], check["screen_top5"]
    # The last phone applied patches (docs/api.md) and shows every vote, in the reference order.
    assert check["phone_votes_exact"], check
    assert check["phone_patches"] > 0 and check["phone_gaps"] == 0
    assert result["cpu_ratio"] is not None
    assert result["server_log"]["tracebacks"] == 0


def test_phone_pages_vote_and_upvote_and_receive_fragments() -> None:
    """``--html-phones``: the phones as the browser's phone page (its socket, its
    cookie, HTML fragments); every command acked, the counts exact."""
    lines: list[str] = []
    config = UpvoteConfig(
        n=12, questions=6, spread_s=1.5, ramp_s=0.5, timeout_s=90, html_phones=True
    )
    result = asyncio.run(run(config, lines.append))

    assert result["ok"], (result.get("error"), lines[-5:])
    for phase in ("vote", "upvote"):
        assert result[phase]["commands"]["acked_ok"] == 12
        assert result[phase]["phone_pushes"] >= 12  # at least each voter's own fragment
    assert result["vote"]["check"] == {"tally_exact": True, "voters": 12}
    check = result["upvote"]["check"]
    assert check["votes_exact"] and check["screen_top5_exact"], check
    assert check["phone_votes_exact"] is None  # pages keep no copy to check
    assert result["server_log"]["tracebacks"] == 0
