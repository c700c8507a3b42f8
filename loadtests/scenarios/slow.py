"""Scenario "slow": 5% of the phones read very slowly; the others must not notice.

A plenum vote with the live tally on every phone (``results_on_phones``),
so every tick fans out to all N phones and a phone that does not read
backs up. Every 20th phone (5%) gets a 4 KiB receive buffer and reads one
chunk every 2 s; it does not vote. Each repeat runs twice with the same
seed, alternating: once with slow phones and once without (the control),
so the comparison is made in the same minute on the same machine.

Reported: the other phones' ack latency (an ack leaves through the same
per-phone outbox as the pushes, so it shows any delay in that phone's
delivery), the screen's freshness, and the server's RSS (peak over the
vote phase, and its growth) with and without the slow phones; how many
slow phones the server closed as stuck (its protection: a stuck phone
reconnects and gets the current state) and that no fast phone dropped.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Awaitable, Callable
from typing import Any

from loadtests.scenarios import plenum
from loadtests.scenarios.common import Progress


def _summary(run: dict[str, Any]) -> dict[str, Any]:
    timeline = run.get("load_timeline") or []
    rss = [row[2] for row in timeline]
    phase = run.get("vote_phase", {})
    return {
        "ok": run.get("ok"),
        "error": run.get("error"),
        "ack_ms": run.get("ack_ms"),
        "screen_freshness_ms": run.get("screen_freshness_ms"),
        "vote_to_screen_ms": run.get("vote_to_screen_ms"),
        "tally_exact": (run.get("tally") or {}).get("exact"),
        "server_cpu_s": phase.get("server_cpu_s"),
        "rss_before_kib": phase.get("server_rss_before_kib"),
        "rss_peak_kib": max(rss) if rss else None,
        "rss_growth_kib": (max(rss) - phase["server_rss_before_kib"])
        if rss and phase.get("server_rss_before_kib")
        else None,
        "slow": run.get("slow"),
        "server_log": run.get("server_log"),
        "other_processes_cores": run.get("other_processes_cores"),
    }


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Callable[[], Awaitable[float]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            for share in (0.05, 0.0):
                config = plenum.PlenumConfig(
                    n=n, seed=r, results_on_phones=True, slow_share=share, timeout_s=180
                )
                result = _summary(await plenum.run(config, progress, quiet, args.source))
                result |= {"n": n, "repeat": r, "slow_share": share}
                progress(f"[slow n={n} {r}/{args.repeat} share {share}] {_line(result)}")
                runs.append(result)
    return runs, summarise(runs)


def _line(run: dict[str, Any]) -> str:
    if not run.get("ack_ms"):
        return f"FAILED: {run.get('error')}"
    return (
        f"ack p99 {run['ack_ms']['p99']:.0f} ms, freshness p99 "
        f"{run['screen_freshness_ms']['p99']:.0f} ms, RSS peak {run['rss_peak_kib']} KiB, "
        f"slow {run['slow']}"
    )


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, share in (("with_slow", 0.05), ("control", 0.0)):
        group = [r for r in runs if r["slow_share"] == share and r.get("ack_ms")]
        out[label] = {
            "runs": len(group),
            "ok": sum(1 for r in group if r.get("ok")),
            "ack_p99_ms": _median([r["ack_ms"]["p99"] for r in group]),
            "freshness_p99_ms": _median([r["screen_freshness_ms"]["p99"] for r in group]),
            "vote_to_screen_p99_ms": _median([r["vote_to_screen_ms"]["p99"] for r in group]),
            "rss_peak_kib": _median([r["rss_peak_kib"] for r in group]),
            "rss_growth_kib": _median([r["rss_growth_kib"] for r in group]),
            "server_cpu_s": _median([r["server_cpu_s"] for r in group]),
        }
    slow_runs = [r for r in runs if r["slow_share"] and r.get("slow")]
    out["slow_dropped"] = [r["slow"]["slow_dropped"] for r in slow_runs]
    out["fast_dropped"] = [r["slow"]["fast_dropped"] for r in slow_runs]
    w, c = out["with_slow"], out["control"]
    for key in ("ack_p99_ms", "freshness_p99_ms", "rss_peak_kib"):
        if w[key] and c[key]:
            out[f"{key}_ratio"] = round(w[key] / c[key], 2)  # with slow / without, 1 = no harm
    return out
