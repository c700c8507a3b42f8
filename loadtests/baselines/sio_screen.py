"""The python-socketio baseline's screen: one Socket.IO client in a process of its own.

Like :mod:`loadtests.screen` (and for the same reason: stamps taken apart
from the busy generator), it prints one line per tally it receives:

    ready <t_ns>
    msg <t_ns> <voters> <counts>     (counts as o1:3,o2:5)
    closed <t_ns> <reason>

It speaks Engine.IO 4 / Socket.IO 5 over a bare websocket: ``40`` to join
the default namespace, ``3`` for every ping ``2``, and ``42["tally",…]``
events are the pushes.

Usage: ``python -m loadtests.baselines.sio_screen ws://127.0.0.1:PORT/socket.io/?EIO=4&transport=websocket``
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


class Tally(msgspec.Struct):
    voters: int
    counts: dict[str, int]


_decode = msgspec.json.Decoder(tuple[str, Tally]).decode
TALLY = b'42["tally",'


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def watch(url: str) -> int:
    try:
        async with connect(
            url, compression=None, proxy=None, ping_interval=None, open_timeout=30
        ) as ws:
            await ws.send("40")
            while True:
                raw = await ws.recv(decode=False)
                now = time.monotonic_ns()
                if raw == b"2":
                    await ws.send("3")
                elif raw.startswith(b"40"):
                    emit(f"ready {now}")
                elif raw.startswith(TALLY):
                    _, tally = _decode(raw[2:])
                    counts = ",".join(f"{k}:{v}" for k, v in sorted(tally.counts.items()) if v)
                    emit(f"msg {now} {tally.voters} {counts or '-'}")
    except ConnectionClosed as exc:
        emit(f"closed {time.monotonic_ns()} {exc.rcvd.code if exc.rcvd else 1006}")
        return 1
    except (OSError, msgspec.DecodeError) as exc:
        emit(f"closed {time.monotonic_ns()} {type(exc).__name__}: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(asyncio.run(watch(sys.argv[1])))
