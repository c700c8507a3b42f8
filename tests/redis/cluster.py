"""Real worker processes on one Redis, an own redis-server, and resilient live clients.

What the multi-process tests need and nothing more:

- :class:`Worker`: ``python -m server serve`` on a free port, its log in a file;
- :class:`OwnRedis`: a ``redis-server`` of the test's own (free port, temporary
  ``--dir``, AOF on), which it may kill and restart without disturbing anyone;
- :class:`LiveClient`: a JSON live socket (docs/api.md) that behaves like the
  phone's page: every command keeps its ``cid`` until acknowledged; when the
  socket drops it reconnects, to the next worker in its list, says hello and
  resends whatever is unacknowledged; ``store_unavailable`` is retried.

Every wait is on a condition with a deadline, never a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from loadtests.scaleout import redis_server_argv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def until(check: Callable[[], bool], within: float, what: str) -> None:
    """Wait for ``check()`` to hold, polling; fail with ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.02)


class Worker:
    """One ``dialograum serve`` process on 127.0.0.1."""

    def __init__(self, workdir: Path, redis_url: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.log_path = workdir / f"worker-{self.port}.log"
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DIALOGRAUM_DATA_DIR": str(workdir / f"data-{self.port}"),
            "DIALOGRAUM_DB": str(workdir / f"unused-{self.port}.sqlite3"),
            "DIALOGRAUM_SAMPLE_EVENT": "false",
            "DIALOGRAUM_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "DIALOGRAUM_JOIN_BURST": "10000",
            "DIALOGRAUM_TICK_MS": "50",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        if "ADMIN_TOKEN" not in (env or {}):
            self.env.pop("ADMIN_TOKEN", None)  # workers agree on one through Redis
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "server",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def health(self) -> int | None:
        async with httpx.AsyncClient(trust_env=False) as http:
            with contextlib.suppress(httpx.TransportError):
                return (await http.get(f"{self.http}/healthz", timeout=5)).status_code
        return None

    async def wait_status(self, status: int, within: float = 90) -> None:
        """Wait for ``/healthz`` to answer ``status``. A fresh worker loads its
        dictionaries and the sentence encoder in threads that hold the GIL for
        seconds of CPU; three of them starting beside a busy parallel test run
        were seen to need more than 30 s, so the default wait is generous (it
        ends as soon as the status is there)."""
        deadline = time.monotonic() + within
        while (got := await self.health()) != status:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            if time.monotonic() > deadline:
                raise AssertionError(f"/healthz {got}, not {status}:\n{self.log()}")
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""


class OwnRedis:
    """A redis-server on a free port with AOF in a directory of the test's own."""

    def __init__(self, workdir: Path, appendfsync: str = "always") -> None:
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir(exist_ok=True)
        self.appendfsync = appendfsync
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            redis_server_argv(self.port, self.dir, self.appendfsync),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    async def wait_ready(self, within: float = 10) -> None:
        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        await until(answers, within, f"redis-server on port {self.port}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Ack(msgspec.Struct):
    type: str
    cid: str | None = None
    ok: bool = False
    seq: int | None = None
    reason: str | None = None
    id: str | None = None


_decode = msgspec.json.decode
_cids = itertools.count(1)


class LiveClient:
    """A live API socket that survives workers dying, like a phone's page does."""

    def __init__(self, urls: list[str], code: str, token: str | None, name: str) -> None:
        self.urls = urls  # worker ws base urls, tried in turn
        self.code = code
        self.token = token
        self.name = name
        self.at = 0
        self.pending: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, Ack] = {}
        self.state: dict[str, Any] | None = None
        self.seq = 0
        self.reconnects = 0
        self.connected = asyncio.Event()
        self._socket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = False

    @property
    def worker_url(self) -> str:
        return self.urls[self.at % len(self.urls)]

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        delay = 0.05
        while not self._stop:
            url = f"{self.worker_url}/api/events/{self.code}/live"
            try:
                async with connect(url, open_timeout=5, max_size=2**22) as sock:
                    await sock.send(msgspec.json.encode({"type": "hello", "token": self.token}))
                    welcome = _decode(await asyncio.wait_for(sock.recv(), 10))
                    if welcome.get("type") != "welcome":
                        raise ConnectionError(f"no welcome: {welcome}")
                    self._take_state(welcome)
                    self._socket = sock
                    self.connected.set()
                    delay = 0.05
                    for message in list(self.pending.values()):
                        await sock.send(msgspec.json.encode(message))
                    async for raw in sock:
                        self._on_message(_decode(raw))
            except (OSError, WebSocketException, ConnectionError, TimeoutError):
                pass
            self._socket = None
            self.connected.clear()
            if self._stop:
                return
            self.reconnects += 1
            self.at += 1  # the next worker: no sticky sessions
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _take_state(self, message: dict[str, Any]) -> None:
        if message.get("seq", 0) >= self.seq:
            self.seq = message["seq"]
            self.state = message["state"]

    def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "state":
            self._take_state(message)
        elif kind == "ack":
            ack = msgspec.convert(message, Ack)
            if ack.cid is None or ack.cid not in self.pending:
                return
            if not ack.ok and ack.reason == "store_unavailable":
                asyncio.get_running_loop().call_later(0.2, self._resend, ack.cid)
                return
            self.acks[ack.cid] = ack
            del self.pending[ack.cid]

    def _resend(self, cid: str) -> None:
        if cid in self.pending and self._socket is not None:
            message = msgspec.json.encode(self.pending[cid])
            asyncio.get_running_loop().create_task(self._send_quietly(message))

    async def _send_quietly(self, message: bytes) -> None:
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(WebSocketException, OSError):
                await sock.send(message)

    async def send(self, command: dict[str, Any]) -> str:
        cid = f"{self.name}-{next(_cids)}-{secrets.token_hex(3)}"
        self.pending[cid] = {**command, "cid": cid}
        await self._send_quietly(msgspec.json.encode(self.pending[cid]))
        return cid

    async def command(self, command: dict[str, Any], within: float = 20) -> Ack:
        cid = await self.send(command)
        await until(lambda: cid in self.acks, within, f"ack of {command['type']}")
        return self.acks[cid]

    async def close(self) -> None:
        self._stop = True
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


async def create_event(worker: Worker, admin_token: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=worker.http, trust_env=False) as http:
        response = await http.post(
            "/api/events",
            json={"title": "Plenum", "format": "werkstatt", "language": "de"},
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=20,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["code"], body["moderator_token"]


async def join(worker: Worker, code: str, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=worker.http, trust_env=False) as http:
        tokens = []
        for _ in range(count):
            response = await http.post(
                f"/api/events/{code}/participants",
                json={"name": None, "organisation_type": None},
                timeout=20,
            )
            assert response.status_code == 201, response.text
            tokens.append(response.json()["token"])
        return tokens


def poll_of(state: dict[str, Any] | None, poll: str) -> dict[str, Any] | None:
    if state is None:
        return None
    for item in state.get("polls", []):
        if item["id"] == poll:
            return dict(item)
    return None


def counts_of(state: dict[str, Any] | None, poll: str) -> dict[str, int] | None:
    item = poll_of(state, poll)
    if item is None or item.get("results") is None:
        return None
    return dict(item["results"]["counts"])
