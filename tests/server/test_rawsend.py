"""The outermost layer hands WebSocket handlers the server's own ``send``."""

from __future__ import annotations

from typing import Any, cast

import pytest
from litestar.types import Message, Receive, ReceiveMessage, Scope, Send

from server.rawsend import keep_raw_send, raw_send

pytestmark = pytest.mark.anyio


async def receive() -> ReceiveMessage:
    raise AssertionError("not called")


async def server_send(message: Message) -> None:
    raise AssertionError("not called")


async def run(scope: dict[str, Any]) -> list[Send | None]:
    seen: list[Send | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(raw_send(scope))

    await keep_raw_send(app)(cast(Scope, scope), receive, server_send)
    return seen


async def test_websocket_scopes_carry_the_servers_send() -> None:
    assert await run({"type": "websocket", "path": "/ws/phone/ABC"}) == [server_send]


async def test_http_scopes_do_not() -> None:
    assert await run({"type": "http", "path": "/"}) == [None]


async def test_the_apps_receive_and_send_are_cut_from_the_server_once_it_returns() -> None:
    """What the app kept of them reaches the server no more (no reference to it)."""
    kept: list[tuple[Receive, Send]] = []
    sent: list[Message] = []
    scope: dict[str, Any] = {"type": "websocket", "path": "/ws/phone/ABC"}

    async def server_receive() -> ReceiveMessage:
        return {"type": "websocket.connect"}

    async def recording_send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})  # type: ignore[typeddict-item]
        kept.append((receive, send))

    await keep_raw_send(app)(cast(Scope, scope), server_receive, recording_send)
    [(receive_after, send_after)] = kept
    assert (await receive_after())["type"] == "websocket.disconnect"
    await send_after({"type": "websocket.close"})  # type: ignore[typeddict-item]
    assert sent == [{"type": "websocket.accept"}]  # only what was sent while the app ran
    assert raw_send(cast(Scope, scope)) is None  # nor does the scope keep the server's send
