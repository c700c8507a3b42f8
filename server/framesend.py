"""Write a text message straight to uvicorn's transport, as the one frame its protocol would write.

A tick to a thousand phones is a thousand sends. Through uvicorn's ASGI
``send`` each is a message dict, two coroutines (``send`` and the
``writable.wait()`` inside it), a ``websockets`` ``Frame`` that is checked
and serialised through a ``BytesIO``, and a list of pending writes: about
twice what a bare ``websockets.broadcast()`` spends per delivery
(docs/benchmarks.md, "Versus the ceiling"). A server-side text frame
without extensions is two to ten header bytes and the UTF-8 payload,
unmasked, so it can be built here and written at once.

Only where that is exactly what uvicorn would write: its sans-I/O protocol
(``--ws websockets-sansio``, the one ``dialograum serve`` runs), no
extension negotiated (permessage-deflate is off), the handshake done,
nothing closing or closed, no fragmented message in progress, and the
transport not paused. Otherwise :func:`frame_writer`'s writer returns
False and the caller sends through the ASGI ``send`` as before, which also
waits for a paused transport and raises for a closed one. What the writer
skips besides: ``websockets``' debug log of each outgoing frame.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

Write = Callable[[str | bytes], bool]
"""Writes one text message (a str, or its UTF-8 bytes) and returns True, or returns
False having written nothing."""

_FIN_TEXT = 0x81  # FIN, no RSV bits, opcode 1 (text)
_HEADS = [bytes((_FIN_TEXT, n)) for n in range(126)]


def text_frame(data: bytes) -> bytes:
    """One final, unmasked text frame of ``data`` (RFC 6455 §5.2), as a server sends it."""
    n = len(data)
    if n < 126:
        return _HEADS[n] + data
    if n < 65536:
        return struct.pack("!BBH", _FIN_TEXT, 126, n) + data
    return struct.pack("!BBQ", _FIN_TEXT, 127, n) + data


def frame_writer(send: Any) -> Write | None:
    """A writer for the connection behind uvicorn's ASGI ``send``, or None if there is none.

    Call it after the handshake (extensions are negotiated there). ``send``
    is what :func:`server.rawsend.raw_send` hands back: the bound ``send``
    of uvicorn's protocol object. Any other ``send`` (the test client, a
    middleware's wrapper, another protocol) gets None.
    """
    proto = getattr(send, "__self__", None)
    if type(proto) is not WebSocketsSansIOProtocol:  # exactly: a subclass may send otherwise
        return None
    needed = ("conn", "writable", "transport", "handshake_complete", "close_sent", "disconnected")
    if not all(hasattr(proto, name) for name in (*needed, "initial_response")):
        return None  # a uvicorn release whose protocol looks different: the ASGI send it is
    conn = proto.conn
    if not hasattr(conn, "expect_continuation_frame") or conn.extensions:
        return None  # unknown shape, or a compressed frame, which is not ours to build
    writable = proto.writable

    def write(text: str | bytes) -> bool:
        if (
            not proto.handshake_complete
            or proto.close_sent
            or proto.disconnected
            or proto.initial_response is not None
            or not writable.is_set()  # paused: the ASGI send waits for the buffer to drain
            or conn.state is not State.OPEN
            or conn.expect_continuation_frame
        ):
            return False
        transport = proto.transport
        if transport.is_closing():
            return False
        transport.write(text_frame(text if isinstance(text, bytes) else text.encode()))
        return True

    return write
