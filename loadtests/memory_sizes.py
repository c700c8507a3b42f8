"""What one participant and one card cost in server memory, for the sizing table in docs/deploy.md.

Two fresh servers (SQLite, as deployed), each read from ``/proc`` once its
RSS has settled (three readings a second apart within 1 MiB, at most
``--settle`` seconds):

1. **Participants:** the screen probe only (0), then 1,000 phones joined
   with their live sockets open (the lean phones of every scenario), then
   4,000 more (5,000, the event's cap). A participant's cost is its share
   of the room state plus its connection (socket, outbox, subscriber,
   personal view cache).
2. **Cards:** a moderator's socket only (0), then 2,000 cards (one full
   board), then 10,000 (five boards). Posted by the moderator, pipelined in
   chunks, so the rate limit for participants does not stretch the run;
   each card is also embedded by the server's model (a bounded cache of
   vectors by text), as in an event.

    .venv/bin/python -m loadtests.memory_sizes             # ~2-3 minutes
    .venv/bin/python -m loadtests.memory_sizes --people 200 1000 --cards 500 2000  # smaller

Writes ``loadtests/results/memory_sizes.json``; the numbers in docs/deploy.md
and docs/benchmarks.md are written by hand from it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from loadtests import report
from loadtests.clients import Moderator, Phones, ScreenFeed
from loadtests.lean_http import PostPool
from loadtests.run import load_average, raise_open_files
from loadtests.scenarios.common import create_event
from loadtests.scenarios.stamina import WORDS
from loadtests.scenarios.stamina_watch import open_fds
from loadtests.server_proc import ServerProcess

RESULTS = Path(__file__).parent / "results" / "memory_sizes.json"
BOARD_CAP = 2000  # rooms/ideas/limits.py: max_ideas_per_board


async def settled(server: ServerProcess, within_s: float) -> dict[str, Any]:
    """RSS once three readings a second apart agree within 1 MiB (or after ``within_s``)."""
    deadline = time.monotonic() + within_s
    last: list[int] = []
    while True:
        sample = server.sample()
        last = [*last[-2:], sample.rss_kib]
        if (len(last) == 3 and max(last) - min(last) <= 1024) or time.monotonic() > deadline:
            return {"rss_kib": sample.rss_kib, "fds": open_fds(server.pid)}
        await asyncio.sleep(1.0)


def _online(feed: ScreenFeed, n: int) -> Callable[[], bool]:
    return lambda: feed.last_online >= n


async def people(steps: list[int], settle_s: float, say: Any) -> list[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-memory-"))
    # every phone comes from 127.0.0.1: the per-event cap on joins a minute and the
    # per-address bound on sockets (4,000, a venue's NAT) would stop 5,000 phones
    env = {"DIALOGRAUM_JOINS_PER_MINUTE": "1000000", "DIALOGRAUM_SOCKETS_PER_ADDRESS": "20000"}
    server = ServerProcess(workdir, extra_env=env)
    points: list[dict[str, Any]] = []
    groups: list[Phones] = []
    screen: ScreenFeed | None = None
    try:
        await server.start()
        async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
            event = await create_event(http, server.admin_token)
        code = event["code"]
        screen = ScreenFeed(f"{server.ws_url}/api/events/{code}/live")
        await screen.start()
        pool = PostPool("127.0.0.1", server.port, 16)
        points.append({"participants": 0, **await settled(server, settle_s)})
        say(f"participants 0: {points[-1]}")
        total = 0
        for target in steps:
            more = target - total
            phones = Phones(pool, code, more)
            groups.append(phones)
            phones.start(max(2.0, more / 200))  # 200 joins a second
            await asyncio.wait_for(phones.wait_settled(), 300)
            if phones.connected != more:
                raise RuntimeError(f"only {phones.connected}/{more} connected: {phones.errors()}")
            total = target
            await screen.wait_until(_online(screen, total), 60)
            points.append({"participants": total, **await settled(server, settle_s)})
            say(f"participants {total}: {points[-1]}")
        pool.close()
    finally:
        for phones in groups:
            await phones.stop()
        if screen is not None:
            await screen.stop()
        await server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return points


async def cards(steps: list[int], settle_s: float, say: Any) -> list[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-memory-"))
    server = ServerProcess(workdir)
    points: list[dict[str, Any]] = []
    moderator: Moderator | None = None
    try:
        await server.start()
        async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
            event = await create_event(http, server.admin_token)
        url = f"{server.ws_url}/api/events/{event['code']}/live"
        moderator = Moderator("127.0.0.1", server.port, url, event["moderator_token"])
        await moderator.open()
        points.append({"cards": 0, **await settled(server, settle_s)})
        say(f"cards 0: {points[-1]}")
        posted, board = 0, ""
        for target in steps:
            while posted < target:
                chunk = []
                for _ in range(min(50, target - posted)):
                    if posted % BOARD_CAP == 0:
                        ack = await moderator.command(
                            {"type": "ideas.create_board", "prompt": f"Board {posted // BOARD_CAP}"}
                        )
                        board = ack.id or ""
                    words = " ".join(WORDS[(posted * k + 7) % len(WORDS)] for k in (1, 3, 5))
                    text = f"{words} {posted}"
                    chunk.append(
                        moderator.command({"type": "idea.post", "board": board, "text": text})
                    )
                    posted += 1
                await asyncio.gather(*chunk)
            points.append({"cards": posted, **await settled(server, settle_s)})
            say(f"cards {posted}: {points[-1]}")
    finally:
        if moderator is not None:
            await moderator.close()
        await server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return points


def per_unit(points: list[dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    """KiB per participant (or card) between consecutive readings, and from zero."""
    out = []
    zero = points[0]
    for a, b in itertools.pairwise(points):
        out.append(
            {
                "from": a[unit],
                "to": b[unit],
                "kib_each": round((b["rss_kib"] - a["rss_kib"]) / (b[unit] - a[unit]), 2),
                "kib_each_from_zero": round(
                    (b["rss_kib"] - zero["rss_kib"]) / (b[unit] - zero[unit]), 2
                ),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.memory_sizes", description=__doc__)
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--cards", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--settle", type=float, default=60.0, help="at most this long per reading")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    raise_open_files(4 * max(args.people) + 1024)
    started = time.time()

    def say(text: str) -> None:
        print(text, flush=True)

    async def both() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return (
            await people(sorted(args.people), args.settle, say),
            await cards(sorted(args.cards), args.settle, say),
        )

    people_points, card_points = asyncio.run(both())
    results = {
        "command": " ".join(["python -m loadtests.memory_sizes", *sys.argv[1:]]),
        "machine": report.machine(),
        "started": report.iso(started),
        "duration_s": round(time.time() - started, 1),
        "loadavg": load_average(),
        "participants": people_points,
        "per_participant": per_unit(people_points, "participants"),
        "cards": card_points,
        "per_card": per_unit(card_points, "cards"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    say(json.dumps({k: results[k] for k in ("per_participant", "per_card")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
