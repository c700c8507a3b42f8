"""The many-events section of docs/benchmarks.md, rendered from results/manyevents.json."""

from __future__ import annotations

from typing import Any


def _f(value: Any, fmt: str = "{:.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def _med(stats: dict[str, Any], fmt: str = "{:.0f}") -> str:
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
        f"Linux {m['kernel']}, Python {m['python']}, commit `{m['commit']}`\n"
        f"- **Date:** {results['started']} ({results['duration_s']:.0f} s in all); "
        f"load average at the end (1/5/15 min): {loadavg}\n"
        f"- **Command:** `{results['command']}`\n"
    )


def _run_row(run: dict[str, Any]) -> str:
    if "latency" not in run:
        return f"| {run.get('repeat')} | failed: {run.get('error')} | | | | | | | |"
    label = f"{run.get('repeat')}.{run.get('round')}" + (" (py-spy)" if run.get("profiled") else "")
    lat, cpu, rule = run["latency"], run["cpu"], run["latency"]["burst_rule"]
    load = run.get("load_average") or [None]
    return (
        f"| {label} | {_f(lat['paced_ack_p99_ms']['median'])} / "
        f"{_f(lat['paced_ack_p99_ms']['worst'])} | {_f(lat['paced_freshness_p99_ms']['median'])} / "
        f"{_f(lat['paced_freshness_p99_ms']['worst'])} | {_f(rule['quiet_ack_ms']['p99'])} → "
        f"{_f(rule['burst_ack_ms']['p99'])} ({_f(rule['ack_p99_ratio'], '{:.2f}')}×) | "
        f"{_f(rule['quiet_freshness_ms']['p99'])} → {_f(rule['burst_freshness_ms']['p99'])} "
        f"({_f(rule['freshness_p99_ratio'], '{:.2f}')}×) | {_f(cpu['commands_per_s'])} | "
        f"{_f(cpu['server_cores'], '{:.2f}')} / {_f(cpu['generator_cores'], '{:.2f}')} / "
        f"{_f(cpu['screens_probe_cores'], '{:.2f}')} / {_f(cpu['other_cores'], '{:.2f}')} | "
        f"{'yes' if run['ok'] else 'no: ' + str(run.get('error'))} | {_f(load[0], '{:.1f}')} |"
    )


RUN_HEADER = (
    "| run.round | ack p99 (ms) | freshness p99 (ms) | others' ack p99 (ms) "
    "| others' freshness p99 (ms) | commands/s | cores | checks | load (1 min) |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def _summary_table(s: dict[str, Any]) -> str:
    def arrow(a: str, b: str) -> str:
        return f"{_med(s[a])} → {_med(s[b])}"

    rows = [
        ("| | result | target |", None, None),
        ("|---|---|---|", None, None),
        ("per-event ack p99, median paced event (ms)", _med(s["paced_ack_p99_median_ms"]), "≤ 150"),
        ("per-event ack p99, worst paced event (ms)", _med(s["paced_ack_p99_worst_ms"]), "≤ 150"),
        (
            "per-event freshness p99, median paced event (ms)",
            _med(s["paced_freshness_p99_median_ms"]),
            "≤ 250",
        ),
        (
            "per-event freshness p99, worst paced event (ms)",
            _med(s["paced_freshness_p99_worst_ms"]),
            "≤ 250",
        ),
        (
            "paced events' ack p99: quiet windows → burst windows (ms)",
            arrow("quiet_ack_p99_ms", "burst_ack_p99_ms"),
            "",
        ),
        ("… ratio burst ÷ quiet", _med(s["ack_p99_ratio"], "{:.2f}"), "≤ 2"),
        (
            "paced events' freshness p99: quiet → burst (ms)",
            arrow("quiet_freshness_p99_ms", "burst_freshness_p99_ms"),
            "",
        ),
        ("… ratio burst ÷ quiet", _med(s["freshness_p99_ratio"], "{:.2f}"), "≤ 2"),
        ("phone commands per second (votes and cards, all events)", _med(s["commands_per_s"]), ""),
        (
            "server CPU per 1,000 commands (s; workers, supervisor, Redis)",
            _med(s["server_cpu_per_1000_commands_s"], "{:.2f}"),
            "",
        ),
        ("cores over the windows: server processes", _med(s["server_cores"], "{:.2f}"), ""),
        ("… the load generator (phones, consoles)", _med(s["generator_cores"], "{:.2f}"), ""),
        ("… the projectors' probe", _med(s["screens_probe_cores"], "{:.2f}"), ""),
        ("… everything else on the machine", _med(s["other_cores"], "{:.2f}"), ""),
        ("all phones joined and online (s)", _med(s["join_s"], "{:.1f}"), ""),
    ]
    return "\n".join(
        label if value is None else f"| {label} | {value} | {target} |"
        for label, value, target in rows
    )


def render(results: dict[str, Any]) -> str:
    s, settings = results["summary"], results.get("settings", {})
    runs = results["runs"]
    first: dict[str, Any] = next((r["config"] for r in runs if "config" in r), {})
    rooms, phones = settings.get("rooms", first.get("rooms")), first.get("phones")
    burst = settings.get("burst_rooms", first.get("burst_rooms"))
    rows = "\n".join(_run_row(r) for r in runs)
    spread = _f(first.get("burst_spread_s"))
    races = {r.get("repeat"): r.get("append_races") or {} for r in runs}
    lost = "; ".join(
        f"run {k}: {v.get('lost', 0):,} of {v.get('appends', 0):,} appends"
        for k, v in races.items()
    )
    return f"""## Many events at once: {rooms} events of {phones} phones on 2 Redis workers

Issue 19, target 4: a national day, many regional events at once, on
`dialograum serve --workers 2` with a `redis-server` of the run's own (AOF
`everysec`). Each event has its projector (one probe process reads all of
them, `loadtests/event_screens.py`), its console socket and {phones} phones
on the JSON live socket. After the joins and a {_f(first.get("warmup_s"))} s warm-up
come {_f(first.get("pairs"))} pairs of {_f(first.get("window_s"))} s windows, quiet
then burst. Throughout, each of the {_f((rooms or 0) - (burst or 0))} paced events runs its own
programme: a poll on the projector that a share of its phones (60–100 %) votes
in at random moments, a pause (5–15 s, the moderator talks), its idea
board on the projector while 15–40 % post a card, a pause, a poll again,
with its own segment length (10–20 s) and start offset; the rounds reuse
the joined events, so boards and polls pile up from round to round. At
the start of each burst window the {burst} burst event(s) open a poll
and every phone votes within {spread} s. Freshness is
from an ack to the first push on the event's own projector whose `seq` has
it (0 if the projector had it first). `loadtests/scenarios/manyevents.py`;
`tests/loadtests/test_manyevents_smoke.py` runs 3 events of 8 phones in
`make test`.

{_facts(results)}
Medians over {s["runs"]} measured rounds (min–max; each run joins once and then
measures `rounds` rounds of windows with a fresh programme); rounds whose run
passed every check: {s["ok"]}.

{_summary_table(s)}

Appends that lost the race to the other worker (each costs the loser a
snapshot decode and a catch-up; from the workers' log at shutdown): {lost}.

Per run: per-event p99 as median / worst paced event; the paced events'
p99 quiet → burst (ratio); cores as server / generator / probe / others;
the checks (every command acked; each event's polls count exactly its
acknowledged votes, its board holds exactly its acknowledged cards, nothing
of another event; every ack reached its projector; no phone dropped).

{RUN_HEADER}
{rows}
"""
