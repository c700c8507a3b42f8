"""A phone's live socket at the least cost per push: websockets' sans-I/O on a bare transport.

The load generator shares two cores with the server under test, and with
N phones every tick becomes N pushes to read. Through ``websockets``'
asyncio client each push costs a frame parse plus a queue, a future and
a task switch; here a push is parsed in ``data_received`` and counted, and
no task wakes up at all. The bytes on the wire are the same, so the server
cannot tell the difference, and the generator's CPU time (reported with
every run) stays well below the server's.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import BytesLike
from websockets.uri import parse_uri

ABNORMAL = 1006
# msgspec writes a tagged struct's tag first, so an ack always starts like this.
ACK_PREFIX = b'{"type":"ack"'


class LeanSocket(asyncio.Protocol):
    """Opens, says ``hello``, hands the first text message over, then passes each on.

    ``opened`` resolves with the first text message (the welcome) or fails;
    ``closed`` resolves with the close code once the connection is gone.
    ``on_message`` gets every text message's raw bytes (the welcome too), in
    ``data_received``: it must be quick, and most callers only count, or look
    at the first bytes for an ack (see :data:`ACK_PREFIX`).
    """

    def __init__(
        self,
        url: str,
        hello: str,
        on_message: Callable[[BytesLike], None],
        max_size: int = 1 << 20,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.ws = ClientProtocol(parse_uri(url), max_size=max_size)
        self.headers = headers or {}  # added to the upgrade request (a page's cookie)
        self.hello = hello.encode()
        self.on_message = on_message
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[bytes] = loop.create_future()
        self.closed: asyncio.Future[int] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self._abort_armed = False
        self._pause_after_read = False  # a slow reader (read_slowly) pauses after one read
        self._slow_every_s = 0.0
        # monotonic ns: TCP connected, upgrade answered; where a slow welcome lost its time
        self.made_ns: int | None = None
        self.upgraded_ns: int | None = None

    # --- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.made_ns = time.monotonic_ns()
        request = self.ws.connect()
        for name, value in self.headers.items():
            request.headers[name] = value
        self.ws.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        if self._pause_after_read and self.transport is not None:
            self._pause_after_read = False
            self.transport.pause_reading()
            asyncio.get_running_loop().call_later(self._slow_every_s, self._read_once)
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                self.upgraded_ns = time.monotonic_ns()
                if self.ws.state is State.OPEN:
                    self.ws.send_text(self.hello)
                elif not self.opened.done():
                    self.opened.set_exception(
                        ConnectionError(f"handshake refused: HTTP {event.status_code}")
                    )
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                if not self.opened.done():
                    self.opened.set_result(bytes(event.data))
                self.on_message(event.data)
        self._flush()

    def eof_received(self) -> bool | None:
        self.ws.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        code = self.ws.close_code if self.ws.state is State.CLOSED else None
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed before welcome ({code})"))
        if not self.closed.done():
            self.closed.set_result(code or ABNORMAL)

    # --- ours ---------------------------------------------------------------------------

    def _flush(self) -> None:
        if self.transport is None:
            return
        for data in self.ws.data_to_send():
            if data:
                self.transport.write(data)
            elif self.transport.can_write_eof():
                self.transport.write_eof()
        if not self._abort_armed and self.ws.close_expected():
            # The server closes TCP after the close handshake; abort a peer that does not.
            self._abort_armed = True
            asyncio.get_running_loop().call_later(5, self.abort)

    def send_text(self, text: bytes) -> None:
        """Send one text message (already UTF-8 JSON) now, if the socket is open."""
        if self.ws.state is not State.OPEN:
            raise ConnectionError(f"socket is {self.ws.state.name.lower()}")
        self.ws.send_text(text)
        self._flush()

    def read_slowly(self, every_s: float, rcvbuf: int = 4096) -> None:
        """Become a phone on a bad link: a small receive buffer, one read every ``every_s``.

        Reading pauses; a timer resumes it for a single ``data_received`` and
        pauses it again, so the server's writes back up into its own buffers.
        """
        if self.transport is None:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._slow_every_s = every_s
        self.transport.pause_reading()
        asyncio.get_running_loop().call_later(every_s, self._read_once)

    def _read_once(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self._pause_after_read = True
        self.transport.resume_reading()

    def close(self) -> None:
        """Start a normal close (1000), the way a page closes its socket on unload."""
        if self.ws.state is State.OPEN:
            self.ws.send_close(1000)
            self._flush()
        elif self.ws.state is State.CONNECTING:
            self.abort()

    def abort(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()


async def open_socket(
    host: str,
    port: int,
    url: str,
    hello: str,
    on_message: Callable[[BytesLike], None],
    within_s: float,
    max_size: int = 1 << 20,
    headers: dict[str, str] | None = None,
) -> tuple[LeanSocket, bytes]:
    """Connect and wait for the first message; the caller then awaits ``socket.closed``."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    _, socket = await asyncio.wait_for(
        loop.create_connection(
            lambda: LeanSocket(url, hello, on_message, max_size, headers), host, port
        ),
        within_s,
    )
    try:
        first = await asyncio.wait_for(socket.opened, within_s - (time.monotonic() - started))
    except BaseException:
        socket.abort()
        raise
    return socket, first
