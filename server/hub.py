"""The per-room hub: the one place a worker keeps a room alive.

It only composes three jobs, each in its own module, and is the face the
handlers and the registry talk to:

- :mod:`server.writer`: the command queue, group commit, lost append
  races, catching up with other workers, the snapshot; it owns the state;
- :mod:`server.presence`: who is online, here and on the other workers;
- :mod:`server.fanout`: coalesced, leading-edge flushes of shared and
  personal views into every subscriber's outbox.

The writer and presence tell the fan-out what changed; the fan-out reads
the room back through the hub (:class:`server.fanout.Source`). The broker's
notices are split here: presence notices to presence, log notices to the
writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rooms.activities import DEFAULT_LIMITS, Limits
from rooms.base import Actor
from rooms.room import Command, RoomState
from server.ballot_keys import BallotKeys
from server.broker import PRESENCE, TURN, Broker
from server.fanout import FanOut, Presenter, Subscriber
from server.presence import Presence
from server.stores.base import EventStore
from server.writer import GATHER_S, Result, Writer


@dataclass
class HubSettings:
    window: float = 0.1
    phone_window: float = 1.0  # phones get the shared views at most this often (their own: at once)
    phone_counts_per_s: float = 500.0  # counts-only pushes per room and second (0: no cap)
    burst: float = 20
    per_second: float = 2
    remembered_rejections: int = 10_000
    # Several workers append to one log (Redis): keep a snapshot of the
    # committed state, so a lost append race costs a decode and a short
    # catch-up instead of a replay of the whole log.
    shared_log: bool = False
    presence_delay: float = 0.25  # online changes are shared at most this often
    presence_refresh: float = 10.0  # and renewed this often (the TTL is 3x)
    limits: Limits = DEFAULT_LIMITS  # every decide and apply of the room, and its replays
    gather_s: float = GATHER_S  # a busy room's batch waits this long for more (0: never)


class Hub:
    def __init__(
        self,
        code: str,
        store: EventStore,
        broker: Broker,
        presenter: Presenter,
        settings: HubSettings | None = None,
        keys: BallotKeys | None = None,
    ) -> None:
        self.code = code
        # The poll secrets of anonymous ballots; one per app, shared with the presenter.
        self.keys = keys if keys is not None else BallotKeys(store)
        self.store = store
        self.broker = broker
        self.presenter = presenter
        self.settings = s = settings or HubSettings()
        self.fanout = FanOut(code, presenter, self, s.window, s.phone_window, s.phone_counts_per_s)
        self.presence = Presence(
            code,
            broker,
            self.fanout.shared_changed,
            shared=s.shared_log,
            delay=s.presence_delay,
            refresh=s.presence_refresh,
        )
        self.writer = Writer(
            code,
            store,
            broker,
            self.fanout,
            shared_log=s.shared_log,
            burst=s.burst,
            per_second=s.per_second,
            remembered_rejections=s.remembered_rejections,
            limits=s.limits,
            keys=self.keys,
            gather_s=s.gather_s,
        )
        self._unsubscribe: Callable[[], None] | None = None

    async def load(self) -> None:
        """Rebuild the room by replaying its log, then follow the broker."""
        await self.writer.load()
        self._unsubscribe = self.broker.subscribe(self.code, self._on_notice)
        await self.presence.load()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.presence.stop()  # a stopped hub shares no presence; its field expires
        self.writer.stop()
        self.fanout.stop()

    async def close(self, within: float = 5.0) -> None:
        """Stop, then wait (at most ``within`` s) for the writer's and the presence's
        running tasks, cancelling what is left.

        Why: ``stop`` is for a hub whose store lives on. Before the store itself is
        closed its tasks must be done: a catch-up still reading from a closed
        Redis Cluster client re-opens its connections (redis-py initialises a
        closed cluster client again on the next command), and those sockets were
        left to the garbage collector after the event loop had closed (a flaky
        ResourceWarning in the Redis tests).
        """
        self.stop()
        tasks = self.writer.running() | self.presence.running()
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=within)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)

    def _on_notice(self, room: str, seq: int) -> None:
        if seq == PRESENCE:
            self.presence.notice()
        elif seq == TURN:
            self.writer.give_turn()
        else:
            self.writer.notice(seq)

    # --- what the handlers read (and the fan-out's Source) -------------------

    @property
    def state(self) -> RoomState:
        return self.writer.state

    def pseudonyms(self, participant: str) -> dict[str, str]:
        """Poll id → the participant's pseudonym there (their phone's anonymous ballots)."""
        return self.keys.pseudonyms(self.code, self.state.polls, participant)

    @property
    def online(self) -> frozenset[str]:
        return self.presence.online

    @property
    def online_count(self) -> int:
        """``len(online)``, without building the set during a join storm."""
        return self.presence.count

    @property
    def appending(self) -> bool:
        """The state may hold entries the log does not: an append in flight, or a lost
        race whose recovery is reading the log (the fan-out shows neither)."""
        return self.writer.appending or self.writer.recovering

    @property
    def exists(self) -> bool:
        return self.writer.state.lobby.created

    @property
    def subscribers(self) -> set[Subscriber]:
        return self.fanout.subscribers

    @property
    def busy(self) -> bool:
        """Commands are queued or being written: the room must not be dropped."""
        return self.writer.busy

    # --- commands -----------------------------------------------------------

    async def submit(self, actor: Actor, command: Command, cid: str | None) -> Result:
        """Queue a command; resolves once its events are durable and applied."""
        return await self.writer.submit(actor, command, cid)

    async def reached(self, seq: int) -> None:
        """Wait until this hub has applied the log up to ``seq`` (from any worker)."""
        await self.writer.reached(seq)

    # --- subscribers --------------------------------------------------------

    def attach(self, sub: Subscriber) -> None:
        """Start sending views to ``sub``; counts a participant as online."""
        self.fanout.add(sub)
        if sub.participant is not None:
            self.presence.arrived(sub.participant)

    def detach(self, sub: Subscriber) -> None:
        if self.fanout.remove(sub) and sub.participant is not None:
            self.presence.left(sub.participant)

    def send_current(self, sub: Subscriber) -> None:
        """Queue every current view for ``sub``: on connect, and on resume when behind."""
        self.fanout.send_current(sub)

    def deliver(self, sub: Subscriber, key: str, text: str) -> None:
        """Queue a message for one subscriber only (acks, errors)."""
        self.fanout.deliver(sub, key, text)
