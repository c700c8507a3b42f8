"""The screen probe: one projector client in a process of its own.

It runs apart from the phone generator on purpose. With a thousand phone
sockets busy in the generator's event loop, a screen client sharing that
loop (or its GIL) would stamp pushes late, and the latency we report would
be the generator's, not the server's. A separate process reads the socket
as soon as the kernel has the bytes.

Usage: ``python -m loadtests.screen ws://127.0.0.1:PORT/api/events/CODE/live``

Prints one line per message, flushed at once, stamped with
``time.monotonic_ns()`` (CLOCK_MONOTONIC, shared by every process on the
machine, so the harness can subtract its own stamps):

    msg <t_ns> <seq> <joined> <online>
    closed <t_ns> <code> <reason>
    error <t_ns> <text>
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


class Counts(msgspec.Struct):
    joined: int
    online: int


class View(msgspec.Struct):
    participants: Counts


class Push(msgspec.Struct):
    """Welcome and state pushes share these fields; everything else is ignored."""

    type: str
    seq: int | None = None
    state: View | None = None


_decode = msgspec.json.Decoder(Push).decode
_hello = msgspec.json.encode({"type": "hello", "token": None, "after": None}).decode()


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def watch(url: str) -> int:
    try:
        async with connect(
            url, compression=None, proxy=None, ping_interval=None, open_timeout=30
        ) as ws:
            await ws.send(_hello)
            while True:
                raw = await ws.recv(decode=False)
                now = time.monotonic_ns()
                push = _decode(raw)
                if push.state is None:
                    emit(f"other {now} {push.type}")
                    continue
                counts = push.state.participants
                emit(f"msg {now} {push.seq} {counts.joined} {counts.online}")
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        reason = exc.rcvd.reason if exc.rcvd is not None else ""
        emit(f"closed {time.monotonic_ns()} {code} {reason or '-'}")
        return 1
    except (OSError, msgspec.DecodeError) as exc:
        emit(f"error {time.monotonic_ns()} {type(exc).__name__}: {exc}")
        return 2


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m loadtests.screen WS_URL")
    sys.exit(asyncio.run(watch(sys.argv[1])))


if __name__ == "__main__":
    main()
