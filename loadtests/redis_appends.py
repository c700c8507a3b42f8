"""What one append costs on a single Redis, on a cluster, and on a cluster with WAIT.

``python -m loadtests.redis_appends --appends 2000 --repeat 3`` appends one
entry at a time (the hub's batch of one: the worst case for per-append
overhead) to a room on

- ``single``: a redis-server of its own (AOF everysec, as docs/deploy.md advises);
- ``cluster-nowait``: a local cluster (three masters, three replicas), the
  script alone, as a cluster store would be without waiting for the replica;
- ``cluster``: the same cluster, as Dialograum runs on it: script and
  ``WAIT 1`` in one pipeline.

The three alternate round by round in one run, so they share the machine's
noise; medians of the rounds. Results go to
``loadtests/results/redis-appends.json``; docs/deploy.md quotes them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from loadtests import report
from loadtests.redis_cluster import LocalCluster
from loadtests.run import RESULTS, say
from loadtests.scaleout import OwnRedis
from server.stores.redis import RedisStore


class NoWait(RedisStore):
    """The cluster store without the replica's confirmation (for the comparison only)."""

    def _replicas(self, key: str) -> int:
        return 0


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_round(store: RedisStore, room: str, appends: int) -> dict[str, float]:
    await store.open()
    try:
        await store.create_room(room, b"first")
        took: list[float] = []
        for seq in range(1, appends + 1):
            started = time.perf_counter()
            await store.append(room, seq, [b'{"e":"vote","n":%d}' % seq])
            took.append((time.perf_counter() - started) * 1000)
        await store.delete_room(room)
    finally:
        await store.close()
    return {
        "p50_ms": round(quantile(took, 0.5), 3),
        "p99_ms": round(quantile(took, 0.99), 3),
        "per_s": round(appends / (sum(took) / 1000), 1),
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    single = OwnRedis()
    cluster = LocalCluster(args.cluster_port)
    rounds: dict[str, list[dict[str, float]]] = {"single": [], "cluster-nowait": [], "cluster": []}
    try:
        single.start()
        cluster.start()
        for n in range(args.repeat):
            for name in rounds:
                store = (
                    RedisStore(single.url)
                    if name == "single"
                    else (NoWait if name == "cluster-nowait" else RedisStore)(cluster.url)
                )
                result = await one_round(store, f"BENCH{n}", args.appends)
                rounds[name].append(result)
                say(f"[{name} round {n + 1}] {result}")
    finally:
        single.stop()
        cluster.stop()
    medians = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in rounds.items()
    }
    return {"rounds": rounds, "medians": medians}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.redis_appends")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cluster-port", type=int, default=7101, help="first of six ports")
    parser.add_argument("--out", type=Path, default=RESULTS / "redis-appends.json")
    args = parser.parse_args(argv)
    started = time.time()
    results = asyncio.run(main_async(args))
    results |= {
        "scenario": "redis appends, one entry at a time",
        "command": " ".join(["python -m loadtests.redis_appends", *(argv or sys.argv[1:])]),
        "machine": report.machine(None, None),
        "started": report.iso(started),
        "duration_s": round(time.time() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    say(f"==> medians: {results['medians']}")
    say(f"==> wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
