"""Close HTTP connections that are slow to say what they want.

uvicorn closes an idle keep-alive connection after 5 s, but it waits for a
request's headers forever: 300 connections that each sent a header line
now and then (slowloris) stayed open in the review of issue 15, each holding
a socket and a protocol object. This protocol is uvicorn's own (httptools)
with one timer: from the moment a connection opens, or a new request on it
begins, its headers must be complete within ``DIALOGRAUM_HEADER_TIMEOUT_S``
(10 s by default; a phone on a poor venue Wi-Fi sends its few hundred bytes
of headers in well under a second). WebSocket upgrades are requests too, so
the handshake is bounded the same way; after it, the hello deadline in
``server/live.py`` takes over.
"""

from __future__ import annotations

import asyncio
import os
from asyncio import TimerHandle
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_TIMEOUT = 10.0


def header_timeout() -> float:
    """From the environment, so that every worker process uvicorn spawns reads the same."""
    try:
        value = float(os.environ.get("DIALOGRAUM_HEADER_TIMEOUT_S", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: TimerHandle | None = None
        self._header_timeout = header_timeout()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self._header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
