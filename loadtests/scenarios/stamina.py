"""Scenario "stamina": a three-hour event, compressed, and whether the server's memory stays flat.

A benchmark of seconds cannot see a leak that costs 50 KB per reconnect;
three hours of a real event can. This plays a whole event on one server,
its 180 minutes compressed into ``minutes`` of real time (default 15, so
one event minute is 5 s), with ``n`` phones (default 1,000) that:

- arrive over the first 10 minutes (the join ramp);
- leave (``participant.leave``, socket closed) now and then, ``churn`` of
  them (10 %), and as many newcomers join later;
- vote in ``polls`` polls (20, all six kinds, each open 5 minutes, 90 %
  of those present vote);
- post ``cards`` cards (2,000) on two idea boards, the wall on the
  projector, each board sorted once by ``cluster.suggest`` and accepted;
- sit at a World Café of ``cafe_rounds`` rounds (4) with a host per table
  who writes notes, latecomers checking in at a table;
- ask ``questions`` questions (200) in a Q&A session and upvote them, the
  moderator putting one "jetzt dran" every 5 minutes;
- lose their connection now and then (``reconnects_per_phone``, 4 on
  average over the event) and come back with their token a few seconds
  later, resending whatever was not acknowledged with the same ``cid``
  (as the phone's page does).

Every 10 s the server's RSS, open file descriptors, threads and CPU, the
SQLite file and its WAL, and the generator's CPU are recorded
(:mod:`loadtests.scenarios.stamina_watch`). The verdict: the RSS slope over
the last two thirds of the event below 1 MB per 10 minutes (issue 19).
Checked as well: every command answered, none refused (but votes that
reach their poll after it closed, counted), and the final
state holds what was acknowledged (each poll's voters, each board's
cards, the questions, the café's rounds, who joined and who left).

``make test`` runs a 30-phone, 30-second version
(tests/loadtests/test_stamina_smoke.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from websockets.typing import BytesLike

from loadtests.clients import Ack, Moderator, Phone, Phones, is_ack
from loadtests.commands import Commands, Sent
from loadtests.lean_http import PostPool
from loadtests.lean_socket import LeanSocket, open_socket
from loadtests.scenarios.common import Progress, self_cpu_s
from loadtests.scenarios.live_room import LiveRoom
from loadtests.scenarios.stamina_watch import (
    Sample,
    cpu_split,
    data_growth,
    read_log,
    read_sample,
    verdict,
    watch,
)
from loadtests.scenarios.state_bytes import write_log
from loadtests.stats import distribution

_decode_ack = msgspec.json.Decoder(Ack).decode
EVENT_MINUTES = 180.0
SLOPE_LIMIT_MB_PER_10_MIN = 1.0

WORDS = [
    "Fachkräfte", "Energie", "Wasserstoff", "Bildung", "Flächen", "Verkehr", "Digitalisierung",
    "Förderung", "Ausbildung", "Netze", "Handwerk", "Kita", "Pflege", "Mobilität", "Wohnraum",
    "Radwege", "Klimaschutz", "Ehrenamt", "Nahverkehr", "Breitband", "Innenstadt", "Tourismus",
    "Gründungen", "Hochschule", "Mittelstand", "Verwaltung", "Genehmigungen", "Solar", "Wärme",
]  # fmt: skip
KINDS = ["single", "multiple", "scale", "text", "ranking", "points"]
OPTIONS = ["A", "B", "C", "D"]
OPTION_IDS = ["o1", "o2", "o3", "o4"]


@dataclass(frozen=True)
class StaminaConfig:
    n: int = 1000
    minutes: float = 15.0  # real time for the event's 180 minutes
    polls: int = 20
    cards: int = 2000
    cafe_rounds: int = 4
    cafe_tables: int = 100
    cafe_hosts: int = 10  # each set_host re-plans the café (a full search), so a few
    questions: int = 200
    upvotes_per_phone: int = 2
    reconnects_per_phone: float = 4.0
    churn: float = 0.1  # share of phones that leave mid-event; as many newcomers join
    suggest: bool = True  # each board sorted once by cluster.suggest (the embedding model)
    sample_every_s: float = 10.0
    seed: int = 1
    keep_log: Path | None = None  # the room's log entries, written here for analysis afterwards
    # Phones say "patches" in their hello (docs/api.md): after the welcome they get
    # patches of their state when only counts moved, not the whole state each tick.
    patches: bool = False

    @property
    def scale(self) -> float:
        """Real seconds per event minute."""
        return self.minutes * 60.0 / EVENT_MINUTES

    @property
    def event_s(self) -> float:
        return self.minutes * 60.0

    @property
    def timeout_s(self) -> float:
        return self.event_s + 600.0


# --- the agenda, in event minutes -------------------------------------------------

ARRIVAL = 10.0
QNA_AT = 10.0
# Every activity is first used in the first third (the warm-up the verdict leaves out):
# a first use loads code and fills caches once, which is not a leak.
ASK = ((12.0, 40.0), (150.0, 172.0))
UPVOTE = ((14.0, 45.0), (152.0, 176.0))
LIVE_EVERY = 5.0
POLLS = (12.0, 172.0)  # the polls' openings are spread evenly over this
POLL_OPEN = 5.0
VOTE_WITHIN = 3.0  # leaves a phone that is away when it votes time to come back
BOARDS = ((22.0, 50.0, 51.0), (126.0, 158.0, 159.0))  # shown, posts until, sorted at
CAFE_AT = 54.0
ROUND_EVERY, ROUND_LENGTH = 17.0, 15.0
FIRST_ROUND = 57.0
LEAVE = (20.0, 160.0)
NEWCOMERS = (25.0, 150.0)
AWAY = (0.2, 1.0)  # how long a dropped phone stays away (event minutes)


@dataclass(eq=False)
class Life:
    """One phone's life in the event: when it is there, and what waits for its socket."""

    phone: Phone
    arrives: float  # event minute
    leaves: float | None = None
    away: bool = False
    pending: list[Sent] = field(default_factory=list)
    mine: list[Sent] = field(default_factory=list)  # everything it sent, for resends
    reconnects: int = 0
    back_ms: list[float] = field(default_factory=list)
    server_closed: int = 0
    left: bool = False

    def present(self, minute: float) -> bool:
        return self.arrives + 0.5 <= minute and (self.leaves is None or minute < self.leaves - 0.5)


def host_candidates(lives: dict[Phone, Life], minute: float) -> list[Phone]:
    """Who may host a café table: joined and here now, and staying to the end.

    Not "present at the café's end": a newcomer who arrives later has no
    participant id yet, so ``cafe.set_host`` named nobody (an acknowledged
    no-op) and every note that phone wrote later was refused ``not_host``
    (the smoke run's "host moved by a re-plan" of 2026-11-30).
    """
    return [
        phone
        for phone, life in lives.items()
        if phone.participant_id is not None
        and life.present(minute)
        and life.leaves is None
        and not life.left
    ]


class Event:
    """The running event: the room, the phones' lives, every command and its ack."""

    def __init__(self, config: StaminaConfig, room: LiveRoom, progress: Progress) -> None:
        assert room.phones is not None
        self.config = config
        self.room = room
        self.progress = progress
        self.rng = random.Random(config.seed)
        self.loop = asyncio.get_running_loop()
        self.t0 = self.loop.time()
        self.t0_mono = time.monotonic()
        self.commands = Commands(room.phones)
        # the first phones arrived before the start (the join ramp, the warm-up)
        self.lives: dict[Phone, Life] = {p: Life(p, arrives=-1.0) for p in room.phones.phones}
        self.newcomers: Phones | None = None
        self.kinds: dict[str, str] = {}  # cid -> what it was ("vote:p3", "card:b1", ...)
        self.questions: list[tuple[str, Phone]] = []  # acked question ids and who asked
        self.upvoted: set[tuple[Phone, str]] = set()
        self.polls: list[str] = []
        self.boards: list[str] = []
        self.tables: list[str] = []
        self.hosts: dict[str, Phone] = {}
        self.moderator_ms: list[float] = []
        self.moderator_slowest: list[tuple[float, str]] = []
        self.moderator_errors: list[str] = []
        self.suggest_s: list[float] = []
        self.round_started = 0
        self._round_began = 0.0
        self._sid = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: list[asyncio.TimerHandle] = []
        self._live: set[str] = set()
        self.session = ""
        self.ending = False
        # set once the programme is over: phones send nothing new, so the last wait
        # for answers covers every command there is (the smoke once found two sent after it)
        self.closing = False

    # --- time -----------------------------------------------------------------------

    def minute(self) -> float:
        return (self.loop.time() - self.t0) / self.config.scale

    def at(self, minute: float, fn: Callable[..., None], *args: Any) -> None:
        self._timers.append(self.loop.call_at(self.t0 + minute * self.config.scale, fn, *args))

    async def until(self, minute: float) -> None:
        delay = self.t0 + minute * self.config.scale - self.loop.time()
        if delay > 0:
            await asyncio.sleep(delay)

    # --- phones' commands -------------------------------------------------------------

    def send(self, phone: Phone, kind: str, fields: dict[str, object]) -> None:
        """Send a command now, or after the phone is back if it is away (same cid)."""
        life = self.lives[phone]
        if life.left or self.closing:
            return
        self._sid += 1
        cid = f"s{self._sid}"
        sent = self.commands.register(phone, cid, fields)
        self.kinds[cid] = kind
        life.mine.append(sent)
        if life.away or phone.socket is None:
            life.pending.append(sent)
        else:
            self._write(phone, sent)

    def _write(self, phone: Phone, sent: Sent) -> None:
        assert phone.socket is not None
        try:
            sent.sent_ns = time.monotonic_ns()  # latency from the last (re)send
            phone.socket.send_text(sent.payload)
        except ConnectionError:
            self.lives[phone].pending.append(sent)  # dropping right now: resend once back

    def on_ack(self, phone: Phone, data: BytesLike) -> None:
        self.commands.on_ack(phone, data)
        ack = _decode_ack(data)
        if ack.ok and ack.id and self.kinds.get(ack.cid or "") == "ask":
            sent = self.commands.by_cid[ack.cid or ""]
            if sent.acks == 1:
                self.questions.append((ack.id, phone))

    # --- reconnects and leaving ---------------------------------------------------------

    def drop(self, phone: Phone) -> None:
        """The Wi-Fi (or the phone's sleep) takes the socket; it comes back a little later."""
        life = self.lives[phone]
        if life.left or life.away or phone.socket is None or self.ending:
            return
        life.away = True
        life.reconnects += 1
        phone.stopping = True  # ours, not the server's
        phone.socket.abort()
        away_s = self.rng.uniform(*AWAY) * self.config.scale
        dropped = time.monotonic_ns()
        self._timers.append(self.loop.call_later(away_s, self._back, phone, dropped))

    def _back(self, phone: Phone, dropped_ns: int) -> None:
        self._spawn(self._come_back(phone, dropped_ns))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self.ending:
            coro.close()
            return
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _come_back(self, phone: Phone, dropped_ns: int) -> None:
        life = self.lives[phone]
        phones = self.room.phones
        assert phones is not None

        def on_message(data: BytesLike) -> None:
            phone.messages += 1
            if is_ack(data):
                self.on_ack(phone, data)

        greeting: dict[str, object] = {"type": "hello", "token": phone.token, "after": None}
        if self.config.patches:
            greeting["patches"] = True
        hello = msgspec.json.encode(greeting)
        for attempt in range(5):
            try:
                socket, _ = await open_socket(
                    phones.host, phones.port, phones.live_url, hello.decode(), on_message, 30
                )
                break
            except Exception as exc:
                phone.error = f"reconnect {attempt + 1}: {type(exc).__name__}: {exc}"[:200]
                await asyncio.sleep(1.0)
        else:
            return
        life.back_ms.append((time.monotonic_ns() - dropped_ns) / 1e6)
        phone.socket = socket
        life.away = False
        self._watch_close(phone, socket)
        # what was not acknowledged goes again with its cid; what waited goes now
        waiting, life.pending = life.pending, []
        for sent in [s for s in life.mine if s.ack is None and s not in waiting] + waiting:
            self._write(phone, sent)
        if life.left:  # it left while away: its leave just went; the page closes after
            self.loop.call_later(self.config.scale, self.close_left, phone)

    def _watch_close(self, phone: Phone, socket: LeanSocket) -> None:
        def closed(_: asyncio.Future[int]) -> None:
            self._closed(phone, socket)

        socket.closed.add_done_callback(closed)

    def _closed(self, phone: Phone, socket: Any) -> None:
        """A reconnected socket ended: by us (drop, leave, the end) or by the server."""
        life = self.lives[phone]
        if phone.socket is socket and not life.away and not life.left and not self.ending:
            life.server_closed += 1
            life.away = True
            self._spawn(self._come_back(phone, time.monotonic_ns()))

    def leave(self, phone: Phone) -> None:
        self.send(phone, "leave", {"type": "participant.leave"})
        self.lives[phone].left = True

    def close_left(self, phone: Phone, tries: int = 60) -> None:
        """The page is closed once nothing it sent waits for an ack (at most ~30 s more)."""
        life = self.lives[phone]
        waiting = life.away or any(s.ack is None for s in life.mine)
        if waiting and tries > 0 and not self.ending:
            self._timers.append(self.loop.call_later(0.5, self.close_left, phone, tries - 1))
            return
        if phone.socket is not None:
            phone.stopping = True
            phone.socket.close()

    # --- the plan for phones --------------------------------------------------------------

    def plan(self) -> None:
        """Draw every phone's day: leaving, reconnects; newcomers come through :meth:`arrive`."""
        cfg, rng = self.config, self.rng
        phones = list(self.lives)
        leavers = rng.sample(phones, round(cfg.n * cfg.churn))
        for phone in leavers:
            when = rng.uniform(*LEAVE)
            self.lives[phone].leaves = when
            self.at(when, self.leave, phone)
            self.at(when + 1.0, self.close_left, phone)
        for phone in phones:
            self._plan_reconnects(self.lives[phone])
            if phone.socket is not None:  # a close by the server: the page reconnects
                self._watch_close(phone, phone.socket)

    def _plan_reconnects(self, life: Life) -> None:
        cfg, rng = self.config, self.rng
        end = min(EVENT_MINUTES - 5, life.leaves - 2 if life.leaves else EVENT_MINUTES)
        start = max(life.arrives + 2, 1.0)
        if end <= start:
            return
        share = (end - start) / EVENT_MINUTES
        count = _poisson(rng, cfg.reconnects_per_phone * share)
        for when in sorted(rng.uniform(start, end) for _ in range(count)):
            self.at(when, self.drop, life.phone)

    def present(self, minute: float) -> list[Phone]:
        return [p for p, life in self.lives.items() if life.present(minute) and not life.left]

    async def arrive(self) -> None:
        """Newcomers, as many as left, join over the afternoon: a second set of phones."""
        cfg = self.config
        count = round(cfg.n * cfg.churn)
        if count == 0:
            return
        await self.until(NEWCOMERS[0])
        room = self.room
        assert room.phones is not None
        # a pool of its own: the first phones' kept-alive connections went stale long ago
        pool = PostPool("127.0.0.1", room.server.port, 4)
        newcomers = self.newcomers = Phones(pool, room.code, count, patches=cfg.patches)
        newcomers.on_ack = self.on_ack
        span = NEWCOMERS[1] - NEWCOMERS[0]
        for phone in newcomers.phones:
            life = self.lives[phone] = Life(
                phone, arrives=NEWCOMERS[0] + span * phone.index / count
            )
            self._plan_reconnects(life)
        newcomers.start(span * cfg.scale)
        await self._follow(newcomers)

    async def _follow(self, phones: Phones) -> None:
        """As each newcomer is welcomed: watch its socket, send what waited for it."""
        followed: set[Phone] = set()
        while len(followed) < len(phones.phones) and not self.ending:
            for phone in phones.phones:
                if phone in followed or not phone.settled:
                    continue
                followed.add(phone)
                if phone.socket is not None:
                    self._watch_close(phone, phone.socket)
                    self._flush(phone)
            await asyncio.sleep(0.2)

    def _flush(self, phone: Phone) -> None:
        life = self.lives[phone]
        if phone.socket is not None and not life.away:
            waiting, life.pending = life.pending, []
            for sent in waiting:
                self._write(phone, sent)

    # --- what phones do ------------------------------------------------------------------

    def vote(self, phone: Phone, poll: str, kind: str) -> None:
        rng = self.rng
        fields: dict[str, object] = {"type": "poll.vote", "poll": poll}
        if kind == "single":
            fields["choice"] = rng.choice(OPTION_IDS)
        elif kind == "multiple":
            fields["choices"] = rng.sample(OPTION_IDS, rng.randint(1, 3))
        elif kind == "scale":
            fields["value"] = rng.randint(1, 5)
        elif kind == "text":
            fields["text"] = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
        elif kind == "ranking":
            fields["ranking"] = rng.sample(OPTION_IDS, 4)
        else:
            first = rng.randint(0, 100)
            fields["points"] = {"o1": first, rng.choice(OPTION_IDS[1:]): 100 - first}
        self.send(phone, f"vote:{poll}", fields)

    def post(self, phone: Phone, board: str, k: int) -> None:
        rng = self.rng
        text = f"{' '.join(rng.sample(WORDS, rng.randint(2, 5)))} ({k})"
        self.send(phone, f"card:{board}", {"type": "idea.post", "board": board, "text": text})

    def ask(self, phone: Phone, session: str, k: int) -> None:
        words = " ".join(self.rng.sample(WORDS, 3))
        text = f"Wie geht es weiter mit {words}? ({k})"
        self.send(phone, "ask", {"type": "question.ask", "session": session, "text": text})

    def upvote(self, phone: Phone) -> None:
        own = {q for q, who in self.questions if who is phone}
        done = self._live  # a question once "jetzt dran" is answered when the next one is
        choices = [
            q
            for q, _ in self.questions
            if q not in own and q not in done and (phone, q) not in self.upvoted
        ]
        if choices:
            q = self.rng.choice(choices[-40:])  # the newest ones are on the phone's screen
            self.upvoted.add((phone, q))
            self.send(phone, "upvote", {"type": "question.upvote", "question": q})

    def note(self, table: str) -> None:
        host = self.hosts.get(table)
        if host is None or self.lives[host].left:
            return
        text = "; ".join(self.rng.sample(WORDS, 8))
        self.send(host, "note", {"type": "cafe.note", "table": table, "text": text})

    def check_in(self, phone: Phone) -> None:
        table = self.rng.choice(self.tables)
        self.send(phone, "check_in", {"type": "cafe.check_in", "table": table})

    # --- the moderator's afternoon ----------------------------------------------------------

    async def command(
        self, fields: dict[str, Any], within_s: float = 60.0, moderator: Moderator | None = None
    ) -> str | None:
        moderator = moderator or self.room.moderator
        assert moderator is not None
        t = time.monotonic_ns()
        ack = await moderator.command(fields, within_s)
        took = (time.monotonic_ns() - t) / 1e6
        self.moderator_ms.append(took)
        self.moderator_slowest = sorted([*self.moderator_slowest, (took, fields["type"])])[-5:]
        return ack.id

    async def moderate(self) -> None:
        """The whole agenda, in order; phones' actions are scheduled as each part opens."""
        cfg, rng = self.config, self.rng
        agenda: list[tuple[float, str, int]] = []
        step = (POLLS[1] - POLLS[0]) / max(1, cfg.polls)
        agenda += [(POLLS[0] + k * step, "poll", k) for k in range(cfg.polls)]
        agenda.append((QNA_AT, "qna", 0))
        agenda += [(show, "board", b) for b, (show, _, _) in enumerate(BOARDS)]
        agenda += [(until + 1.0, "suggest", b) for b, (_, until, _) in enumerate(BOARDS)]
        agenda.append((CAFE_AT, "cafe", 0))
        agenda += [(FIRST_ROUND + r * ROUND_EVERY, "round", r) for r in range(cfg.cafe_rounds)]
        agenda += [
            (FIRST_ROUND + r * ROUND_EVERY + ROUND_LENGTH, "end_round", r)
            for r in range(cfg.cafe_rounds)
        ]
        for lo, hi in ASK:
            agenda += [(m, "live", 0) for m in _steps(lo + 3, hi + 3, LIVE_EVERY)]
        agenda.sort(key=lambda item: (item[0], item[1]))
        self.session = ""
        for minute, what, k in agenda:
            await self.until(minute)
            if what == "poll":
                await self._poll(k)
            elif what == "qna":
                await self._qna()
            elif what == "board":
                await self._board(k)
            elif what == "suggest" and cfg.suggest and k < len(self.boards):
                self._background(self._suggest(self.boards[k]))
            elif what == "cafe":
                await self._cafe()
            elif what == "round":
                await self.command({"type": "cafe.start_round"})
                self.round_started += 1
                self._round_began = self.minute()  # the moderator may be late
                self._round(self._round_began)
            elif what == "end_round":  # a round lasts its length, even if it began late
                await self.until(max(minute, self._round_began + ROUND_LENGTH))
                await self.command({"type": "cafe.end_round"})
            elif what == "live":
                waiting = [q for q, _ in self.questions if q not in self._live]
                if waiting:
                    q = rng.choice(waiting)
                    self._live.add(q)
                    await self.command({"type": "question.live", "question": q})

    async def _poll(self, k: int) -> None:
        kind = KINDS[k % len(KINDS)]
        fields: dict[str, Any] = {"type": "poll.create", "kind": kind, "question": f"Frage {k + 1}"}
        if kind in ("single", "multiple", "ranking", "points"):
            fields["options"] = OPTIONS
        poll = await self.command(fields)
        assert poll is not None
        self.polls.append(poll)
        await self.command({"type": "poll.open", "poll": poll})
        await self.command({"type": "screen.show", "what": "poll", "poll": poll})
        now = self.minute()
        for phone in self.present(now + VOTE_WITHIN):
            if self.rng.random() < 0.9:
                self.at(now + self.rng.uniform(0.1, VOTE_WITHIN), self.vote, phone, poll, kind)
        self.at(now + POLL_OPEN, self._close_poll, poll)

    def _close_poll(self, poll: str) -> None:
        self._spawn(self._closing(poll))

    async def _closing(self, poll: str) -> None:
        try:
            await self.command({"type": "poll.close", "poll": poll})
        except Exception as exc:
            self.moderator_errors.append(f"{poll} close: {type(exc).__name__}: {exc}"[:200])

    async def _qna(self) -> None:
        cfg, rng = self.config, self.rng
        self._live = set()
        session = await self.command(
            {"type": "qna.create", "title": "Fragen an das Podium", "mode": "open"}
        )
        assert session is not None
        self.session = session
        half = cfg.questions // 2
        for window, count in zip(ASK, (half, cfg.questions - half), strict=True):
            for k in range(count):
                minute = rng.uniform(*window)
                self.at(minute, self._ask_someone, minute, session, k)
        for window in UPVOTE:
            for phone in list(self.lives):
                for _ in range(cfg.upvotes_per_phone // len(UPVOTE) or 1):
                    minute = rng.uniform(*window)
                    self.at(minute, self._upvote_if_present, phone, minute)

    def _ask_someone(self, minute: float, session: str, k: int) -> None:
        present = self.present(minute)
        if present:
            self.ask(self.rng.choice(present), session, k)

    def _upvote_if_present(self, phone: Phone, minute: float) -> None:
        life = self.lives[phone]
        if life.present(minute) and not life.left:
            self.upvote(phone)

    async def _board(self, b: int) -> None:
        cfg, rng = self.config, self.rng
        board = await self.command(
            {"type": "ideas.create_board", "prompt": f"Was braucht die Region? ({b + 1})"}
        )
        assert board is not None
        self.boards.append(board)
        await self.command({"type": "ideas.show", "board": board, "view": "wall"})
        _, until, _ = BOARDS[b]
        count = cfg.cards // len(BOARDS) + (1 if b < cfg.cards % len(BOARDS) else 0)
        start = self.minute()
        for k in range(count):
            minute = rng.uniform(start + 0.2, until)
            self.at(minute, self._post_someone, minute, board, k)

    def _post_someone(self, minute: float, board: str, k: int) -> None:
        present = self.present(minute)
        if present:
            self.post(self.rng.choice(present), board, k)

    async def _suggest(self, board: str) -> None:
        """A co-moderator's console sorts the board (its socket waits for the model)."""
        room = self.room
        second = Moderator("127.0.0.1", room.server.port, room.live_url, room.moderator_token)
        await second.open()
        try:
            t = time.monotonic()
            await self.command({"type": "cluster.suggest", "board": board}, 300, second)
            await self.command({"type": "cluster.accept", "board": board}, 60, second)
            self.suggest_s.append(round(time.monotonic() - t, 1))
        except Exception as exc:  # reported, and the event goes on
            self.moderator_errors.append(f"{board} sort: {type(exc).__name__}: {exc}"[:200])
        finally:
            await second.close()

    def _background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """A moderator action that must not hold up the agenda."""
        self._spawn(coro)

    async def _cafe(self) -> None:
        cfg = self.config
        tables = [
            {"topic": f"Tisch {t + 1}: {WORDS[t % len(WORDS)]}"} for t in range(cfg.cafe_tables)
        ]
        create = {"type": "cafe.create", "tables": tables, "rounds": cfg.cafe_rounds}
        await self.command(create | {"round_minutes": ROUND_LENGTH}, within_s=300)
        self.tables = [f"t{t + 1}" for t in range(cfg.cafe_tables)]
        candidates = host_candidates(self.lives, self.minute())
        hosts = self.rng.sample(candidates, min(len(candidates), len(self.tables), cfg.cafe_hosts))
        for table, host in zip(self.tables, hosts, strict=False):
            self.hosts[table] = host
            await self.command(
                {"type": "cafe.set_host", "table": table, "participant": host.participant_id}
            )

    def _round(self, start: float) -> None:
        """Hosts write notes twice a round; newcomers without a seat check in at a table."""
        rng = self.rng
        for table in self.hosts:
            for when in (start + ROUND_LENGTH * 0.3, start + ROUND_LENGTH * 0.7):
                self.at(when + rng.uniform(-0.5, 0.5), self.note, table)
        if self.newcomers is not None:
            for phone in self.newcomers.phones:
                when = start + rng.uniform(0.5, 3.0)
                if self.lives[phone].present(when):
                    self.at(when, self.check_in, phone)

    # --- the end ---------------------------------------------------------------------------

    def all_phones(self) -> list[Phone]:
        return list(self.lives)

    def live_count(self) -> int:
        return sum(
            1
            for p, life in self.lives.items()
            if p.socket is not None and not (life.away or life.left or p.socket.closed.done())
        )

    def halt(self) -> None:
        """Nothing more happens: timers and reconnects are cancelled (also after a failure)."""
        self.ending = True
        for timer in self._timers:
            timer.cancel()
        for task in list(self._tasks):
            task.cancel()

    async def stop(self) -> None:
        """The end: every phone closes its page."""
        self.halt()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for phones in (self.room.phones, self.newcomers):
            if phones is not None:
                await phones.stop()
        if self.newcomers is not None:
            self.newcomers.pool.close()


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw by counting exponential gaps (mean is small here)."""
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def _steps(lo: float, hi: float, every: float) -> list[float]:
    out, m = [], lo
    while m < hi:
        out.append(m)
        m += every
    return out


# --- one run -------------------------------------------------------------------------------


async def run(
    config: StaminaConfig,
    progress: Progress,
    source: Path | None = None,
    quiet: Callable[[], Awaitable[float]] | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One compressed event; a failed run is reported with its error, never raised."""
    settings = asdict(config)
    settings["keep_log"] = str(config.keep_log) if config.keep_log else None
    result: dict[str, Any] = {"n": config.n, "config": settings, "ok": False}
    step = "setting up"
    samples: list[Sample] = []
    try:
        async with asyncio.timeout(config.timeout_s):
            ramp = max(1.0, ARRIVAL * config.scale)
            async with LiveRoom(
                config.n, progress, source, ramp, extra_env=extra_env, patches=config.patches
            ) as room:
                try:
                    if quiet is not None:
                        result["machine_busy_before_cores"] = round(await quiet(), 2)
                    step = "the event"
                    result |= await _event(config, room, progress, samples, source)
                    result |= room.memory()
                finally:
                    result["server_alive_at_end"] = room.server.alive()
            result["server_log"] = room.log
    except TimeoutError as exc:
        result["error"] = f"timed out ({exc or f'after {config.timeout_s:.0f} s'}) while {step}"
    except Exception as exc:  # a broken run is a result too
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
    result["timeline"] = [list(s) for s in samples]
    result["timeline_fields"] = list(Sample._fields)
    if result.get("error"):
        progress(result["error"])
    return result


async def _event(
    config: StaminaConfig,
    room: LiveRoom,
    progress: Progress,
    samples: list[Sample],
    source: Path | None,
) -> dict[str, Any]:
    assert room.phones is not None
    assert room.screen is not None
    screen = room.screen
    event = Event(config, room, progress)
    room.phones.on_ack = event.on_ack
    db = room.workdir / "db.sqlite3"

    def seq() -> int:
        return screen.seq_max[-1] if screen.seq_max else 0

    samples.append(read_sample(room.server, event.t0_mono, db, event.live_count, seq))
    watcher = asyncio.create_task(
        watch(room.server, event.t0_mono, db, config.sample_every_s, samples, event.live_count, seq)
    )
    gen_before = self_cpu_s()
    event.plan()
    moderator = asyncio.create_task(event.moderate())
    arrivals = asyncio.create_task(event.arrive())
    try:
        while event.minute() < EVENT_MINUTES:
            left = (EVENT_MINUTES - event.minute()) * config.scale
            every = min(30.0, config.event_s / 6, max(0.01, left))
            if moderator.done():
                if moderator.exception() is not None:
                    raise moderator.exception()  # type: ignore[misc]
                await asyncio.sleep(every)
            else:
                await asyncio.wait([moderator], timeout=every)
            last = samples[-1]
            progress(
                f"minute {event.minute():5.1f}/{EVENT_MINUTES:.0f}: "
                f"RSS {last.rss_kib / 1024:.1f} MiB, {last.fds} fds, "
                f"WAL {last.wal_bytes / 2**20:.1f} MiB, {event.live_count()} live, "
                f"{event.commands.answered}/{len(event.commands.by_cid)} answered, seq {last.seq}"
            )
        await asyncio.wait_for(moderator, 120)  # its last step was due before the end
        arrivals.cancel()
        await asyncio.gather(arrivals, return_exceptions=True)
        background = [t for t in event._tasks if not t.done()]
        if background:  # a sort still running, a poll closing
            await asyncio.wait(background, timeout=300)
        step_end = time.monotonic()
        # what is still in flight gets a little time (a phone just back resends)
        event.closing = True
        with contextlib.suppress(TimeoutError):
            await event.commands.wait_all(60)
        event_s = time.monotonic() - event.t0_mono
        samples.append(read_sample(room.server, event.t0_mono, db, event.live_count, seq))
        final = await room.state()
        result = _metrics(config, event, final)
        result["event_s"] = round(event_s, 1)
        result["drain_s"] = round(time.monotonic() - step_end, 1)
        await event.stop()
        await asyncio.sleep(min(10.0, config.sample_every_s))
        closing = read_sample(room.server, event.t0_mono, db, event.live_count, seq)
        samples.append(closing)
        # what the room's data itself grew by over the verdict's window, measured by replay
        entries = read_log(db, room.code)
        result["data"] = data_growth(entries, samples, config.event_s, source)
        if config.keep_log is not None:
            write_log(config.keep_log, entries)
        result["after_everyone_left"] = {
            "rss_mib": round(closing.rss_kib / 1024, 1),
            "fds": closing.fds,
            "threads": closing.threads,
        }
    finally:
        event.halt()
        watcher.cancel()
        moderator.cancel()
        arrivals.cancel()
    result["generator_cpu_s_total"] = round(self_cpu_s() - gen_before, 1)
    result["memory_verdict"] = verdict(samples, config.event_s, SLOPE_LIMIT_MB_PER_10_MIN)
    result["cpu"] = cpu_split(samples, config.event_s)
    problems = list(result.pop("problems"))
    if not result["memory_verdict"]["flat"]:
        problems.append(
            f"RSS not flat: {result['memory_verdict']['rss_slope_mb_per_10_min']} MB per 10 min"
        )
    result["ok"] = not problems
    if problems:
        result["error"] = "; ".join(problems)
    return result


def _metrics(config: StaminaConfig, event: Event, final: dict[str, Any]) -> dict[str, Any]:
    """Every command answered, none refused but late votes; the state holds what was acked."""
    commands = event.commands
    by_kind: Counter[str] = Counter()
    ok_by_kind: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    ack_ms: list[float] = []
    voters: dict[str, set[Phone]] = {}
    cards: Counter[str] = Counter()
    owners: dict[str, Phone] = {}
    for life in event.lives.values():
        for sent in life.mine:
            owners[sent.cid] = life.phone
    for cid, sent in commands.by_cid.items():
        kind = event.kinds.get(cid, "?")
        base = kind.split(":")[0]
        by_kind[base] += 1
        if sent.ack is None:
            continue
        if not sent.ack.ok:
            refused[f"{base}:{sent.ack.reason}"] += 1
            continue
        ok_by_kind[base] += 1
        if sent.ack_ns and sent.sent_ns:
            ack_ms.append((sent.ack_ns - sent.sent_ns) / 1e6)
        if base == "vote":
            voters.setdefault(kind.split(":")[1], set()).add(owners[cid])
        elif base == "card":
            cards[kind.split(":")[1]] += 1
    lost = Counter(event.kinds.get(c, "?") for c, s in commands.by_cid.items() if s.ack is None)
    unanswered = sum(lost.values())
    state = final["state"]
    polls = {p["id"]: (p.get("results") or {}).get("voters") for p in state.get("polls", [])}
    checks: dict[str, Any] = {
        "polls": len(event.polls) == config.polls,
        "poll_voters_exact": all(polls.get(p) == len(voters.get(p, ())) for p in event.polls),
        "cafe_rounds": event.round_started == config.cafe_rounds,
        "all_answered": unanswered == 0,
        # a vote that reaches its poll after the close (sent late, or resent after a drop)
        # is refused as a phone's page would be told; anything else is a fault, a host's
        # note refused ``not_host`` too (it was the scenario's: see host_candidates)
        "refused_only_late_votes": all(k == "vote:poll_closed" for k in refused),
        "moderator_all_acked": not event.moderator_errors,
    }
    boards = {b["id"]: b for b in state.get("boards", [])}
    checks["cards_exact"] = all(
        b in boards and boards[b].get("count") == cards[b] for b in event.boards
    )
    sessions = state.get("qna", [])
    on_record = sum(len(s.get("questions", [])) for s in sessions)
    checks["questions_exact"] = on_record == len(event.questions)
    lives = list(event.lives.values())
    back = [ms for life in lives for ms in life.back_ms]
    problems = [name for name, good in checks.items() if good is False]
    return {
        "problems": problems,
        "checks": checks,
        "commands": dict(by_kind),
        "commands_ok": dict(ok_by_kind),
        "refused": dict(refused),
        "unanswered": unanswered,
        "unanswered_by_kind": dict(lost),
        "voters_expected": {p: len(voters.get(p, ())) for p in event.polls},
        "ack_ms": distribution(ack_ms),
        "moderator_ack_ms": distribution(event.moderator_ms),
        "moderator_slowest": [[round(ms), what] for ms, what in event.moderator_slowest],
        "moderator_errors": event.moderator_errors,
        "sort_s": event.suggest_s,
        "phones": {
            "first": config.n,
            "newcomers": len(event.newcomers.phones) if event.newcomers else 0,
            "left": sum(1 for life in lives if life.left),
            "reconnects": sum(life.reconnects for life in lives),
            "closed_by_server": sum(life.server_closed for life in lives)
            + sum(1 for life in lives if life.phone.closed_code is not None),
            "errors": Counter(p.phone.error for p in lives if p.phone.error).most_common(3),
        },
        "back_ms": distribution(back),
        "polls": {p: polls.get(p) for p in event.polls},
        "cards": dict(cards),
        "questions": len(event.questions),
        "state_seq": final.get("seq"),
    }


# --- make bench -----------------------------------------------------------------------------


async def suite(
    args: argparse.Namespace, progress: Progress, quiet: Callable[[], Awaitable[float]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    runs = []
    for n in args.n:
        for r in range(1, args.repeat + 1):
            if args.quick:
                config = quick_config(n, seed=r)
            else:
                config = StaminaConfig(n=n, minutes=args.minutes, seed=args.seed + r - 1)
            result = await run(config, progress, args.source, quiet) | {"repeat": r}
            progress(f"[stamina n={n} {r}/{args.repeat}] {line(result)}")
            runs.append(result)
    return runs, summarise(runs)


def quick_config(n: int = 30, seed: int = 1, minutes: float = 0.5) -> StaminaConfig:
    """A small, short event with every part of the real one (the smoke test's)."""
    return StaminaConfig(
        n=n,
        minutes=minutes,
        polls=6,
        cards=60,
        cafe_rounds=4,
        cafe_tables=4,
        cafe_hosts=2,
        questions=10,
        upvotes_per_phone=2,
        reconnects_per_phone=2.0,
        churn=0.2,
        suggest=False,
        sample_every_s=1.0,
        seed=seed,
    )


def line(run: dict[str, Any]) -> str:
    v = run.get("memory_verdict")
    if not v:
        return f"FAILED: {run.get('error')}"
    cpu = run.get("cpu") or {}
    return (
        f"RSS slope {v['rss_slope_mb_per_10_min']} MB/10 min over the last two thirds "
        f"({v['rss_at_window_start_mib']} → {v['rss_at_end_mib']} MiB), fds {v['fds_min_max']}, "
        f"WAL max {v['wal_mib_max']} MiB; server {cpu.get('server_cores')} cores, generator "
        f"{cpu.get('generator_cores')}; {'ok' if run['ok'] else run.get('error')}"
    )


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One run is the benchmark (15 minutes); with several, each is listed."""
    return {
        "runs": len(runs),
        "ok": sum(1 for r in runs if r.get("ok")),
        "per_run": [
            {
                "repeat": r.get("repeat"),
                "ok": r.get("ok"),
                "memory": r.get("memory_verdict"),
                "cpu": r.get("cpu"),
                "unanswered": r.get("unanswered"),
                "refused": r.get("refused"),
            }
            for r in runs
        ],
    }


# --- a run by hand: smaller, shorter, from a source tree, with the heap watched -------------

HEAPWATCH = Path(__file__).resolve().parent.parent / "heapwatch"


def main(argv: list[str] | None = None) -> int:
    """``python -m loadtests.scenarios.stamina``: one run with any settings, JSON to ``--out``.

    For development and leak hunts; ``make bench`` goes through ``loadtests.run``.
    ``--heap-watch FILE`` loads :mod:`loadtests.heapwatch` into the server (see there).
    """
    import json
    import sys

    from loadtests.run import raise_open_files

    parser = argparse.ArgumentParser(prog="python -m loadtests.scenarios.stamina")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--reconnects", type=float, default=4.0, help="per phone over the event")
    parser.add_argument("--no-suggest", action="store_true")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-dir", type=Path, help="run the server from this source tree")
    parser.add_argument("--heap-watch", type=Path, metavar="FILE")
    parser.add_argument("--heap-every", type=float, default=30.0)
    parser.add_argument("--trace", action="store_true", help="tracemalloc in the server (slow)")
    parser.add_argument(
        "--collect", action="store_true", help="each look thaws and collects (count the garbage)"
    )
    parser.add_argument(
        "--trim", action="store_true", help="each look calls malloc_trim(0) (RSS before/after)"
    )
    parser.add_argument(
        "--census", action="store_true", help="each look counts every container, frozen ones too"
    )
    parser.add_argument(
        "--patch-phones", action="store_true", help="phones take patches (docs/api.md)"
    )
    parser.add_argument(
        "--keep-log", type=Path, metavar="FILE", help="write the room's log entries here"
    )
    parser.add_argument("--out", type=Path, default=Path("stamina-dev.json"))
    args = parser.parse_args(argv)
    raise_open_files(4 * args.n + 1024)
    config = StaminaConfig(
        n=args.n,
        minutes=args.minutes,
        cards=args.cards,
        reconnects_per_phone=args.reconnects,
        suggest=not args.no_suggest,
        sample_every_s=args.every,
        seed=args.seed,
        keep_log=args.keep_log,
        patches=args.patch_phones,
    )
    source = args.server_dir.resolve() if args.server_dir else None
    env: dict[str, str] = {}
    if args.heap_watch is not None:
        args.heap_watch.unlink(missing_ok=True)
        path = [str(HEAPWATCH), *([str(source)] if source else [])]
        env = {
            "PYTHONPATH": ":".join(path),
            "DIALOGRAUM_HEAPWATCH": str(args.heap_watch.resolve()),
            "DIALOGRAUM_HEAPWATCH_EVERY": str(args.heap_every),
            "DIALOGRAUM_HEAPWATCH_AFTER": str(config.event_s / 3),
            "DIALOGRAUM_HEAPWATCH_TRACE": "1" if args.trace else "0",
            "DIALOGRAUM_HEAPWATCH_COLLECT": "1" if args.collect else "0",
            "DIALOGRAUM_HEAPWATCH_TRIM": "1" if args.trim else "0",
            "DIALOGRAUM_HEAPWATCH_CENSUS": "1" if args.census else "0",
        }

    def say(text: str) -> None:
        print(text, flush=True)

    result = asyncio.run(run(config, say, source, None, env or None))
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    say(line(result))
    say(json.dumps({k: result.get(k) for k in ("checks", "refused", "unanswered", "phones")}))
    sys.stdout.flush()
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    raise SystemExit(main())
