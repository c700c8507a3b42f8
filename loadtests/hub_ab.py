"""The hub alone, A/B between two commits: CPU per 1,000 votes, without sockets.

Why this exists next to the plenum: the plenum drives a whole server
through 1,000 real sockets, and on the shared two-core benchmark machine its
CPU per vote swings by a third between runs of the same commit, which hides
a change of a few percent in the hub. This drives one ``Hub`` in-process
through the plenum's vote (an SQLite store, the real presenter and
templates, 1,000 phone subscribers, a screen and a console whose outboxes
are never drained, so nothing is sent), and reads the process's own CPU
time for the vote phase: the writer, the fan-out and the renders, nothing
else. Each side runs in a fresh subprocess from an export of its commit
(``git archive``, as ``--server-rev`` does), and the sides alternate.

    .venv/bin/python -m loadtests.hub_ab --old 03d9e6d --new HEAD --runs 5

Uses only what both sides have: ``Hub(code, store, broker, presenter,
settings)``, ``attach``, ``submit`` and ``state``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VOTES_PER_TICK = 20  # 1,000 votes over 5 s, as the plenum's spread
TICK_S = 0.1


def first_module(*names: str) -> Any:
    """The first of ``names`` that imports: the same commands live elsewhere on each side."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(f"none of {names}")


async def measure(n: int) -> dict[str, Any]:
    """One run in this process (the subprocess side): set up the room, time the vote."""
    import msgspec

    import server
    from rooms.base import Actor, Role
    from rooms.room import RoomState, handle

    # One package per activity since issue 11, one module per activity before.
    lobby = first_module("rooms.lobby.domain", "rooms.lobby")
    polls = first_module("rooms.polls.domain", "rooms.poll")
    from server.broker import LocalBroker
    from server.hub import Hub, HubSettings
    from server.outbox import Outbox
    from server.present import Presenter
    from server.render import Renderer
    from server.stores.sqlite import SqliteStore

    try:
        from server.fanout import Subscriber
    except ImportError:  # before the hub was split
        from server.hub import Subscriber  # type: ignore[attr-defined]

    code = "BENCH2"
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-hub-ab-"))
    store = SqliteStore(workdir / "bench.sqlite3")
    await store.open()
    try:
        created = handle(RoomState(), lobby.CreateEvent(code, "Plenum"), Actor(Role.ADMIN), None, 0)
        await store.create_room(code, msgspec.json.encode(created.envelopes[0]))
        presenter = Presenter(Renderer(), lambda c: f"http://127.0.0.1/j/{c}")
        hub = Hub(code, store, LocalBroker(), presenter, HubSettings())
        await hub.load()
        people = [f"p{i:04d}" for i in range(n)]
        guest, moderator = Actor(Role.GUEST), Actor(Role.MODERATOR)
        joined = await asyncio.gather(*(hub.submit(guest, lobby.Join(p), f"j{p}") for p in people))
        assert all(r.ok for r in joined)
        for kind in ("screen", "console"):
            hub.attach(Subscriber(kind, "de", None, Outbox()))
        for pid in people:
            hub.attach(Subscriber("phone", "de", pid, Outbox()))
        options = ["A", "B", "C", "D"]
        poll = polls.CreatePoll(kind=polls.PollKind.SINGLE, question="Wohin?", options=options)
        assert (await hub.submit(moderator, poll, "c")).ok
        assert (await hub.submit(moderator, polls.OpenPoll("p1"), "o")).ok
        show = lobby.ShowOnScreen(lobby.ScreenMode.POLL, "p1")
        assert (await hub.submit(moderator, show, "s")).ok
        await asyncio.sleep(0.5)  # every view rendered and flushed before the clock starts
        cpu, wall = time.process_time(), time.perf_counter()
        pending: list[asyncio.Task[Any]] = []
        for start in range(0, n, VOTES_PER_TICK):
            for i, pid in enumerate(people[start : start + VOTES_PER_TICK], start):
                vote = polls.Vote(poll="p1", choice=f"o{i % 4 + 1}")
                task = asyncio.create_task(hub.submit(Actor(Role.PARTICIPANT, pid), vote, "v"))
                pending.append(task)
            await asyncio.sleep(TICK_S)
        results = await asyncio.gather(*pending)
        await asyncio.sleep(0.3)  # the last flush
        cpu_s = time.process_time() - cpu
        wall_s = time.perf_counter() - wall
        assert all(r.ok for r in results), "a vote was refused"
        votes = len(hub.state.polls.by_id["p1"].ballots)
        hub.stop()
        return {
            "server_module": server.__file__,
            "votes": votes,
            "cpu_s": round(cpu_s, 4),
            "cpu_per_1000_votes_s": round(cpu_s * 1000 / n, 4),
            "wall_s": round(wall_s, 3),
        }
    finally:
        await store.close()
        shutil.rmtree(workdir, ignore_errors=True)


# What is counted: label -> (the files that may hold it, the function's name). The
# hub's methods moved in the split; an activity's own functions of the same name
# (each activity has an ``apply``) are not counted.
COUNTED: dict[str, tuple[tuple[str, ...], str]] = {
    "shared renders": (("server/present.py",), "shared"),
    "personal renders": (("server/present.py",), "personal"),
    "messages built": (("server/present.py",), "frames"),
    "messages queued": (("server/outbox.py",), "put"),
    "flushes": (("server/hub.py", "server/fanout.py"), "_flush"),  # timer-driven: ±1 or 2
    "commands decided": (("rooms/room.py",), "handle"),
    "events applied": (("rooms/room.py",), "apply"),
}


def count_calls(n: int) -> dict[str, Any]:
    """One run under cProfile; how often the functions that do the work were called."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(asyncio.run, measure(n))
    counts = dict.fromkeys(COUNTED, 0)
    # typeshed leaves out Stats.stats, the table print_stats() prints from: the stub is wrong.
    for (path, _, name), row in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        for label, (files, function) in COUNTED.items():
            if name == function and path.endswith(files):
                counts[label] += row[1]
    return {**result, "calls": counts}


def run_side(tree: Path, n: int, calls: bool = False) -> dict[str, Any]:
    """One measurement in a fresh interpreter that imports the server from ``tree``."""
    from loadtests.tree_ab import run_script_in_tree

    arguments = ["--n", str(n)] + (["--calls"] if calls else [])
    return run_script_in_tree(Path(__file__).resolve(), tree, arguments)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.hub_ab", description=__doc__)
    parser.add_argument("--old", default="main", help="the baseline commit")
    parser.add_argument("--new", default="HEAD", help="the commit compared with it")
    parser.add_argument("--runs", type=int, default=5, help="runs per side, alternating")
    parser.add_argument("--n", type=int, default=1000, help="phones (and votes)")
    parser.add_argument("--out", type=Path, help="write the runs and medians as JSON here")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="also count calls (cProfile, one extra run per side): the same work on both sides?",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        # Run as a file, sys.path[0] is loadtests/, whose profile.py would shadow the stdlib's.
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
        print(json.dumps(count_calls(args.n) if args.calls else asyncio.run(measure(args.n))))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from loadtests.tree_ab import alternating, exported

    with exported(args.old, args.new) as (trees, commits):
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        for r, side in alternating(args.runs):
            result = run_side(trees[side], args.n)
            runs[side].append(result)
            print(
                f"{side} {commits[side][:9]} run {r + 1}: "
                f"{result['cpu_per_1000_votes_s']:.3f} s CPU per 1,000 votes",
                flush=True,
            )
        calls = {}
        if args.calls:
            calls = {side: run_side(trees[side], args.n, calls=True)["calls"] for side in trees}
            for label in COUNTED:
                print(f"{label}: old {calls['old'][label]:,}, new {calls['new'][label]:,}")
        medians = {
            side: statistics.median(x["cpu_per_1000_votes_s"] for x in runs[side]) for side in runs
        }
        ratio = medians["new"] / medians["old"]
        print(
            f"median CPU per 1,000 votes: old {medians['old']:.3f} s, "
            f"new {medians['new']:.3f} s, new/old {ratio:.3f}"
        )
        if args.out is not None:
            summary = {"commits": commits, "n": args.n, "runs": runs, "medians": medians}
            summary["calls"] = calls
            summary["ratio_new_old"] = round(ratio, 3)
            summary["loadavg"] = list(os.getloadavg())
            args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
