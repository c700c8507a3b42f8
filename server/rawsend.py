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
from litestar.types import (
    ASGIApp,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
    WebSocketDisconnectEvent,
)

SCOPE_KEY = "dialograum.raw_send"


def keep_raw_send(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` so that WebSocket scopes carry the server's ``send``.

    It also hands the app a ``receive`` and ``send`` that are cut from the
    server's protocol once the app is done (:class:`_Detachable`).
    """

    async def outermost(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.WEBSOCKET:
            await app(scope, receive, send)
            return
        kept = cast(dict[str, Any], scope)
        kept[SCOPE_KEY] = send
        link = _Detachable(receive, send)
        try:
            await app(scope, link.receive, link.send)
        finally:
            kept.pop(SCOPE_KEY, None)
            link.detach()

    return outermost


class _Detachable:
    """A socket's ``receive`` and ``send``, which stop reaching the server when cut.

    Each closed connection used to wait for a full collection of the cyclic
    GC, which the GC settler runs only after as many departures as phones
    attached (server/gcsettle.py): up to a thousand dead connections at a
    time at 1,000 phones, ~20 KB each. Two reference cycles held them, both
    through the server's protocol: uvicorn's protocol holds the scope, in
    which the ``send`` above is the protocol's bound method; and Litestar's
    ``WebSocket`` wraps ``receive`` and ``send`` in closures over itself,
    and the functions it wraps are the protocol's. The first is cut by
    taking ``send`` out of the scope again, the second by handing Litestar
    these instead and cutting them once the app returned: what is left of
    the cycle is Litestar's small objects, not the connection
    (tests/server/test_connections_freed.py).
    """

    __slots__ = ("_receive", "_send")

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive: Receive | None = receive
        self._send: Send | None = send

    async def receive(self) -> ReceiveMessage:
        if self._receive is None:
            gone: WebSocketDisconnectEvent = {"type": "websocket.disconnect", "code": 1006}
            return gone
        return await self._receive()

    async def send(self, message: Message) -> None:
        if self._send is not None:
            await self._send(message)

    def detach(self) -> None:
        self._receive = self._send = None


def raw_send(scope: Scope) -> Send | None:
    """The server's ``send`` stored by :func:`keep_raw_send`, if the app was wrapped."""
    return cast(Send | None, cast(dict[str, Any], scope).get(SCOPE_KEY))
