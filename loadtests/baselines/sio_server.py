"""What a user would build instead: a python-socketio plenum vote, as its docs teach it.

python-socketio's documentation shows an ``AsyncServer`` with a client
manager (``AsyncRedisManager`` when there is more than one worker or a
process that emits from outside), clients entering a room, and events
answered with ``emit(..., room=...)``; an event handler's return value is
the client's acknowledgement. The tutorial way to run a live vote is
exactly that: on every vote, count it and emit the new tally to the room.
That is what this server does, written here for the benchmark.

- connect: the client enters room ``plenum`` (phones and the screen alike);
- ``vote`` event ``{"choice": "o1"}``: one ballot per client (a second vote
  replaces the first, as in Dialograum), then ``emit("tally", {"voters",
  "counts"}, room="plenum")``; the ack is ``{"ok": true, "voters": n}``
  where ``n`` is the number of voters right after this vote, so the harness
  can tell which screen push first counted it (as Dialograum's ``seq``);
- served by uvicorn with the same options as Dialograum (uvloop, the
  ``websockets-sansio`` implementation, no compression, no access log).

Usage: ``python -m loadtests.baselines.sio_server PORT REDIS_URL CHANNEL``
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import socketio
import uvicorn

ROOM = "plenum"


def create(redis_url: str, channel: str) -> Any:
    manager = socketio.AsyncRedisManager(redis_url, channel=channel)
    sio = socketio.AsyncServer(
        async_mode="asgi", client_manager=manager, cors_allowed_origins=[], logger=False
    )
    ballots: dict[str, str] = {}
    counts: Counter[str] = Counter()

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await sio.enter_room(sid, ROOM)

    async def vote(sid: str, data: dict[str, str]) -> dict[str, Any]:
        choice = data.get("choice")
        if choice not in ("o1", "o2", "o3", "o4"):
            return {"ok": False, "reason": "bad_choice"}
        previous = ballots.get(sid)
        if previous is not None:
            counts[previous] -= 1
        ballots[sid] = choice
        counts[choice] += 1
        voters = len(ballots)
        await sio.emit("tally", {"voters": voters, "counts": dict(counts)}, room=ROOM)
        return {"ok": True, "voters": voters}

    # Registered by call, not with the @sio.event decorator: python-socketio has no
    # type information, and an untyped decorator would make the handlers untyped too.
    sio.on("connect", connect)
    sio.on("vote", vote)

    return socketio.ASGIApp(sio)


def main() -> None:
    port, redis_url, channel = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(
        create(redis_url, channel),
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
