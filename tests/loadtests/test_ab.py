"""``loadtests.ab``: one side's single-run files become one results file, as ``run.py`` writes."""

from __future__ import annotations

from typing import Any

from loadtests.ab import gather


def _results(cpu: float, started: str) -> dict[str, Any]:
    run = {
        "n": 1000,
        "ok": True,
        "repeat": 1,
        "dropped": 0,
        "server_log": {"errors": 0, "warnings": 0},
        "server": {"cpu_s": cpu},
        "join_to_screen_ms": {"p50": 100.0, "p99": 10 * cpu},
    }
    return {
        "scenario": "join",
        "machine": {"commit": "abc1234"},
        "started": started,
        "settings": {"repeat": 1, "ramp_s": 2.0},
        "loadavg": [cpu, 1.0, 1.0],
        "duration_s": 30.0,
        "runs": [run],
    }


def test_runs_are_numbered_in_order_and_summarised_as_one() -> None:
    sides = [_results(1.5, "first"), _results(2.0, "second"), _results(1.0, "third")]
    merged = gather(sides, [1, 2, 3])

    assert [r["repeat"] for r in merged["runs"]] == [1, 2, 3]
    assert [r["server"]["cpu_s"] for r in merged["runs"]] == [1.5, 2.0, 1.0]
    assert merged["settings"] == {"repeat": 3, "ramp_s": 2.0}
    assert merged["duration_s"] == 90.0
    assert merged["loadavg"] == [1.0, 1.0, 1.0]  # the last run's, as at the end of a run
    summary = merged["summary"]["1000"]
    assert summary["runs"] == 3
    assert summary["ok"] == 3
    assert summary["server.cpu_s"]["median"] == 1.5
    assert summary["join_to_screen_ms.p99"]["median"] == 15.0
