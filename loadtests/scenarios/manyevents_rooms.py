"""The many-events scenario's parts: the fifty projectors, one event, and its programme.

An event here is what one regional event on a national day is to the
server: a code, a moderator's console socket, a projector and its phones.
Each paced event runs its own programme, a poll, then its idea board on the
projector, then a poll again, with its own segment length and its own share
of phones that vote or post, starting at its own offset; a burst event
instead opens a poll at the start of each burst window and has every phone
vote within a second. Every command is keyed by ``cid`` (see
:mod:`loadtests.commands`); what an event expects to find in its final
state is kept next to it, so the checks can tell a lost card from a card
that landed in another event.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from loadtests.clients import Moderator, Phone, Phones
from loadtests.commands import Commands

OPTIONS = ("o1", "o2", "o3", "o4")
WORDS = (
    "Radwege", "Klimaschutz", "Bildung", "Wohnraum", "Ehrenamt", "Nahverkehr", "Kultur",
    "Jugend", "Senioren", "Inklusion", "Grünflächen", "Nachbarschaft", "Vereine", "Energie",
    "Schule", "Kita", "Sport", "Musik", "Bibliothek", "Integration", "Innenstadt", "Dorfplatz",
)  # fmt: skip


def card_text(room: int, phone: int, k: int, rng: random.Random) -> str:
    """A card that says which event and phone wrote it, so a card that crossed is caught."""
    return f"E{room:02d}-P{phone:03d}-{k} " + " ".join(rng.sample(WORDS, rng.randint(1, 3)))


def room_tag(room: int) -> str:
    return f"E{room:02d}-"


# --- the projectors -------------------------------------------------------------------


@dataclass(eq=False)
class Screen:
    """One event's projector as the probe saw it, push by push (stamps in ns)."""

    times_ns: list[int] = field(default_factory=list)
    seq_max: list[int] = field(default_factory=list)  # running maximum, so it can be bisected
    online: int = 0
    mode: str = "-"
    poll: str = "-"
    status: str = "-"
    voters: int = -1
    counts: str = "-"
    board: str = "-"
    cards: int = -1

    def first_seq_at_least(self, seq: int) -> int | None:
        index = bisect.bisect_left(self.seq_max, seq)
        return self.times_ns[index] if index < len(self.seq_max) else None


class EventScreens:
    """Follows ``loadtests.event_screens``: every event's projector, in a process of its own."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.screens = [Screen() for _ in urls]
        self.closed: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self, within_s: float = 60.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "loadtests.event_screens",
            *self.urls,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 20,
        )
        self._reader = asyncio.create_task(self._read())
        await self.wait_until(lambda: all(s.times_ns for s in self.screens), within_s)

    async def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            parts = line.decode().split()
            if parts[0] == "msg" and len(parts) >= 12:
                screen = self.screens[int(parts[1])]
                screen.times_ns.append(int(parts[2]))
                seq = int(parts[3])
                screen.seq_max.append(max(seq, screen.seq_max[-1] if screen.seq_max else 0))
                screen.online, screen.mode = int(parts[4]), parts[5]
                screen.poll, screen.status = parts[6], parts[7]
                screen.voters, screen.counts = int(parts[8]), parts[9]
                screen.board, screen.cards = parts[10], int(parts[11])
            elif parts[0] in ("closed", "error"):
                self.closed.append(" ".join(parts[1:2] + parts[3:]))
            self._changed.set()
        self.closed.append("probe exited")
        self._changed.set()

    async def wait_until(self, ready: Callable[[], bool], within_s: float) -> None:
        async with asyncio.timeout(within_s):
            while not ready():
                if self.closed:
                    raise RuntimeError(f"a screen connection ended: {self.closed[:3]}")
                self._changed.clear()
                await self._changed.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 5)
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 5)


# --- one event --------------------------------------------------------------------------


@dataclass(eq=False)
class Event:
    """One event: its phones, its console, and what it should hold at the end."""

    index: int
    code: str
    moderator_token: str
    phones: Phones
    commands: Commands
    screen: Screen
    burst: bool = False
    moderator: Moderator | None = None
    board: str = ""
    votes: dict[str, tuple[str, str]] = field(default_factory=dict)  # cid -> (poll, choice)
    cards: dict[str, str] = field(default_factory=dict)  # cid -> text
    polls: list[str] = field(default_factory=list)
    moderator_ms: list[float] = field(default_factory=list)  # the console's acks
    segments: int = 0

    async def command(self, fields: dict[str, object]) -> str | None:
        assert self.moderator is not None
        started = time.monotonic_ns()
        ack = await self.moderator.command(fields, within_s=60)
        self.moderator_ms.append((time.monotonic_ns() - started) / 1e6)
        return ack.id

    async def open_poll(self) -> str:
        """create → open → on screen, as the console does for a live question."""
        poll = await self.command(
            {
                "type": "poll.create",
                "kind": "single",
                "question": "Wie weiter?",
                "options": ["A", "B", "C", "D"],
            }
        )
        if poll is None:
            raise RuntimeError("poll.create acked without an id")
        await self.command({"type": "poll.open", "poll": poll})
        await self.command({"type": "screen.show", "what": "poll", "poll": poll})
        self.polls.append(poll)
        return poll

    def plan_votes(
        self, poll: str, phones: list[Phone], delays: list[float], rng: random.Random
    ) -> None:
        items: list[tuple[Phone, float, str, dict[str, object]]] = []
        for phone, delay in zip(phones, delays, strict=True):
            choice = rng.choice(OPTIONS)
            cid = f"v-{poll}-{phone.index}"
            self.votes[cid] = (poll, choice)
            items.append((phone, delay, cid, {"type": "poll.vote", "poll": poll, "choice": choice}))
        self.commands.plan(items)

    def plan_cards(self, phones: list[Phone], delays: list[float], rng: random.Random) -> None:
        items: list[tuple[Phone, float, str, dict[str, object]]] = []
        for phone, delay in zip(phones, delays, strict=True):
            text = card_text(self.index, phone.index, self.segments, rng)
            cid = f"c-{self.segments}-{phone.index}"
            self.cards[cid] = text
            items.append(
                (phone, delay, cid, {"type": "idea.post", "board": self.board, "text": text})
            )
        self.commands.plan(items)


@dataclass(frozen=True)
class Pace:
    """An event's own rhythm: how long a segment lasts, who takes part, where it starts."""

    segment_s: float
    pause_s: float  # between segments: the moderator talks, nobody sends
    vote_share: float
    card_share: float
    offset_s: float
    poll_first: bool

    @classmethod
    def draw(
        cls, rng: random.Random, segment_s: tuple[float, float], pause_s: tuple[float, float]
    ) -> Pace:
        length = rng.uniform(*segment_s)
        return cls(
            segment_s=round(length, 2),
            pause_s=round(rng.uniform(*pause_s), 2),
            vote_share=round(rng.uniform(0.6, 1.0), 2),
            card_share=round(rng.uniform(0.15, 0.4), 2),
            offset_s=round(rng.uniform(0, length / 2), 2),
            poll_first=rng.random() < 0.5,
        )


async def sleep_until(at: float) -> None:
    """``at`` on time.monotonic()'s clock."""
    delay = at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def _answered(event: Event, within_s: float = 60.0) -> None:
    """Until every command so far has its ack; one never answered is counted, not raised."""
    with contextlib.suppress(TimeoutError):
        await event.commands.wait_all(within_s)


async def paced(event: Event, pace: Pace, rng: random.Random, start: float, end: float) -> None:
    """Poll, pause, board, pause, poll, …: each segment's commands at random moments,
    sent before ``end``.

    A segment closes its poll only once every vote of it has its ack, so a
    slow moment shows as latency, never as a vote refused for a closed poll.
    """
    await sleep_until(start + pace.offset_s)
    poll_now = pace.poll_first
    while (now := time.monotonic()) < end - 1.0:
        until = min(now + pace.segment_s, end)
        share = pace.vote_share if poll_now else pace.card_share
        who = [p for p in event.phones.phones if rng.random() < share]
        poll = await event.open_poll() if poll_now else None
        if poll is None:
            await event.command({"type": "ideas.show", "board": event.board, "view": "wall"})
        room_left = max(0.1, until - time.monotonic())
        delays = [rng.uniform(0, 0.8 * room_left) for _ in who]
        if poll is not None:
            event.plan_votes(poll, who, delays, rng)
        else:
            event.plan_cards(who, delays, rng)
        event.segments += 1
        await sleep_until(until)
        await _answered(event)
        if poll is not None:
            await event.command({"type": "poll.close", "poll": poll})
        poll_now = not poll_now
        await sleep_until(min(time.monotonic() + pace.pause_s, end))


async def bursting(
    event: Event, rng: random.Random, windows: list[float], spread_s: float, lead_s: float
) -> None:
    """At each burst window's start, every phone votes within ``spread_s`` (the poll is
    opened ``lead_s`` before, so the burst is the votes, not the console)."""
    for at in windows:
        await sleep_until(at - lead_s)
        poll = await event.open_poll()
        await sleep_until(at)
        phones = event.phones.phones
        event.plan_votes(poll, phones, [rng.uniform(0, spread_s) for _ in phones], rng)
        event.segments += 1
        await _answered(event)
        await event.command({"type": "poll.close", "poll": poll})
