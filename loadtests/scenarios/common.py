"""What every scenario needs: the event, the sampler, CPU readings, the load profile.

Scenarios differ in their choreography and their numbers; the way they set
up an event, watch the machine and summarise its load is the same, so a
reader can compare the load columns of one scenario with another's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from loadtests.server_proc import MachineCpu, ServerProcess, machine_cpu

Progress = Callable[[str], None]
SAMPLE_EVERY_S = 0.25


def ms(ns: int) -> float:
    return ns / 1e6


def self_cpu_s() -> float:
    """This (the generator's) process: user + system CPU seconds so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def create_event(http: httpx.AsyncClient, admin_token: str) -> dict[str, Any]:
    response = await http.post(
        "/api/events",
        json={"title": "Lasttest", "format": "custom", "language": "de"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


async def moderator_state(
    http: httpx.AsyncClient, code: str, moderator_token: str
) -> dict[str, Any]:
    """``GET /api/events/{code}/state``: ``{"seq", "state"}``, the full moderator view."""
    response = await http.get(
        f"/api/events/{code}/state", headers={"Authorization": f"Bearer {moderator_token}"}
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


class LoadSample(NamedTuple):
    """One reading of the sampler: when, server, generator, whole machine."""

    t_ns: int
    server_cpu_s: float
    server_rss_kib: int
    generator_cpu_s: float
    machine: MachineCpu


async def sample_load(server: ServerProcess, into: list[LoadSample], every_s: float) -> None:
    """Server, generator and whole-machine CPU over time: averages hide a pegged core.

    The machine's steal time is sampled too: on shared cores a neighbour can
    slow every process at once, and that must not read as a server problem.
    """
    while server.alive():
        try:
            sample = server.sample()
        except OSError:  # the server is gone; the run will say so
            return
        into.append(
            LoadSample(
                time.monotonic_ns(), sample.cpu_s, sample.rss_kib, self_cpu_s(), machine_cpu()
            )
        )
        await asyncio.sleep(every_s)


def load_profile(load: list[LoadSample], t0_ns: int, every_s: float) -> dict[str, Any]:
    """The busiest second of server, generator and machine, and the sampled series itself.

    The server runs one event loop, so its ceiling is one core (1.0): a peak
    near 1.0 means the server, not the generator, set the pace. The timeline
    is in ms after ``t0_ns`` (the scenario's first measured action).
    """
    step = round(1 / every_s)  # samples per second
    peaks = {"server": 0.0, "generator": 0.0, "machine": 0.0, "steal": 0.0}
    for a, b in zip(load, load[step:], strict=False):
        seconds = (b.t_ns - a.t_ns) / 1e9
        for name, value in (
            ("server", b.server_cpu_s - a.server_cpu_s),
            ("generator", b.generator_cpu_s - a.generator_cpu_s),
            ("machine", b.machine.busy_s - a.machine.busy_s),
            ("steal", b.machine.steal_s - a.machine.steal_s),
        ):
            peaks[name] = max(peaks[name], value / seconds)
    first, last = (load[0], load[-1]) if load else (None, None)
    others: float | None = None
    if first and last and last.t_ns > first.t_ns:
        # everything else on the machine: the screen probe (tiny) and any other work
        busy = last.machine.busy_s - first.machine.busy_s
        ours = (last.server_cpu_s - first.server_cpu_s) + (
            last.generator_cpu_s - first.generator_cpu_s
        )
        others = round(max(0.0, busy - ours) / ((last.t_ns - first.t_ns) / 1e9), 2)
    return {
        "other_processes_cores": others,
        "server_peak_core_share": round(peaks["server"], 2),
        "generator_peak_core_share": round(peaks["generator"], 2),
        "machine_peak_busy_cores": round(peaks["machine"], 2),
        "machine_peak_steal_cores": round(peaks["steal"], 2),
        "machine_steal_s": round(last.machine.steal_s - first.machine.steal_s, 2)
        if first and last
        else None,
        # ms after t0; server CPU s, RSS KiB; generator CPU s;
        # machine busy s, steal s (cumulative, all cores)
        "load_timeline": [
            [
                round(ms(x.t_ns - t0_ns)),
                round(x.server_cpu_s, 2),
                x.server_rss_kib,
                round(x.generator_cpu_s, 2),
                round(x.machine.busy_s, 2),
                round(x.machine.steal_s, 2),
            ]
            for x in load
        ],
    }


def max_gap_ms(times_ns: list[int], start: int, end: int | None) -> float | None:
    """The longest the screen went without a push while the room kept changing.

    By design a change reaches the screen within one tick (100 ms); a longer
    gap between ``start`` and the last change (``end``) means the fan-out stalled.
    """
    if end is None:
        return None
    marks = [start, *(t for t in times_ns if start < t <= end)]
    return round(max(ms(b - a) for a, b in itertools.pairwise(marks)), 1)


async def server_settled(
    server: ServerProcess,
    below_cores: float = 0.05,
    every_s: float = 0.5,
    windows: int = 3,
    within_s: float = 30.0,
) -> float:
    """Wait until the server's own CPU use stays below ``below_cores`` for ``windows`` windows
    of ``every_s`` in a row (its loading begins a second after start); returns the seconds waited.

    A fresh server loads its models and dictionaries in background threads
    for a few seconds after it starts (the sentence encoder, the lemma and
    hyphenation dictionaries); pure-Python decoding holds the GIL, so a
    storm started meanwhile measures the start-up, not the storm (join p99
    3.2 s instead of well under one in the first run of 2026-11-30). Gives
    up after ``within_s`` and goes on.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    last = server.sample()
    quiet = 0
    while quiet < windows and loop.time() - started < within_s:
        await asyncio.sleep(every_s)
        now = server.sample()
        busy = (now.cpu_s - last.cpu_s) / max(now.at - last.at, 1e-9)
        quiet = quiet + 1 if busy < below_cores else 0
        last = now
    return round(loop.time() - started, 2)


async def loop_lag(into: list[float], every_s: float = 0.005) -> None:
    """How late this (the generator's) event loop wakes up, in ms, until cancelled.

    Stamps taken in the generator (acks, for one) are only as good as its
    loop is prompt; a lag of a few ms is noise, tens of ms would mean the
    generator, not the server, added that much.
    """
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(every_s)
        into.append(round((loop.time() - asked - every_s) * 1000, 2))


def py_spy() -> Path:
    return Path(sys.executable).parent / "py-spy"


async def start_spy(
    pid: int, into: Path, max_s: float, subprocesses: bool = False
) -> asyncio.subprocess.Process:
    """py-spy on the server, raw (collapsed) stacks, stopped by SIGINT at the phase's end.

    ``subprocesses``: ``pid`` is uvicorn's supervisor; record its workers too.
    """
    into.parent.mkdir(parents=True, exist_ok=True)
    spy = await asyncio.create_subprocess_exec(
        str(py_spy()),
        "record",
        *(["--subprocesses"] if subprocesses else []),
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--rate",
        "200",
        "--duration",
        str(math.ceil(max_s)),
        "--output",
        str(into),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(0.5)  # py-spy attaches before the first vote
    return spy


async def stop_spy(spy: asyncio.subprocess.Process) -> None:
    if spy.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            await asyncio.wait_for(spy.wait(), 15)
        except TimeoutError:
            spy.kill()
            await spy.wait()
