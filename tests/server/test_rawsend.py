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
