"""Keep-alive HTTP/1.1 for the one request phones make: the join POST.

httpx is used for everything else in the harness, but not here. Profiling
the generator at N=1000 showed most of its CPU in httpcore's pool
bookkeeping: every request added or removed rescans all connections and
asks each socket whether it is still readable (a syscall apiece), so the
generator, which shares two cores with the server under test, slowed the
very server it was measuring. This pool writes one request, reads one
``Content-Length`` response, and hands the connection back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator


class ResponseError(Exception):
    """The server's reply was not HTTP/1.1 with a Content-Length we can read."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reusable = True
        self.requests = 0

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        self.requests += 1
        self.writer.write(head + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ResponseError(f"bad status line {status_line!r}")
        headers: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise ResponseError("response without Content-Length")
        payload = await self.reader.readexactly(int(headers["content-length"]))
        self.reusable = headers.get("connection", "").lower() != "close"
        return int(parts[1]), payload

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class PostPool:
    """At most ``size`` connections to one server; callers beyond that wait their turn.

    The wait is the generator's queue, not the server's: callers can stamp
    the moment they get a connection (see :meth:`acquire`) to tell the two apart.
    """

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[_Connection] = []
        self._free = asyncio.Semaphore(size)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[_Connection]:
        async with self._free:
            if self._idle:
                conn = self._idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                conn = _Connection(reader, writer)
            try:
                yield conn
            except BaseException:
                conn.close()
                raise
            if conn.reusable:
                self._idle.append(conn)
            else:
                conn.close()

    async def post(self, path: str, body: bytes) -> tuple[int, bytes, int]:
        """POST JSON; returns status, body and when a connection was ours (monotonic ns).

        A kept-alive connection the server has meanwhile closed (uvicorn drops
        idle ones after 5 s) fails before any reply; that one is retried once
        on a fresh connection, as browsers do (the other idle ones are dropped
        too: they idled as long; found by the stamina scenario's 50 s ramp).
        """
        head = self.head(path, len(body))
        for attempt in (1, 2):
            async with self.acquire() as conn:
                slot_ns = time.monotonic_ns()
                try:
                    status, payload = await conn.request(head, body)
                except (asyncio.IncompleteReadError, ConnectionError):
                    if conn.requests == 1 or attempt == 2:
                        raise
                    conn.reusable = False
                    # the others idled as long: the retry opens a fresh one, not another stale
                    self.close()
                    continue
                return status, payload, slot_ns
        raise AssertionError("unreachable")

    def head(self, path: str, length: int) -> bytes:
        return (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        ).encode("latin-1")

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
