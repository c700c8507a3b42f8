"""The hub alone, vote against upvote, A/B between two commits: no sockets.

Why this exists next to ``--scenario upvote``: on the shared two-core
machine the scenario's CPU per command swings by half between runs of the
same commit (a starved server batches more and spends less per command),
which hides a change of a fifth. This drives one ``Hub`` in-process through
the scenario's two phases in one room (an SQLite store, the real presenter,
1,000 API phones (applying patches where the commit has them), an API
screen and an API moderator whose outboxes are never drained, so nothing
is sent): 50 questions asked first, then every
phone votes once and upvotes once (the k-th question drawn with weight
1/k), ten commands every 100 ms, the phases' order alternating from run to
run. It reads the process's own CPU time per phase: the writer, the
fan-out, the views and their JSON, nothing of the sockets. What it leaves
out is the sending (see docs/benchmarks.md, "Upvotes").

    .venv/bin/python -m loadtests.upvote_hub --old main --new HEAD --runs 4 [--calls]

``--calls`` adds one run per side under cProfile that counts the calls
doing the work (personal renders, sorts of a session), which do not depend
on the machine's mood.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PER_TICK = 10  # 1,000 commands over 10 s per phase, as the scenario's spread
TICK_S = 0.1
QUESTIONS = 50


async def measure(n: int, upvote_first: bool) -> dict[str, Any]:
    """One run in this process (the subprocess side): set up the room, time both phases."""
    import msgspec

    import server
    from rooms.base import Actor, Role
    from rooms.lobby import domain as lobby
    from rooms.polls import domain as polls
    from rooms.qna import domain as qna
    from rooms.room import RoomState, handle
    from server.broker import LocalBroker
    from server.fanout import Subscriber
    from server.hub import Hub, HubSettings
    from server.outbox import Outbox
    from server.present import Presenter
    from server.render import Renderer
    from server.stores.sqlite import SqliteStore

    code = "BENCH3"
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-upvote-hub-"))
    store = SqliteStore(workdir / "bench.sqlite3")
    await store.open()
    try:
        created = handle(
            RoomState(), lobby.CreateEvent(code, "Werkstatt"), Actor(Role.ADMIN), None, 0
        )
        await store.create_room(code, msgspec.json.encode(created.envelopes[0]))
        presenter = Presenter(Renderer(), lambda c: f"http://127.0.0.1/j/{c}")
        hub = Hub(code, store, LocalBroker(), presenter, HubSettings())
        await hub.load()
        people = [f"p{i:04d}" for i in range(n)]
        guest, moderator = Actor(Role.GUEST), Actor(Role.MODERATOR)
        for start in range(0, n, 100):
            batch = people[start : start + 100]
            joined = await asyncio.gather(
                *(hub.submit(guest, lobby.Join(p), f"j{p}") for p in batch)
            )
            assert all(r.ok for r in joined)
        unbounded = 1 << 30  # never drained: every message stays queued, latest-wins per key
        hub.attach(Subscriber("api:screen", "de", None, Outbox(unbounded)))
        hub.attach(Subscriber("api:moderator", "de", None, Outbox(unbounded)))
        # Phones that apply patches (docs/api.md), where the commit has them. The
        # check looks at the commit's own files: an old export without
        # server/patches.py would otherwise import the newer one through the
        # editable install and fail on its imports.
        import server

        kind = "api:participant"
        if (Path(server.__file__).parent / "patches.py").exists():
            from server.patches import PATCH_KIND as kind
        phones = [Subscriber(kind, "de", p, Outbox(unbounded)) for p in people]
        for phone in phones:
            hub.attach(phone)
        poll = polls.CreatePoll(
            kind=polls.PollKind.SINGLE, question="Welche Maßnahme zuerst?", options=list("ABCD")
        )
        assert (await hub.submit(moderator, poll, "c")).ok
        assert (await hub.submit(moderator, polls.OpenPoll("p1"), "o")).ok
        assert (await hub.submit(moderator, qna.CreateQna(title="Input 1"), "q")).ok
        for k in range(1, QUESTIONS + 1):
            text = (
                f"Frage {k}: Wie geht es mit dem Projekt in der Region weiter, und wer bezahlt das?"
            )
            ask = qna.AskQuestion(session="s1", text=text)
            asked = await hub.submit(Actor(Role.PARTICIPANT, people[k - 1]), ask, f"a{k}")
            assert asked.ok, f"question {k} refused"
            assert asked.id == f"q{k}"
        rng = random.Random(1)
        weights = [1 / k for k in range(1, QUESTIONS + 1)]
        result: dict[str, Any] = {
            "server_module": server.__file__,
            "upvote_first": upvote_first,
            "phone_kind": kind,
        }
        for phase in ("upvote", "vote") if upvote_first else ("vote", "upvote"):
            commands: list[Any]
            if phase == "vote":
                show = lobby.ShowOnScreen("poll", "p1")
                commands = [polls.Vote(poll="p1", choice=f"o{rng.randint(1, 4)}") for _ in people]
            else:
                show = lobby.ShowOnScreen("qna")
                picks = rng.choices(range(1, QUESTIONS + 1), weights, k=n)
                commands = [qna.Upvote(f"q{k}") for k in picks]
            assert (await hub.submit(moderator, show, f"show-{phase}")).ok
            await asyncio.sleep(1.5)  # every view rendered and flushed, the phones' tick passed
            for phone in phones:
                while len(phone.outbox):
                    await phone.outbox.next()
            cpu, wall = time.process_time(), time.perf_counter()
            pending: list[asyncio.Task[Any]] = []
            for start in range(0, n, PER_TICK):
                for i in range(start, min(n, start + PER_TICK)):
                    actor = Actor(Role.PARTICIPANT, people[i])
                    submit = hub.submit(actor, commands[i], f"{phase}-{i}")
                    pending.append(asyncio.create_task(submit))
                await asyncio.sleep(TICK_S)
            results = await asyncio.gather(*pending)
            await asyncio.sleep(1.2)  # the last flush and the phones' last tick
            cpu_s = time.process_time() - cpu
            assert all(r.ok for r in results), f"a {phase} was refused"
            result[phase] = {
                "cpu_s": round(cpu_s, 4),
                "cpu_per_1000_s": round(cpu_s * 1000 / n, 4),
                "wall_s": round(time.perf_counter() - wall, 3),
            }
        result["ratio"] = round(result["upvote"]["cpu_s"] / result["vote"]["cpu_s"], 3)
        hub.stop()
        return result
    finally:
        await store.close()
        shutil.rmtree(workdir, ignore_errors=True)


# What is counted: label -> (the files that may hold it, the function's name).
COUNTED: dict[str, tuple[tuple[str, ...], str]] = {
    "personal renders": (("server/present.py",), "personal"),
    "shared renders": (("server/present.py",), "shared"),
    "messages queued": (("server/outbox.py",), "put"),
    "flushes": (("server/fanout.py",), "_flush"),  # timer-driven: ±1 or 2
    "sessions sorted": (("rooms/qna/domain.py",), "ranked"),
}


def count_calls(n: int) -> dict[str, Any]:
    """One run (vote first) under cProfile; how often the functions doing the work ran."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(asyncio.run, measure(n, upvote_first=False))
    counts = dict.fromkeys(COUNTED, 0)
    # typeshed leaves out Stats.stats, the table print_stats() prints from: the stub is wrong.
    for (path, _, name), row in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        for label, (files, function) in COUNTED.items():
            if name == function and path.endswith(files):
                counts[label] += row[1]
    return {**result, "calls": counts}


def run_side(tree: Path, n: int, upvote_first: bool, calls: bool = False) -> dict[str, Any]:
    """One measurement in a fresh interpreter that imports the server from ``tree``."""
    from loadtests.tree_ab import run_script_in_tree

    arguments = ["--n", str(n)]
    arguments += (["--upvote-first"] if upvote_first else []) + (["--calls"] if calls else [])
    return run_script_in_tree(Path(__file__).resolve(), tree, arguments)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.upvote_hub", description=__doc__)
    parser.add_argument("--old", default="main", help="the baseline commit")
    parser.add_argument("--new", default="HEAD", help="the commit compared with it")
    parser.add_argument("--runs", type=int, default=4, help="runs per side, alternating")
    parser.add_argument("--n", type=int, default=1000, help="phones (and votes, and upvotes)")
    parser.add_argument("--out", type=Path, help="write the runs and medians as JSON here")
    parser.add_argument("--calls", action="store_true", help="also count calls (cProfile)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--upvote-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        # Run as a file, sys.path[0] is loadtests/, whose profile.py would shadow the stdlib's.
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
        if args.calls:
            print(json.dumps(count_calls(args.n)))
        else:
            print(json.dumps(asyncio.run(measure(args.n, args.upvote_first))))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from loadtests.tree_ab import alternating, exported

    with exported(args.old, args.new) as (trees, commits):
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        for r, side in alternating(args.runs):
            result = run_side(trees[side], args.n, upvote_first=r % 2 == 1)
            runs[side].append(result)
            print(
                f"{side} {commits[side][:9]} run {r + 1}: CPU per 1,000 vote "
                f"{result['vote']['cpu_per_1000_s']:.3f} s, upvote "
                f"{result['upvote']['cpu_per_1000_s']:.3f} s, ratio {result['ratio']:.3f}",
                flush=True,
            )
        calls = {}
        if args.calls:
            calls = {side: run_side(trees[side], args.n, False, calls=True) for side in trees}
            for label in COUNTED:
                print(
                    f"{label}: old {calls['old']['calls'][label]:,}, "
                    f"new {calls['new']['calls'][label]:,}"
                )
        medians = {
            side: {
                "vote": statistics.median(x["vote"]["cpu_per_1000_s"] for x in runs[side]),
                "upvote": statistics.median(x["upvote"]["cpu_per_1000_s"] for x in runs[side]),
                "ratio": statistics.median(x["ratio"] for x in runs[side]),
            }
            for side in runs
        }
        for side in ("old", "new"):
            m = medians[side]
            print(
                f"{side} medians: CPU per 1,000 vote {m['vote']:.3f} s, upvote "
                f"{m['upvote']:.3f} s, upvote/vote {m['ratio']:.3f}"
            )
        if args.out is not None:
            summary = {"commits": commits, "n": args.n, "runs": runs, "medians": medians}
            summary["calls"] = calls
            summary["loadavg"] = list(os.getloadavg())
            args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
