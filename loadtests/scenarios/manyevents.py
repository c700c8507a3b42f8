"""Scenario "manyevents": a national day, many regional events at once on two Redis workers.

Issue 19, target 4. ``rooms`` events (50) of ``phones`` phones (100) each,
on ``dialograum serve --workers 2`` with a ``redis-server`` of the run's own
(started here, as :mod:`loadtests.scaleout` does), every event with its
projector (one probe process for all of them, :mod:`loadtests.event_screens`)
and its console socket. After the joins and a warm-up, the measured part is
a row of windows, quiet and burst in turn: throughout, every paced event
runs its own programme (polls voted at its own pace, then cards posted on
its board, at its own rhythm and offset; :mod:`manyevents_rooms`), and at
the start of each burst window the burst events (the first
``burst_rooms``) have every phone vote within a second.

Reported: each event's ack and screen-freshness p99 (median and worst
paced event, against the plenum's 150/250 ms), the paced events' p99 in
burst windows against quiet ones (the rule: at most 2×), the server's
processes, the generator's and the screen probe's CPU side by side, and
the checks of :func:`manyevents_metrics.check_event`. ``make test`` runs a
small version (tests/loadtests/test_manyevents_smoke.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from loadtests.clients import Moderator, Phones
from loadtests.commands import Commands
from loadtests.lean_http import PostPool
from loadtests.scaleout import OwnRedis, WorkersOnRedis, descendants
from loadtests.scenarios import manyevents_metrics as metrics
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    LoadSample,
    Progress,
    create_event,
    load_profile,
    moderator_state,
    sample_load,
    self_cpu_s,
    server_settled,
    start_spy,
    stop_spy,
)
from loadtests.scenarios.manyevents_rooms import Event, EventScreens, Pace, bursting, paced
from loadtests.server_proc import machine_cpu, sample_process
from loadtests.stats import distribution

Quiet = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class ManyEventsConfig:
    rooms: int = 50
    phones: int = 100  # per event
    workers: int = 2
    burst_rooms: int = 1
    window_s: float = 6.0
    pairs: int = 6  # quiet + burst windows
    warmup_s: float = 12.0
    burst_spread_s: float = 1.0
    join_ramp_s: float = 30.0
    segment_s: tuple[float, float] = (10.0, 20.0)
    pause_s: tuple[float, float] = (5.0, 15.0)
    seed: int = 1
    timeout_s: float = 900.0  # the joins alone took 7 minutes at a load average of 22
    port_base: int | None = None  # redis-server here, the server one above; else free ports
    embed_cards: bool = True  # as an event runs; the smoke run skips loading the model
    settle: bool = True  # wait for the fresh workers' start-up CPU to end first
    profile: Path | None = None  # py-spy every worker in an extra round, into this folder
    rounds: int = 3  # measured parts on the same joined events (the joins take minutes)


def quick_config(
    rooms: int = 4, phones: int = 10, port_base: int | None = None
) -> ManyEventsConfig:
    """The smoke run: a few events, a few phones, short windows."""
    return ManyEventsConfig(
        rooms=rooms,
        phones=phones,
        window_s=3.0,
        pairs=2,
        warmup_s=2.0,
        join_ramp_s=1.0,
        segment_s=(3.0, 5.0),
        pause_s=(0.5, 1.0),
        timeout_s=120.0,
        port_base=port_base,
        embed_cards=False,
        settle=False,
        rounds=1,
    )


async def run(
    config: ManyEventsConfig,
    progress: Progress,
    source: Path | None = None,
    quiet: Quiet | None = None,
) -> dict[str, Any]:
    """One run; a failed run is reported with its error, never raised."""
    settings = asdict(config) | {"profile": str(config.profile) if config.profile else None}
    result: dict[str, Any] = {"config": settings, "n": config.phones, "ok": False}
    redis = OwnRedis()
    if config.port_base is not None:
        redis.port = config.port_base
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-bench-"))
    step = "starting redis"
    server: WorkersOnRedis | None = None
    parts = _Parts()
    try:
        # the set-up has its limit; the measured part is bounded by its own waits
        async with asyncio.timeout(config.timeout_s + config.window_s * 2 * config.pairs + 600):
            redis.start()
            assert redis.proc is not None
            server = _Workers(config, workdir, source, redis.url, redis.proc.pid)
            if config.port_base is not None:
                server.port = config.port_base + 1
            step = "starting the workers"
            progress(f"redis on {redis.port}, {config.workers} workers on {server.port}")
            await server.start(ready_within_s=60)
            if config.settle:
                result["server_settle_s"] = await server_settled(server, below_cores=0.1)
            step = "setting up the events"
            async with asyncio.timeout(config.timeout_s):
                await _setup(config, server, parts, progress, result)
            if quiet is not None:
                result["machine_busy_before_cores"] = round(await quiet(), 2)
            result["rounds"] = []
            # the same joined events, a fresh programme each; with --profile one more
            # round under py-spy, kept out of the medians (the sampler takes CPU too)
            for k in range(config.rounds + (config.profile is not None)):
                step = f"running the programmes (round {k + 1})"
                measured: dict[str, Any] = {"round": k + 1, "profiled": k == config.rounds}
                result["rounds"].append(measured)
                seed = config.seed * 100 + k
                spy = config.profile if k == config.rounds else None
                await _measure(config, server, parts, progress, measured, seed, spy)
                progress(f"round {k + 1}: {line(measured)}")
            step = "checking the final states"
            await _check(config, parts, result)
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
    except Exception as exc:  # a broken run is a result too
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    finally:
        await parts.close(progress)
        if server is not None:
            await server.stop()
            server.kill_now()
            result["server_log"] = server.log_summary()
            result["append_races"] = append_races(server.log_path)
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    result["load_average"] = list(os.getloadavg())
    if result.get("error"):
        progress(result["error"])
    return result


_RACES = re.compile(r"room \S+: (\d+) appends, (\d+) lost races")


def append_races(log_path: Path) -> dict[str, int]:
    """Appends and lost races summed over rooms and workers, from what the workers log
    when a room stops: each lost race costs a snapshot decode and a catch-up."""
    appends = lost = rooms = 0
    with contextlib.suppress(OSError):
        for match in _RACES.finditer(log_path.read_text(errors="replace")):
            appends, lost, rooms = appends + int(match[1]), lost + int(match[2]), rooms + 1
    return {"appends": appends, "lost": lost, "rooms_logged": rooms}


class _Workers(WorkersOnRedis):
    """Two workers on Redis, with the per-address limits opened for one generator address.

    Every phone, projector and console comes from 127.0.0.1 here; at a real
    national day each event's projector and phones come from its own venue.
    """

    def __init__(
        self, config: ManyEventsConfig, workdir: Path, source: Path | None, url: str, pid: int
    ) -> None:
        super().__init__(workdir, source, config.workers, url, [pid])
        self.more_env = {
            "DIALOGRAUM_SOCKETS_PER_ADDRESS": str(2 * config.rooms * (config.phones + 2) + 100),
            "DIALOGRAUM_SCREENS_PER_ADDRESS": str(config.rooms + 10),
            "DIALOGRAUM_EMBED_CARDS": "true" if config.embed_cards else "false",
        }

    def env(self) -> dict[str, str]:
        return super().env() | self.more_env


class _Parts:
    """What a run opened, so that whatever happened it can all be closed."""

    def __init__(self) -> None:
        self.http: httpx.AsyncClient | None = None
        self.pool: PostPool | None = None
        self.screens: EventScreens | None = None
        self.events: list[Event] = []

    async def close(self, progress: Progress) -> None:
        try:
            async with asyncio.timeout(60):
                for event in self.events:
                    if event.moderator is not None:
                        await event.moderator.close()
                await asyncio.gather(*(e.phones.stop() for e in self.events))
                if self.pool is not None:
                    self.pool.close()
                if self.screens is not None:
                    await self.screens.stop()
                if self.http is not None:
                    await self.http.aclose()
        except TimeoutError:
            progress("cleanup timed out")


async def _setup(
    config: ManyEventsConfig,
    server: WorkersOnRedis,
    parts: _Parts,
    progress: Progress,
    result: dict[str, Any],
) -> None:
    """Events, projectors, every phone joined and online, a console and a board per event."""
    parts.http = http = httpx.AsyncClient(base_url=server.base_url, timeout=60, trust_env=False)
    created = [await create_event(http, server.admin_token) for _ in range(config.rooms)]
    urls = [f"{server.ws_url}/api/events/{e['code']}/live" for e in created]
    parts.screens = screens = EventScreens(urls)
    await screens.start()
    parts.pool = pool = PostPool("127.0.0.1", server.port, 16)
    for i, made in enumerate(created):
        phones = Phones(pool, made["code"], config.phones)
        parts.events.append(
            Event(
                index=i,
                code=made["code"],
                moderator_token=made["moderator_token"],
                phones=phones,
                commands=Commands(phones),
                screen=screens.screens[i],
                burst=i < config.burst_rooms,
            )
        )
    started = time.monotonic()
    for event in parts.events:
        event.phones.start(config.join_ramp_s)
    waiting = asyncio.gather(*(e.phones.wait_settled() for e in parts.events))
    while not waiting.done():
        await asyncio.wait([waiting], timeout=5)
        settled = sum(e.phones.settled_count for e in parts.events)
        progress(f"joining: {settled}/{config.rooms * config.phones} phones settled")
    await waiting
    connected = sum(e.phones.connected for e in parts.events)
    if connected != config.rooms * config.phones:
        errors = [x for e in parts.events for x in e.phones.errors(2)][:5]
        raise RuntimeError(f"only {connected} phones connected: {errors}")
    await screens.wait_until(lambda: all(s.online >= config.phones for s in screens.screens), 120)
    result["join_s"] = round(time.monotonic() - started, 2)
    progress(f"all {connected} phones online in {result['join_s']} s")
    for event in parts.events:
        event.moderator = Moderator(
            "127.0.0.1", server.port, urls[event.index], event.moderator_token
        )
        await event.moderator.open(60)
        board = await event.command(
            {"type": "ideas.create_board", "prompt": f"Was braucht Region {event.index + 1}?"}
        )
        if board is None:
            raise RuntimeError("ideas.create_board acked without an id")
        event.board = board
    await asyncio.sleep(1.0)  # let the consoles' first pushes settle


async def _measure(
    config: ManyEventsConfig,
    server: WorkersOnRedis,
    parts: _Parts,
    progress: Progress,
    result: dict[str, Any],
    seed: int,
    profile: Path | None = None,
) -> None:
    """Warm-up, then quiet and burst windows in turn; every paced event keeps its own pace."""
    rng = random.Random(seed)
    start = time.monotonic() + 0.5
    t0 = start + config.warmup_s
    windows = [
        (t0 + k * config.window_s, t0 + (k + 1) * config.window_s, k % 2 == 1)
        for k in range(2 * config.pairs)
    ]
    end = windows[-1][1]
    paces = {
        e.index: Pace.draw(rng, config.segment_s, config.pause_s)
        for e in parts.events
        if not e.burst
    }
    result["paces"] = {str(k): asdict(v) for k, v in paces.items()}
    tasks = []
    for event in parts.events:
        seeded = random.Random(seed * 1000 + event.index)
        if event.burst:
            bursts = [a for a, _, loud in windows if loud]
            tasks.append(bursting(event, seeded, bursts, config.burst_spread_s, lead_s=1.5))
        else:
            tasks.append(paced(event, paces[event.index], seeded, start, end))
    load: list[LoadSample] = []
    sampler = asyncio.create_task(sample_load(server, load, SAMPLE_EVERY_S))
    probe = parts.screens.proc.pid if parts.screens and parts.screens.proc else None
    marks: dict[str, Any] = {}

    async def mark(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        server.sample()
        marks[name] = (
            dict(server.cpu_by_process),
            self_cpu_s(),
            sample_process(probe).cpu_s if probe else 0.0,
            machine_cpu().busy_s,
            time.monotonic(),
            sum(len(e.commands.by_cid) for e in parts.events),
        )

    running = asyncio.gather(*tasks, mark("from", t0), mark("to", end))
    spies = []
    if profile is not None:  # each worker, from the first window to the last
        for k, pid in enumerate(descendants(server.pid), 1):
            into = profile / f"manyevents-{config.rooms}x{config.phones}-s{seed}-worker{k}.txt"
            spies.append(await start_spy(pid, into, end - time.monotonic() + 5))
    try:
        while not running.done():
            await asyncio.wait([running], timeout=5)
            sent = sum(len(e.commands.by_cid) for e in parts.events)
            answered = sum(e.commands.answered for e in parts.events)
            progress(f"{answered}/{sent} phone commands answered")
        await running
        last = {
            e.index: max((s.ack.seq or 0 for s in e.commands.ok if s.ack), default=0)
            for e in parts.events
        }
        assert parts.screens is not None
        with contextlib.suppress(TimeoutError):  # an ack never shown is counted below
            await parts.screens.wait_until(
                lambda: all(
                    (e.screen.seq_max[-1] if e.screen.seq_max else 0) >= last[e.index]
                    for e in parts.events
                ),
                60,
            )
    finally:
        sampler.cancel()
        if not running.done():
            running.cancel()
        with contextlib.suppress(BaseException):
            await running
        for spy in spies:
            await stop_spy(spy)
    ns = [(int(a * 1e9), int(b * 1e9), loud) for a, b, loud in windows]
    result["windows"] = [[round(a - start, 2), round(b - start, 2), loud] for a, b, loud in windows]
    result["latency"] = metrics.latencies(parts.events, ns)
    result["moderator_ack_ms"] = distribution([x for e in parts.events for x in e.moderator_ms])
    result["cpu"] = _cpu(marks, parts.events)
    result |= load_profile(load, int(t0 * 1e9), SAMPLE_EVERY_S)


def _cpu(marks: dict[str, Any], events: list[Event]) -> dict[str, Any]:
    """Each side's cores over the measured windows: server processes, generator, screen probe."""
    (srv0, gen0, probe0, busy0, at0, sent0), (srv1, gen1, probe1, busy1, at1, sent1) = (
        marks["from"],
        marks["to"],
    )
    seconds = at1 - at0
    by_process = {k: round((srv1.get(k, 0.0) - srv0.get(k, 0.0)) / seconds, 3) for k in srv1}
    server = sum(srv1.values()) - sum(srv0.values())
    generator, probe = gen1 - gen0, probe1 - probe0
    commands = sent1 - sent0
    return {
        "seconds": round(seconds, 2),
        "server_cores": round(server / seconds, 3),
        "server_cores_by_process": by_process,
        "generator_cores": round(generator / seconds, 3),
        "screens_probe_cores": round(probe / seconds, 3),
        "machine_cores": round((busy1 - busy0) / seconds, 3),
        "other_cores": round(max(0.0, busy1 - busy0 - server - generator - probe) / seconds, 3),
        "commands": commands,
        "commands_per_s": round(commands / seconds, 1),
        "server_cpu_per_1000_commands_s": round(server / max(1, commands) * 1000, 3),
        "generator_over_server": round(generator / server, 2) if server > 0 else None,
    }


async def _check(config: ManyEventsConfig, parts: _Parts, result: dict[str, Any]) -> None:
    """Every event's final state (all rounds) against what it acknowledged; the targets."""
    assert parts.http is not None
    checks = []
    for event in parts.events:
        body = await moderator_state(parts.http, event.code, event.moderator_token)
        checks.append(metrics.check_event(event, body, config.phones))
    keys = ("participants", "polls_exact", "cards_exact", "nothing_foreign")
    result["checks"] = {k: sum(1 for c in checks if c[k]) for k in keys} | {
        "events": len(checks),
        "cards_on_boards": sum(c["cards"] for c in checks),
    }
    result["answers"] = answers = metrics.answers(parts.events)
    dropped = sum(e.phones.dropped for e in parts.events)
    problems = [
        f"{k} wrong in {len(checks) - result['checks'][k]} events"
        for k in keys
        if result["checks"][k] != len(checks)
    ]
    if answers["acked_ok"] != answers["commands"]:
        problems.append(
            f"{answers['commands'] - answers['acked_ok']} commands not acked ok "
            f"({answers['refused_by_reason']}, {answers['unanswered']} unanswered)"
        )
    unseen = sum(r["latency"]["acked_never_on_screen"] for r in result["rounds"])
    if unseen:
        problems.append(f"{unseen} acks never on screen")
    if dropped:
        problems.append(f"{dropped} phones dropped")
    result["phones_dropped"] = dropped
    for measured in result["rounds"]:
        measured["targets"] = targets(measured["latency"])
    result["ok"] = not problems
    if problems:
        result["error"] = "; ".join(problems)


def targets(latency: dict[str, Any]) -> dict[str, bool]:
    rule = latency["burst_rule"]
    ack, fresh = latency["paced_ack_p99_ms"]["worst"], latency["paced_freshness_p99_ms"]["worst"]
    return {
        "paced_ack_p99_within_150_ms": (ack or 0) <= metrics.PLENUM_ACK_P99_MS,
        "paced_freshness_p99_within_250_ms": (fresh or 0) <= metrics.PLENUM_FRESHNESS_P99_MS,
        "burst_ack_p99_at_most_2x": (rule["ack_p99_ratio"] or 0) <= metrics.BURST_RULE,
        "burst_freshness_p99_at_most_2x": (rule["freshness_p99_ratio"] or 0) <= metrics.BURST_RULE,
    }


def flatten(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per measured round, each with the run's shared facts (joins, checks)."""
    common = {k: v for k, v in result.items() if k != "rounds"}
    return [common | measured for measured in result.get("rounds", [])] or [common]


def line(run: dict[str, Any]) -> str:
    if "latency" not in run:
        return f"FAILED: {run.get('error')}"
    lat, cpu = run["latency"], run["cpu"]
    rule = lat["burst_rule"]
    ack, fresh = lat["paced_ack_p99_ms"], lat["paced_freshness_p99_ms"]
    return (
        f"per-event ack p99 median {ack['median']} / worst {ack['worst']} ms; "
        f"freshness p99 median {fresh['median']} / worst {fresh['worst']} ms; "
        f"burst ÷ quiet ack p99 {rule['ack_p99_ratio']}, "
        f"freshness p99 {rule['freshness_p99_ratio']}; "
        f"cores server {cpu['server_cores']} generator {cpu['generator_cores']} probe "
        f"{cpu['screens_probe_cores']} other {cpu['other_cores']}"
        + (f"; checks {'ok' if run['ok'] else run.get('error')}" if "ok" in run else "")
    )


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Quiet
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from loadtests.run import raise_open_files

    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            if args.quick:
                config = quick_config(min(args.rooms, 4), n, args.port_base)
            else:
                config = ManyEventsConfig(
                    rooms=args.rooms,
                    phones=n,
                    burst_rooms=args.burst_rooms,
                    seed=args.seed + r - 1,
                    port_base=args.port_base,
                    timeout_s=max(args.timeout, 900.0),
                    profile=args.profile,
                )
            raise_open_files(4 * config.rooms * config.phones + 1024)
            label = f"[manyevents {config.rooms}×{n} {r}/{args.repeat}]"

            def say(text: str, label: str = label) -> None:
                progress(f"{label} {text}")

            result = await run(config, say, args.source, quiet)
            for record in flatten(result):
                record["repeat"] = r
                say(f"round {record.get('round')}: {line(record)} (run ok: {result['ok']})")
                runs.append(record)
            await asyncio.sleep(1)
    return runs, metrics.summarise([r for r in runs if not r.get("profiled")])
