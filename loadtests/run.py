"""``python -m loadtests.run``: run scenarios, keep their JSON, regenerate docs/benchmarks.md.

Defaults are the published baseline (``make bench``): the join scenario at
N=200 and N=1000, three runs each, because the benchmark machine has two
shared, noisy cores and a single run proves little. ``--scenario plenum``
is the live poll (default N=1000, three runs). ``--quick`` is a smoke run
(N=50, once) that writes its own file and leaves the docs alone, so a
quick check can never overwrite the baseline; so does ``--profile``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from loadtests import report, suites
from loadtests.scenarios import join, plenum
from loadtests.scenarios.common import Progress
from loadtests.server_proc import busy_cores, export_tree

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = Path(__file__).parent.parent / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.run", description=__doc__)
    parser.add_argument("--scenario", choices=["join", "plenum", *suites.SCENARIOS], default="join")
    parser.add_argument(
        "--n", type=int, nargs="+", help="phones per run (join: 200 1000, plenum: 1000)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs per N (medians are quoted); default 3, stamina and manyevents 1",
    )
    parser.add_argument("--quick", action="store_true", help="smoke: N=50, once, docs untouched")
    parser.add_argument("--ramp", type=float, default=2.0, help="seconds over which joins start")
    parser.add_argument("--timeout", type=float, default=120.0, help="hard limit per run (s)")
    parser.add_argument("--idle", type=float, default=2.0, help="idle time before memory (s)")
    parser.add_argument(
        "--http-connections",
        type=int,
        help="join POSTs in flight at once (join: 0, one connection per phone; others: 16)",
    )
    parser.add_argument(
        "--quiet-below", type=float, default=0.3, help="wait until others use < this many cores"
    )
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="but at most this long")
    parser.add_argument("--out", type=Path, help="results file (default loadtests/results/)")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--title", help="heading of the comparison with results/<scenario>-before.json"
    )
    parser.add_argument(
        "--server-rev",
        metavar="REV",
        help="run the server from an export of this commit (default: the working tree)",
    )
    parser.add_argument(
        "--server-dir",
        type=Path,
        metavar="DIR",
        help="run the server from this source tree (an experiment); not for baselines",
    )
    plenum_opts = parser.add_argument_group("plenum")
    plenum_opts.add_argument(
        "--vote-spread",
        type=float,
        help="votes start within this many seconds (plenum: 5, upvote: 10 for each phase)",
    )
    plenum_opts.add_argument(
        "--seed", type=int, default=1, help="run r of each N uses seed + r - 1 (times, choices)"
    )
    plenum_opts.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="py-spy the server (plenum, upvote: the votes; join: the joins) into DIR "
        "(raw stacks); implies --no-docs",
    )
    parser.add_argument(
        "--html-phones",
        action="store_true",
        help="upvote: phones as the browser's phone page (/ws/phone/, HTML fragments) "
        "instead of JSON clients that apply patches",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="socketio: the Redis its AsyncRedisManager uses (a channel of its own per run)",
    )
    parser.add_argument(
        "--duration", type=float, default=120.0, help="brainstorm: seconds over which phones post"
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=15.0,
        help="stamina: real minutes the three-hour event is compressed into",
    )
    many = parser.add_argument_group("manyevents")
    many.add_argument("--rooms", type=int, default=50, help="events at once (--n: phones each)")
    many.add_argument(
        "--burst-rooms", type=int, default=1, help="events that vote all at once in burst windows"
    )
    many.add_argument(
        "--port-base",
        type=int,
        help="redis-server on this port, the workers on the next (default: free ports)",
    )
    args = parser.parse_args(argv)
    if args.repeat is None:
        # stamina is one long event; manyevents measures 3 rounds after one join
        args.repeat = 1 if args.scenario in ("stamina", "manyevents") else 3
    if args.server_rev and args.server_dir:
        parser.error("--server-rev and --server-dir exclude each other")
    if args.server_dir is not None:
        args.no_docs = True  # an experiment never becomes the baseline
    if args.vote_spread is None:
        args.vote_spread = 10.0 if args.scenario == "upvote" else 5.0
    if args.n is None:
        args.n = suites.DEFAULT_N.get(args.scenario) or (
            [1000] if args.scenario == "plenum" else [200, 1000]
        )
    if args.quick:
        args.n, args.repeat, args.no_docs = suites.QUICK_N.get(args.scenario, [50]), 1, True
    if args.profile is not None:
        args.no_docs = True
    if args.out is None:
        suffix = "-quick" if args.quick else "-profile" if args.profile else ""
        args.out = RESULTS / f"{args.scenario}{suffix}.json"
    return args


def raise_open_files(wanted: int) -> int:
    """Each phone is one socket here and one in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def say(text: str) -> None:
    print(text, flush=True)


def prefixed(label: str) -> Progress:
    def progress(text: str) -> None:
        say(f"{label} {text}")

    return progress


def one_line(run: dict[str, Any]) -> str:
    if "votes" in run or "vote_phase" in run:
        return plenum_line(run)
    if not run.get("convergence_s"):
        return f"FAILED: {run.get('error')}"
    lat = run["join_to_screen_ms"]
    srv = run["server"]
    line = (
        f"converged in {run['convergence_s']:.2f} s; join-to-screen p50 {lat['p50']:.0f} ms, "
        f"p99 {lat['p99']:.0f} ms; {srv['rss_per_connection_kib']} KiB/conn; "
        f"server CPU {srv['cpu_s']:.2f} s"
    )
    return line if run["ok"] else f"{line}; NOT OK: {run.get('error')}"


def plenum_line(run: dict[str, Any]) -> str:
    if "ack_ms" not in run:
        return f"FAILED: {run.get('error')}"
    ack, fresh = run["ack_ms"], run["screen_freshness_ms"]
    line = (
        f"ack p50 {ack['p50']:.0f} / p99 {ack['p99']:.0f} ms; freshness p50 "
        f"{fresh['p50']:.0f} / p99 {fresh['p99']:.0f} ms; server CPU "
        f"{run['server_cpu_per_1000_votes_s']:.2f} s per 1000 votes; tally exact "
        f"{'yes' if run['tally']['exact'] else 'NO'}"
    )
    return line if run["ok"] else f"{line}; NOT OK: {run.get('error')}"


async def wait_for_quiet(below: float, within_s: float, progress: Progress) -> float:
    """Wait until the machine is nearly idle before a run; other work skews every number.

    Gives up after ``within_s`` and runs anyway: the run then records how busy
    the machine was (``other_processes_cores``) so the report can flag it.
    """
    deadline = time.monotonic() + within_s
    while True:
        busy = await busy_cores(1.0)
        if busy < below or time.monotonic() >= deadline:
            if busy >= below:
                progress(f"machine still busy ({busy:.2f} cores); running anyway")
            return busy
        progress(f"machine busy with other work ({busy:.2f} cores); waiting for quiet")


async def run_join(args: argparse.Namespace) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for n in args.n:
        for repeat in range(1, args.repeat + 1):
            label = f"[join n={n} {repeat}/{args.repeat}]"
            config = join.JoinConfig(
                n=n,
                ramp_s=args.ramp,
                timeout_s=args.timeout,
                idle_s=args.idle,
                http_connections=0 if args.http_connections is None else args.http_connections,
            )
            say(f"{label} start")
            before = await wait_for_quiet(args.quiet_below, args.quiet_wait, prefixed(label))
            profile = args.profile / f"join-n{n}-r{repeat}.txt" if args.profile else None
            result = await join.run(config, prefixed(label), args.source, profile)
            if profile is not None:
                result["profile"] = str(profile)
            result["machine_busy_before_cores"] = round(before, 2)
            result["repeat"] = repeat
            say(f"{label} {one_line(result)}")
            runs.append(result)
            await asyncio.sleep(1)  # let the last run's sockets close before the next
    return runs


async def run_plenum(args: argparse.Namespace) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for n in args.n:
        for repeat in range(1, args.repeat + 1):
            label = f"[plenum n={n} {repeat}/{args.repeat}]"
            config = plenum.PlenumConfig(
                n=n,
                seed=args.seed + repeat - 1,
                vote_spread_s=args.vote_spread,
                ramp_s=args.ramp,
                timeout_s=args.timeout,
                idle_s=args.idle,
                http_connections=args.http_connections or 16,
            )
            say(f"{label} start")
            progress = prefixed(label)
            before = await wait_for_quiet(args.quiet_below, args.quiet_wait, progress)

            async def quiet(progress: Progress = progress) -> float:
                return await wait_for_quiet(args.quiet_below, args.quiet_wait, progress)

            profile = (
                args.profile / f"plenum-n{n}-r{repeat}.txt" if args.profile is not None else None
            )
            result = await plenum.run(config, progress, quiet, args.source, profile)
            result["machine_busy_before_cores"] = round(before, 2)
            result["repeat"] = repeat
            if profile is not None:
                result["profile"] = str(profile)
            say(f"{label} {one_line(result)}")
            runs.append(result)
            await asyncio.sleep(1)
    return runs


async def run_suite(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    progress = prefixed(f"[{args.scenario}]")

    async def quiet() -> float:
        return await wait_for_quiet(args.quiet_below, args.quiet_wait, progress)

    return await suites.run(args, progress, quiet)


def load_average() -> list[float]:
    """``/proc/loadavg`` at the end of the run: 1, 5 and 15 minute averages."""
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM exits through SystemExit, so atexit still kills any server under test.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    limit = raise_open_files(4 * max(args.n) + 1024)
    command = shlex.join(["python", "-m", "loadtests.run", *sys.argv[1:]])
    say(f"==> {command}  (open files limit {limit})")
    started = time.time()
    exported = Path(tempfile.mkdtemp(prefix="dialograum-server-")) if args.server_rev else None
    server_commit: str | None = None  # resolved once: HEAD may move while we run
    try:
        args.source = args.server_dir.resolve() if args.server_dir else None
        if exported is not None:
            commit = server_commit = export_tree(args.server_rev, exported)
            args.source = exported
            say(f"==> server from commit {commit[:12]} (exported to {exported})")
        summary: dict[str, Any] | None = None
        if args.scenario in suites.SCENARIOS:
            runs, summary = asyncio.run(run_suite(args))
        else:
            scenario = run_plenum if args.scenario == "plenum" else run_join
            runs = asyncio.run(scenario(args))
    finally:
        if exported is not None:
            shutil.rmtree(exported, ignore_errors=True)
    settings: dict[str, Any] = {
        "ramp_s": args.ramp,
        "timeout_s": args.timeout,
        "idle_s": args.idle,
        "http_connections": args.http_connections,
        "repeat": args.repeat,
        "quiet_below_cores": args.quiet_below,
        "quiet_wait_s": args.quiet_wait,
    }
    if args.scenario in ("plenum", "upvote"):
        settings |= {"vote_spread_s": args.vote_spread, "seed": args.seed}
    if args.scenario == "stamina":
        settings |= {"minutes": args.minutes, "seed": args.seed}
    if args.scenario == "manyevents":
        settings |= {"rooms": args.rooms, "burst_rooms": args.burst_rooms, "seed": args.seed}
    results = {
        "scenario": args.scenario,
        "command": command,
        "machine": report.machine(server_commit, args.server_dir),
        "started": report.iso(started),
        "duration_s": round(time.time() - started, 1),
        "settings": settings,
        "summary": summary or report.summarise(runs, args.scenario),
        "loadavg": load_average(),
        "runs": runs,
    }
    if args.title:
        results["comparison_title"] = args.title
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(f"==> results in {args.out}")
    if not args.no_docs:
        report.update_benchmarks(BENCHMARKS, results)
        say(f"==> {BENCHMARKS} regenerated ({args.scenario} section)")
    if args.scenario in suites.SCENARIOS:
        say(json.dumps(results["summary"], indent=1, ensure_ascii=False))
    else:
        say(report.summary_table(results))
    return 0 if all(r.get("ok") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
