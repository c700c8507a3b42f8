"""``python -m loadtests.ab``: one scenario on two server commits, alternating run by run.

The machine is shared, so a before/after measured in two sittings compares
two moments as much as two commits. This runs ``loadtests.run`` once per
run and side (``--repeat 1``, each side from a ``git archive`` export via
``--server-rev``), in the order before, after / after, before / … so that
a noisy stretch hits both sides, then gathers each side's runs into one
results file as ``loadtests.run`` writes them:
``results/<scenario>-before.json`` and ``results/<scenario>.json``. With
``--docs`` it then regenerates the scenario's section of
docs/benchmarks.md, which compares the two (medians and ratios).

Only for the scenarios whose runs ``loadtests.run`` writes one per repeat:
``join`` and ``plenum``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from loadtests import report

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = Path(__file__).parent.parent / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.ab", description=__doc__)
    parser.add_argument("--scenario", choices=["join", "plenum"], default="join")
    parser.add_argument("--before", required=True, metavar="REV", help="the baseline commit")
    parser.add_argument("--after", required=True, metavar="REV", help="the changed commit")
    parser.add_argument("--n", type=int, default=1000, help="phones per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side")
    parser.add_argument("--docs", action="store_true", help="regenerate docs/benchmarks.md")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--quiet-wait", type=float, default=30.0, help="passed to loadtests.run")
    parser.add_argument("--title", help="the comparison's heading in docs/benchmarks.md")
    return parser.parse_args(argv)


def one_run(args: argparse.Namespace, rev: str, repeat: int, out: Path) -> dict[str, Any]:
    """One ``loadtests.run`` of one side; its results file, as written."""
    command = [
        sys.executable, "-m", "loadtests.run", "--scenario", args.scenario,
        "--n", str(args.n), "--repeat", "1", "--seed", str(repeat),
        "--server-rev", rev, "--no-docs", "--quiet-wait", str(args.quiet_wait),
        "--out", str(out),
    ]  # fmt: skip
    print(f"==> {shlex.join(command[1:])}", flush=True)
    subprocess.run(command, check=False)  # noqa: S603 - our own module, fixed arguments
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def gather(sides: list[dict[str, Any]], repeats: list[int]) -> dict[str, Any]:
    """One side's single-run files as one results file, runs numbered 1, 2, …"""
    first = sides[0]
    runs = []
    for results, repeat in zip(sides, repeats, strict=True):
        for run in results["runs"]:
            runs.append(run | {"repeat": repeat})
    settings = first["settings"] | {"repeat": len(runs)}
    return first | {
        "command": shlex.join(["python", "-m", "loadtests.ab", *sys.argv[1:]]),
        "settings": settings,
        "summary": report.summarise(runs, first["scenario"]),
        "loadavg": sides[-1]["loadavg"],
        "runs": runs,
        "duration_s": round(sum(s["duration_s"] for s in sides), 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    collected: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="dialograum-ab-") as tmp:
        for repeat in range(1, args.repeat + 1):
            order = ("before", "after") if repeat % 2 else ("after", "before")
            for side in order:
                rev = args.before if side == "before" else args.after
                out = Path(tmp) / f"{side}-{repeat}.json"
                collected[side].append(one_run(args, rev, repeat, out))
    repeats = list(range(1, args.repeat + 1))
    args.results.mkdir(parents=True, exist_ok=True)
    paths = {
        "before": args.results / f"{args.scenario}-before.json",
        "after": args.results / f"{args.scenario}.json",
    }
    for side, path in paths.items():
        merged = gather(collected[side], repeats) | {"started": report.iso(started)}
        if args.title:
            merged["comparison_title"] = args.title
        path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        print(f"==> {side}: {path}", flush=True)
    after = json.loads(paths["after"].read_text())
    print(report.summary_table(after))
    if args.docs:
        report.update_benchmarks(BENCHMARKS, after)
        print(f"==> {BENCHMARKS} regenerated ({args.scenario} section)")
    runs = [run for side in collected.values() for s in side for run in s["runs"]]
    return 0 if all(run.get("ok") for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
