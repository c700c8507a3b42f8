"""The stamina load scenario, shortened to a smoke test: 30 phones, a 30-second "event".

It runs the real harness against a real server process, so a change that
breaks the scenario (or any part of a whole event under phones that drop,
leave and join: polls of every kind, cards, café rounds, Q&A) fails here
rather than in the next ``make bench``. Whether memory stays flat is the
benchmark's question (a 30-second run cannot answer it); this asserts
outcomes: every command answered and none refused (but a vote that reached
its poll after the close, on a busy machine), the final state holds
what was acknowledged, and the watcher recorded what it should.
"""

from __future__ import annotations

import asyncio

from loadtests.scenarios.stamina import quick_config, run


def test_a_compressed_event_answers_every_command_and_keeps_what_was_acked() -> None:
    lines: list[str] = []
    config = quick_config(n=30, minutes=0.5)
    result = asyncio.run(run(config, lines.append))

    problems = [p for p in (result.get("error") or "").split("; ") if p]
    assert not [p for p in problems if not p.startswith("RSS not flat")], (
        problems,
        result.get("refused"),
        lines[-3:],
    )
    assert result["checks"] == {
        "polls": True,
        "poll_voters_exact": True,
        "cafe_rounds": True,
        "all_answered": True,
        "refused_only_late_votes": True,
        "moderator_all_acked": True,
        "cards_exact": True,
        "questions_exact": True,
    }
    assert result["unanswered"] == 0
    late = result["refused"].get("vote:poll_closed", 0)  # a machine busy enough delays a vote
    assert set(result["refused"]) <= {"vote:poll_closed"}  # a host's note is never refused
    assert result["commands_ok"] == result["commands"] | {"vote": result["commands"]["vote"] - late}
    for kind in ("vote", "card", "ask", "upvote", "note", "leave"):
        assert result["commands"].get(kind, 0) > 0, kind
    assert sum(result["cards"].values()) == config.cards
    assert result["questions"] == config.questions
    phones = result["phones"]
    assert phones["left"] == phones["newcomers"] == 6
    assert phones["reconnects"] > 0
    assert phones["closed_by_server"] == 0
    # the watcher: a sample a second over the event, with the server's numbers in them
    fields = result["timeline_fields"]
    assert len(result["timeline"]) >= 25
    first = dict(zip(fields, result["timeline"][0], strict=True))
    assert first["rss_kib"] > 0 and first["fds"] > 0 and first["db_bytes"] > 0
    verdict = result["memory_verdict"]
    assert verdict["samples"] >= 15
    assert verdict["rss_slope_mb_per_10_min"] is not None
    assert result["cpu"]["server_cpu_s"] > 0
    assert result["cpu"]["generator_cpu_s"] > 0
    assert result["server_log"]["tracebacks"] == 0
