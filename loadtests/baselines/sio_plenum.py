"""The plenum vote against the python-socketio baseline: same N, same votes, same clock.

One run mirrors :mod:`loadtests.scenarios.plenum` step by step, so the
numbers can sit side by side: N phones connect over the ramp, a screen
probe (own process) listens, then every phone votes once at a seeded
random moment within the spread for a seeded random option (the same
draws as Dialograum's run with that seed), and the run waits for every
ack and for the screen to count every vote.

The phones are as lean as Dialograum's (the same :class:`LeanSocket`:
websockets' sans-I/O on a bare transport, pushes counted in
``data_received``, only acks decoded), so neither server gets a slower
generator. Engine.IO's handshake costs the phone one extra message
(``0{…}`` open, then ``40`` for the namespace) and pings are answered.

Measured like Dialograum: ack latency; freshness from each ack to the
first screen push whose ``voters`` reaches the vote's ``voters`` (the
count right after it, which plays the role of ``seq``); vote to screen;
the server process's CPU over the vote phase from ``/proc`` (Redis's own
CPU is not counted: it is shared with other work on this machine, which
flatters the baseline); messages delivered.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import random
import secrets
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from websockets.typing import BytesLike

from loadtests.lean_socket import LeanSocket, open_socket
from loadtests.scenarios.common import Progress, loop_lag, ms, self_cpu_s
from loadtests.server_proc import free_port, sample_process
from loadtests.stats import distribution

EIO_PATH = "/socket.io/?EIO=4&transport=websocket"
OPTION_IDS = ["o1", "o2", "o3", "o4"]


class SioAck(msgspec.Struct):
    ok: bool
    voters: int = 0
    reason: str | None = None


_decode_ack = msgspec.json.Decoder(tuple[SioAck]).decode


@dataclass(eq=False)
class SioPhone:
    index: int
    socket: LeanSocket | None = None
    connected: asyncio.Future[None] | None = None
    messages: int = 0
    choice: str | None = None
    sent_ns: int | None = None
    ack_ns: int | None = None
    ack: SioAck | None = None
    error: str | None = None
    pending: list[bytes] = field(default_factory=list)


class SioPhones:
    """N lean Socket.IO phones: connect on a ramp, vote by loop timers, stamp acks."""

    def __init__(self, port: int, n: int) -> None:
        self.port = port
        self.url = f"ws://127.0.0.1:{port}{EIO_PATH}"
        self.phones = [SioPhone(i) for i in range(n)]
        self.answered = 0
        self.planned = 0
        self._all = asyncio.Event()

    def _on_message(self, phone: SioPhone) -> Any:
        def on_message(data: BytesLike) -> None:
            phone.messages += 1
            head = bytes(data[:2])
            if head == b"2" or data == b"2":
                if phone.socket is not None:
                    phone.socket.send_text(b"3")
            elif head == b"40":
                if phone.connected is not None and not phone.connected.done():
                    phone.connected.set_result(None)
            elif head == b"43" and phone.ack is None and phone.sent_ns is not None:
                phone.ack_ns = time.monotonic_ns()
                raw = bytes(data[2:])
                phone.ack = _decode_ack(raw[raw.index(b"[") :])[0]
                self._answer()

        return on_message

    async def connect(self, ramp_s: float, within_s: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()

        async def one(phone: SioPhone) -> None:
            await asyncio.sleep(
                max(0.0, t0 + ramp_s * phone.index / len(self.phones) - loop.time())
            )
            phone.connected = loop.create_future()
            try:
                phone.socket, _ = await open_socket(
                    "127.0.0.1", self.port, self.url, "40", self._on_message(phone), within_s
                )
                await asyncio.wait_for(phone.connected, within_s)
            except Exception as exc:  # a result, reported by the caller
                phone.error = f"{type(exc).__name__}: {exc}"[:200]

        await asyncio.gather(*(one(p) for p in self.phones))

    def plan_votes(self, plan: list[tuple[SioPhone, float, str]]) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        self.planned = len(plan)
        for phone, delay, choice in plan:
            phone.choice = choice
            payload = b'421["vote",' + msgspec.json.encode({"choice": choice}) + b"]"
            loop.call_at(t0 + delay, self._vote, phone, payload)

    def _vote(self, phone: SioPhone, payload: bytes) -> None:
        try:
            if phone.socket is None:
                raise ConnectionError(phone.error or "not connected")
            phone.sent_ns = time.monotonic_ns()
            phone.socket.send_text(payload)
        except ConnectionError as exc:
            phone.error = str(exc)
            self._answer()

    def _answer(self) -> None:
        self.answered += 1
        if self.answered >= self.planned:
            self._all.set()

    async def wait_answered(self) -> None:
        await self._all.wait()

    async def close(self) -> None:
        sockets = [p.socket for p in self.phones if p.socket is not None]
        for s in sockets:
            s.close()
        if sockets:
            await asyncio.wait([s.closed for s in sockets], timeout=10)
        for s in sockets:
            s.abort()


class SioScreen:
    """Follows :mod:`loadtests.baselines.sio_screen`'s lines."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.times_ns: list[int] = []
        self.voters: list[int] = []  # running maximum, so it can be bisected
        self.counts: list[str] = []
        self.ready = asyncio.Event()
        self.changed = asyncio.Event()
        self.closed: str | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loadtests.baselines.sio_screen", self.url,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.ready.wait(), 30)

    async def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        while line := await self._proc.stdout.readline():
            parts = line.decode().split()
            if parts[0] == "ready":
                self.ready.set()
            elif parts[0] == "msg":
                self.times_ns.append(int(parts[1]))
                self.voters.append(max(int(parts[2]), self.voters[-1] if self.voters else 0))
                self.counts.append(parts[3])
            else:
                self.closed = " ".join(parts)
            self.changed.set()

    async def wait_voters(self, n: int, within_s: float) -> None:
        async with asyncio.timeout(within_s):
            while not (self.voters and self.voters[-1] >= n):
                if self.closed:
                    raise RuntimeError(f"sio screen ended: {self.closed}")
                self.changed.clear()
                await self.changed.wait()

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 5)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)


async def start_server(port: int, redis_url: str, channel: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loadtests.baselines.sio_server", str(port), redis_url, channel,
        stdout=asyncio.subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(trust_env=False) as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"sio server exited with {proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                url = f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling"
                if (await http.get(url, timeout=2)).status_code == 200:
                    return proc
            await asyncio.sleep(0.1)
    proc.kill()
    raise TimeoutError("sio server not ready within 30 s")


async def stop_server(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def run(
    n: int,
    seed: int,
    redis_url: str,
    progress: Progress,
    vote_spread_s: float = 5.0,
    ramp_s: float = 2.0,
    timeout_s: float = 120.0,
    quiet: Any = None,
) -> dict[str, Any]:
    """One baseline run; a failed or timed-out run is reported, never raised."""
    port = free_port()
    channel = f"dialograum-bench-{secrets.token_hex(6)}"  # nobody else's channel
    result: dict[str, Any] = {"n": n, "seed": seed, "ok": False, "channel": channel}
    proc: asyncio.subprocess.Process | None = None
    phones: SioPhones | None = None
    screen: SioScreen | None = None
    step = "starting"
    try:
        async with asyncio.timeout(timeout_s):
            step = "starting the server"
            proc = await start_server(port, redis_url, channel)
            step = "connecting the screen"
            screen = SioScreen(f"ws://127.0.0.1:{port}{EIO_PATH}")
            await screen.start()
            step = "connecting phones"
            phones = SioPhones(port, n)
            await phones.connect(ramp_s)
            failed = [p.error for p in phones.phones if p.error]
            if failed:
                raise RuntimeError(f"{len(failed)} phones failed to connect: {failed[0]}")
            progress(f"socketio: {n} phones connected")
            await asyncio.sleep(1.0)
            if quiet is not None:
                result["machine_busy_before_votes_cores"] = round(await quiet(), 2)
            step = "voting"
            rng = random.Random(seed)
            plan = [
                (p, rng.uniform(0, vote_spread_s), rng.choice(OPTION_IDS)) for p in phones.phones
            ]
            lag: list[float] = []
            lagger = asyncio.create_task(loop_lag(lag))
            screen_from = len(screen.times_ns)
            messages_before = sum(p.messages for p in phones.phones)
            before = sample_process(proc.pid)
            gen_before = self_cpu_s()
            t0 = time.monotonic_ns()
            phones.plan_votes(plan)
            try:
                await asyncio.wait_for(phones.wait_answered(), vote_spread_s + 60)
                await screen.wait_voters(n, 30)
            finally:
                lagger.cancel()
            end = time.monotonic_ns()
            after = sample_process(proc.pid)
            result.update(
                _metrics(phones, screen, screen_from, t0, end, before, after, plan)
                | {
                    "generator_cpu_s": round(self_cpu_s() - gen_before, 2),
                    "generator_loop_lag_ms": distribution(lag),
                    "phone_messages": sum(p.messages for p in phones.phones) - messages_before,
                }
            )
            result["ok"] = result["votes_acked_ok"] == n and result["tally_exact"]
            if not result["ok"]:
                result["error"] = (
                    f"{result['votes_acked_ok']}/{n} acked; tally exact {result['tally_exact']}"
                )
    except TimeoutError:
        result["error"] = f"timed out after {timeout_s:.0f} s while {step}"
    except Exception as exc:
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(30):
                if phones is not None:
                    await phones.close()
                if screen is not None:
                    await screen.stop()
        if proc is not None:
            await stop_server(proc)
    if result.get("error"):
        progress(f"socketio n={n}: {result['error']}")
    return result


def _metrics(
    phones: SioPhones,
    screen: SioScreen,
    screen_from: int,
    t0: int,
    end: int,
    before: Any,
    after: Any,
    plan: list[tuple[SioPhone, float, str]],
) -> dict[str, Any]:
    ok = [p for p in phones.phones if p.ack is not None and p.ack.ok and p.sent_ns and p.ack_ns]
    ack_ms: list[float] = []
    fresh: list[float] = []
    to_screen: list[float] = []
    for p in ok:
        assert p.ack is not None
        assert p.ack_ns is not None
        assert p.sent_ns is not None
        ack_ms.append(ms(p.ack_ns - p.sent_ns))
        i = bisect.bisect_left(screen.voters, p.ack.voters)
        if i < len(screen.times_ns):
            fresh.append(max(0.0, ms(screen.times_ns[i] - p.ack_ns)))
            to_screen.append(ms(screen.times_ns[i] - p.sent_ns))
    expected = Counter(choice for _, _, choice in plan)
    last = screen.counts[-1] if screen.counts else "-"
    shown = (
        dict((k, int(v)) for k, v in (x.split(":") for x in last.split(","))) if last != "-" else {}
    )
    cpu = after.cpu_s - before.cpu_s
    return {
        "votes_acked_ok": len(ok),
        "ack_ms": distribution(ack_ms),
        "screen_freshness_ms": distribution(fresh),
        "vote_to_screen_ms": distribution(to_screen),
        "tally_exact": shown == dict(expected),
        "screen_pushes_during_votes": len(screen.times_ns) - screen_from,
        "window_s": round((end - t0) / 1e9, 3),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_per_1000_votes_s": round(cpu / max(1, len(plan)) * 1000, 3),
        "server_rss_after_kib": after.rss_kib,
    }
