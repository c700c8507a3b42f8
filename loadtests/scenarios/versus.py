"""Side-by-side runs: Dialograum against the broadcast ceiling and against python-socketio.

Every comparison is measured in the same invocation, on the same machine,
alternating the two sides run by run, so a noisy neighbour hits both; the
report quotes medians over repeats and the ratio of those medians.

``ceiling``: Dialograum's plenum with the live tally on every phone
(``results_on_phones``) and the phones' tick at the projector's 100 ms
(``DIALOGRAUM_PHONE_TICK_MS``; by default phones get shared views once a
second), so that every tick fans out to all N phones; then
the bare ``websockets`` broadcast server sends a phone push captured from
that very run, as many times per phone as Dialograum sent, to the same N.
Dialograum's deliveries per server CPU second (acks, phone and screen
pushes, the votes' handling included) as a fraction of the ceiling's.

``socketio``: the plenum vote (N phones, seeded votes within 5 s) on
Dialograum and on the python-socketio baseline, over a bounded sweep of N;
a side stops growing after its first N whose ack p99 or vote→screen p99
exceeds the limit (500 ms). Reported per N: p99s, CPU per vote and ratios.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from loadtests.baselines import ceiling, sio_plenum
from loadtests.scenarios import plenum
from loadtests.scenarios.common import Progress

Quiet = Callable[[], Awaitable[float]]
P99_LIMIT_MS = 500.0


def _ours_deliveries(run: dict[str, Any]) -> int:
    phase = run["vote_phase"]
    return int(
        phase["phone_messages"] + phase["moderator_messages"] + run["screen_pushes_during_votes"]
    )


async def run_ceiling(
    n: int, repeat: int, progress: Progress, quiet: Quiet, source: Path | None
) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for r in range(1, repeat + 1):
        config = plenum.PlenumConfig(n=n, seed=r, results_on_phones=True, phone_tick_ms=100)
        ours = await plenum.run(config, progress, quiet, source)
        row: dict[str, Any] = {"n": n, "repeat": r, "ok": False}
        if not ours.get("ok") or "sample_phone_push" not in ours:
            row["error"] = f"dialograum run failed: {ours.get('error')}"
            runs.append(row | {"dialograum": _slim(ours)})
            continue
        deliveries = _ours_deliveries(ours)
        cpu = ours["vote_phase"]["server_cpu_s"]
        per_phone = max(1, round(ours["vote_phase"]["phone_messages"] / n))
        await quiet()
        top = await ceiling.run(n, ours["sample_phone_push"], per_phone)
        ours_rate = deliveries / cpu if cpu else None
        row |= {
            "ok": bool(top.get("ok")) and ours_rate is not None,
            "dialograum": _slim(ours)
            | {
                "deliveries": deliveries,
                "server_cpu_s": cpu,
                "deliveries_per_cpu_s": round(ours_rate) if ours_rate else None,
                "push_bytes": len(ours["sample_phone_push"].encode()),
                "push_sample": ours["sample_phone_push"][:4000],  # what the ceiling sent
            },
            "ceiling": top,
        }
        if row["ok"] and top.get("deliveries_per_cpu_s"):
            row["fraction_of_ceiling"] = round(ours_rate / top["deliveries_per_cpu_s"], 3)
        progress(
            f"[ceiling n={n} {r}/{repeat}] ours {row['dialograum'].get('deliveries_per_cpu_s')} "
            f"deliveries/CPU s, ceiling {top.get('deliveries_per_cpu_s')}: "
            f"fraction {row.get('fraction_of_ceiling')}"
        )
        runs.append(row)
    return runs


def _slim(run: dict[str, Any]) -> dict[str, Any]:
    """The numbers the comparison needs, without the timelines (the plenum section has those)."""
    keep = (
        "ok", "error", "ack_ms", "screen_freshness_ms", "vote_to_screen_ms",
        "server_cpu_per_1000_votes_s", "screen_pushes_during_votes", "tally",
        "other_processes_cores", "machine_busy_before_votes_cores",
    )  # fmt: skip
    slim = {k: run[k] for k in keep if k in run}
    if "vote_phase" in run:
        phase = run["vote_phase"]
        slim["vote_phase"] = {
            k: phase.get(k)
            for k in ("server_cpu_s", "phone_messages", "moderator_messages", "generator_cpu_s")
        }
    return slim


def passed(run: dict[str, Any]) -> bool:
    """Within the limit: every vote acked and counted, ack p99 and vote→screen p99 ≤ 500 ms."""
    if not run.get("ok"):
        return False
    ack_p99: float = run["ack_ms"]["p99"]
    screen_p99: float = run["vote_to_screen_ms"]["p99"]
    return ack_p99 <= P99_LIMIT_MS and screen_p99 <= P99_LIMIT_MS


async def run_socketio(
    sweep: list[int],
    repeat: int,
    redis_url: str,
    progress: Progress,
    quiet: Quiet,
    source: Path | None,
) -> list[dict[str, Any]]:
    """Both sides at each N of the sweep; a side that missed the limit at some N stops there."""
    runs: list[dict[str, Any]] = []
    going = {"dialograum": True, "socketio": True}
    for n in sweep:
        if not any(going.values()):
            break
        passes = {"dialograum": 0, "socketio": 0}
        for r in range(1, repeat + 1):
            for side in ("socketio", "dialograum"):
                if not going[side]:
                    continue
                await quiet()
                if side == "socketio":
                    run = await sio_plenum.run(n, r, redis_url, progress, quiet=quiet)
                else:
                    config = plenum.PlenumConfig(n=n, seed=r)
                    run = _slim(await plenum.run(config, progress, quiet, source))
                run |= {"side": side, "n": n, "repeat": r, "within_limit": passed(run)}
                passes[side] += run["within_limit"]
                runs.append(run)
                progress(f"[socketio sweep n={n} {r}/{repeat}] {side}: {_line(run)}")
        for side in going:
            # a side keeps going while most of its runs at this N stayed within the limit
            going[side] = going[side] and passes[side] * 2 > repeat
    return runs


def _line(run: dict[str, Any]) -> str:
    if "ack_ms" not in run:
        return f"FAILED: {run.get('error')}"
    return (
        f"ack p99 {run['ack_ms']['p99']:.0f} ms, vote→screen p99 "
        f"{run['vote_to_screen_ms']['p99']:.0f} ms, freshness p99 "
        f"{run['screen_freshness_ms']['p99']:.0f} ms, CPU/1000 votes "
        f"{run['server_cpu_per_1000_votes_s']:.2f} s"
        + ("" if run["within_limit"] else "  (over the limit)")
    )


def summarise_socketio(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per side and N, the largest N within the limit, and our ratios at each common N."""
    by: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for run in runs:
        by.setdefault((run["side"], run["n"]), []).append(run)

    def med(side: str, n: int, *path: str) -> float | None:
        values = []
        for run in by.get((side, n), []):
            value: Any = run
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, int | float):
                values.append(float(value))
        return statistics.median(values) if values else None

    ns = sorted({n for _, n in by})
    table = []
    largest = {"dialograum": 0, "socketio": 0}
    for n in ns:
        row: dict[str, Any] = {"n": n}
        for side in ("dialograum", "socketio"):
            group = by.get((side, n), [])
            if not group:
                continue
            row[side] = {
                "ack_p99_ms": med(side, n, "ack_ms", "p99"),
                "vote_to_screen_p99_ms": med(side, n, "vote_to_screen_ms", "p99"),
                "freshness_p99_ms": med(side, n, "screen_freshness_ms", "p99"),
                "cpu_per_1000_votes_s": med(side, n, "server_cpu_per_1000_votes_s"),
                "within_limit": sum(r["within_limit"] for r in group) * 2 > len(group),
                "runs": len(group),
            }
            if row[side]["within_limit"]:
                largest[side] = max(largest[side], n)
        ours, theirs = row.get("dialograum"), row.get("socketio")
        if ours and theirs:
            row["cpu_per_vote_ratio"] = _ratio(
                theirs["cpu_per_1000_votes_s"], ours["cpu_per_1000_votes_s"]
            )
            row["vote_to_screen_p99_ratio"] = _ratio(
                theirs["vote_to_screen_p99_ms"], ours["vote_to_screen_p99_ms"]
            )
            row["freshness_p99_ratio"] = _ratio(
                theirs["freshness_p99_ms"], ours["freshness_p99_ms"]
            )
        table.append(row)
    sio_max, ours_max = largest["socketio"], largest["dialograum"]
    return {
        "p99_limit_ms": P99_LIMIT_MS,
        "per_n": table,
        "largest_n_within_limit": largest,
        "phones_ratio": round(ours_max / sio_max, 2) if sio_max else None,
        # the sweep stopped growing Dialograum at its last N: "at least" this ratio
        "dialograum_capped_by_sweep": bool(ns) and ours_max == ns[-1],
    }


def _ratio(theirs: float | None, ours: float | None) -> float | None:
    """How many times better we are (theirs / ours); > 1 is better for Dialograum."""
    if theirs is None or ours is None:
        return None
    if ours == 0:
        return None
    return round(theirs / ours, 2)


def summarise_ceiling(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if r.get("fraction_of_ceiling") is not None]

    def med(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    return {
        "runs": len(runs),
        "ok_runs": len(good),
        "fraction_of_ceiling": med([r["fraction_of_ceiling"] for r in good]),
        "fraction_min": min((r["fraction_of_ceiling"] for r in good), default=None),
        "fraction_max": max((r["fraction_of_ceiling"] for r in good), default=None),
        "ours_deliveries_per_cpu_s": med([r["dialograum"]["deliveries_per_cpu_s"] for r in good]),
        "ceiling_deliveries_per_cpu_s": med([r["ceiling"]["deliveries_per_cpu_s"] for r in good]),
        "push_bytes": med([r["dialograum"]["push_bytes"] for r in good]),
        "target": 0.5,
    }
