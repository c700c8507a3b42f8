"""The side-by-side summary: which N each side managed, and the ratios quoted in the docs."""

from __future__ import annotations

from typing import Any

from loadtests.scenarios.versus import passed, summarise_socketio


def _run(
    side: str, n: int, ack: float, screen: float, cpu: float, ok: bool = True
) -> dict[str, Any]:
    run = {
        "side": side,
        "n": n,
        "ok": ok,
        "ack_ms": {"p99": ack},
        "vote_to_screen_ms": {"p99": screen},
        "screen_freshness_ms": {"p99": screen / 2},
        "server_cpu_per_1000_votes_s": cpu,
    }
    run["within_limit"] = passed(run)
    return run


def test_largest_n_within_the_limit_and_ratios_of_medians() -> None:
    runs = [
        _run("socketio", 100, 60, 20, 5.0),
        _run("socketio", 100, 40, 10, 6.0),
        _run("dialograum", 100, 10, 100, 1.0),
        _run("dialograum", 100, 20, 100, 2.0),
        _run("socketio", 200, 900, 300, 9.0),  # ack over 500 ms
        _run("socketio", 200, 400, 300, 9.0, ok=False),  # a vote lost: never within
        _run("dialograum", 200, 30, 110, 1.5),
        _run("dialograum", 200, 30, 110, 1.5),
    ]
    summary = summarise_socketio(runs)

    assert summary["largest_n_within_limit"] == {"dialograum": 200, "socketio": 100}
    assert summary["phones_ratio"] == 2.0
    assert summary["dialograum_capped_by_sweep"] is True
    at_100 = summary["per_n"][0]
    assert at_100["socketio"]["cpu_per_1000_votes_s"] == 5.5
    assert at_100["dialograum"]["cpu_per_1000_votes_s"] == 1.5
    assert at_100["cpu_per_vote_ratio"] == round(5.5 / 1.5, 2)
    assert at_100["vote_to_screen_p99_ratio"] == 0.15  # python-socketio's screen was fresher here
    assert summary["per_n"][1]["socketio"]["within_limit"] is False
