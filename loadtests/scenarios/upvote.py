"""Scenario "upvote": N phones upvote among 50 questions while the top 5 is on screen.

Issue 12 asks that an upvote cost no more than a plenum vote. Both are
measured in the same run, in the same room, with the same phones, so the
machine's mood of the moment weighs on both alike:

1. a fresh server, N phones joined and live (:class:`LiveRoom`);
2. set-up, not measured: a single-choice poll with four options is created
   and opened; a Q&A session is created and the first ``questions`` phones
   ask one question each (their askers get the personal "your rank" view);
3. two measured phases, one after the other (their order alternates from
   run to run, so neither always has the warmer server):

   - **vote** (the baseline): the poll goes on the projector, and every phone
     votes once at a seeded random moment within ``spread_s``;
   - **upvote**: the Q&A goes on the projector (the top 5 with their votes),
     and every phone upvotes one question at a seeded random moment within
     ``spread_s``; the questions are drawn with Zipf-like weights (the k-th
     gets 1/k), so the top 5 keeps changing while the votes come in.

   Each phase waits for the machine to be quiet first, then for every ack
   and for the screen to show the last acked ``seq``.

Measured per phase: ack latency, screen freshness (ack → first screen push
with ``seq`` at least the ack's), server CPU per 1,000 commands, pushes to
phones, screen and console. The ratios upvote ÷ vote are the result.

Checked: every command acked ``ok``; the final poll tally and every
question's votes equal the counts of the seeded plan (a plain reference
model); the screen's last push in the upvote phase shows every vote and the
same top 5 (ids and votes, ties by age) as the reference. The phones say
``patches`` in their hello (docs/api.md, "Patches"), as a real client that
can apply them would; the last phone (never an asker) keeps its state from
whole states and patches (:class:`loadtests.clients.Mirror`), and must end
with every question's votes, in the reference order.

``make test`` runs a short version (tests/loadtests/test_upvote_smoke.py).
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

from loadtests.clients import ScreenFeed
from loadtests.commands import Commands
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    LoadSample,
    Progress,
    load_profile,
    ms,
    sample_load,
    self_cpu_s,
    start_spy,
    stop_spy,
)
from loadtests.scenarios.live_room import LiveRoom
from loadtests.stats import distribution, summarise_runs

OPTIONS = ["A", "B", "C", "D"]
Quiet = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class UpvoteConfig:
    n: int = 1000
    questions: int = 50
    spread_s: float = 10.0  # every phone's one vote (or upvote) starts within this long
    seed: int = 1
    upvote_first: bool = False  # the order of the two measured phases
    ramp_s: float = 2.0
    timeout_s: float = 180.0
    profile_dir: str | None = None  # py-spy each phase into <dir>/upvote-n<N>-s<seed>-<phase>.txt
    # the phones as the browser's phone page (HTML fragments on /ws/phone/) instead of
    # JSON clients that apply patches; then no phone keeps a copy to check
    html_phones: bool = False


def question_text(k: int) -> str:
    return f"Frage {k}: Wie geht es mit dem Projekt in der Region weiter, und wer bezahlt das?"


async def run(
    config: UpvoteConfig, progress: Progress, source: Path | None = None, quiet: Quiet | None = None
) -> dict[str, Any]:
    """One run (both phases); a failed run is reported with its error, never raised."""
    result: dict[str, Any] = {"n": config.n, "config": asdict(config), "ok": False}
    step = "setting up"
    try:
        async with asyncio.timeout(config.timeout_s):
            room_at = LiveRoom(
                config.n,
                progress,
                source,
                config.ramp_s,
                patches=not config.html_phones,
                html_phones=config.html_phones,
            )
            async with room_at as room:
                try:
                    step = "setting up the poll and the questions"
                    poll, session = await _set_up(config, room)
                    phases = ["upvote", "vote"] if config.upvote_first else ["vote", "upvote"]
                    for phase in phases:
                        step = f"the {phase} phase"
                        result[phase] = await _phase(config, room, phase, poll, session, quiet)
                        progress(f"{phase}: {_phase_line(result[phase])}")
                    result |= room.memory()
                finally:
                    result["server_alive_at_end"] = room.server.alive()
            result["server_log"] = room.log
        result |= _ratios(result["vote"], result["upvote"])
        problems = [f"{p}: {result[p]['error']}" for p in ("vote", "upvote") if result[p]["error"]]
        result["ok"] = not problems
        if problems:
            result["error"] = "; ".join(problems)
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
    except Exception as exc:  # a broken run is a result too
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    if result.get("error"):
        progress(result["error"])
    return result


async def _set_up(config: UpvoteConfig, room: LiveRoom) -> tuple[str, str]:
    """The poll (open, not yet on screen) and a Q&A session with its questions asked."""
    assert room.moderator is not None
    assert room.phones is not None
    moderator = room.moderator
    ack = await moderator.command(
        {"type": "poll.create", "kind": "single", "question": "Welche Maßnahme zuerst?",
         "options": OPTIONS}
    )  # fmt: skip
    if ack.id is None:
        raise RuntimeError("poll.create acked without an id")
    poll = ack.id
    await moderator.command({"type": "poll.open", "poll": poll})
    ack = await moderator.command({"type": "qna.create", "title": "Input 1", "mode": "open"})
    if ack.id is None:
        raise RuntimeError("qna.create acked without an id")
    session = ack.id
    # One question after the other, so question k is q<k> and its age (for ties) is known.
    askers = room.phones.phones[: min(config.questions, config.n)]
    for k, phone in enumerate(askers, start=1):
        commands = Commands(room.phones)
        fields: dict[str, object] = {
            "type": "question.ask",
            "session": session,
            "text": question_text(k),
        }
        commands.plan([(phone, 0.0, f"ask-{k}", fields)])
        await commands.wait_all(30)
        acked = commands.by_cid[f"ask-{k}"].ack
        if acked is None or not acked.ok or acked.id != f"q{k}":
            raise RuntimeError(f"question {k} not asked as q{k}: {acked}")
    return poll, session


def _plan(config: UpvoteConfig, room: LiveRoom, phase: str, poll: str) -> list[Any]:
    """``(phone, delay, cid, fields)`` for every phone: one vote, or one upvote."""
    assert room.phones is not None
    rng = random.Random(config.seed * 7919 + (1 if phase == "upvote" else 0))
    questions = [f"q{k}" for k in range(1, min(config.questions, config.n) + 1)]
    weights = [1 / k for k in range(1, len(questions) + 1)]
    plan = []
    for phone in room.phones.phones:
        at = rng.uniform(0, config.spread_s)
        if phase == "vote":
            choice = rng.choice([f"o{i}" for i in range(1, len(OPTIONS) + 1)])
            fields: dict[str, object] = {"type": "poll.vote", "poll": poll, "choice": choice}
        else:
            question = rng.choices(questions, weights)[0]
            fields = {"type": "question.upvote", "question": question}
        plan.append((phone, at, f"{phase}-{phone.index}", fields))
    return plan


async def _show(room: LiveRoom, phase: str, poll: str) -> None:
    """The poll or the Q&A on the projector; wait until the screen shows it."""
    assert room.moderator is not None
    assert room.screen is not None
    screen = room.screen
    if phase == "vote":
        await room.moderator.command({"type": "screen.show", "what": "poll", "poll": poll})
        await screen.wait_until(lambda: screen.modes[-1] == "poll", 30)
    else:
        await room.moderator.command({"type": "screen.show", "what": "qna"})
        await screen.wait_until(lambda: screen.modes[-1] == "qna", 30)
    await asyncio.sleep(1.0)  # let the switch's pushes settle


async def _phase(
    config: UpvoteConfig,
    room: LiveRoom,
    phase: str,
    poll: str,
    session: str,
    quiet: Quiet | None,
) -> dict[str, Any]:
    assert room.phones is not None
    assert room.screen is not None
    assert room.moderator is not None
    phones, screen, moderator = room.phones, room.screen, room.moderator
    await _show(room, phase, poll)
    busy = round(await quiet(), 2) if quiet is not None else None
    plan = _plan(config, room, phase, poll)
    commands = Commands(phones)
    load: list[LoadSample] = []
    sampler = asyncio.create_task(sample_load(room.server, load, SAMPLE_EVERY_S))
    screen_from = len(screen.times_ns)
    phone_msgs = sum(p.messages for p in phones.phones)
    phone_bytes = sum(p.bytes for p in phones.phones)
    mod_msgs, mod_bytes = moderator.messages, moderator.bytes
    spy = None
    if config.profile_dir is not None:
        into = Path(config.profile_dir) / f"upvote-n{config.n}-s{config.seed}-{phase}.txt"
        spy = await start_spy(room.server.pid, into, config.spread_s + 30)
    before, gen_before, t0 = room.server.sample(), self_cpu_s(), time.monotonic_ns()
    try:
        commands.plan(plan)
        await commands.wait_all(config.spread_s + 60)
        last_seq = max((s.ack.seq or 0 for s in commands.ok if s.ack), default=0)
        await screen.wait_until(lambda: bool(screen.seq_max) and screen.seq_max[-1] >= last_seq, 30)
        end = time.monotonic_ns()
        after = room.server.sample()
        gen_after = self_cpu_s()
        phone_pushes = sum(p.messages for p in phones.phones) - phone_msgs
        phone_kib = (sum(p.bytes for p in phones.phones) - phone_bytes) >> 10
        mod_pushes, mod_kib = moderator.messages - mod_msgs, (moderator.bytes - mod_bytes) >> 10
        await asyncio.sleep(SAMPLE_EVERY_S)
    finally:
        sampler.cancel()
        if spy is not None:
            await stop_spy(spy)
    ok = commands.ok
    ack_ms = [ms(s.ack_ns - s.sent_ns) for s in ok if s.ack_ns and s.sent_ns]
    fresh = []
    for s in ok:
        assert s.ack is not None
        i = screen.first_seq_at_least(s.ack.seq or 0)
        if i is not None and s.ack_ns is not None:
            fresh.append(max(0.0, ms(screen.times_ns[i] - s.ack_ns)))
    final = (await room.state())["state"]
    if phase == "vote":
        check = _check_votes(final, poll, plan)
    else:
        check = _check_upvotes(final, session, plan, screen)
        check |= await _check_mirror(room, session, plan, last_seq)
    cpu = after.cpu_s - before.cpu_s
    refused = Counter(s.ack.reason for s in commands.by_cid.values() if s.ack and not s.ack.ok)
    result: dict[str, Any] = {
        "commands": {
            "planned": len(plan),
            "acked_ok": len(ok),
            "refused": dict(refused),
            "not_sent": sum(1 for s in commands.by_cid.values() if s.error),
        },
        "ack_ms": distribution(ack_ms),
        "screen_freshness_ms": distribution(fresh),
        "check": check,
        "window_s": round((end - t0) / 1e9, 2),
        "phone_pushes": phone_pushes,
        "phone_kib": phone_kib,
        "screen_pushes": len(screen.times_ns) - screen_from,
        "console_pushes": mod_pushes,
        "console_kib": mod_kib,
        "server_cpu_s": round(cpu, 2),
        "server_cpu_per_1000_s": round(cpu / max(1, len(plan)) * 1000, 3),
        "generator_cpu_s": round(gen_after - gen_before, 2),
        "machine_busy_before_cores": busy,
        "dropped": phones.dropped,
    }
    result |= load_profile(load, t0, SAMPLE_EVERY_S)
    result.pop("load_timeline", None)  # two phases per run: the peaks are enough here
    problems = []
    if len(ok) != len(plan):
        problems.append(f"{len(plan) - len(ok)} not acked ok ({dict(refused)})")
    problems += [name for name, good in check.items() if good is False]
    if phones.dropped:
        problems.append(f"{phones.dropped} phones dropped")
    result["error"] = "; ".join(problems) or None
    return result


def expected_top(counts: dict[str, int], questions: list[str], k: int = 5) -> list[tuple[str, int]]:
    """The reference ranking: most votes first, the older (lower number) first among equals."""
    ranked = sorted(questions, key=lambda q: (-counts.get(q, 0), int(q[1:])))
    return [(q, counts.get(q, 0)) for q in ranked[:k]]


def _check_votes(final: dict[str, Any], poll: str, plan: list[Any]) -> dict[str, Any]:
    want = Counter(str(fields["choice"]) for _, _, _, fields in plan)
    view = next(p for p in final["polls"] if p["id"] == poll)
    counts = (view.get("results") or {}).get("counts") or {}
    return {
        "tally_exact": {o: n for o, n in counts.items() if n} == dict(want),
        "voters": (view.get("results") or {}).get("voters"),
    }


def _check_upvotes(
    final: dict[str, Any], session: str, plan: list[Any], screen: ScreenFeed
) -> dict[str, Any]:
    want = Counter(str(fields["question"]) for _, _, _, fields in plan)
    view = next(s for s in final["qna"] if s["id"] == session)
    votes = {q["id"]: q["votes"] for q in view["questions"]}
    top = expected_top(dict(want), list(votes))
    shown = screen.qna_top[-1] if screen.qna_top else []
    return {
        "votes_exact": {q: n for q, n in votes.items() if n} == dict(want),
        "votes": sum(votes.values()),
        "screen_votes_exact": bool(screen.qna_votes) and screen.qna_votes[-1] == len(plan),
        "screen_top5_exact": shown == top,
        "screen_top5": ",".join(f"{q}={n}" for q, n in shown),
    }


async def _check_mirror(
    room: LiveRoom, session: str, plan: list[Any], last_seq: int
) -> dict[str, Any]:
    """The last phone kept its state from whole states and patches: it must show every vote.

    Waits (up to 10 s) for the phones' tick to bring it to the last acked seq.
    Skipped (None) when the phones do not apply patches.
    """
    assert room.phones is not None
    mirror = room.phones.mirror
    if mirror is None:
        return {"phone_votes_exact": None}
    reached = await mirror.reach(last_seq, 10)
    want = Counter(str(fields["question"]) for _, _, _, fields in plan)
    shown = mirror.votes(session)
    ranked = expected_top(dict(want), [q for q, _ in shown], k=len(shown))
    wrong = [(a, b) for a, b in zip(shown, ranked, strict=False) if a != b]
    return {
        "phone_votes_exact": reached and shown == ranked,
        # what to look at when it is not: where the copy stood, and its first differences
        "phone_seq": mirror.seq,
        "phone_seq_wanted": last_seq,
        "phone_votes_wrong": [f"{a[0]}={a[1]} (want {b[0]}={b[1]})" for a, b in wrong[:5]],
        "phone_patches": mirror.patches,
        "phone_states": mirror.states,
        "phone_gaps": mirror.gaps,
    }


def _ratios(vote: dict[str, Any], upvote: dict[str, Any]) -> dict[str, Any]:
    """Upvote ÷ vote, from the same run: below 1 means the upvote is cheaper."""

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    return {
        "cpu_ratio": ratio(upvote["server_cpu_per_1000_s"], vote["server_cpu_per_1000_s"]),
        "ack_p99_ratio": ratio(upvote["ack_ms"]["p99"], vote["ack_ms"]["p99"]),
        "freshness_p99_ratio": ratio(
            upvote["screen_freshness_ms"]["p99"], vote["screen_freshness_ms"]["p99"]
        ),
    }


def _phase_line(p: dict[str, Any]) -> str:
    return (
        f"ack p50 {p['ack_ms']['p50']} / p99 {p['ack_ms']['p99']} ms; freshness p99 "
        f"{p['screen_freshness_ms']['p99']} ms; server CPU {p['server_cpu_per_1000_s']:.2f} s "
        f"per 1,000; phone pushes {p['phone_pushes']}; checks {p['error'] or 'ok'}"
    )


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Quiet
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            config = UpvoteConfig(
                n=n,
                seed=args.seed + r - 1,
                spread_s=args.vote_spread,
                upvote_first=r % 2 == 0,
                ramp_s=args.ramp,
                timeout_s=max(args.timeout, 180.0),
                profile_dir=None if args.profile is None else str(args.profile),
                html_phones=bool(getattr(args, "html_phones", False)),
            )
            label = f"[upvote n={n} {r}/{args.repeat}]"
            run_result = await run(config, progress, args.source, quiet) | {"repeat": r}
            progress(f"{label} {_line(run_result)}")
            runs.append(run_result)
    return runs, summarise(runs)


def _line(run: dict[str, Any]) -> str:
    if "cpu_ratio" not in run:
        return f"FAILED: {run.get('error')}"
    return (
        f"CPU per command upvote/vote {run['cpu_ratio']}, ack p99 ratio {run['ack_p99_ratio']}, "
        f"freshness p99 ratio {run['freshness_p99_ratio']}; checks "
        f"{'ok' if run['ok'] else run.get('error')}"
    )


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    metrics: dict[str, tuple[str, ...]] = {
        "cpu_ratio": ("cpu_ratio",),
        "ack_p99_ratio": ("ack_p99_ratio",),
        "freshness_p99_ratio": ("freshness_p99_ratio",),
        "rss_per_connection_kib": ("rss_per_connection_kib",),
    }
    for phase in ("vote", "upvote"):
        metrics |= {
            f"{phase}_ack_p50_ms": (phase, "ack_ms", "p50"),
            f"{phase}_ack_p99_ms": (phase, "ack_ms", "p99"),
            f"{phase}_freshness_p50_ms": (phase, "screen_freshness_ms", "p50"),
            f"{phase}_freshness_p99_ms": (phase, "screen_freshness_ms", "p99"),
            f"{phase}_cpu_per_1000_s": (phase, "server_cpu_per_1000_s"),
            f"{phase}_phone_pushes": (phase, "phone_pushes"),
            f"{phase}_screen_pushes": (phase, "screen_pushes"),
            f"{phase}_server_peak_core_share": (phase, "server_peak_core_share"),
        }
    return summarise_runs(runs, metrics)
