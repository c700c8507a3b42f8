"""What the stamina scenario watches every 10 s, and whether memory stayed flat.

A long event leaks where a short benchmark cannot see it: a socket that is
never closed, a cache without a bound, a file that only grows. So the
server process is read from ``/proc`` at a fixed interval for the whole
event (resident memory, open file descriptors, threads, CPU), next to the
SQLite file and its WAL, and the generator's own CPU (it must not be the
bottleneck). The verdict is a least-squares slope of RSS over the last two
thirds of the event, after the warm-up (joins, the embedding model,
first renders), in MB per 10 minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from loadtests.scenarios.common import self_cpu_s
from loadtests.scenarios.state_bytes import state_bytes_by
from loadtests.server_proc import ServerProcess, machine_cpu


class Sample(NamedTuple):
    """One reading; ``t_s`` is seconds since the event began."""

    t_s: float
    rss_kib: int
    hwm_kib: int
    server_cpu_s: float
    generator_cpu_s: float
    machine_busy_s: float
    fds: int
    threads: int
    db_bytes: int
    wal_bytes: int
    shm_bytes: int
    phones_live: int
    seq: int
    children_rss_kib: int  # worker processes: the café planner, the sort's grouping, a PDF
    rss_anon_kib: int = 0  # of rss_kib: the process's own memory (heap, stacks)
    rss_file_kib: int = 0  # of rss_kib: pages of mapped files (code, the embedding model)


def children_rss_kib(pid: int) -> int:
    """Summed RSS of the server's child processes (spawned from any of its threads)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for child in task.read_text().split():
                for line in Path(f"/proc/{child}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
    return total


def open_fds(pid: int) -> int:
    """How many file descriptors the process holds (sockets, the database, pipes)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_sample(
    server: ServerProcess, t0: float, db: Path, live: Callable[[], int], seq: Callable[[], int]
) -> Sample:
    proc = server.sample()
    return Sample(
        t_s=round(time.monotonic() - t0, 2),
        rss_kib=proc.rss_kib,
        hwm_kib=proc.hwm_kib,
        server_cpu_s=round(proc.cpu_s, 2),
        generator_cpu_s=round(self_cpu_s(), 2),
        machine_busy_s=round(machine_cpu().busy_s, 2),
        fds=open_fds(server.pid),
        threads=proc.threads,
        db_bytes=file_size(db),
        wal_bytes=file_size(db.with_name(db.name + "-wal")),
        shm_bytes=file_size(db.with_name(db.name + "-shm")),
        phones_live=live(),
        seq=seq(),
        children_rss_kib=children_rss_kib(server.pid),
        rss_anon_kib=proc.anon_kib,
        rss_file_kib=proc.file_kib,
    )


async def watch(
    server: ServerProcess,
    t0: float,
    db: Path,
    every_s: float,
    into: list[Sample],
    live: Callable[[], int],
    seq: Callable[[], int],
) -> None:
    """Append a sample every ``every_s`` on the loop's clock until cancelled or the server ends."""
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while server.alive():
        with contextlib.suppress(OSError):  # the server just went: the run will say so
            into.append(read_sample(server, t0, db, live, seq))
        next_at += every_s
        await asyncio.sleep(max(0.0, next_at - loop.time()))


def slope_per_10_min(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of ``(seconds, MB)`` points, in MB per 10 minutes."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return round(cov / var * 600, 3)


def verdict(
    samples: Sequence[Sample], event_s: float, limit_mb_per_10_min: float
) -> dict[str, Any]:
    """RSS slope over the last two thirds of the event, and what else grew.

    Only samples inside the event count (not the closing after it): from a
    third of its length to its end.
    """
    inside = [s for s in samples if 0 <= s.t_s <= event_s + 1]
    tail = [s for s in inside if s.t_s >= event_s / 3]
    mb = 1000.0  # the MB: 10^6 bytes; RSS is read in KiB
    slope = slope_per_10_min([(s.t_s, s.rss_kib * 1.024 / mb) for s in tail])
    first, last = (tail[0], tail[-1]) if tail else (None, None)
    return {
        "window_s": [first.t_s, last.t_s] if first and last else None,
        "samples": len(tail),
        "rss_slope_mb_per_10_min": slope,
        "limit_mb_per_10_min": limit_mb_per_10_min,
        "flat": slope is not None and slope < limit_mb_per_10_min,
        "rss_at_window_start_mib": round(first.rss_kib / 1024, 1) if first else None,
        "rss_at_end_mib": round(last.rss_kib / 1024, 1) if last else None,
        "rss_peak_mib": round(max(s.rss_kib for s in inside) / 1024, 1) if inside else None,
        # memory moved into a worker process still counts somewhere: the sum, reported too
        "with_children_slope_mb_per_10_min": slope_per_10_min(
            [(s.t_s, (s.rss_kib + s.children_rss_kib) * 1.024 / mb) for s in tail]
        ),
        # VmRSS in its two parts: what the process allocated, and mapped files'
        # pages (the embedding model's, faulted in as new words come up)
        "anon_slope_mb_per_10_min": slope_per_10_min(
            [(s.t_s, s.rss_anon_kib * 1.024 / mb) for s in tail]
        ),
        "file_slope_mb_per_10_min": slope_per_10_min(
            [(s.t_s, s.rss_file_kib * 1.024 / mb) for s in tail]
        ),
        "rss_file_mib": [round(first.rss_file_kib / 1024, 1), round(last.rss_file_kib / 1024, 1)]
        if first and last
        else None,
        "fds_slope_per_10_min": slope_per_10_min([(s.t_s, s.fds) for s in tail]),
        "fds_min_max": [min(s.fds for s in inside), max(s.fds for s in inside)] if inside else None,
        "threads_min_max": [min(s.threads for s in inside), max(s.threads for s in inside)]
        if inside
        else None,
        "db_mib_at_end": round(last.db_bytes / 2**20, 2) if last else None,
        "wal_mib_max": round(max(s.wal_bytes for s in inside) / 2**20, 2) if inside else None,
        "wal_mib_at_end": round(last.wal_bytes / 2**20, 2) if last else None,
        "children_rss_mib_max": round(max(s.children_rss_kib for s in inside) / 1024, 1)
        if inside
        else None,
    }


def cpu_split(samples: Sequence[Sample], event_s: float) -> dict[str, Any]:
    """Server and generator CPU over the event: totals, average cores, busiest interval.

    The server runs one event loop, so its ceiling is 1.0 core; the generator
    (phones, moderator, harness) must stay well below it, or the run would
    measure the generator.
    """
    inside = [s for s in samples if 0 <= s.t_s <= event_s + 1]
    if len(inside) < 2:
        return {}
    a, b = inside[0], inside[-1]
    wall = b.t_s - a.t_s
    peaks = {"server": 0.0, "generator": 0.0, "machine": 0.0}
    for x, y in itertools.pairwise(inside):
        dt = y.t_s - x.t_s
        if dt <= 0:
            continue
        peaks["server"] = max(peaks["server"], (y.server_cpu_s - x.server_cpu_s) / dt)
        peaks["generator"] = max(peaks["generator"], (y.generator_cpu_s - x.generator_cpu_s) / dt)
        peaks["machine"] = max(peaks["machine"], (y.machine_busy_s - x.machine_busy_s) / dt)
    server = b.server_cpu_s - a.server_cpu_s
    generator = b.generator_cpu_s - a.generator_cpu_s
    machine = b.machine_busy_s - a.machine_busy_s
    return {
        "server_cpu_s": round(server, 1),
        "generator_cpu_s": round(generator, 1),
        "server_cores": round(server / wall, 3),
        "generator_cores": round(generator / wall, 3),
        "other_processes_cores": round(max(0.0, machine - server - generator) / wall, 2),
        "server_peak_cores": round(peaks["server"], 2),
        "generator_peak_cores": round(peaks["generator"], 2),
        "machine_peak_cores": round(peaks["machine"], 2),
        "generator_to_server": round(generator / server, 2) if server else None,
    }


def read_log(db: Path, room: str) -> list[bytes]:
    """The room's log entries, read-only from the server's SQLite file (WAL readers are fine)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT body FROM log WHERE room = ? ORDER BY seq", (room,)).fetchall()
    finally:
        conn.close()
    return [bytes(r[0]) for r in rows]


def data_growth(
    entries: Sequence[bytes],
    samples: Sequence[Sample],
    event_s: float,
    source: Path | None = None,
) -> dict[str, Any]:
    """The state's growth over the verdict's window (a third of the event to its end).

    ``seq`` in each sample is the screen's, so the window's log stretch is
    the samples' first and last ``seq`` inside it. Replayed by the server's
    code (``source``, the tree it runs from; None: this process's), so a
    change to how the room keeps its data shows in a before/after pair.
    """
    tail = [s for s in samples if event_s / 3 <= s.t_s <= event_s + 1 and s.seq > 0]
    if len(tail) < 2:
        return {}
    a, b = tail[0], tail[-1]
    start, end = state_bytes_by(source, entries, [a.seq, b.seq])
    minutes = (b.t_s - a.t_s) / 60
    grown_mb = (end - start) / 1e6
    return {
        "seq": [a.seq, b.seq],
        "state_mib": [round(start / 2**20, 1), round(end / 2**20, 1)],
        "state_growth_mb": round(grown_mb, 2),
        "state_growth_mb_per_10_min": round(grown_mb / minutes * 10, 2) if minutes else None,
        "replayed_by": str(source) if source is not None else "the generator's code",
    }
