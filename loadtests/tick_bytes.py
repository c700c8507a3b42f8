"""Bytes per phone per tick while votes come in among 50 questions, A/B between commits.

Why: the phones' 1 s tick sent every phone the whole shared state while a
hall upvoted: 8 KB of JSON to an API phone, a 36 KB question list to an
HTML phone (about 290 Mbit/s to 1,000 HTML phones, too much for venue
Wi-Fi). This counts what one phone that only watches receives: one hub
in-process (an SQLite store, the real presenter and templates), 50
questions asked, then ``upvotes`` upvotes from other participants, ten
every 100 ms, through the real fan-out and its 1 s phones' tick. Watched
by an HTML phone, an API phone, and (where the commit has them) an API
phone that applies patches. No sockets: the bytes are the texts queued for
each phone, one WebSocket message each.

    .venv/bin/python -m loadtests.tick_bytes --old main --new HEAD
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

QUESTIONS = 50
PER_STEP = 10
STEP_S = 0.1


async def measure(upvotes: int) -> dict[str, Any]:
    """One run in this process (the subprocess side)."""
    import msgspec

    import server
    from rooms.base import Actor, Role
    from rooms.lobby import domain as lobby
    from rooms.qna import domain as qna
    from rooms.room import RoomState, handle
    from server.broker import LocalBroker
    from server.fanout import Subscriber
    from server.hub import Hub, HubSettings
    from server.outbox import Outbox
    from server.present import Presenter
    from server.render import Renderer
    from server.stores.sqlite import SqliteStore

    patch_kind: str | None
    try:
        from server.patches import PATCH_KIND as patch_kind
    except ModuleNotFoundError:  # a commit before patches
        patch_kind = None

    code = "BYTES1"
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-tick-bytes-"))
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
        people = [f"p{i:04d}" for i in range(upvotes + 3)]
        guest, moderator = Actor(Role.GUEST), Actor(Role.MODERATOR)
        for start in range(0, len(people), 100):
            batch = people[start : start + 100]
            await asyncio.gather(*(hub.submit(guest, lobby.Join(p), f"j{p}") for p in batch))
        watchers = {"html": "phone", "api": "api:participant"}
        if patch_kind is not None:
            watchers["api_patch"] = patch_kind
        subs = {
            name: Subscriber(kind, "de", people[-1 - i], Outbox(1 << 30))
            for i, (name, kind) in enumerate(watchers.items())
        }
        for sub in subs.values():
            hub.attach(sub)
        assert (await hub.submit(moderator, qna.CreateQna(title="Input 1"), "q")).ok
        for k in range(1, QUESTIONS + 1):
            text = (
                f"Frage {k}: Wie geht es mit dem Projekt in der Region weiter, und wer bezahlt das?"
            )
            asker = Actor(Role.PARTICIPANT, people[k - 1])
            assert (await hub.submit(asker, qna.AskQuestion(session="s1", text=text), f"a{k}")).ok
        await asyncio.sleep(1.5)  # the phones' tick has sent the list with every question
        got: dict[str, list[int]] = {name: [] for name in subs}  # bytes per step with news

        async def drain() -> None:
            for name, sub in subs.items():
                sent = 0
                while len(sub.outbox):
                    item = await sub.outbox.next()
                    sent += len(item.encode()) if isinstance(item, str) else 0
                if sent:
                    got[name].append(sent)

        await drain()
        for name in got:
            got[name].clear()
        for start in range(0, upvotes, PER_STEP):
            voters = range(start, min(upvotes, start + PER_STEP))
            await asyncio.gather(
                *(
                    hub.submit(
                        Actor(Role.PARTICIPANT, people[i]), qna.Upvote(f"q{1 + i % 7}"), f"u{i}"
                    )
                    for i in voters
                )
            )
            await asyncio.sleep(STEP_S)
            await drain()
        await asyncio.sleep(1.2)  # the last tick
        await drain()
        hub.stop()
        return {
            "server_module": server.__file__,
            "watchers": {
                name: {
                    "ticks": len(sizes),
                    "bytes": sum(sizes),
                    "bytes_per_tick": round(sum(sizes) / max(1, len(sizes))),
                }
                for name, sizes in got.items()
            },
        }
    finally:
        await store.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.tick_bytes", description=__doc__)
    parser.add_argument("--old", default="main", help="the baseline commit")
    parser.add_argument("--new", default="HEAD", help="the commit compared with it")
    parser.add_argument("--upvotes", type=int, default=300, help="upvotes, ten every 100 ms")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
        print(json.dumps(asyncio.run(measure(args.upvotes))))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from loadtests.server_proc import export_tree
    from loadtests.tree_ab import run_script_in_tree

    for side in ("old", "new"):
        tree = Path(tempfile.mkdtemp(prefix=f"dialograum-{side}-"))
        try:
            commit = export_tree(getattr(args, side), tree)
            script = Path(__file__).resolve()
            result = run_script_in_tree(script, tree, ["--upvotes", str(args.upvotes)])
            for name, w in result["watchers"].items():
                print(
                    f"{side} {commit[:9]} {name}: {w['ticks']} pushes, "
                    f"{w['bytes_per_tick']:,} bytes each ({w['bytes']:,} in all)"
                )
        finally:
            shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    main()
