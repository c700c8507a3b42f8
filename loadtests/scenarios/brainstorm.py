"""Scenario "brainstorm": N phones post open-text answers while the word cloud is on screen.

The moderator opens an open-text poll and puts its word cloud on the
projector; over ``duration_s`` every phone posts ``posts`` answers at
seeded random moments (a few words each from a small vocabulary, so the
cloud has words in common). Dialograum keeps one answer per phone and
poll (a later post replaces the earlier one: the phone's "change my
answer"), so the room ends with N answers, each phone's last.

Checked: every post acked ``ok``; the final results hold exactly one answer
per phone, its last text; the moderator's word cloud equals the word
counts of those texts (computed here with :func:`rooms.words.word_counts`);
and the screen's last push shows N answers and the same cloud (distinct
words and summed counts). Measured: ack latency, freshness (ack → first
screen push with ``seq`` at least the ack's), deliveries per second to
phones, screen and console, server CPU and memory per connection.

``make test`` runs a short version (tests/loadtests/test_brainstorm_smoke.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loadtests.clients import Phone
from loadtests.commands import Commands
from loadtests.scenarios.common import (
    SAMPLE_EVERY_S,
    LoadSample,
    Progress,
    load_profile,
    ms,
    sample_load,
    self_cpu_s,
)
from loadtests.scenarios.live_room import LiveRoom
from loadtests.stats import distribution, summarise_runs
from rooms.words import word_counts

VOCABULARY = [
    "Bürgerbeteiligung", "Radwege", "Klimaschutz", "Bildung", "Wohnraum", "Ehrenamt",
    "Digitalisierung", "Nahverkehr", "Spielplätze", "Begegnung", "Kultur", "Sicherheit", "Jugend",
    "Senioren", "Inklusion", "Grünflächen", "Transparenz", "Nachbarschaft", "Vereine", "Handwerk",
    "Mobilität", "Energie", "Wasser", "Bäume", "Markt", "Schule", "Kita", "Sport", "Musik",
    "Bibliothek", "Sprachkurse", "Integration", "Barrierefreiheit", "Innenstadt", "Dorfplatz",
]  # fmt: skip


@dataclass(frozen=True)
class BrainstormConfig:
    n: int = 300
    posts: int = 3
    duration_s: float = 120.0
    seed: int = 1
    ramp_s: float = 2.0
    timeout_s: float = 300.0


def answer(rng: random.Random) -> str:
    return " ".join(rng.sample(VOCABULARY, rng.randint(1, 4)))


async def run(
    config: BrainstormConfig,
    progress: Progress,
    source: Path | None = None,
    quiet: Callable[[], Awaitable[float]] | None = None,
) -> dict[str, Any]:
    """One run; a failed run is reported with its error, never raised."""
    result: dict[str, Any] = {"n": config.n, "config": asdict(config), "ok": False}
    step = "setting up"
    try:
        async with asyncio.timeout(config.timeout_s):
            async with LiveRoom(config.n, progress, source, config.ramp_s) as room:
                try:
                    step = "opening the text poll"
                    poll = await room.open_poll(
                        {"kind": "text", "question": "Was braucht unser Ort?"}
                    )
                    if quiet is not None:
                        result["machine_busy_before_cores"] = round(await quiet(), 2)
                    step = "posting"
                    result |= await _post(config, room, poll, progress)
                    result |= room.memory()
                finally:
                    result["server_alive_at_end"] = room.server.alive()
            result["server_log"] = room.log
    except TimeoutError:
        result["error"] = f"timed out after {config.timeout_s:.0f} s while {step}"
    except Exception as exc:  # a broken run is a result too
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    if result.get("error"):
        progress(result["error"])
    return result


async def _post(
    config: BrainstormConfig, room: LiveRoom, poll: str, progress: Progress
) -> dict[str, Any]:
    assert room.phones is not None
    assert room.screen is not None
    assert room.moderator is not None
    phones, screen, moderator = room.phones, room.screen, room.moderator
    rng = random.Random(config.seed)
    plan: list[tuple[Phone, float, str, dict[str, object]]] = []
    last_text: dict[int, tuple[float, str]] = {}
    for phone in phones.phones:
        for k in sorted(rng.uniform(0, config.duration_s) for _ in range(config.posts)):
            text = answer(rng)
            cid = f"post-{phone.index}-{len(plan)}"
            plan.append((phone, k, cid, {"type": "poll.vote", "poll": poll, "text": text}))
            last_text[phone.index] = (k, text)
    commands = Commands(phones)
    load: list[LoadSample] = []
    sampler = asyncio.create_task(sample_load(room.server, load, SAMPLE_EVERY_S))
    screen_from = len(screen.times_ns)
    phone_msgs = sum(p.messages for p in phones.phones)
    mod_msgs = moderator.messages
    before, gen_before, t0 = room.server.sample(), self_cpu_s(), time.monotonic_ns()
    peak_rss = before.rss_kib
    try:
        commands.plan(plan)
        waiting = asyncio.create_task(commands.wait_all(config.duration_s + 60))
        while not waiting.done():  # a line every 5 s, so a stuck run shows long before its end
            await asyncio.wait([waiting], timeout=5)
            progress(
                f"{commands.answered}/{len(plan)} posts acked; screen voters {screen.last_voters}"
            )
        await waiting
        last_seq = max((s.ack.seq or 0 for s in commands.ok if s.ack), default=0)
        await screen.wait_until(lambda: bool(screen.seq_max) and screen.seq_max[-1] >= last_seq, 30)
        end = time.monotonic_ns()
        after = room.server.sample()
        await asyncio.sleep(SAMPLE_EVERY_S)
    finally:
        sampler.cancel()
    peak_rss = max([peak_rss, *(x.server_rss_kib for x in load)])
    window = (end - t0) / 1e9
    deliveries = (
        sum(p.messages for p in phones.phones)
        - phone_msgs
        + moderator.messages
        - mod_msgs
        + len(screen.times_ns)
        - screen_from
    )
    ok = commands.ok
    ack_ms = [ms(s.ack_ns - s.sent_ns) for s in ok if s.ack_ns and s.sent_ns]
    fresh = []
    for s in ok:
        assert s.ack is not None
        i = screen.first_seq_at_least(s.ack.seq or 0)
        if i is not None and s.ack_ns is not None:
            fresh.append(max(0.0, ms(screen.times_ns[i] - s.ack_ns)))
    final = await room.state()
    check = _check(final, poll, {i: text for i, (_, text) in last_text.items()}, screen)
    cpu = after.cpu_s - before.cpu_s
    result = {
        "posts": {
            "planned": len(plan),
            "acked_ok": len(ok),
            "refused": sum(1 for s in commands.by_cid.values() if s.ack and not s.ack.ok),
            "not_sent": sum(1 for s in commands.by_cid.values() if s.error),
        },
        "ack_ms": distribution(ack_ms),
        "screen_freshness_ms": distribution(fresh),
        "check": check,
        "window_s": round(window, 2),
        "deliveries": deliveries,
        "deliveries_per_s": round(deliveries / window),
        "screen_pushes": len(screen.times_ns) - screen_from,
        "server_cpu_s": round(cpu, 2),
        "server_cpu_per_1000_posts_s": round(cpu / max(1, len(plan)) * 1000, 3),
        "server_rss_peak_kib": peak_rss,
        "generator_cpu_s": round(self_cpu_s() - gen_before, 2),
        "dropped": phones.dropped,
    }
    result |= load_profile(load, t0, SAMPLE_EVERY_S)
    problems = []
    if len(ok) != len(plan):
        problems.append(f"{len(plan) - len(ok)} posts not acked ok")
    problems += [name for name, good in check.items() if good is False]
    if phones.dropped:
        problems.append(f"{phones.dropped} phones dropped")
    result["ok"] = not problems
    if problems:
        result["error"] = "; ".join(problems)
    return result


def _check(final: dict[str, Any], poll: str, last: dict[int, str], screen: Any) -> dict[str, Any]:
    """Exactly one answer per phone (its last), the cloud as computed here, and on screen."""
    view = next(x for x in final["state"]["polls"] if x["id"] == poll)
    results = view.get("results") or {}
    texts = sorted(a["text"] for a in results.get("answers", []))
    expected = sorted(last.values())
    cloud = [(w["word"], w["count"], w["label"]) for w in results.get("words", [])]
    expected_cloud = word_counts(expected, frozenset())
    on_screen = screen.poll_words[-1] if screen.poll_words else "-"
    want_screen = f"{len(expected_cloud)}:{sum(c for _, c, _ in expected_cloud)}"
    return {
        "answers_exact": texts == expected,
        "answers": len(texts),
        "cloud_exact": cloud == expected_cloud,
        "cloud_words": len(cloud),
        "screen_voters_exact": bool(screen.poll_voters) and screen.poll_voters[-1] == len(last),
        "screen_cloud_exact": on_screen == want_screen,
        "screen_cloud": on_screen,
    }


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Callable[[], Awaitable[float]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            duration = 6.0 if args.quick else args.duration
            config = BrainstormConfig(n=n, seed=r, duration_s=duration)
            run_result = await run(config, progress, args.source, quiet) | {"repeat": r}
            progress(f"[brainstorm n={n} {r}/{args.repeat}] {_line(run_result)}")
            runs.append(run_result)
    return runs, summarise(runs)


def _line(run: dict[str, Any]) -> str:
    if "ack_ms" not in run:
        return f"FAILED: {run.get('error')}"
    return (
        f"ack p99 {run['ack_ms']['p99']:.0f} ms, freshness p99 "
        f"{run['screen_freshness_ms']['p99']:.0f} ms, {run['deliveries_per_s']} deliveries/s, "
        f"checks {'ok' if run['ok'] else run.get('error')}"
    )


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = {
        "ack_p50_ms": ("ack_ms", "p50"),
        "ack_p95_ms": ("ack_ms", "p95"),
        "ack_p99_ms": ("ack_ms", "p99"),
        "freshness_p50_ms": ("screen_freshness_ms", "p50"),
        "freshness_p99_ms": ("screen_freshness_ms", "p99"),
        "deliveries_per_s": ("deliveries_per_s",),
        "server_cpu_s": ("server_cpu_s",),
        "server_cpu_per_1000_posts_s": ("server_cpu_per_1000_posts_s",),
        "rss_per_connection_kib": ("rss_per_connection_kib",),
        "server_rss_peak_kib": ("server_rss_peak_kib",),
    }
    return summarise_runs(runs, metrics)
