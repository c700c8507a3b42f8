"""Many projectors in one probe process: one screen socket per event, stamped as they arrive.

The many-events scenario has fifty rooms, each with its projector. Fifty
copies of :mod:`loadtests.screen` would be fifty Python processes (and
fifty start-ups) on a two-core machine; one process reading fifty sockets
still keeps the stamps out of the phone generator's loop and GIL, which is
why the single-screen probe is a process of its own.

Usage: ``python -m loadtests.event_screens WS_URL [WS_URL ...]`` (room ``i``
is the ``i``-th URL). One line per message, flushed in batches that never
wait (a line is written as soon as the loop is free), stamped with
``time.monotonic_ns()`` on arrival:

    msg <room> <t_ns> <seq> <online> <mode> <poll> <status> <voters> <counts> <board> <cards>
    closed <room> <t_ns> <code> <reason>
    error <room> <t_ns> <text>

``poll``/``status``/``voters``/``counts`` describe the poll on screen as in
:mod:`loadtests.screen` (``-``, ``-``, ``-1``, ``-`` for none); ``board`` and
``cards`` the idea board on screen and its public cards (``-`` and ``-1``).
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from loadtests.screen import Counts, PollView


class BoardInfo(msgspec.Struct):
    id: str
    count: int
    on_screen: str | None = None


class View(msgspec.Struct):
    participants: Counts
    screen: str = "-"
    screen_poll: str | None = None
    polls: list[PollView] = []
    boards: list[BoardInfo] = []


class Push(msgspec.Struct):
    type: str
    seq: int | None = None
    state: View | None = None


_decode = msgspec.json.Decoder(Push).decode
_hello = msgspec.json.encode({"type": "hello", "token": None, "after": None}).decode()


def fields(view: View) -> str:
    """``<online> <mode> <poll> <status> <voters> <counts> <board> <cards>``."""
    poll = "- - -1 -"
    for p in view.polls:
        if p.id == view.screen_poll:
            if p.results is None:
                poll = f"{p.id} {p.status} -1 -"
            else:
                counts = ",".join(f"{k}:{v}" for k, v in (p.results.counts or {}).items()) or "-"
                poll = f"{p.id} {p.status} {p.results.voters} {counts}"
            break
    board = next((b for b in view.boards if b.on_screen), None)
    cards = f"{board.id} {board.count}" if board is not None else "- -1"
    return f"{view.participants.online} {view.screen or '-'} {poll} {cards}"


async def watch(room: int, url: str) -> None:
    out = sys.stdout
    try:
        async with connect(
            url,
            compression=None,
            proxy=None,
            ping_interval=None,
            open_timeout=60,
            max_size=16 << 20,
        ) as ws:
            await ws.send(_hello)
            while True:
                raw = await ws.recv(decode=False)
                now = time.monotonic_ns()
                push = _decode(raw)
                if push.state is None:
                    out.write(f"other {room} {now} {push.type}\n")
                else:
                    out.write(f"msg {room} {now} {push.seq} {fields(push.state)}\n")
                _flush_soon()
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        reason = exc.rcvd.reason if exc.rcvd is not None else ""
        out.write(f"closed {room} {time.monotonic_ns()} {code} {reason or '-'}\n")
    except (OSError, TimeoutError, msgspec.DecodeError) as exc:
        out.write(f"error {room} {time.monotonic_ns()} {type(exc).__name__}: {exc}\n")
    _flush_soon()


_pending = False


def _flush_soon() -> None:
    """One flush per loop turn: the stamps are taken on arrival, the write may batch."""
    global _pending
    if not _pending:
        _pending = True
        asyncio.get_running_loop().call_soon(_flush)


def _flush() -> None:
    global _pending
    _pending = False
    sys.stdout.flush()


async def main_async(urls: list[str]) -> None:
    await asyncio.gather(*(watch(i, url) for i, url in enumerate(urls)))


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m loadtests.event_screens WS_URL [WS_URL ...]")
    asyncio.run(main_async(sys.argv[1:]))


if __name__ == "__main__":
    main()
