"""Small plots for docs/benchmarks.md, drawn from the results JSON with matplotlib.

One figure per scenario, sized to read in a browser column (800 px wide,
about 30-60 KB). PNG, except for time series (stamina), which are SVG:
lines stay sharp and the file stays small. The Agg backend needs no display.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

IMG = Path(__file__).parent.parent / "docs" / "img"
OURS, THEIRS, LIMIT = "#1b7f5f", "#c0504d", "#888888"


def _save(fig: Any, name: str, ext: str = "png") -> str:
    IMG.mkdir(parents=True, exist_ok=True)
    path = IMG / f"bench-{name}.{ext}"
    fig.tight_layout()
    # SVG: no embedded date, so a re-render of the same results changes nothing
    fig.savefig(path, dpi=80, metadata={"Date": None} if ext == "svg" else None)
    plt.close(fig)
    return f"img/{path.name}"


def socketio(summary: dict[str, Any]) -> str:
    """p99 against N with the 500 ms limit, and CPU per 1,000 votes against N."""
    rows = summary["per_n"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for side, color, label in (
        ("dialograum", OURS, "Dialograum"),
        ("socketio", THEIRS, "python-socketio + Redis"),
    ):
        pts = [(r["n"], r[side]) for r in rows if side in r]
        ns = [n for n, _ in pts]
        left.plot(ns, [s["vote_to_screen_p99_ms"] for _, s in pts], "o-", color=color,
                  label=f"{label}: vote→screen")  # fmt: skip
        left.plot(ns, [s["ack_p99_ms"] for _, s in pts], "s--", color=color, alpha=0.6,
                  label=f"{label}: ack")  # fmt: skip
        right.plot(ns, [s["cpu_per_1000_votes_s"] for _, s in pts], "o-", color=color,
                   label=label)  # fmt: skip
    left.axhline(summary["p99_limit_ms"], color=LIMIT, linestyle=":", label="limit 500 ms")
    left.set_yscale("log")
    left.set_xlabel("phones (N)")
    left.set_ylabel("p99 (ms, log scale)")
    left.set_title("Latency p99 by room size")
    left.legend(fontsize=7)
    right.set_xlabel("phones (N)")
    right.set_ylabel("server CPU s per 1,000 votes")
    right.set_title("CPU per vote (lower is better)")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return _save(fig, "socketio")


def ceiling(results: dict[str, Any]) -> str:
    """Deliveries per CPU second, per run: Dialograum, the ceiling, and half the ceiling."""
    runs = [r for r in results["runs"] if r.get("fraction_of_ceiling") is not None]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    xs = range(len(runs))
    ours = [r["dialograum"]["deliveries_per_cpu_s"] / 1000 for r in runs]
    top = [r["ceiling"]["deliveries_per_cpu_s"] / 1000 for r in runs]
    ax.barh(
        [x + 0.2 for x in xs], top, height=0.4, color=LIMIT, label="ceiling: websockets broadcast()"
    )
    ax.barh([x - 0.2 for x in xs], ours, height=0.4, color=OURS, label="Dialograum")
    for x, (o, t) in enumerate(zip(ours, top, strict=True)):
        ax.text(o, x - 0.2, f"  {o / t:.2f} of the ceiling", va="center", fontsize=8)
        ax.plot([t / 2, t / 2], [x - 0.45, x + 0.45], color=THEIRS, linestyle=":")
    ax.set_yticks(list(xs), [f"run {r['repeat']}" for r in runs])
    ax.set_xlabel("deliveries per server CPU second (thousands)")
    ax.set_title(f"Fan-out to N={runs[0]['n'] if runs else '?'} phones (dotted: target 0.5)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, "ceiling")


def brainstorm(results: dict[str, Any]) -> str:
    """Ack and screen-freshness percentiles per run, next to each other."""
    runs = [r for r in results["runs"] if r.get("ack_ms")]
    fig, ax = plt.subplots(figsize=(8, 3.0))
    width = 0.13
    for i, run in enumerate(runs):
        for j, (key, color) in enumerate((("ack_ms", OURS), ("screen_freshness_ms", LIMIT))):
            values = [run[key][q] for q in ("p50", "p95", "p99")]
            xs = [q + (i * 2 + j - len(runs) + 0.5) * width for q in range(3)]
            ax.bar(xs, values, width, color=color, alpha=0.55 + 0.15 * i,
                   label=("ack" if j == 0 else "screen freshness") if i == 0 else None)  # fmt: skip
    ax.set_xticks(range(3), ["p50", "p95", "p99"])
    ax.set_ylabel("ms")
    n = runs[0]["n"] if runs else "N"
    ax.set_title(f"Brainstorm, {n} phones: latency per run (bars left to right: runs 1, 2, 3)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, "brainstorm")


def reconnect(results: dict[str, Any]) -> str:
    """Phones dropped and back over time, and the console's ack latency meanwhile."""
    run = next((r for r in results["runs"] if r.get("back_timeline_ms")), None)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    if run is not None:
        back = [t / 1000 for t in run["back_timeline_ms"]]
        drops = [t / 1000 for t in run["drop_timeline_ms"]]
        top.step(drops, range(1, len(drops) + 1), where="post", color=THEIRS, label="dropped")
        top.step(back, range(1, len(back) + 1), where="post", color=OURS, label="back, with state")
        top.axvline(10, color=LIMIT, linestyle=":", label="target: all back by 10 s")
        top.set_ylabel("phones")
        top.legend(fontsize=8, loc="lower right")
        console = run["console_timeline"]
        bottom.plot([c[0] / 1000 for c in console], [c[1] for c in console], ".-", color=OURS)
        bottom.set_ylabel("console ack (ms)")
    bottom.set_xlabel("seconds after the storm began")
    top.set_title("Reconnect storm: every phone drops within 5 s")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    return _save(fig, "reconnect")


def slow(results: dict[str, Any]) -> str:
    """The others' p99s and the server's peak RSS, with and without 5% slow phones."""
    s = results["summary"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    labels = ["ack p99", "screen freshness p99"]
    keys = ["ack_p99_ms", "freshness_p99_ms"]
    for offset, (group, color, name) in enumerate(
        ((s["control"], LIMIT, "no slow phones"), (s["with_slow"], OURS, "5% slow phones"))
    ):
        left.bar([i + offset * 0.4 for i in range(2)], [group[k] or 0 for k in keys], 0.4,
                 color=color, label=name)  # fmt: skip
        right.bar([offset], [(group["rss_peak_kib"] or 0) / 1024], 0.6, color=color, label=name)
    left.set_xticks([0.2, 1.2], labels)
    left.set_ylabel("ms (others' phones and the screen)")
    left.legend(fontsize=8)
    right.set_xticks([0, 1], ["no slow phones", "5% slow phones"])
    right.set_ylabel("server RSS peak (MiB)")
    for ax in (left, right):
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Slow phones: the others' latency and server memory", fontsize=10)
    return _save(fig, "slow")


def stamina(results: dict[str, Any]) -> str:
    """The compressed event's RSS with its fitted slope, file descriptors, SQLite, CPU."""
    run = next((r for r in results["runs"] if r.get("timeline")), None)
    fig, axes = plt.subplots(4, 1, figsize=(8, 8.4), sharex=True)
    rss_ax, fd_ax, db_ax, cpu_ax = axes
    if run is not None:
        names = run["timeline_fields"]
        rows = [dict(zip(names, row, strict=True)) for row in run["timeline"]]
        event_s = run["config"]["minutes"] * 60
        minutes = [r["t_s"] / 60 for r in rows]
        rss_ax.plot(minutes, [r["rss_kib"] / 1024 for r in rows], color=OURS, label="server RSS")
        verdict = run.get("memory_verdict") or {}
        window = verdict.get("window_s")
        slope = verdict.get("rss_slope_mb_per_10_min")
        tail = [r for r in rows if window and window[0] <= r["t_s"] <= window[1]]
        if tail and slope is not None:
            mean_t = sum(r["t_s"] for r in tail) / len(tail)
            mean_v = sum(r["rss_kib"] / 1024 for r in tail) / len(tail)
            per_s = slope / 600 / 1.048576  # MB per 10 min -> MiB per second
            ends = [tail[0]["t_s"], tail[-1]["t_s"]]
            label = f"fit over the last two thirds: {slope:+.2f} MB / 10 min"
            rss_ax.plot([t / 60 for t in ends], [mean_v + per_s * (t - mean_t) for t in ends],
                        color=THEIRS, linestyle="--", label=label)  # fmt: skip
        rss_ax.axvspan(0, event_s / 3 / 60, color=LIMIT, alpha=0.12, label="warm-up (not fitted)")
        rss_ax.set_ylabel("RSS (MiB)")
        rss_ax.legend(fontsize=7, loc="lower right")
        fd_ax.plot(minutes, [r["fds"] for r in rows], color=OURS, label="server's open fds")
        fd_ax.plot(minutes, [r["phones_live"] for r in rows], color=LIMIT, linestyle=":",
                   label="phones connected")  # fmt: skip
        fd_ax.set_ylabel("count")
        fd_ax.legend(fontsize=7, loc="lower right")
        db_ax.plot(minutes, [r["db_bytes"] / 2**20 for r in rows], color=OURS, label="SQLite file")
        db_ax.plot(minutes, [r["wal_bytes"] / 2**20 for r in rows], color=THEIRS, label="WAL")
        db_ax.set_ylabel("MiB")
        db_ax.legend(fontsize=7, loc="upper left")
        for key, color, label in (
            ("server_cpu_s", OURS, "server"),
            ("generator_cpu_s", THEIRS, "load generator"),
        ):
            cores = [
                (b[key] - a[key]) / (b["t_s"] - a["t_s"]) if b["t_s"] > a["t_s"] else 0.0
                for a, b in itertools.pairwise(rows)
            ]
            cpu_ax.plot(minutes[1:], cores, color=color, label=label)
        cpu_ax.set_ylabel("CPU (cores)")
        cpu_ax.legend(fontsize=7, loc="upper right")
        for ax in axes:
            ax.axvline(event_s / 60, color=LIMIT, linestyle=":")
    cpu_ax.set_xlabel("minutes of the run (the event's 180 minutes compressed; dotted: its end)")
    every = run["config"]["sample_every_s"] if run is not None else 10
    title = f"Stamina: a three-hour event compressed, sampled every {every:g} s"
    rss_ax.set_title(title, fontsize=10)
    for ax in axes:
        ax.grid(alpha=0.3)
    return _save(fig, "stamina", "svg")
