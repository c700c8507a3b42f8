"""Scale-out benchmark: the plenum on 1 worker with SQLite against N workers on Redis.

``python -m loadtests.scaleout --n 1000 --repeat 3`` runs the plenum
scenario alternately on the embedded default (one process, SQLite) and on
``dialograum serve --workers N`` with REDIS_URL, in one run, so both see the
same machine. Each Redis run gets its own ``redis-server`` (fresh temporary
directory, AOF ``everysec`` as docs/deploy.md recommends), so no other
Redis user's load or data colours the numbers, and its CPU is counted with
the server's: "CPU per vote" is every server-side process (uvicorn's
supervisor, its workers, Redis).

``--only redis --n 3000`` finds what limits a bigger hall. ``--only
redis-cluster`` alternates the single Redis with a local Redis Cluster
(three masters, three replicas, loadtests/redis_cluster.py, ports from
``--cluster-port``), every node's CPU counted. Results go to
``loadtests/results/scaleout.json``; docs/benchmarks.md gets a hand-written
section from them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from loadtests import report
from loadtests.redis_cluster import LocalCluster
from loadtests.run import RESULTS, one_line, raise_open_files, say, wait_for_quiet
from loadtests.scenarios import plenum
from loadtests.server_proc import (
    ProcSample,
    ServerProcess,
    export_tree,
    free_port,
    sample_process,
)


def descendants(pid: int) -> list[int]:
    """``pid``'s children, grandchildren, …, from /proc (uvicorn's worker processes)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                kids = [int(k) for k in (task / "children").read_text().split()]
                found.extend(kids)
                todo.extend(kids)
    return found


def sample_all(pids: list[int]) -> ProcSample:
    """The sum over processes: RSS, peak RSS, CPU seconds, threads."""
    samples = []
    for pid in pids:
        with contextlib.suppress(OSError):
            samples.append(sample_process(pid))
    return ProcSample(
        at=time.monotonic(),
        rss_kib=sum(s.rss_kib for s in samples),
        hwm_kib=sum(s.hwm_kib for s in samples),
        cpu_s=sum(s.cpu_s for s in samples),
        threads=sum(s.threads for s in samples),
    )


def redis_server_argv(port: int, directory: Path, appendfsync: str) -> list[str]:
    """A redis-server as docs/deploy.md advises (AOF, noeviction, loopback only), on
    a port and in a directory of its own; shared by the benchmark and the chaos tests."""
    return [
        "redis-server",
        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
        *("--save", "", "--appendonly", "yes", "--appendfsync", appendfsync),
        *("--maxmemory-policy", "noeviction"),
    ]


class OwnRedis:
    """A redis-server of the benchmark's own on a free port, in a temporary directory."""

    def __init__(self, appendfsync: str = "everysec") -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dialograum-redis-"))
        self.appendfsync = appendfsync
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            redis_server_argv(self.port, self.dir, self.appendfsync),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(subprocess.CalledProcessError):
                subprocess.run(  # noqa: S603
                    ["redis-cli", "-p", str(self.port), "ping"],  # noqa: S607
                    check=True,
                    capture_output=True,
                    timeout=2,
                )
                return
            time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class WorkersOnRedis(ServerProcess):
    """``dialograum serve --workers N`` with REDIS_URL; sampled as a whole, Redis included."""

    def __init__(
        self,
        workdir: Path,
        source: Path | None,
        workers: int,
        url: str,
        redis_pids: list[int],
        extra_env: dict[str, str] | None = None,
    ) -> None:
        env = {"REDIS_URL": url, "DIALOGRAUM_WORKERS": str(workers), **(extra_env or {})}
        super().__init__(workdir, env, source)
        self.redis_pids = redis_pids  # the redis-server, or every node of a cluster
        self.cpu_by_process: dict[str, float] = {}  # at the last sample: what costs what

    def sample(self) -> ProcSample:
        workers = descendants(self.pid)
        parts = {"supervisor": [self.pid], "redis": self.redis_pids}
        parts |= {f"worker{i}": [pid] for i, pid in enumerate(workers, 1)}
        for name, pids in parts.items():
            self.cpu_by_process[name] = sample_all(pids).cpu_s
        return sample_all([self.pid, *workers, *self.redis_pids])


async def one_run(setup: str, n: int, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    label = f"[{setup} n={n} seed={seed}]"

    def progress(text: str) -> None:
        say(f"{label} {text}")

    config = plenum.PlenumConfig(n=n, seed=seed, timeout_s=args.timeout)
    before = await wait_for_quiet(args.quiet_below, args.quiet_wait, progress)

    async def quiet() -> float:
        return await wait_for_quiet(args.quiet_below, args.quiet_wait, progress)

    redis: OwnRedis | None = None
    cluster: LocalCluster | None = None
    try:
        if setup == "sqlite-1":
            result = await plenum.run(config, progress, quiet, args.source)
        else:
            if setup.startswith("cluster"):
                cluster = LocalCluster(args.cluster_port)
                cluster.start()
                url, pids = cluster.url, [p.pid for p in cluster.procs.values()]
            else:
                redis = OwnRedis()
                redis.start()
                assert redis.proc is not None
                url, pids = redis.url, [redis.proc.pid]

            made: list[WorkersOnRedis] = []

            def make(workdir: Path, source: Path | None) -> ServerProcess:
                made.append(WorkersOnRedis(workdir, source, args.workers, url, pids))
                return made[-1]

            result = await plenum.run(config, progress, quiet, args.source, make_server=make)
            # CPU seconds of the whole run (joins, idle, votes) by process
            result["cpu_by_process_s"] = made[0].cpu_by_process if made else {}
    finally:
        if redis is not None:
            redis.stop()
        if cluster is not None:
            cluster.stop()
    result["setup"] = setup
    result["machine_busy_before_cores"] = round(before, 2)
    result["load_average"] = os.getloadavg()
    say(f"{label} {one_line(result)}")
    return result


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    redis, cluster = f"redis-{args.workers}", f"cluster-{args.workers}"
    setups = {
        "both": ["sqlite-1", redis],
        "redis": [redis],
        "cluster": [cluster],
        "redis-cluster": [redis, cluster],
    }
    runs = []
    for n in args.n:
        for repeat in range(args.repeat):
            for setup in setups[args.only]:
                runs.append(await one_run(setup, n, 1 + repeat, args))
                await asyncio.sleep(1)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.scaleout")
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only", choices=["both", "redis", "cluster", "redis-cluster"], default="both"
    )
    parser.add_argument("--cluster-port", type=int, default=7101, help="first of six ports")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--quiet-below", type=float, default=0.6)
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "scaleout.json")
    parser.add_argument(
        "--server-rev", metavar="REV", help="run the server from an export of this commit"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    raise_open_files(4 * max(args.n) + 1024)
    started = time.time()
    exported = Path(tempfile.mkdtemp(prefix="dialograum-server-")) if args.server_rev else None
    commit: str | None = None
    args.source = None
    try:
        if exported is not None:
            commit = export_tree(args.server_rev, exported)
            args.source = exported
            say(f"==> server from commit {commit[:12]}")
        runs = asyncio.run(main_async(args))
    finally:
        if exported is not None:
            shutil.rmtree(exported, ignore_errors=True)
    results = {
        "scenario": "plenum scale-out",
        "command": " ".join(["python -m loadtests.scaleout", *(argv or sys.argv[1:])]),
        "machine": report.machine(commit, None),
        "started": report.iso(started),
        "duration_s": round(time.time() - started, 1),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    say(f"==> wrote {args.out}")
    return 0 if all(r.get("ok") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
