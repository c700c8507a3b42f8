"""Frames written straight to uvicorn's transport: the same bytes, and only while that is safe.

The second half runs a real uvicorn (sans-I/O WebSockets, as ``dialograum
serve`` does) in this event loop and a real ``websockets`` client, since
the test client has no transport to write to.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Literal, cast

import pytest
import uvicorn
from litestar.types import Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.frames import Frame, Opcode

from server.framesend import frame_writer, text_frame
from server.rawsend import keep_raw_send, raw_send

pytestmark = pytest.mark.anyio

# Every header length: 7-bit, 16-bit and 64-bit payload lengths, at their edges.
TEXTS = ["", "x" * 125, "y" * 126, "ü" * 63, "€" * 42, "z" * 65_535, "w" * 65_536, "ab" * 40_000]


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: f"{len(t.encode())}B")
def test_a_frame_is_what_websockets_itself_writes_on_the_server_side(text: str) -> None:
    data = text.encode()
    assert text_frame(data) == Frame(Opcode.TEXT, data).serialize(mask=False)


async def test_no_writer_without_uvicorns_own_send() -> None:
    async def some_send(message: Any) -> None:
        raise AssertionError("not called")

    assert frame_writer(None) is None
    assert frame_writer(some_send) is None


async def serve(
    app: Any, lifespan: Literal["on", "off"] = "off"
) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    """uvicorn on a socket that already listens: a client may connect at once, it waits.

    ``lifespan="on"`` for a whole Dialograum app (its stores open at start-up).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    config = uvicorn.Config(
        keep_raw_send(app),
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan=lifespan,
        log_config=None,
    )
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    return server, task, cast(int, sock.getsockname()[1])


async def test_a_live_connection_gets_every_message_whole_and_nothing_after_its_close() -> None:
    wrote: list[bool] = []
    closed = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        write = frame_writer(raw_send(scope))
        assert write is not None
        wrote.append(write("before the handshake"))  # not accepted yet: declined
        await send({"type": "websocket.accept"})  # type: ignore[typeddict-item]
        # a str, or the same text as UTF-8 bytes (a participant's state is built so)
        wrote.extend(write(text if i % 2 else text.encode()) for i, text in enumerate(TEXTS))
        assert (await receive())["type"] == "websocket.disconnect"  # the client closed
        wrote.append(write("after the close"))
        closed.set()

    server, task, port = await serve(app)
    try:
        async with asyncio.timeout(30):
            async with connect(f"ws://127.0.0.1:{port}/", compression=None) as client:
                received = [await client.recv() for _ in TEXTS]
            await closed.wait()
    finally:
        server.should_exit = True
        await task
    assert received == TEXTS
    assert wrote == [False, *(True for _ in TEXTS), False]


async def test_a_paused_transport_is_left_to_the_asgi_send() -> None:
    """While uvicorn waits for the buffer to drain, its send waits too; the writer declines."""
    declined: list[bool] = []
    done = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})  # type: ignore[typeddict-item]
        raw = raw_send(scope)
        write = frame_writer(raw)
        assert write is not None
        protocol = cast(Any, raw).__self__
        protocol.pause_writing()  # what the transport calls over its high-water mark
        declined.append(write("held"))
        protocol.resume_writing()
        declined.append(write("sent"))
        await receive()
        done.set()

    server, task, port = await serve(app)
    try:
        async with asyncio.timeout(30):
            async with connect(f"ws://127.0.0.1:{port}/", compression=None) as client:
                assert await client.recv() == "sent"
            await done.wait()
    finally:
        server.should_exit = True
        await task
    assert declined == [False, True]
