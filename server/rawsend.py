"""Hand WebSocket handlers the server's own ASGI ``send``, outside Litestar's wrappers.

Litestar wraps ``send`` twice for every socket: its exception middleware
(which watches for ``http.response.start``) and the WebSocket's own
disconnect check. Each is one more coroutine per message; with a tick to a
thousand phones the two were ~10 % of the event loop's CPU (py-spy, the
``ceiling`` load test). Sockets only ever send ``websocket.send`` through
this (accept and close still go through Litestar), and uvicorn itself
refuses a send on a disconnected socket, so nothing the wrappers do is
lost.

The outermost layer stores uvicorn's ``send`` in the scope; the handlers
read it back with :func:`raw_send` and fall back to the socket's own
``send`` where the app runs without it (the test client).
"""

from __future__ import annotations

from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "dialograum.raw_send"


def keep_raw_send(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` so that WebSocket scopes carry the server's ``send``."""

    async def outermost(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.WEBSOCKET:
            cast(dict[str, Any], scope)[SCOPE_KEY] = send
        await app(scope, receive, send)

    return outermost


def raw_send(scope: Scope) -> Send | None:
    """The server's ``send`` stored by :func:`keep_raw_send`, if the app was wrapped."""
    return cast(Send | None, cast(dict[str, Any], scope).get(SCOPE_KEY))
