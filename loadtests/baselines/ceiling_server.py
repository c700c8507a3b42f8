"""The ceiling: a bare ``websockets`` server that broadcasts pre-encoded bytes, nothing else.

This is the most one Python process can push to N sockets: no rooms, no
views, no rendering, one ``websockets.broadcast()`` of the same bytes to
every connection. Dialograum's deliveries per CPU second are reported as a
fraction of this server's, measured in the same run, on the same N, with
the same bytes (a phone push captured from Dialograum's own run).

Protocol (127.0.0.1 only):

- ``/`` phones: get a short welcome; what they send is ignored; they only receive.
- ``/control`` the harness: one JSON message ``{"n", "count", "interval_s",
  "payload"}``; the server waits until ``n`` phones are connected, sends
  ``{"ready": true}``, then broadcasts ``payload`` (a UTF-8 string) ``count``
  times, every ``interval_s``, and answers ``{"done": true, "sent": k}``.

Usage: ``python -m loadtests.baselines.ceiling_server PORT`` (prints ``ready``).
"""

from __future__ import annotations

import asyncio
import json
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

PHONES: set[ServerConnection] = set()
ARRIVED = asyncio.Event()  # set whenever a phone connects


async def handler(ws: ServerConnection) -> None:
    if ws.request is not None and ws.request.path == "/control":
        await control(ws)
        return
    await ws.send('{"type":"welcome"}')  # what the phones' open_socket() waits for
    PHONES.add(ws)
    ARRIVED.set()
    try:
        async for _ in ws:  # the hello, or nothing: phones only listen
            pass
    finally:
        PHONES.discard(ws)


async def control(ws: ServerConnection) -> None:
    order = json.loads(await ws.recv())
    async with asyncio.timeout(120):
        while len(PHONES) < order["n"]:
            ARRIVED.clear()
            await ARRIVED.wait()
    await ws.send(json.dumps({"ready": True}))
    payload: str = order["payload"]
    loop = asyncio.get_running_loop()
    start = loop.time()
    for k in range(order["count"]):
        broadcast(PHONES, payload)
        # a fixed cadence like a tick, so phones drain between broadcasts
        await asyncio.sleep(max(0.0, start + (k + 1) * order["interval_s"] - loop.time()))
    await ws.send(json.dumps({"done": True, "sent": order["count"], "phones": len(PHONES)}))


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:  # the same event loop Dialograum's uvicorn picks
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(main(int(sys.argv[1])))
    else:
        uvloop.run(main(int(sys.argv[1])))
