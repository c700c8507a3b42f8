"""The wall probe: the projector's HTML page socket, in a process of its own.

Like :mod:`loadtests.screen`, but it connects where a real projector does,
``/ws/screen/{code}``, so the server renders the live card wall (HTML) for
it. Every message that moves the page's ``seq`` marker is stamped with
``time.monotonic_ns()`` and printed in the screen probe's line format, so
:class:`loadtests.clients.ScreenFeed` reads it unchanged:

    msg <t_ns> <seq> 0 <bytes> - - -1 -

(``bytes`` stands where the screen probe puts ``online``: the bytes of every
message since the last seq marker, i.e. the stage fragment that the marker
closes. The hub sends each part as its own message, the marker last.)

Usage: ``python -m loadtests.wall_probe ws://127.0.0.1:PORT/ws/screen/CODE``
"""

from __future__ import annotations

import asyncio
import re
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from loadtests.screen import emit

SEQ = re.compile(rb'id="seq" data-seq="(\d+)"')


async def watch(url: str) -> int:
    try:
        async with connect(
            url, compression=None, proxy=None, ping_interval=None, open_timeout=30,
            max_size=64 << 20,
        ) as ws:  # fmt: skip
            await ws.send('{"type":"hello","after":null}')
            emit(f"msg {time.monotonic_ns()} 0 0 0 - - -1 -")  # connected: the baseline
            pending = 0
            while True:
                raw = await ws.recv(decode=False)
                now = time.monotonic_ns()
                found = SEQ.search(raw)
                if found is None:
                    pending += len(raw)
                    continue
                emit(f"msg {now} {int(found.group(1))} 0 {pending + len(raw)} - - -1 -")
                pending = 0
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        emit(f"closed {time.monotonic_ns()} {code} -")
        return 1
    except OSError as exc:
        emit(f"error {time.monotonic_ns()} {type(exc).__name__}: {exc}")
        return 2


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m loadtests.wall_probe WS_URL")
    sys.exit(asyncio.run(watch(sys.argv[1])))


if __name__ == "__main__":
    main()
