"""The fan-out's own CPU per phone and tick, in-process, A/B between two commits.

``python -m loadtests.flush_cost --old 32f0efc --new HEAD --runs 5``

A tick to a thousand phones is a thousand socket writes, and what the
server does around each write is what it can change: look up the views,
build the phone's message, queue it, frame it. The ``ceiling`` benchmark
measures all of it with the sockets, whose system calls dominate and whose
time swings by a third between runs on the shared benchmark machine. This
drives one ``Hub`` in-process (an SQLite store, the real presenter, 1,000
JSON participant phones, a poll with its results on phones, on the screen):
each step one vote, then one flush timed by ``time.perf_counter``, with
writes that do what the frame writer does short of the transport (encode a
str, frame it) and count. Reported per run: the fastest tick's time per
phone (the machine's noise only adds), and the median. Each side runs in a
fresh interpreter from an export of its commit (``git archive``); the
sides alternate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TICKS = 150


async def measure(n: int, ticks: int = TICKS) -> dict[str, Any]:
    """One run in this process (the subprocess side): µs per phone and tick."""
    import dataclasses

    import msgspec

    import server
    from rooms.base import Actor, Role
    from rooms.lobby import domain as lobby
    from rooms.polls import domain as polls
    from rooms.room import RoomState, handle
    from server.broker import LocalBroker
    from server.fanout import Subscriber
    from server.framesend import text_frame
    from server.hub import Hub, HubSettings
    from server.outbox import Outbox
    from server.present import Presenter
    from server.render import Renderer
    from server.stores.sqlite import SqliteStore

    workdir = Path(tempfile.mkdtemp(prefix="dialograum-flush-cost-"))
    store = SqliteStore(workdir / "bench.sqlite3")
    await store.open()
    try:
        code = "FLUSH1"
        create = lobby.CreateEvent(code, "Zukunftswerkstatt – Übergänge")
        created = handle(RoomState(), create, Actor(Role.ADMIN), None, 0)
        await store.create_room(code, msgspec.json.encode(created.envelopes[0]))
        # Flushes only when this loop asks: a window of a thousand seconds.
        settings = HubSettings(window=1000.0, phone_window=0.0, burst=1e9, per_second=1e9)
        if "gather_s" in {f.name for f in dataclasses.fields(HubSettings)}:
            settings = dataclasses.replace(settings, gather_s=0.0)  # not timed here anyway
        hub = Hub(code, store, LocalBroker(), Presenter(Renderer(), lambda c: c), settings)
        await hub.load()
        people = [f"p{i:04d}" for i in range(n)]
        joins = (
            hub.submit(Actor(Role.GUEST, client=p), lobby.Join(p, f"Person {p}"), "j")
            for p in people
        )
        assert all(r.ok for r in await asyncio.gather(*joins))
        written = 0

        def write(text: str | bytes) -> bool:  # the frame writer, short of the transport
            nonlocal written
            written += 1
            text_frame(text if isinstance(text, bytes) else text.encode())
            return True

        async def send(text: str | bytes) -> None:
            raise AssertionError("every write goes through the frame writer here")

        for person in people:
            outbox = Outbox()
            outbox.write = write
            outbox._send = send  # idle: a put writes at once
            hub.attach(Subscriber("api:participant", "de", person, outbox))
        moderator = Actor(Role.MODERATOR)
        poll = polls.CreatePoll(
            kind=polls.PollKind.SINGLE,
            question="Wohin?",
            options=["A", "B", "C"],
            results_on_phones=True,
        )
        for i, command in enumerate(
            (poll, polls.OpenPoll("p1"), lobby.ShowOnScreen(lobby.ScreenMode.POLL, "p1"))
        ):
            assert (await hub.submit(moderator, command, f"m{i}")).ok
        fanout = hub.fanout
        fanout.phone_window = 0.0  # every flush is the phones' tick
        fanout._flush()
        per_phone: list[float] = []
        for t in range(ticks):
            vote = polls.Vote(poll="p1", choice=f"o{t % 3 + 1}")
            assert (await hub.submit(Actor(Role.PARTICIPANT, people[t % n]), vote, f"v{t}")).ok
            before = written
            started = time.perf_counter()
            fanout._flush()
            took = time.perf_counter() - started
            if written - before < n - 1:
                raise AssertionError(f"a tick reached {written - before} of {n} phones")
            per_phone.append(took / (written - before) * 1e6)
        hub.stop()
        return {
            "server_module": server.__file__,
            "us_per_phone_min": round(min(per_phone), 3),
            "us_per_phone_median": round(statistics.median(per_phone), 3),
        }
    finally:
        await store.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.flush_cost", description=__doc__)
    parser.add_argument("--old", default="main", help="the baseline commit")
    parser.add_argument("--new", default="HEAD", help="the commit compared with it")
    parser.add_argument("--runs", type=int, default=5, help="runs per side, alternating")
    parser.add_argument("--n", type=int, default=1000, help="phones")
    parser.add_argument("--out", type=Path, help="write the runs and medians as JSON here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # only the standard library until here: the other side's tree has no more
        # Run as a file, sys.path[0] is loadtests/, whose profile.py would shadow the stdlib's.
        here = Path(__file__).resolve().parent
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != here]
        print(json.dumps(asyncio.run(measure(args.n))))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from loadtests.tree_ab import alternating, exported, run_script_in_tree

    with exported(args.old, args.new) as (trees, commits):
        runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
        script = Path(__file__).resolve()
        for r, side in alternating(args.runs):
            result = run_script_in_tree(script, trees[side], ["--n", str(args.n)])
            runs[side].append(result)
            print(
                f"{side} {commits[side][:9]} run {r + 1}: fastest tick "
                f"{result['us_per_phone_min']:.2f} µs a phone, median "
                f"{result['us_per_phone_median']:.2f}",
                flush=True,
            )
    medians = {side: statistics.median(x["us_per_phone_min"] for x in runs[side]) for side in runs}
    ratio = medians["new"] / medians["old"]
    print(
        f"fastest tick per phone, median of the runs: old {medians['old']:.2f} µs, "
        f"new {medians['new']:.2f} µs, new/old {ratio:.3f}"
    )
    if args.out is not None:
        summary = {"commits": commits, "n": args.n, "runs": runs, "medians": medians}
        summary["ratio_new_old"] = round(ratio, 3)
        args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
