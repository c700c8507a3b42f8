"""Scenario "plenum": a full hall votes in a live poll; how soon does the screen count it?

The moderator asks the plenum a question, puts the poll on the projector
and opens it; within a few seconds everyone votes, and the bars on the
screen are the room's proof that its vote counted. One run:

1. start a fresh server, create an event, connect the screen probe;
2. N phones join (on a ramp) and open their live sockets, then idle;
3. the moderator's live socket creates a single-choice poll with four
   options, opens it and shows it on screen (in that order: ``screen.show``
   takes only an open or closed poll);
4. wait until the screen shows the open poll, let the room settle, and
   (as before every measured run) wait for the machine to be quiet;
5. every phone votes once, at a random moment within the spread (5 s), for
   a random option; both are drawn from a seeded generator and recorded;
6. wait for every ack and for the screen to count every vote; read the
   server's and the generator's CPU for the vote phase alone;
7. read the final tally from the moderator's ``GET /api/events/{code}/state``
   and compare it with the recorded choices, option by option.

Measured (see :mod:`loadtests.scenarios.plenum_metrics`): ack latency, screen
freshness (ack → first screen push whose ``seq`` includes the vote), server
CPU per 1,000 votes, refused votes by reason, and whether the tally is exact.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from loadtests.clients import Moderator, Phones, ScreenFeed, now_ns
from loadtests.lean_http import PostPool
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    Progress,
    create_event,
    load_profile,
    loop_lag,
    moderator_state,
    sample_load,
    self_cpu_s,
    start_spy,
    stop_spy,
)
from loadtests.scenarios.plenum_metrics import VotePhase, metrics
from loadtests.server_proc import ServerProcess

OPTIONS = ["A", "B", "C", "D"]


@dataclass(frozen=True)
class PlenumConfig:
    n: int
    seed: int
    vote_spread_s: float = 5.0  # votes start uniformly at random within this long
    ramp_s: float = 2.0  # the joins before the poll (setup, not measured)
    timeout_s: float = 120.0  # hard limit for the run, not counting the quiet wait
    idle_s: float = 2.0  # after everyone is online, before the poll
    settle_s: float = 1.0  # after the screen shows the open poll, before the votes
    http_connections: int = 16
    ack_target_ms: float = 150.0  # p99
    freshness_target_ms: float = 250.0  # p99
    progress_every_s: float = 1.0
    # the live tally on every phone too: each tick then fans out to all N (the ceiling run)
    results_on_phones: bool = False
    # the server's DIALOGRAUM_PHONE_TICK_MS (None: its default, 1 s); the ceiling run sets
    # the projector's 100 ms, so that every tick fans out to all N phones as it says
    phone_tick_ms: int | None = None
    # this share of phones reads very slowly and does not vote (the slow scenario)
    slow_share: float = 0.0
    slow_every_s: float = 2.0
    # a World Café of this many tables (9 seats) is set up before the vote and
    # re-planned back to back while the votes come in (loadtests/cafe_planning.py)
    cafe_tables: int = 0


Quiet = Callable[[], Awaitable[float]]


async def run(
    config: PlenumConfig,
    progress: Progress,
    quiet: Quiet | None = None,
    source: Path | None = None,
    profile_to: Path | None = None,
    make_server: Callable[[Path, Path | None], ServerProcess] | None = None,
) -> dict[str, Any]:
    """One run; never raises for a failed or timed-out run, it reports it instead.

    ``quiet`` waits for a quiet machine right before the votes (its time is
    not counted against the timeout); ``source`` is an exported tree to run
    the server from; ``profile_to`` records the server with py-spy during
    the vote phase (diagnostic runs only: py-spy costs the server a little);
    ``make_server(workdir, source)`` builds another kind of server (several
    workers on Redis: :mod:`loadtests.scaleout`).
    """
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-plenum-"))
    env = (
        {}
        if config.phone_tick_ms is None
        else {"DIALOGRAUM_PHONE_TICK_MS": str(config.phone_tick_ms)}
    )
    server = (make_server or (lambda w, s: ServerProcess(w, env, source=s)))(workdir, source)
    step = "starting"
    result: dict[str, Any] = {"n": config.n, "config": asdict(config), "ok": False}
    screen: ScreenFeed | None = None
    phones: Phones | None = None
    moderator: Moderator | None = None
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(config.timeout_s) as deadline:
            step = "starting the server"
            progress(f"{step} on port {server.port}")
            await server.start()
            result["server_pid"] = server.pid
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=60, trust_env=False
            ) as http:
                step = "creating the event"
                event = await create_event(http, server.admin_token)
                code, mod_token = event["code"], event["moderator_token"]
                live_url = f"{server.ws_url}/api/events/{code}/live"

                step = "connecting the screen"
                screen = ScreenFeed(live_url)
                await screen.start()

                step = "joining"
                pool = PostPool("127.0.0.1", server.port, config.http_connections)
                phones = Phones(pool, code, config.n)
                phones.slow = slow_phones(config)
                phones.slow_every_s = config.slow_every_s
                join_started = now_ns()
                phones.start(config.ramp_s)
                await phones.wait_settled()
                live = phones.connected
                await screen.wait_until(lambda: _screen(screen).last_online >= live, 60)
                result["setup_join_s"] = round((now_ns() - join_started) / 1e9, 2)
                progress(
                    f"{phones.joined_ok}/{config.n} joined, {live} live in "
                    f"{result['setup_join_s']:.1f} s; idling {config.idle_s:g} s"
                )
                await asyncio.sleep(config.idle_s)

                step = "opening the poll"
                moderator = Moderator("127.0.0.1", server.port, live_url, mod_token)
                await moderator.open()
                poll, setup_ms = await _open_poll(moderator, config.results_on_phones)
                result["poll"] = poll
                result["moderator_ack_ms"] = setup_ms
                await screen.wait_until(lambda: _shows_open(_screen(screen), poll), 30)
                if config.cafe_tables:
                    t = now_ns()
                    await moderator.command(_cafe(config.cafe_tables), within_s=60)
                    result["cafe_create_ms"] = round((now_ns() - t) / 1e6, 1)
                await asyncio.sleep(config.settle_s)

                if quiet is not None:
                    step = "waiting for a quiet machine"
                    waited_from, when = loop.time(), deadline.when()
                    deadline.reschedule(None)  # the quiet wait has its own limit
                    result["machine_busy_before_votes_cores"] = round(await quiet(), 2)
                    if when is not None:
                        deadline.reschedule(when + (loop.time() - waited_from))

                step = "voting"
                phase = await vote_phase(
                    config, phones, screen, moderator, server, poll, progress, profile_to
                )
                result["vote_phase"] = phase.summary()
                if phones.sample_push is not None:  # the ceiling broadcasts these very bytes
                    result["sample_phone_push"] = phones.sample_push.decode()

                step = "reading the tally"
                final = await moderator_state(http, code, mod_token)
                result.update(metrics(config, phones, screen, moderator, phase, final, poll))
                result.update(load_profile(phase.load, phase.t0_ns, SAMPLE_EVERY_S))
                if phones.slow:
                    result["slow"] = _slow_summary(phones)
                result["wall_s"] = round(time.monotonic() - started, 2)
                problems = _problems(result)
                result["ok"] = not problems
                if problems:
                    result["error"] = "; ".join(problems)
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
        progress(result["error"])
    except Exception as exc:  # a broken run is a result too; the next run still goes
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
        progress(result["error"])
    finally:
        result["server_alive_at_end"] = server.alive()
        if phones is not None:
            result.setdefault(
                "progress_at_end",
                {
                    "joined_ok": phones.joined_ok,
                    "connected": phones.connected,
                    "votes_answered": phones.votes_answered,
                    "screen_voters": screen.last_voters if screen else None,
                },
            )
        try:
            async with asyncio.timeout(45):  # each step is bounded; this bounds them all
                if moderator is not None:
                    await moderator.close()
                if phones is not None:
                    await phones.stop()
                    phones.pool.close()
                if screen is not None:
                    await screen.stop()
                result["server_exit"] = await server.stop()
        except TimeoutError:
            result["cleanup"] = "timed out; server killed"
            progress("cleanup timed out; killing the server")
        finally:
            server.kill_now()
        result["server_log"] = server.log_summary()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def slow_phones(config: PlenumConfig) -> frozenset[int]:
    """Every k-th phone, so the slow ones join spread over the ramp."""
    if config.slow_share <= 0:
        return frozenset()
    step = max(1, round(1 / config.slow_share))
    return frozenset(range(step - 1, config.n, step))


def _screen(screen: ScreenFeed | None) -> ScreenFeed:
    assert screen is not None
    return screen


def _shows_open(screen: ScreenFeed, poll: str) -> bool:
    return (
        bool(screen.poll_ids) and screen.poll_ids[-1] == poll and screen.poll_status[-1] == "open"
    )


async def _open_poll(
    moderator: Moderator, results_on_phones: bool = False
) -> tuple[str, dict[str, float]]:
    """create → open → show on screen, each acked; returns the poll id and each ack's ms."""
    timings: dict[str, float] = {}
    t = now_ns()
    ack = await moderator.command(
        {
            "type": "poll.create",
            "kind": "single",
            "question": "Welche Maßnahme zuerst?",
            "options": OPTIONS,
            "results_on_phones": results_on_phones,
        }
    )
    timings["poll.create"] = round((now_ns() - t) / 1e6, 2)
    if ack.id is None:
        raise RuntimeError("poll.create was acked without an id")
    poll = ack.id
    # open before show: the server puts only an open or closed poll on screen (docs/api.md)
    for fields in ({"type": "poll.open"}, {"type": "screen.show", "what": "poll"}):
        t = now_ns()
        await moderator.command({**fields, "poll": poll})
        timings[str(fields["type"])] = round((now_ns() - t) / 1e6, 2)
    return poll, timings


async def vote_phase(
    config: PlenumConfig,
    phones: Phones,
    screen: ScreenFeed,
    moderator: Moderator,
    server: ServerProcess,
    poll: str,
    progress: Progress,
    profile_to: Path | None,
) -> VotePhase:
    """Every phone votes once; returns what the vote phase measured."""
    rng = random.Random(config.seed)
    option_ids = [f"o{i}" for i in range(1, len(OPTIONS) + 1)]
    plan = [
        (p, rng.uniform(0, config.vote_spread_s), rng.choice(option_ids))
        for p in phones.phones
        if p.index not in phones.slow  # slow phones only listen
    ]
    phase = VotePhase(
        screen_from=len(screen.times_ns),
        phone_messages_before=sum(p.messages for p in phones.phones),
        moderator_messages_before=moderator.messages,
        moderator_bytes_before=moderator.bytes,
    )
    if profile_to is not None:
        phase.spy = await start_spy(server.pid, profile_to, config.vote_spread_s + 30)
    sampler = asyncio.create_task(sample_load(server, phase.load, SAMPLE_EVERY_S))
    replans = (
        asyncio.create_task(_replan(moderator, phase.replan_ms)) if config.cafe_tables else None
    )
    lag = asyncio.create_task(loop_lag(phase.loop_lag_ms))
    reporter = asyncio.create_task(_report(phones, screen, config, progress))
    try:
        phase.before = server.sample()
        phase.generator_cpu_before = self_cpu_s()
        phase.t0_ns = now_ns()
        phones.plan_votes(plan, poll)
        budget = config.vote_spread_s + 60
        await asyncio.wait_for(phones.wait_answered(), budget)
        phase.answered_ns = now_ns()
        last_seq = max((p.ack.seq or 0 for p in phones.phones if p.ack and p.ack.ok), default=0)
        await screen.wait_until(lambda: bool(screen.seq_max) and screen.seq_max[-1] >= last_seq, 30)
        phase.end_ns = now_ns()
        phase.after = server.sample()
        phase.generator_cpu_after = self_cpu_s()
        phase.phone_messages_after = sum(p.messages for p in phones.phones)
        phase.moderator_messages_after = moderator.messages
        phase.moderator_bytes_after = moderator.bytes
        await asyncio.sleep(SAMPLE_EVERY_S)  # one more load sample after the end
    finally:
        for task in (sampler, lag, reporter, replans):
            if task is not None:
                task.cancel()
        if phase.spy is not None:
            await stop_spy(phase.spy)
    return phase


def _cafe(tables: int) -> dict[str, Any]:
    """A café for the hall: ``tables`` tables of 10 seats, 5 rounds."""
    return {
        "type": "cafe.create",
        "tables": [{"topic": f"Thema {t + 1}", "capacity": 10} for t in range(tables)],
        "rounds": 5,
        "round_minutes": 20,
    }


async def _replan(moderator: Moderator, durations: list[float]) -> None:
    """Re-plan the café again and again (each a full search), timing each ack."""
    while True:
        t = now_ns()
        await moderator.command({"type": "cafe.replan"}, within_s=60)
        durations.append(round((now_ns() - t) / 1e6, 1))


async def _report(
    phones: Phones, screen: ScreenFeed, config: PlenumConfig, progress: Progress
) -> None:
    """A line per second while votes go out, so a stuck run is visible long before its timeout."""
    t0 = time.monotonic()
    while True:
        await asyncio.sleep(config.progress_every_s)
        sent = sum(1 for p in phones.phones if p.vote_sent_ns is not None)
        progress(
            f"{time.monotonic() - t0:5.1f} s: votes sent {sent}/{config.n}, answered "
            f"{phones.votes_answered}; screen voters {screen.last_voters}"
        )


def _slow_summary(phones: Phones) -> dict[str, Any]:
    """Who dropped: a slow phone closed by the server is its protection, a fast one a failure."""
    slow = [p for p in phones.phones if p.index in phones.slow]
    fast = [p for p in phones.phones if p.index not in phones.slow]
    return {
        "slow_phones": len(slow),
        "slow_dropped": sum(1 for p in slow if p.closed_code is not None),
        "fast_dropped": sum(1 for p in fast if p.closed_code is not None),
        "slow_messages_read": sum(p.messages for p in slow),
        "fast_messages_read": sum(p.messages for p in fast),
    }


def _problems(result: dict[str, Any]) -> list[str]:
    """Why a run is not ``ok``: anything short of every vote counted exactly once."""
    votes = result["votes"]
    problems = []
    if result["joins_ok"] != result["n"]:
        problems.append(f"{result['n'] - result['joins_ok']} phones did not join")
    fast_dropped = result["slow"]["fast_dropped"] if "slow" in result else result["dropped"]
    if fast_dropped:
        problems.append(f"{fast_dropped} phones dropped")
    if votes["refused"]:
        problems.append(f"refused votes: {votes['refused_by_reason']}")
    if votes["no_ack"] or votes["not_sent"]:
        problems.append(f"{votes['no_ack']} votes without ack, {votes['not_sent']} not sent")
    if not result["tally"]["exact"]:
        problems.append("final tally differs from the recorded choices")
    if result["screen_check"]["mismatches"]:
        problems.append(f"{result['screen_check']['mismatches']} screen pushes miscounted")
    return problems
