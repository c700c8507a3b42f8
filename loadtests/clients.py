"""The simulated clients: the screen (via its probe process) and lean phones.

A phone here is what a real phone's page does on the wire, without the
browser: one join POST, then one live WebSocket that says hello and reads
every push until told to stop, and (in the plenum scenario) one vote whose
ack it stamps. Thousands of them share one event loop, so they do as little
as possible: pushes are counted, not decoded (see
:mod:`loadtests.lean_socket`); only a message that starts like an ack is
decoded, and only while the phone waits for one. Join POSTs share a small
keep-alive pool (see :mod:`loadtests.lean_http`). The moderator is one more
lean socket that sends commands and awaits their acks.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from websockets.typing import BytesLike

from loadtests.lean_http import PostPool
from loadtests.lean_socket import ACK_PREFIX, LeanSocket, open_socket


def now_ns() -> int:
    """CLOCK_MONOTONIC, the same clock the screen probe stamps with."""
    return time.monotonic_ns()


class JoinReply(msgspec.Struct):
    participant_id: str
    token: str


class Welcome(msgspec.Struct):
    type: str
    role: str | None = None


class Ack(msgspec.Struct):
    """``{"type": "ack", "cid", "ok", "seq", "reason", "id", "message"}`` (docs/api.md)."""

    type: str
    cid: str | None
    ok: bool
    seq: int | None = None
    reason: str | None = None
    id: str | None = None


_decode_join = msgspec.json.Decoder(JoinReply).decode
_JOIN_BODY = msgspec.json.encode({"name": None, "organisation_type": None})
_decode_welcome = msgspec.json.Decoder(Welcome).decode
# A phone page gets no welcome: its first message is the room's fragments (HTML).
_PAGE_WELCOME = Welcome("welcome", "participant")
_decode_ack = msgspec.json.Decoder(Ack).decode
_ACK_LEN = len(ACK_PREFIX)


def is_ack(data: BytesLike) -> bool:
    return data[:_ACK_LEN] == ACK_PREFIX


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
        self.seq_max: list[int] = []  # running maximum, so it can be bisected
        # the poll on screen, per push: id ("-" for none), status, results (voters -1 = none)
        self.poll_ids: list[str] = []
        self.poll_status: list[str] = []
        self.poll_voters: list[int] = []
        self.poll_counts: list[dict[str, int]] = []
        self.poll_words: list[str] = []  # a text poll's cloud: "<words>:<summed counts>" or "-"
        self.modes: list[str] = []  # what the projector shows: "poll", "qna", …
        # the Q&A session on stage: questions shown, their summed votes, the top 5 (id, votes)
        self.qna_questions: list[int] = []
        self.qna_votes: list[int] = []
        self.qna_top: list[list[tuple[str, int]]] = []
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
                seq = int(parts[2])
                self.seqs.append(seq)
                self.seq_max.append(max(seq, self.seq_max[-1] if self.seq_max else 0))
                best = self.joined[-1] if self.joined else 0
                self.joined.append(max(best, int(parts[3])))
                self.online.append(int(parts[4]))
                poll, status, voters, counts = parts[5:9] if len(parts) >= 9 else _NO_POLL
                self.poll_ids.append(poll)
                self.poll_status.append(status)
                self.poll_voters.append(int(voters))
                self.poll_counts.append(_counts(counts))
                self.poll_words.append(parts[9] if len(parts) >= 10 else "-")
                self.modes.append(parts[10] if len(parts) >= 11 else "-")
                questions, votes, top = _qna(parts[11] if len(parts) >= 12 else "-")
                self.qna_questions.append(questions)
                self.qna_votes.append(votes)
                self.qna_top.append(top)
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

    def first_seq_at_least(self, seq: int) -> int | None:
        """Index of the first push whose ``seq`` is ``seq`` or later, if any came."""
        index = bisect.bisect_left(self.seq_max, seq)
        return index if index < len(self.seq_max) else None

    @property
    def last_voters(self) -> int:
        return self.poll_voters[-1] if self.poll_voters else -1

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


_NO_POLL = ["-", "-", "-1", "-"]


def _qna(text: str) -> tuple[int, int, list[tuple[str, int]]]:
    """``12:40:q3=9,q1=7`` (the probe's Q&A field) as (questions, votes, top 5); ``-``: none."""
    if text == "-":
        return -1, -1, []
    questions, votes, top = text.split(":", 2)
    pairs = [item.split("=") for item in top.split(",")] if top != "-" else []
    return int(questions), int(votes), [(q, int(v)) for q, v in pairs]


def _counts(text: str) -> dict[str, int]:
    """``o1:3,o2:5`` (the probe's compact form) back into a dict; ``-`` is none."""
    if text == "-":
        return {}
    pairs = (item.split(":") for item in text.split(","))
    return {option: int(n) for option, n in pairs}


# --- phones -----------------------------------------------------------------------


class Mirror:
    """One phone's copy of its state, kept from whole states and patches as a client would.

    The phones of the upvote scenario say ``patches`` in their hello
    (docs/api.md, "Patches"); this is what such a client does with them, for
    one sampled phone, so the run checks that patches add up to the counts
    the room holds. A patch whose ``base`` is newer than this copy's seq is a
    gap: the phone says hello again and takes the whole state it gets.
    """

    def __init__(self) -> None:
        self.seq = -1
        self.state: dict[str, Any] | None = None
        self.states = 0
        self.patches = 0
        self.gaps = 0
        self._moved = asyncio.Event()

    async def reach(self, seq: int, within_s: float) -> bool:
        """Wait until this copy is at ``seq`` or later; False if it was not within the time."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within_s):
                while self.seq < seq:
                    self._moved.clear()
                    await self._moved.wait()
        return self.seq >= seq

    def take(self, data: BytesLike, resend_hello: Callable[[], None]) -> None:
        if data[:15] == b'{"type":"state"' or data[:17] == b'{"type":"welcome"':
            message = msgspec.json.decode(bytes(data))
            self.seq, self.state = message["seq"], message["state"]
            self.states += 1
            self._moved.set()
        elif data[:15] == b'{"type":"patch"':
            patch = msgspec.json.decode(bytes(data))
            if self.state is None or not patch["base"] <= self.seq <= patch["seq"]:
                self.gaps += 1
                resend_hello()
                return
            self.state["participants"] = patch["participants"]
            by_id = {s["id"]: s for s in self.state["qna"]}
            for change in patch["qna"]:
                session = by_id[change["session"]]
                questions = {q["id"]: q for q in session["questions"]}
                session["questions"] = [questions[q] for q in change["order"]]
                for q, votes in zip(change["order"], change["votes"], strict=True):
                    questions[q]["votes"] = votes
            self.seq = patch["seq"]
            self.patches += 1
            self._moved.set()

    def votes(self, session: str) -> list[tuple[str, int]]:
        """The session's questions in this copy's order, with their votes."""
        if self.state is None:
            return []
        found = next((s for s in self.state["qna"] if s["id"] == session), None)
        return [(q["id"], q["votes"]) for q in found["questions"]] if found else []


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
    bytes: int = 0  # everything the server sent it, acks included
    error: str | None = None
    closed_code: int | None = None  # set when the server, not we, ended the socket
    stopping: bool = False
    counted: bool = False  # already counted as settled
    socket: LeanSocket | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)  # to say hello again after a drop
    # the plenum's one vote: what it chose, when it went out, and its ack
    vote_cid: str | None = None
    choice: str | None = None
    vote_sent_ns: int | None = None
    ack_ns: int | None = None
    ack: Ack | None = None
    vote_error: str | None = None  # could not be sent at all

    @property
    def settled(self) -> bool:
        """Either connected and welcomed, or failed for good: the harness stops waiting."""
        return self.welcome_ns is not None or self.error is not None


class Phones:
    """All phones of one run, started on a ramp and stopped together."""

    def __init__(
        self, pool: PostPool, code: str, n: int, patches: bool = False, html: bool = False
    ) -> None:
        self.pool = pool
        # Say "patches" in the hello (docs/api.md); the last phone keeps a Mirror of its state.
        self.patches = patches and not html
        self.mirror: Mirror | None = Mirror() if self.patches else None
        # Phones as the browser's phone page: its socket (/ws/phone/, the participant
        # cookie), its hello, and HTML fragments to receive instead of JSON states.
        self.html = html
        host, port = pool.host, pool.port
        self.host = host
        self.port = port
        self.code = code
        self.join_path = f"/api/events/{code}/participants"
        self.live_url = (
            f"ws://{host}:{port}/ws/phone/{code}"
            if html
            else f"ws://{host}:{port}/api/events/{code}/live"
        )
        self.phones = [Phone(i) for i in range(n)]
        self._tasks: list[asyncio.Task[None]] = []
        self.settled_count = 0
        self._all_settled = asyncio.Event()
        self.votes_planned = 0
        self.votes_answered = 0  # acked, or failed to send
        self._all_answered = asyncio.Event()
        self.sample_push: bytes | None = None  # the last state push phone 0 read
        # every ack a phone reads, when set (scenarios with more than one command per phone)
        self.on_ack: Callable[[Phone, BytesLike], None] | None = None
        # phones (by index) that read very slowly once welcomed (the slow scenario)
        self.slow: frozenset[int] = frozenset()
        self.slow_every_s = 2.0

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
        phone.token = reply.token
        return reply.token

    async def _live(self, phone: Phone, token: str) -> None:
        greeting: dict[str, object] = {"type": "hello", "token": token, "after": None}
        headers: dict[str, str] | None = None
        if self.patches:
            greeting["patches"] = True
        if self.html:  # the page says which seq it shows (none yet) and has its cookie
            greeting = {"type": "hello", "after": 0}
            headers = {"Cookie": f"dg_p_{self.code}={token}"}
        hello = msgspec.json.encode(greeting).decode()
        # The last phone: in the upvote scenario never an asker, whose rank would make
        # every tick a whole state.
        mirror = self.mirror if phone.index == len(self.phones) - 1 else None

        def resend_hello() -> None:
            if phone.socket is not None:
                with contextlib.suppress(ConnectionError):
                    phone.socket.send_text(hello.encode())

        def counted(data: BytesLike) -> None:
            phone.messages += 1
            phone.bytes += len(data)
            if mirror is not None:
                mirror.take(data, resend_hello)
            if phone.index == 0 and data[:15] == b'{"type":"state"':
                self.sample_push = bytes(data)
            if self.on_ack is not None and is_ack(data):
                self.on_ack(phone, data)
                return
            if phone.vote_sent_ns is not None and phone.ack is None and is_ack(data):
                self._take_ack(phone, data)

        phone.socket_ns = now_ns()
        socket, first = await open_socket(
            self.host, self.port, self.live_url, hello, counted, within_s=60, headers=headers
        )
        phone.socket = socket
        welcome = _PAGE_WELCOME if self.html else _decode_welcome(first)
        if self.html and not first.lstrip().startswith(b"<"):
            phone.error = f"unexpected first message {bytes(first[:60])!r}"
            socket.abort()
            return
        if welcome.type != "welcome" or welcome.role != "participant":
            phone.error = f"unexpected first message {welcome.type}/{welcome.role}"
            socket.abort()
            return
        phone.welcome_ns = now_ns()
        if mirror is not None:
            mirror.take(first, resend_hello)
        if phone.index in self.slow:
            socket.read_slowly(self.slow_every_s)
        self._settle(phone)
        code = await socket.closed
        if not phone.stopping:
            phone.closed_code = code

    # --- voting (plenum) ------------------------------------------------------------

    def plan_votes(self, plan: list[tuple[Phone, float, str]], poll: str) -> None:
        """Send each phone's vote ``(phone, delay s, choice)`` from now, by the loop's timer.

        No task per vote: a timer callback writes the frame and stamps it, so
        a thousand votes cost the generator a thousand small callbacks.
        """
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        self.votes_planned += len(plan)
        for phone, delay, choice in plan:
            phone.vote_cid = f"vote-{phone.index}"
            phone.choice = choice
            payload = msgspec.json.encode(
                {"type": "poll.vote", "cid": phone.vote_cid, "poll": poll, "choice": choice}
            )
            loop.call_at(t0 + delay, self._vote, phone, payload)

    def _vote(self, phone: Phone, payload: bytes) -> None:
        if phone.socket is None:
            phone.vote_error = phone.error or "no live socket"
            self._answered()
            return
        try:
            phone.vote_sent_ns = now_ns()
            phone.socket.send_text(payload)
        except ConnectionError as exc:
            phone.vote_error = str(exc)
            self._answered()

    def _take_ack(self, phone: Phone, data: BytesLike) -> None:
        stamped = now_ns()
        ack = _decode_ack(data)
        if ack.cid != phone.vote_cid:
            return
        phone.ack_ns, phone.ack = stamped, ack
        self._answered()

    def _answered(self) -> None:
        self.votes_answered += 1
        if self.votes_answered >= self.votes_planned:
            self._all_answered.set()

    async def wait_answered(self) -> None:
        """Until every planned vote has its ack (or could not be sent)."""
        await self._all_answered.wait()

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


# --- the moderator ------------------------------------------------------------------


class Moderator:
    """The moderator's live socket (hello with the moderator token): commands and acks.

    Its pushes are the full moderator view (every participant listed), so
    they are counted and measured, never decoded.
    """

    def __init__(self, host: str, port: int, url: str, token: str) -> None:
        self.host, self.port, self.url = host, port, url
        self._hello = msgspec.json.encode({"type": "hello", "token": token, "after": None})
        self._socket: LeanSocket | None = None
        self._waiting: dict[str, asyncio.Future[Ack]] = {}
        self._cids = itertools.count(1)
        self.messages = 0
        self.bytes = 0

    async def open(self, within_s: float = 30.0) -> None:
        self._socket, first = await open_socket(
            self.host,
            self.port,
            self.url,
            self._hello.decode(),
            self._on_message,
            within_s,
            max_size=64 << 20,  # the moderator view lists every participant
        )
        welcome = _decode_welcome(first)
        if welcome.type != "welcome" or welcome.role != "moderator":
            self._socket.abort()
            raise RuntimeError(f"moderator got {welcome.type}/{welcome.role}, not a welcome")

    def _on_message(self, data: BytesLike) -> None:
        self.messages += 1
        self.bytes += len(data)
        if is_ack(data):
            ack = _decode_ack(data)
            future = self._waiting.pop(ack.cid or "", None)
            if future is not None and not future.done():
                future.set_result(ack)

    async def command(self, fields: dict[str, Any], within_s: float = 30.0) -> Ack:
        """Send one command and wait for its ack; raise if it was refused."""
        if self._socket is None:
            raise RuntimeError("moderator socket not open")
        cid = f"mod-{next(self._cids)}"
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._waiting[cid] = future
        self._socket.send_text(msgspec.json.encode({**fields, "cid": cid}))
        ack = await asyncio.wait_for(future, within_s)
        if not ack.ok:
            raise RuntimeError(f"{fields['type']} refused: {ack.reason}")
        return ack

    async def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._socket.closed), 10)
