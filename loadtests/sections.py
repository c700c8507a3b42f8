"""Markdown sections (with plots) for the scenarios in :mod:`loadtests.suites`.

Each renderer gets a results file (``results/<scenario>.json``) and returns
the text between that scenario's markers in ``docs/benchmarks.md``; the plot
it links is redrawn into ``docs/img/`` at the same time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loadtests import plots
from loadtests.scenarios import manyevents_report
from loadtests.scenarios.stamina import EVENT_MINUTES


def _f(value: Any, fmt: str = "{:.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def _med(stats: dict[str, Any], fmt: str = "{:.0f}") -> str:
    """``median (min–max)`` from :func:`loadtests.stats.spread`."""
    if not stats or stats.get("median") is None:
        return "–"
    if stats["runs"] == 1:
        return fmt.format(stats["median"])
    return f"{fmt.format(stats['median'])} ({fmt.format(stats['min'])}–{fmt.format(stats['max'])})"


def _facts(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = results.get("loadavg")
    loadavg = " / ".join(f"{v:.2f}" for v in load) if load else "not recorded"
    return (
        f"- **Machine:** {m['nproc']} cores ({m['cpu_model']}), shared with other work; "
        f"Linux {m['kernel']}, Python {m['python']}, commit `{m['commit']}`"
        + (
            f" plus uncommitted changes in {', '.join(m['uncommitted'])}"
            if m["uncommitted"]
            else ""
        )
        + f"\n- **Date:** {results['started']} ({results['duration_s']:.0f} s in all); "
        f"load average at the end (1/5/15 min): {loadavg}"
        f"\n- **Command:** `{results['command']}`\n"
    )


def _yes(value: Any) -> str:
    return "**met**" if value else "**missed**"


def render_ceiling(results: dict[str, Any]) -> str:
    s = results["summary"]
    image = plots.ceiling(results)
    rows = [
        "| run | Dialograum deliveries | its CPU (s) | per CPU s | ceiling per CPU s | fraction |",
        "|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        ours, top = r.get("dialograum", {}), r.get("ceiling", {})
        rows.append(
            f"| {r['repeat']} | {_f(ours.get('deliveries'), '{:,}')} | {_f(ours.get('server_cpu_s'), '{:.2f}')} "
            f"| {_f(ours.get('deliveries_per_cpu_s'), '{:,}')} | {_f(top.get('deliveries_per_cpu_s'), '{:,}')} "
            f"| {_f(r.get('fraction_of_ceiling'), '{:.2f}')} |"
        )
    fraction = s.get("fraction_of_ceiling")
    return f"""## Versus the ceiling: a bare `websockets` broadcast

Dialograum's plenum with the live tally on every phone (`results_on_phones`)
and the phones' tick set to the projector's 100 ms (`DIALOGRAUM_PHONE_TICK_MS=100`;
by default phones get shared views once a second), so every 100 ms tick fans
out to all N phones: N phones vote within 5 s and
the server sends acks, phone pushes, screen pushes and console pushes. Right
after, in the same invocation, the ceiling
(`loadtests/baselines/ceiling_server.py`: one `websockets.broadcast()` of the
same pre-encoded bytes to every connection, nothing else) sends a phone push
captured from that very run ({_f(s.get("push_bytes"))} bytes), as many times
per phone as Dialograum sent, every 100 ms, to the same N lean phones. Both
servers' CPU comes from `/proc/<pid>/stat`; Dialograum's includes handling
the N votes, durably, which the ceiling does not do at all.

{_facts(results)}
![Deliveries per CPU second, Dialograum and the ceiling]({image})

{chr(10).join(rows)}

Median fraction of the ceiling: **{_f(fraction, "{:.2f}")}** (runs
{_f(s.get("fraction_min"), "{:.2f}")}–{_f(s.get("fraction_max"), "{:.2f}")}), target ≥ 0.5:
{_yes(fraction is not None and fraction >= 0.5)}. Dialograum
{_f(s.get("ours_deliveries_per_cpu_s"), "{:,.0f}")} deliveries per CPU second, the ceiling
{_f(s.get("ceiling_deliveries_per_cpu_s"), "{:,.0f}")}.
"""


def render_socketio(results: dict[str, Any]) -> str:
    s = results["summary"]
    image = plots.socketio(s)
    head = (
        "| N | ack p99 ours / theirs (ms) | vote→screen p99 ours / theirs (ms) "
        "| freshness p99 ours / theirs (ms) | CPU per 1,000 votes ours / theirs (s) "
        "| CPU ratio | within 500 ms ours / theirs |"
    )
    rows = [head, "|---|---|---|---|---|---|---|"]
    for r in s["per_n"]:
        o, t = r.get("dialograum") or {}, r.get("socketio") or {}

        def pair(
            key: str, fmt: str = "{:.0f}", o: dict[str, Any] = o, t: dict[str, Any] = t
        ) -> str:
            return f"{_f(o.get(key), fmt)} / {_f(t.get(key), fmt)}"

        def ok(side: dict[str, Any]) -> str:
            return "–" if not side else ("yes" if side["within_limit"] else "no")

        rows.append(
            f"| {r['n']} | {pair('ack_p99_ms')} | {pair('vote_to_screen_p99_ms')} "
            f"| {pair('freshness_p99_ms')} | {pair('cpu_per_1000_votes_s', '{:.2f}')} "
            f"| {_f(r.get('cpu_per_vote_ratio'), '{:.1f}×')} | {ok(o)} / {ok(t)} |"
        )
    largest = s["largest_n_within_limit"]
    common = [r for r in s["per_n"] if r.get("cpu_per_vote_ratio")]
    cpu_ratios = [r["cpu_per_vote_ratio"] for r in common]
    capped = (
        " (the sweep's largest N: Dialograum may go further)"
        if s.get("dialograum_capped_by_sweep")
        else ""
    )
    phones_ratio = s.get("phones_ratio")
    return f"""## Versus python-socketio with AsyncRedisManager: the plenum vote

`loadtests/baselines/sio_server.py` is what the python-socketio docs teach
for a live vote: an `AsyncServer` on `AsyncRedisManager` (Redis on
127.0.0.1:6379, a channel of its own per run), every client in one room, and
on every `vote` event the new tally `emit()`ted to the room; the handler's
return value is the ack. Served by uvicorn with Dialograum's options
(uvloop, `websockets-sansio`, no compression, no access log). Its phones are
as lean as Dialograum's (the same sans-I/O `LeanSocket`; Engine.IO's `40`
handshake and ping answers included), its screen is a probe process of its
own, and the votes are the same seeded draws. Each N runs both sides
{results["settings"]["repeat"]} times, alternating; medians. A side stops
growing after the first N where most of its runs miss the limit: every vote
acked and counted, ack p99 and vote→screen p99 both ≤ 500 ms. Freshness is
ack → first screen push that counts the vote (0 when the screen had it
first). Redis's own CPU is not counted for python-socketio (Redis is shared
on this machine), which flatters it; Dialograum's CPU includes its SQLite
writes. The difference in design is deliberate: phones in Dialograum do not
get the live tally unless the moderator shares it, and pushes are coalesced
per 100 ms tick; python-socketio as taught sends every tally to everyone.

{_facts(results)}
![p99 and CPU per vote against N, both servers]({image})

{chr(10).join(rows)}

- **Largest N within 500 ms:** Dialograum {largest["dialograum"]}{capped},
  python-socketio {largest["socketio"]}: **{_f(phones_ratio, "{:.1f}×")}** as many
  phones (target ≥ 3×: {_yes(phones_ratio is not None and phones_ratio >= 3)}).
- **CPU per vote:** python-socketio needs {", ".join(f"{x:.1f}×" for x in cpu_ratios) or "–"}
  Dialograum's at N = {", ".join(str(r["n"]) for r in common) or "–"} (target ≥ 3×:
  {_yes(bool(cpu_ratios) and min(cpu_ratios) >= 3)}{" at every N" if cpu_ratios else ""}).
- **Screen freshness p99, theirs ÷ ours** (above 1: Dialograum's screen is
  fresher): vote→screen {", ".join(f"{r['vote_to_screen_p99_ratio']:.2f}" for r in common) or "–"},
  ack→screen {", ".join(_f(r.get("freshness_p99_ratio"), "{:.2f}") for r in common) or "–"}
  at N = {", ".join(str(r["n"]) for r in common) or "–"}. python-socketio
  emits the tally before its handler returns the ack, so its ack→screen
  freshness is 0 by construction and the ratio says nothing; vote→screen is
  the fair measure. While python-socketio keeps up, its screen can be
  fresher (it emits at once; Dialograum coalesces into 100 ms ticks, so its
  p99 sits near 100 ms); past its limit its emit-to-everyone cost runs away.
"""


def render_brainstorm(results: dict[str, Any]) -> str:
    s = results["summary"]
    image = plots.brainstorm(results)
    rows = [
        "| run | posts acked | answers exact | cloud exact (console / screen) | ack p99 (ms) | freshness p99 (ms) | deliveries/s | server CPU (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        check = r.get("check") or {}
        posts = r.get("posts") or {}
        rows.append(
            f"| {r.get('repeat')} | {posts.get('acked_ok', '–')}/{posts.get('planned', '–')} "
            f"| {check.get('answers_exact')} | {check.get('cloud_exact')} / {check.get('screen_cloud_exact')} "
            f"| {_f((r.get('ack_ms') or {}).get('p99'))} | {_f((r.get('screen_freshness_ms') or {}).get('p99'))} "
            f"| {_f(r.get('deliveries_per_s'))} | {_f(r.get('server_cpu_s'), '{:.2f}')} |"
        )
    cfg = results["runs"][0].get("config", {}) if results["runs"] else {}
    return f"""## Brainstorm: {cfg.get("n", "N")} phones post open-text answers, word cloud on screen

An open-text poll on the projector as a word cloud; over
{_f(cfg.get("duration_s"))} s each phone posts {cfg.get("posts", 3)} answers (1–4
words from a 35-word vocabulary, seeded) at random moments. Dialograum
keeps one answer per phone and poll, so a later post replaces the earlier
("change my answer"): the room ends with one answer per phone, its last.
Checked on every run: all posts acked, the console's answers are exactly the
phones' last texts, its word cloud equals the counts computed by the
harness, and the screen's last push shows the same cloud.
`tests/loadtests/test_brainstorm_smoke.py` runs a 12-phone, 2-second version
in `make test`.

{_facts(results)}
![Server CPU and memory while the room posts]({image})

{chr(10).join(rows)}

Medians (min–max): ack p50 {_med(s["ack_p50_ms"])} ms, p95 {_med(s["ack_p95_ms"])} ms,
p99 {_med(s["ack_p99_ms"])} ms; screen freshness p50 {_med(s["freshness_p50_ms"])} ms,
p99 {_med(s["freshness_p99_ms"])} ms; {_med(s["deliveries_per_s"])} deliveries per
second (phones, screen, console); server CPU {_med(s["server_cpu_s"], "{:.2f}")} s
({_med(s["server_cpu_per_1000_posts_s"], "{:.2f}")} s per 1,000 posts); memory
{_med(s["rss_per_connection_kib"], "{:.1f}")} KiB per connection, peak RSS
{_med(s["server_rss_peak_kib"])} KiB.
"""


def render_reconnect(results: dict[str, Any]) -> str:
    s = results["summary"]
    image = plots.reconnect(results)
    rows = [
        "| run | back | with state | all back (s) | drop→welcome p50 / p99 (ms) | console ack p50 / p99 / max (ms) | tally exact | changed vote already in on welcome | server CPU (s) | RSS before → peak (KiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"]:
        d, c = r.get("drop_to_welcome_ms") or {}, r.get("console_ack_ms") or {}
        rows.append(
            f"| {r.get('repeat')} | {r.get('back', '–')}/{r['n']} | {r.get('back_with_state', '–')} "
            f"| {_f(r.get('all_back_s'), '{:.2f}')} | {_f(d.get('p50'))} / {_f(d.get('p99'))} "
            f"| {_f(c.get('p50'), '{:.1f}')} / {_f(c.get('p99'))} / {_f(c.get('max'))} "
            f"| {(r.get('checks') or {}).get('tally_exact')} | {_f(r.get('changed_vote_on_welcome'))} "
            f"| {_f(r.get('server_cpu_s'), '{:.2f}')} | {_f(r.get('rss_before_kib'))} → {_f(r.get('rss_peak_kib'))} |"
        )
    n = results["runs"][0]["n"] if results["runs"] else "N"
    return f"""## Reconnect storm: {n} phones drop and come back within 5 s

{n} phones in a live poll, each has voted. Then, at a random moment within
5 s, each phone changes its vote and in the same instant loses its
connection (the socket is aborted right after the write, so the vote may or
may not have reached the server), opens a fresh socket with its token and,
once welcomed, resends the changed vote with the same `cid`. The console
sends a command every 100 ms throughout (`screen.show` of the poll already
on screen: the whole command path, nothing visible changes) and times its
acks. Checked: every phone back, its welcome carrying its own ballot; all
back within 10 s; every changed vote acked; the final tally has exactly N
voters with every phone's new choice (nothing lost, nothing doubled).

{_facts(results)}
![Phones dropped and back over time; console ack latency during the storm]({image})

{chr(10).join(rows)}

Medians (min–max): all back after {_med(s["all_back_s"], "{:.2f}")} s (target ≤ 10 s);
drop→welcome p50 {_med(s["drop_to_welcome_p50_ms"])} ms, p99 {_med(s["drop_to_welcome_p99_ms"])} ms;
console ack p50 {_med(s["console_ack_p50_ms"], "{:.1f}")} ms, p99 {_med(s["console_ack_p99_ms"])} ms,
max {_med(s["console_ack_max_ms"])} ms; server RSS after the storm
{_med(s["rss_growth_kib"])} KiB above before it. Runs ok: {s["ok"]}/{s["runs"]}.
"""


def render_slow(results: dict[str, Any]) -> str:
    s = results["summary"]
    image = plots.slow(results)
    w, c = s["with_slow"], s["control"]

    def row(label: str, key: str, fmt: str = "{:.0f}") -> str:
        ratio = s.get(f"{key}_ratio")
        return f"| {label} | {_f(c[key], fmt)} | {_f(w[key], fmt)} | {_f(ratio, '{:.2f}')} |"

    n = results["runs"][0]["n"] if results["runs"] else "N"
    return f"""## Slow phones: 5% read very slowly

A plenum vote with the live tally on every phone (`results_on_phones`), so
every tick goes to all {n} phones. Every 20th phone has a 4 KiB receive
buffer and reads one chunk every 2 s; those phones do not vote. Each repeat
runs with the slow phones and, right after with the same seed, without them
(the control). The others' ack latency shows their delivery: an ack leaves
through the same per-phone outbox as the pushes.

{_facts(results)}
![The others' p99s and server memory, with and without slow phones]({image})

| median over runs | without slow phones | with 5% slow | ratio |
|---|---|---|---|
{row("others' ack p99 (ms)", "ack_p99_ms")}
{row("screen freshness p99 (ms)", "freshness_p99_ms")}
| vote→screen p99 (ms) | {_f(c["vote_to_screen_p99_ms"])} | {_f(w["vote_to_screen_p99_ms"])} | |
{row("server RSS peak (KiB)", "rss_peak_kib")}
| server RSS growth over the votes (KiB) | {_f(c["rss_growth_kib"])} | {_f(w["rss_growth_kib"])} | |
| server CPU in the vote phase (s) | {_f(c["server_cpu_s"], "{:.2f}")} | {_f(w["server_cpu_s"], "{:.2f}")} | |

Slow phones the server closed as stuck, per run: {s["slow_dropped"]}; fast
phones dropped: {s["fast_dropped"]}. Runs ok: {w["ok"]}/{w["runs"]} with slow
phones, {c["ok"]}/{c["runs"]} without.
"""


def _at(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def render_upvote(results: dict[str, Any]) -> str:
    s = results["summary"]
    runs = results["runs"]
    rows = [
        "| run | order | ack p99 vote / upvote (ms) | freshness p99 vote / upvote (ms) "
        "| CPU per 1,000 vote / upvote (s) | CPU ratio | phone pushes vote / upvote "
        "| counts exact | screen top 5 exact |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        v, u = r.get("vote") or {}, r.get("upvote") or {}

        def pair(
            *path: str, fmt: str = "{:.0f}", v: dict[str, Any] = v, u: dict[str, Any] = u
        ) -> str:
            return f"{_f(_at(v, *path), fmt)} / {_f(_at(u, *path), fmt)}"

        order = "upvote first" if (r.get("config") or {}).get("upvote_first") else "vote first"
        exact = bool((v.get("check") or {}).get("tally_exact")) and bool(
            (u.get("check") or {}).get("votes_exact")
        )
        rows.append(
            f"| {r.get('repeat')} | {order} | {pair('ack_ms', 'p99')} "
            f"| {pair('screen_freshness_ms', 'p99')} "
            f"| {pair('server_cpu_per_1000_s', fmt='{:.2f}')} | {_f(r.get('cpu_ratio'), '{:.2f}')} "
            f"| {pair('phone_pushes', fmt='{:,}')} | {exact} "
            f"| {(u.get('check') or {}).get('screen_top5_exact')} |"
        )
    cfg = runs[0].get("config", {}) if runs else {}
    cpu = s["cpu_ratio"].get("median")
    return f"""## Upvotes: {cfg.get("n", "N")} phones upvote among {cfg.get("questions", 50)} questions, top 5 on screen

Issue 12: an upvote should cost no more than a plenum vote. Each run starts
one server with {cfg.get("n", "N")} phones and, not measured, opens a
single-choice poll and a Q&A session in which the first
{cfg.get("questions", 50)} phones ask a question each. Then two measured
phases in the same room: **vote** (the poll on the projector, every phone
votes once within {_f(cfg.get("spread_s"))} s) and **upvote** (the Q&A on the
projector, its top 5 with their votes; every phone upvotes one question
within {_f(cfg.get("spread_s"))} s, the k-th question drawn with weight 1/k, so
the top 5 keeps moving). The order of the phases alternates from run to
run; each waits for a quiet machine. Checked: every command acked, the poll
tally and every question's votes equal the seeded plan's counts, and the
screen's last push shows every vote and the reference top 5 (ties by age).
`tests/loadtests/test_upvote_smoke.py` runs a 16-phone version in `make test`.

{_facts(results)}
{chr(10).join(rows)}

Medians over {s["runs"]} runs (min–max), vote → upvote:

| | vote (baseline) | upvote | upvote ÷ vote |
|---|---|---|---|
| ack p50 (ms) | {_med(s["vote_ack_p50_ms"], "{:.1f}")} | {_med(s["upvote_ack_p50_ms"], "{:.1f}")} | |
| ack p99 (ms) | {_med(s["vote_ack_p99_ms"])} | {_med(s["upvote_ack_p99_ms"])} | {_med(s["ack_p99_ratio"], "{:.2f}")} |
| screen freshness p50 (ms) | {_med(s["vote_freshness_p50_ms"])} | {_med(s["upvote_freshness_p50_ms"])} | |
| screen freshness p99 (ms) | {_med(s["vote_freshness_p99_ms"])} | {_med(s["upvote_freshness_p99_ms"])} | {_med(s["freshness_p99_ratio"], "{:.2f}")} |
| server CPU per 1,000 (s) | {_med(s["vote_cpu_per_1000_s"], "{:.2f}")} | {_med(s["upvote_cpu_per_1000_s"], "{:.2f}")} | {_med(s["cpu_ratio"], "{:.2f}")} |
| pushes to phones | {_med(s["vote_phone_pushes"], "{:,.0f}")} | {_med(s["upvote_phone_pushes"], "{:,.0f}")} | |
| pushes to the screen | {_med(s["vote_screen_pushes"])} | {_med(s["upvote_screen_pushes"])} | |
| server's busiest second (cores) | {_med(s["vote_server_peak_core_share"], "{:.2f}")} | {_med(s["upvote_server_peak_core_share"], "{:.2f}")} | |

The upvote costs no more than a vote (CPU ratio ≤ 1.0): {_yes(cpu is not None and cpu <= 1.0)}
(median {_f(cpu, "{:.2f}")}). Runs ok: {s["ok"]}/{s["runs"]}.
{_upvote_before()}"""


def _upvote_before() -> str:
    """The first measurement, before phones got their slower tick (results/upvote-before.json)."""
    path = Path(__file__).parent / "results" / "upvote-before.json"
    if not path.exists():
        return ""
    before = json.loads(path.read_text())
    s, m = before["summary"], before["machine"]
    return f"""
Before phones got shared views at their own, slower tick (1 s; commit `{m["commit"]}`,
`{before["command"]}`): CPU ratio {_med(s["cpu_ratio"], "{:.2f}")}, upvote ack p99
{_med(s["upvote_ack_p99_ms"])} ms against the vote's {_med(s["vote_ack_p99_ms"])} ms,
{_med(s["upvote_phone_pushes"], "{:,.0f}")} pushes to phones in the upvote phase: every
100 ms tick sent the new vote counts to every phone.
"""


def render_stamina(results: dict[str, Any]) -> str:
    image = plots.stamina(results)
    run = next((r for r in results["runs"] if r.get("memory_verdict")), None)
    if run is None:
        errors = "; ".join(str(r.get("error")) for r in results["runs"])
        return f"## Stamina: a three-hour event, compressed\n\nNo run finished: {errors}\n"
    cfg, v, cpu = run["config"], run["memory_verdict"], run.get("cpu") or {}
    phones = run.get("phones") or {}
    ack, mod = run.get("ack_ms") or {}, run.get("moderator_ack_ms") or {}
    commands = run.get("commands") or {}
    left = run.get("after_everyone_left") or {}
    data = run.get("data") or {}
    refused = ", ".join(f"{k} {n}" for k, n in (run.get("refused") or {}).items()) or "none"
    checks = ", ".join(f"{k} {_yes_no(ok)}" for k, ok in (run.get("checks") or {}).items())
    acked = run.get("commands_ok") or {}
    sent = ", ".join(f"{k} {acked.get(k, 0):,}/{n:,}" for k, n in commands.items())
    return f"""## Stamina: a three-hour event compressed into {cfg["minutes"]:g} minutes

Issue 19: a whole event on one server (SQLite), its 180 minutes compressed
into {cfg["minutes"]:g} minutes of real time, with {cfg["n"]:,} phones on the JSON
live socket, the screen probe and a moderator. The phones arrive before the
start (the join ramp, part of the warm-up); {cfg["churn"]:.0%} of them leave
during the event and as many newcomers join; they vote in {cfg["polls"]}
polls of all six kinds, post {cfg["cards"]:,} cards on two boards (each sorted
once by `cluster.suggest`), sit at a World Café of {cfg["cafe_rounds"]} rounds
at {cfg["cafe_tables"]} tables (hosts write notes, newcomers check in), ask
{cfg["questions"]} questions and upvote them, and drop their connection about
{cfg["reconnects_per_phone"]:g} times each, coming back a few seconds later and
resending what was not acknowledged (same `cid`). Every
{cfg["sample_every_s"]:g} s the harness reads the server's RSS, open file
descriptors and threads from `/proc`, the SQLite file and WAL, and both
processes' CPU (`loadtests/scenarios/stamina.py`, `stamina_watch.py`).
`tests/loadtests/test_stamina_smoke.py` plays a 30-phone, 30-second version
in `make test`.

{_facts(results)}
![RSS, file descriptors, SQLite and CPU over the compressed event]({image})

| | result |
|---|---|
| RSS slope over the last two thirds (target < {v["limit_mb_per_10_min"]:g} MB per 10 min) | **{_f(v["rss_slope_mb_per_10_min"], "{:+.2f}")} MB per 10 min**: {_yes(v["flat"])} |
| RSS before the phones → all connected | {_f((run.get("rss_baseline_kib") or 0) / 1024, "{:.0f}")} → {_f((run.get("rss_connected_kib") or 0) / 1024, "{:.0f}")} MiB |
| RSS at a third of the event → at its end (peak) | {v["rss_at_window_start_mib"]} → {v["rss_at_end_mib"]} MiB ({v["rss_peak_mib"]}) |
| RSS after every phone closed | {left.get("rss_mib", "–")} MiB |
| open file descriptors (min–max; after every phone closed) | {v["fds_min_max"]}; {left.get("fds", "–")} |
| threads (min–max) | {v["threads_min_max"]} |
| SQLite file at the end; WAL max / at the end | {v["db_mib_at_end"]} MiB; {v["wal_mib_max"]} / {v["wal_mib_at_end"]} MiB |
| the room's state itself over the same stretch (replayed from the log, tracemalloc) | {data.get("state_mib", ["–", "–"])[0]} → {data.get("state_mib", ["–", "–"])[1]} MiB: {_f(data.get("state_growth_mb_per_10_min"), "{:+.2f}")} MB per 10 min |
| RSS slope less the state's growth (what the room's own data does not explain; the target counts all of RSS) | {_f(_unexplained(v, data), "{:+.2f}")} MB per 10 min |
| the same three per 10 minutes *of the event* (each divided by the compression, {EVENT_MINUTES / cfg["minutes"]:g}×: what a three-hour event grows where memory follows its progress) | RSS {_f(_per_event(v.get("rss_slope_mb_per_10_min"), cfg), "{:+.2f}")}, state {_f(_per_event(data.get("state_growth_mb_per_10_min"), cfg), "{:+.2f}")}, the rest {_f(_per_event(_unexplained(v, data), cfg), "{:+.2f}")} MB per 10 event minutes |
| the server's worker processes (café planner, the sort's grouping; RSS max); the RSS slope of server and workers together | {v.get("children_rss_mib_max", "–")} MiB; {_f(v.get("with_children_slope_mb_per_10_min"), "{:+.2f}")} MB per 10 min |
| log entries | {_f(run.get("state_seq"), "{:,}")} |
| commands (acked ok / sent) | {sent} |
| unanswered; refused | {run.get("unanswered")}; {refused} |
| phone ack p50 / p99 / max | {_f(ack.get("p50"), "{:.1f}")} / {_f(ack.get("p99"))} / {_f(ack.get("max"))} ms |
| moderator ack p50 / p99 / max | {_f(mod.get("p50"), "{:.1f}")} / {_f(mod.get("p99"))} / {_f(mod.get("max"))} ms |
| phones: first, newcomers, left | {phones.get("first")}, {phones.get("newcomers")}, {phones.get("left")} |
| reconnects; drop → back p50 / p99 | {phones.get("reconnects")}; {_f((run.get("back_ms") or {}).get("p50"))} / {_f((run.get("back_ms") or {}).get("p99"))} ms (includes the time away) |
| closed by the server | {phones.get("closed_by_server")} |
| board sorts (`cluster.suggest` + accept), seconds each; moderator errors | {run.get("sort_s") or "–"}; {"; ".join(run.get("moderator_errors") or []) or "none"} |
| CPU over the event: server / generator | {cpu.get("server_cpu_s")} / {cpu.get("generator_cpu_s")} s ({cpu.get("server_cores")} / {cpu.get("generator_cores")} cores on average; busiest 10 s: {cpu.get("server_peak_cores")} / {cpu.get("generator_peak_cores")}); generator ÷ server {cpu.get("generator_to_server")} |
| other processes on the machine | {cpu.get("other_processes_cores")} cores on average |
| checks | {checks} |
"""


def _unexplained(verdict: dict[str, Any], data: dict[str, Any]) -> float | None:
    """The RSS slope less the room state's own growth over the same window.

    At this compression a real event's data grows about 12 times faster than
    it would over three hours, so a little slope is legitimate; the target
    (issue 19) stays on the whole RSS, and this only says how much of the
    slope is something else (allocator, caches, leaks).
    """
    slope, data_slope = (
        verdict.get("rss_slope_mb_per_10_min"),
        data.get("state_growth_mb_per_10_min"),
    )
    if slope is None or data_slope is None:
        return None
    return float(slope) - float(data_slope)


def _per_event(per_real: Any, cfg: dict[str, Any]) -> float | None:
    """A slope per 10 minutes of real time, per 10 minutes of the simulated event.

    The benchmark's compression is a choice (15 minutes by default, 5 in a
    diagnostic): what grows with the event's progress (its data, its
    connections' churn) grows 12 or 36 times faster per real minute. Per
    event minute the number does not depend on that choice, which makes
    runs of different lengths comparable; the target is still read per
    real minute.
    """
    if per_real is None or not cfg.get("minutes"):
        return None
    return float(per_real) * float(cfg["minutes"]) / EVENT_MINUTES


def _yes_no(value: Any) -> str:
    return "yes" if value else "**no**"


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "ceiling": render_ceiling,
    "socketio": render_socketio,
    "brainstorm": render_brainstorm,
    "reconnect": render_reconnect,
    "slow": render_slow,
    "upvote": render_upvote,
    "stamina": render_stamina,
    "bigevent": lambda results: _bigevent_render(results),
    "manyevents": manyevents_report.render,
}


def _bigevent_render(results: dict[str, Any]) -> str:
    from loadtests.scenarios import bigevent  # imports the harness; only when rendering it

    return bigevent.render(results)
