"""The simulated clients: the screen (via its probe process) and lean phones.

A phone here is what a real phone's page does on the wire, without the
browser: one join POST, then one live WebSocket that says hello and reads
every push until told to stop. Thousands of them share one event loop, so
they do as little as possible: pushes are counted, not decoded (see
:mod:`loadtests.lean_socket`), and join POSTs share a small keep-alive
pool (see :mod:`loadtests.lean_http`).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from loadtests.lean_http import PostPool
from loadtests.lean_socket import LeanSocket, open_socket


def now_ns() -> int:
    """CLOCK_MONOTONIC, the same clock the screen probe stamps with."""
    return time.monotonic_ns()


class JoinReply(msgspec.Struct):
    participant_id: str
    token: str


class Welcome(msgspec.Struct):
    type: str
    role: str | None = None


_decode_join = msgspec.json.Decoder(JoinReply).decode
_JOIN_BODY = msgspec.json.encode({"name": None, "organisation_type": None})
_decode_welcome = msgspec.json.Decoder(Welcome).decode


# --- the screen -----------------------------------------------------------------


class ScreenFeed:
    """Follows the screen probe's output: when the screen showed which counts.

    Also the harness's live view of the room: progress lines and "has it
    converged yet" both read from here, so they see what a projector sees.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.times_ns: list[int] = []
        self.joined: list[int] = []  # running maximum, so it can be bisected
        self.online: list[int] = []
        self.seqs: list[int] = []
        self.closed: str | None = None
        self.other: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self, within_s: float = 30.0) -> None:
        """Start the probe and wait for the welcome, so the baseline has a screen connected."""
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "loadtests.screen",
            self.url,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        await self.wait_until(lambda: bool(self.times_ns), within_s)

    async def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        while line := await self._proc.stdout.readline():
            parts = line.decode().split()
            if parts[0] == "msg":
                self.times_ns.append(int(parts[1]))
                self.seqs.append(int(parts[2]))
                best = self.joined[-1] if self.joined else 0
                self.joined.append(max(best, int(parts[3])))
                self.online.append(int(parts[4]))
            elif parts[0] in ("closed", "error"):
                self.closed = " ".join(parts[2:])
            else:
                self.other.append(" ".join(parts))
            self._changed.set()
        if self.closed is None:
            self.closed = "probe exited"
        self._changed.set()

    @property
    def last_joined(self) -> int:
        return self.joined[-1] if self.joined else 0

    @property
    def last_online(self) -> int:
        return self.online[-1] if self.online else 0

    async def wait_until(self, ready: Callable[[], bool], within_s: float) -> None:
        """Wait until ``ready()`` holds; raise if the screen dropped or time ran out."""
        async with asyncio.timeout(within_s):
            while not ready():
                if self.closed is not None:
                    raise RuntimeError(f"screen connection ended: {self.closed}")
                self._changed.clear()
                await self._changed.wait()

    def first_at_least(self, joined: int) -> int | None:
        """When the screen first showed ``joined`` or more participants (ns), if ever."""
        index = bisect.bisect_left(self.joined, joined)
        return self.times_ns[index] if index < len(self.times_ns) else None

    def first_online_at_least(self, online: int) -> int | None:
        for t, count in zip(self.times_ns, self.online, strict=True):
            if count >= online:
                return t
        return None

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._proc.wait(), 5)
            if self._proc.returncode is None:
                self._proc.kill()
                await self._proc.wait()
        if self._reader is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 5)


# --- phones -----------------------------------------------------------------------


@dataclass(eq=False)
class Phone:
    """One simulated participant and everything that happened to it, stamped in ns."""

    index: int
    sent_ns: int | None = None  # the person pressed "join" (queueing in the generator counts)
    slot_ns: int | None = None  # the POST got one of the generator's HTTP connections
    replied_ns: int | None = None  # join response read
    status: int | None = None
    participant_id: str | None = None
    socket_ns: int | None = None  # started opening the live socket
    welcome_ns: int | None = None
    messages: int = 0
    error: str | None = None
    closed_code: int | None = None  # set when the server, not we, ended the socket
    stopping: bool = False
    counted: bool = False  # already counted as settled
    socket: LeanSocket | None = field(default=None, repr=False)

    @property
    def settled(self) -> bool:
        """Either connected and welcomed, or failed for good: the harness stops waiting."""
        return self.welcome_ns is not None or self.error is not None


class Phones:
    """All phones of one run, started on a ramp and stopped together."""

    def __init__(self, pool: PostPool, code: str, n: int) -> None:
        self.pool = pool
        host, port = pool.host, pool.port
        self.host = host
        self.port = port
        self.code = code
        self.join_path = f"/api/events/{code}/participants"
        self.live_url = f"ws://{host}:{port}/api/events/{code}/live"
        self.phones = [Phone(i) for i in range(n)]
        self._tasks: list[asyncio.Task[None]] = []
        self.settled_count = 0
        self._all_settled = asyncio.Event()

    def start(self, ramp_s: float) -> None:
        """Schedule phone ``i`` at ``i * ramp / n``: a steady stream of people scanning."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        n = len(self.phones)
        for phone in self.phones:
            at = t0 + (ramp_s * phone.index / n if n > 1 else 0.0)
            self._tasks.append(asyncio.create_task(self._run(phone, at)))

    async def _run(self, phone: Phone, at: float) -> None:
        delay = at - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            token = await self._join(phone)
            if token is not None:
                await self._live(phone, token)
        except Exception as exc:  # any failure is a result to report, not a crash
            if phone.error is None:
                phone.error = f"{type(exc).__name__}: {exc}"[:200]
        finally:
            self._settle(phone)

    async def _join(self, phone: Phone) -> str | None:
        phone.sent_ns = now_ns()
        status, payload, phone.slot_ns = await self.pool.post(self.join_path, _JOIN_BODY)
        phone.replied_ns = now_ns()
        phone.status = status
        if status != 201:
            phone.error = f"join HTTP {status}: {payload[:120].decode(errors='replace')}"
            return None
        reply = _decode_join(payload)
        phone.participant_id = reply.participant_id
        return reply.token

    async def _live(self, phone: Phone, token: str) -> None:
        hello = msgspec.json.encode({"type": "hello", "token": token, "after": None}).decode()

        def counted() -> None:
            phone.messages += 1

        phone.socket_ns = now_ns()
        socket, first = await open_socket(
            self.host, self.port, self.live_url, hello, counted, within_s=60
        )
        phone.socket = socket
        welcome = _decode_welcome(first)
        if welcome.type != "welcome" or welcome.role != "participant":
            phone.error = f"unexpected first message {welcome.type}/{welcome.role}"
            socket.abort()
            return
        phone.welcome_ns = now_ns()
        self._settle(phone)
        code = await socket.closed
        if not phone.stopping:
            phone.closed_code = code

    def _settle(self, phone: Phone) -> None:
        if phone.counted:
            return
        phone.counted = True
        self.settled_count += 1
        if self.settled_count == len(self.phones):
            self._all_settled.set()

    async def wait_settled(self) -> None:
        await self._all_settled.wait()

    @property
    def sent(self) -> int:
        return sum(1 for p in self.phones if p.sent_ns is not None)

    @property
    def joined_ok(self) -> int:
        return sum(1 for p in self.phones if p.participant_id is not None)

    @property
    def connected(self) -> int:
        return sum(1 for p in self.phones if p.welcome_ns is not None and p.closed_code is None)

    @property
    def dropped(self) -> int:
        return sum(1 for p in self.phones if p.closed_code is not None)

    def status_counts(self) -> dict[str, int]:
        return dict(Counter(str(p.status) for p in self.phones))

    def errors(self, keep: int = 5) -> list[str]:
        found = Counter(p.error for p in self.phones if p.error)
        return [f"{count}x {text}" for text, count in found.most_common(keep)]

    async def stop(self) -> None:
        """Close every socket from our side (marked, so it is not counted as a drop)."""
        for phone in self.phones:
            phone.stopping = True
        sockets = [p.socket for p in self.phones if p.socket is not None]
        for socket in sockets:
            socket.close()
        if sockets:
            await asyncio.wait([s.closed for s in sockets], timeout=10)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
