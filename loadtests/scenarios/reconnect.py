"""Scenario "reconnect": the venue Wi-Fi hiccups and every phone drops and comes back.

N phones are in a live poll and have voted. Then, within ``storm_s`` (5 s),
each phone changes its vote and loses its connection in the same instant
(the vote may or may not have left the phone: the socket is aborted right
after the write, as a dying Wi-Fi does), opens a fresh socket with its
token, and resends that vote with the same ``cid`` once it is welcomed
back, as the phone's page does after a reconnect. Meanwhile the console
sends a command every 100 ms and times its acks.

Checked: every phone is welcomed back, and its welcome carries its own
ballot (its state); all back within ``back_within_s`` (10 s) of the storm's
start; every changed vote acked ``ok``; the final tally has exactly N voters
with each phone's new choice (no vote lost, none doubled). Measured: drop
to welcome per phone, the console's ack latency during the storm, the
server's CPU over the storm and its memory before, during and after.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import msgspec
from websockets.typing import BytesLike

from loadtests.clients import Phone, is_ack
from loadtests.commands import Commands
from loadtests.lean_socket import open_socket
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    LoadSample,
    Progress,
    load_profile,
    ms,
    sample_load,
)
from loadtests.scenarios.live_room import LiveRoom
from loadtests.stats import distribution, summarise_runs

OPTIONS = ["A", "B", "C", "D"]
OPTION_IDS = ["o1", "o2", "o3", "o4"]


class _Ballot(msgspec.Struct):
    choice: str | None = None


class _Me(msgspec.Struct):
    ballots: dict[str, _Ballot] = {}


class _State(msgspec.Struct):
    me: _Me | None = None


class _Welcome(msgspec.Struct):
    type: str
    role: str | None = None
    state: _State | None = None


_decode_welcome = msgspec.json.Decoder(_Welcome).decode


@dataclass(frozen=True)
class ReconnectConfig:
    n: int = 1000
    storm_s: float = 5.0
    back_within_s: float = 10.0  # target: all back with their state
    seed: int = 1
    ramp_s: float = 2.0
    console_every_s: float = 0.1
    timeout_s: float = 240.0


@dataclass(eq=False)
class Return:
    """One phone's way back."""

    dropped_ns: int = 0
    welcome_ns: int | None = None
    ballot_on_welcome: str | None = None
    error: str | None = None


async def run(
    config: ReconnectConfig,
    progress: Progress,
    source: Path | None = None,
    quiet: Callable[[], Awaitable[float]] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"n": config.n, "config": asdict(config), "ok": False}
    step = "setting up"
    try:
        async with asyncio.timeout(config.timeout_s):
            async with LiveRoom(config.n, progress, source, config.ramp_s) as room:
                step = "opening the poll"
                poll = await room.open_poll(
                    {"kind": "single", "question": "Wie geht es weiter?", "options": OPTIONS}
                )
                step = "first votes"
                assert room.phones is not None
                commands = Commands(room.phones)
                rng = random.Random(config.seed)
                first = {p.index: rng.choice(OPTION_IDS) for p in room.phones.phones}
                commands.plan(
                    [
                        (p, rng.uniform(0, 2.0), f"v1-{p.index}", _vote(poll, first[p.index]))
                        for p in room.phones.phones
                    ]
                )
                await commands.wait_all(60)
                if len(commands.ok) != config.n:
                    raise RuntimeError(f"only {len(commands.ok)}/{config.n} first votes acked")
                result["memory"] = room.memory()
                if quiet is not None:
                    result["machine_busy_before_cores"] = round(await quiet(), 2)
                step = "the storm"
                result |= await storm(config, room, poll, commands, rng, first, progress)
                result["server_alive_at_end"] = room.server.alive()
            result["server_log"] = room.log
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
    except Exception as exc:
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    if result.get("error"):
        progress(result["error"])
    return result


def _vote(poll: str, choice: str) -> dict[str, object]:
    return {"type": "poll.vote", "poll": poll, "choice": choice}


async def storm(
    config: ReconnectConfig,
    room: LiveRoom,
    poll: str,
    commands: Commands,
    rng: random.Random,
    first: dict[int, str],
    progress: Progress,
) -> dict[str, Any]:
    assert room.phones is not None
    assert room.moderator is not None
    assert room.screen is not None
    phones, screen = room.phones, room.screen
    second = {p.index: rng.choice(OPTION_IDS) for p in phones.phones}
    returns = {p.index: Return() for p in phones.phones}
    back = asyncio.Event()
    welcomed = 0
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def come_back(phone: Phone, ret: Return, cid: str) -> None:
        nonlocal welcomed

        def on_message(data: BytesLike) -> None:
            phone.messages += 1
            if is_ack(data):
                commands.on_ack(phone, data)

        hello = msgspec.json.encode({"type": "hello", "token": phone.token, "after": None})
        try:
            socket, first_message = await open_socket(
                phones.host, phones.port, phones.live_url, hello.decode(), on_message, 30
            )
            ret.welcome_ns = time.monotonic_ns()
            welcome = _decode_welcome(first_message)
            me = welcome.state.me if welcome.state else None
            ballot = me.ballots.get(poll) if me else None
            ret.ballot_on_welcome = ballot.choice if ballot else None
            phone.socket = socket
            socket.send_text(commands.by_cid[cid].payload)  # the same cid: exactly once
        except Exception as exc:
            ret.error = f"{type(exc).__name__}: {exc}"[:200]
        welcomed += 1
        if welcomed == len(returns):
            back.set()

    def drop(phone: Phone) -> None:
        """Change the vote, then the Wi-Fi dies: the write may or may not have left."""
        cid = f"v2-{phone.index}"
        sent = commands.by_cid[cid]
        ret = returns[phone.index]
        old = phone.socket
        phone.stopping = True  # not a server-side drop: ours
        commands.send(phone, sent)
        if old is not None:
            old.abort()
        ret.dropped_ns = time.monotonic_ns()
        task = loop.create_task(come_back(phone, ret, cid))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    # the changed votes are registered (not sent) so acks find them; drop() sends each
    for p in phones.phones:
        commands.register(p, f"v2-{p.index}", _vote(poll, second[p.index]))
    console_ms: list[tuple[int, float]] = []
    load: list[LoadSample] = []
    sampler = asyncio.create_task(sample_load(room.server, load, SAMPLE_EVERY_S))
    console = asyncio.create_task(_console(room, poll, console_ms, config.console_every_s))
    before = room.server.sample()
    t0_ns = time.monotonic_ns()
    t0 = loop.time()
    for p in phones.phones:
        loop.call_at(t0 + rng.uniform(0, config.storm_s), drop, p)
    try:
        waiting = asyncio.create_task(back.wait())
        while not waiting.done():
            await asyncio.wait([waiting], timeout=1.0)
            progress(f"storm {ms(time.monotonic_ns() - t0_ns) / 1000:4.1f} s: {welcomed} back")
            if time.monotonic_ns() - t0_ns > 60e9:
                waiting.cancel()
                raise TimeoutError("phones not back within 60 s")
        all_back_ns = max((r.welcome_ns or 0) for r in returns.values())
        await commands.wait_all(30)
        live = sum(1 for p in phones.phones if p.socket is not None)
        await screen.wait_until(lambda: screen.last_online >= live, 30)
        await asyncio.sleep(0.5)  # the console keeps timing right after the storm too
    finally:
        console.cancel()
        sampler.cancel()
    after = room.server.sample()
    final = await room.state()
    return (
        _metrics(
            config, returns, commands, first, second, final, poll, console_ms, t0_ns, all_back_ns
        )
        | {
            "server_cpu_s": round(after.cpu_s - before.cpu_s, 2),
            "rss_before_kib": before.rss_kib,
            "rss_after_kib": after.rss_kib,
            "rss_peak_kib": max([before.rss_kib, *(x.server_rss_kib for x in load)]),
        }
        | load_profile(load, t0_ns, SAMPLE_EVERY_S)
    )


async def _console(
    room: LiveRoom, poll: str, into: list[tuple[int, float]], every_s: float
) -> None:
    """The moderator keeps working during the storm: one command every ``every_s``, timed.

    ``screen.show`` of the poll already on screen: a real command through the
    whole path (decide, log, ack) that changes nothing anyone sees.
    """
    assert room.moderator is not None
    while True:
        t = time.monotonic_ns()
        await room.moderator.command({"type": "screen.show", "what": "poll", "poll": poll})
        into.append((t, ms(time.monotonic_ns() - t)))
        await asyncio.sleep(every_s)


def _metrics(
    config: ReconnectConfig,
    returns: dict[int, Return],
    commands: Commands,
    first: dict[int, str],
    second: dict[int, str],
    final: dict[str, Any],
    poll: str,
    console_ms: list[tuple[int, float]],
    t0_ns: int,
    all_back_ns: int,
) -> dict[str, Any]:
    back_ms = [ms(r.welcome_ns - r.dropped_ns) for r in returns.values() if r.welcome_ns]
    with_state = sum(
        1
        for i, r in returns.items()
        if r.welcome_ns and r.ballot_on_welcome in (first[i], second[i])
    )
    resent = [commands.by_cid[f"v2-{i}"] for i in returns]
    view = next(x for x in final["state"]["polls"] if x["id"] == poll)
    results = view.get("results") or {}
    expected = Counter(second.values())
    counts = {k: v for k, v in (results.get("counts") or {}).items() if v}
    all_back_s = round((all_back_ns - t0_ns) / 1e9, 2)
    checks = {
        "all_back": sum(1 for r in returns.values() if r.welcome_ns) == config.n,
        "all_with_state": with_state == config.n,
        "all_back_in_time": all_back_s <= config.back_within_s,
        "changed_votes_acked_ok": sum(1 for s in resent if s.ack and s.ack.ok) == config.n,
        "tally_exact": results.get("voters") == config.n and counts == dict(expected),
    }
    problems = [name for name, good in checks.items() if not good]
    return {
        "ok": not problems,
        **({"error": "failed: " + ", ".join(problems)} if problems else {}),
        "checks": checks,
        "back": sum(1 for r in returns.values() if r.welcome_ns),
        "back_with_state": with_state,
        "errors": Counter(r.error for r in returns.values() if r.error).most_common(3),
        "all_back_s": all_back_s,
        "drop_to_welcome_ms": distribution(back_ms),
        # how often the changed vote had already reached the server before the drop
        "changed_vote_on_welcome": sum(
            1 for i, r in returns.items() if r.ballot_on_welcome == second[i] != first[i]
        ),
        "changed_vote_acks": Counter(s.acks for s in resent),
        "console_ack_ms": distribution([v for _, v in console_ms]),
        # for the plots: ms after the storm began
        "back_timeline_ms": sorted(
            round(ms(r.welcome_ns - t0_ns)) for r in returns.values() if r.welcome_ns
        ),
        "drop_timeline_ms": sorted(round(ms(r.dropped_ns - t0_ns)) for r in returns.values()),
        "console_timeline": [[round(ms(t - t0_ns)), round(v, 2)] for t, v in console_ms],
        "tally": {"voters": results.get("voters"), "counts": counts, "expected": dict(expected)},
    }


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Callable[[], Awaitable[float]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            result = await run(ReconnectConfig(n=n, seed=r), progress, args.source, quiet)
            result["repeat"] = r
            progress(f"[reconnect n={n} {r}/{args.repeat}] {_line(result)}")
            runs.append(result)
    return runs, summarise(runs)


def _line(run: dict[str, Any]) -> str:
    if "drop_to_welcome_ms" not in run:
        return f"FAILED: {run.get('error')}"
    return (
        f"all back in {run['all_back_s']} s, drop→welcome p99 "
        f"{run['drop_to_welcome_ms']['p99']:.0f} ms, console ack p99 "
        f"{run['console_ack_ms']['p99']:.0f} ms; {'ok' if run['ok'] else run.get('error')}"
    )


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = {
        "all_back_s": ("all_back_s",),
        "drop_to_welcome_p50_ms": ("drop_to_welcome_ms", "p50"),
        "drop_to_welcome_p99_ms": ("drop_to_welcome_ms", "p99"),
        "console_ack_p50_ms": ("console_ack_ms", "p50"),
        "console_ack_p99_ms": ("console_ack_ms", "p99"),
        "console_ack_max_ms": ("console_ack_ms", "max"),
        "server_cpu_s": ("server_cpu_s",),
        "rss_peak_kib": ("rss_peak_kib",),
        "rss_growth_kib": ("rss_growth_kib",),
    }
    for run in runs:
        if "rss_after_kib" in run:
            run["rss_growth_kib"] = run["rss_after_kib"] - run["rss_before_kib"]
    return summarise_runs(runs, metrics)
