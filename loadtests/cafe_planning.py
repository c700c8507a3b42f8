"""Does a plenum vote keep its ack p99 ≤ 150 ms while the café is being planned?

    .venv/bin/python -m loadtests.cafe_planning [--runs 3] [--n 100]

The plenum scenario (:mod:`loadtests.scenarios.plenum`) with a World Café of
10 tables of 10 seats and 5 rounds set up in the same room before the vote;
while the n phones vote, the moderator re-plans the café back to back, each
re-plan a full search for n people (0.3–3 s of CPU; no construction covers
100 people on 10 tables of 10, while 12 tables of 9, used before, now start
from the grid and are planned in 0.1 s). Three modes, alternating
run by run so both see the same machine: the plan computed in the worker
process (``DIALOGRAUM_PLAN_IN_WORKER=1``, the default) and in place inside
``decide`` on the room's event loop (``=0``, as before issue 20), and a baseline:
the same vote in a room without a café. Reported per
mode: the median over runs of the votes' ack p50 and p99, the re-plans done
during the vote and their ack times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
from pathlib import Path
from typing import Any

from loadtests.scenarios import plenum
from loadtests.server_proc import ServerProcess

# mode -> (DIALOGRAUM_PLAN_IN_WORKER, café tables); the last is the baseline: the same
# vote in a room without a café, so the target is read against this machine's own plenum.
MODES = {
    "worker process": ("1", 10),
    "in place (before)": ("0", 10),
    "no café (baseline)": ("1", 0),
}


def _server(flag: str) -> Any:
    def make(workdir: Path, source: Path | None) -> ServerProcess:
        return ServerProcess(workdir, {"DIALOGRAUM_PLAN_IN_WORKER": flag}, source=source)

    return make


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    seen: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        for mode, (flag, tables) in MODES.items():
            config = plenum.PlenumConfig(n=args.n, seed=run + 1, cafe_tables=tables)
            result = await plenum.run(config, lambda line: None, make_server=_server(flag))
            ack = result.get("ack_ms", {})
            replans = result.get("vote_phase", {}).get("replans_ms", [])
            print(
                f"# run {run + 1}, {mode}: ok={result.get('ok')} ack p50 {ack.get('p50')} "
                f"p99 {ack.get('p99')} ms; café create {result.get('cafe_create_ms')} ms; "
                f"re-plans {replans} ms; {result.get('error', '')}",
                flush=True,
            )
            seen[mode].append({"ack": ack, "replans": replans})
    print("| plan computed | ack p50 ms | ack p99 ms | re-plans during the vote | re-plan ack ms |")
    print("|---|---|---|---|---|")
    for mode, runs in seen.items():
        p50 = [r["ack"]["p50"] for r in runs if r["ack"].get("p50") is not None]
        p99 = [r["ack"]["p99"] for r in runs if r["ack"].get("p99") is not None]
        replans = [ms for r in runs for ms in r["replans"]]
        count = [len(r["replans"]) for r in runs]
        print(
            f"| {mode} | {statistics.median(p50) if p50 else '–'} "
            f"| {statistics.median(p99) if p99 else '–'} "
            f"| {statistics.median(count) if count else 0} per run "
            f"| {statistics.median(replans) if replans else '–'} |"
        )
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
