"""The command writer: the one path by which this worker grows a room's log.

A job of its own because it holds the room's only mutable truth on this
worker, the state, and one rule about it: a command is acknowledged only
once its events are durable and applied in log order. Everything that can
bend that rule lives here and nowhere else:

- the queue, drained by one task per room, so commands are decided one
  after the other on the newest state;
- the refusals remembered per ``cid`` and the participants' rate limit;
- group commit: a whole batch goes to the store in one append with an
  expected last ``seq``; in a busy room a batch waits a moment for more
  (:meth:`Writer._gather`);
- a lost append race (``SeqConflict``, another worker wrote first): back to
  the committed snapshot, read what is new, decide the batch again;
- catching up with what other workers appended;
- the pseudonyms of anonymous ballots: the poll's secret is fetched (or
  created) before a vote is decided, and deleted once a seal is stored
  (:mod:`server.ballot_keys`);
- the log's entry codec and the snapshot codec.

It knows nothing about connections or rendering: it tells a
:class:`Watcher` (the fan-out) whom the entries it applied touched, and
which activities they changed (``rooms.room.writes_of``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Collection
from typing import Protocol

import msgspec

from rooms.activities import DEFAULT_LIMITS, READABLE, Limits
from rooms.base import Actor, Role
from rooms.room import (
    Command,
    Envelope,
    Handled,
    RoomState,
    apply,
    handle,
    previous_outcome,
    replay,
    writes_of,
)
from server.ballot_keys import BallotKeys
from server.broker import EVERYTHING, Broker
from server.ratelimit import TokenBuckets
from server.stores.base import EventStore, SeqConflict, StoreError

log = logging.getLogger("dialograum.hub.writer")

_encode_entry = msgspec.json.Encoder().encode
_decode_entry = msgspec.json.Decoder(Envelope).decode


def encode_entry(envelope: Envelope) -> bytes:
    return _encode_entry(envelope)


def decode_entries(raw: list[bytes]) -> list[Envelope]:
    return [_decode_entry(r) for r in raw]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Result(msgspec.Struct, frozen=True):
    """What became of one command: written (``seq``), unchanged, or refused (``reason``)."""

    ok: bool
    seq: int | None = None
    reason: str | None = None
    id: str | None = None


class Snapshot(msgspec.Struct, frozen=True):
    """A committed state, kept in memory to recover from a lost append race.

    The state is msgpack without its cid outcomes; those are kept as they
    are, a shallow copy of the map: each actor's outcomes are an immutable
    packed outcome (``bytes``) or tuple of them, so sharing them is safe, and the
    copy costs a dict's copy instead of decoding tens of thousands of them.
    """

    seq: int
    body: bytes
    outcomes: dict[str, bytes | tuple[bytes, ...]]


_encode_snapshot = msgspec.msgpack.Encoder().encode
_decode_snapshot = msgspec.msgpack.Decoder(RoomState).decode


def encode_snapshot(state: RoomState) -> Snapshot:
    body = _encode_snapshot(msgspec.structs.replace(state, outcomes={}))
    return Snapshot(state.seq, body, dict(state.outcomes))


def decode_snapshot(snapshot: Snapshot) -> RoomState:
    state = _decode_snapshot(snapshot.body)
    state.outcomes = dict(snapshot.outcomes)
    return state


ATTEMPTS = 20  # tries at one batch when other workers keep appending first
TURN_AFTER = 2  # lost races in a row before this worker asks the others for a turn
TURN_HOLD_S = 0.5  # at most this long a worker asked for a turn holds its own appends
SNAPSHOT_EVERY = 128  # entries between committed-state snapshots (several workers)
GATHER_S = 0.01  # in a busy room, how long a batch waits for more commands (see _gather)
GATHER_SEEN = 8  # a room is busy when this many commands came within ...
GATHER_WITHIN_S = 0.08  # ... this long (100 commands a second or more) ...
GATHER_FROM = 4  # ... from at least this many different senders
GATHER_ENOUGH = 16  # a batch this large goes at once: its append's cost is shared enough
RETRY_FIRST_S = 0.2  # a failed catch-up or reload tries again after this long ...
RETRY_MOST_S = 5.0  # ... doubling up to this, as the broker's reconnects do

Pending = tuple[Actor, Command, str | None, asyncio.Future[Result]]


class Watcher(Protocol):
    """Who hears about the entries the writer applied: the fan-out."""

    def touch(
        self,
        people: set[str],
        later: set[str] | None = None,
        activities: Collection[str] = READABLE,
    ) -> None:
        """Entries were applied; ``people`` are the participants whose own view changed,
        ``activities`` those whose state they changed.

        ``later``: changed by another participant's command (a rank, a place
        in a list), so it may wait for the phones' slower tick.
        """

    def touch_everyone(self) -> None:
        """The room was rebuilt from the log: anyone's view may have changed."""

    def flush_if_due(self) -> None:
        """A batch is done: show it now if a tick is due."""


class Writer:
    """One room's command queue and its path into the log (see the module docstring)."""

    def __init__(
        self,
        code: str,
        store: EventStore,
        broker: Broker,
        watcher: Watcher,
        *,
        shared_log: bool = False,
        burst: float = 20,
        per_second: float = 2,
        remembered_rejections: int = 10_000,
        limits: Limits = DEFAULT_LIMITS,
        keys: BallotKeys | None = None,
        gather_s: float = GATHER_S,
    ) -> None:
        self.code = code
        self.store = store
        self.keys = keys if keys is not None else BallotKeys(store)
        self.broker = broker
        self.watcher = watcher
        # Several workers append to one log (Redis): keep a snapshot of the
        # committed state, so a lost append race costs a decode and a short
        # catch-up instead of a replay of the whole log.
        self.shared_log = shared_log
        self.remembered_rejections = remembered_rejections
        self.limits = limits
        self.state = RoomState()
        self._held_until = 0.0  # loop time until which another worker has the turn
        # set when another worker's append past _turn_from is heard: the turn is over
        self._turn_taken = asyncio.Event()
        self._turn_from = 0
        self.turns_given = 0  # times another worker asked for a turn (tests, benchmarks)
        self.appending = False  # an append is in flight: the state holds uncommitted entries
        # a lost race until its recovery has swapped the state: it still holds the batch
        # the log refused, so nothing may be rendered from it (see FanOut._flush)
        self.recovering = False
        self._snapshot: Snapshot | None = None
        self._known_seq = 0  # the highest seq other workers announced
        self._shown_seq = 0  # after a lost race: the committed seq it started from
        self._catching: asyncio.Task[None] | None = None
        self._catch_again = False
        self._pending: list[Pending] = []
        self.gather_s = gather_s
        # the loop time and sender of the last few commands: is the room busy?
        self._arrivals: deque[tuple[float, str]] = deque(maxlen=GATHER_SEEN)
        self._oldest = 0.0  # loop time the oldest pending command came
        self._gathering: asyncio.Future[None] | None = None  # a batch waiting for more
        self.gathered = 0  # batches that waited for more (tests, benchmarks)
        self._task: asyncio.Task[None] | None = None
        self._rejections: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._buckets = TokenBuckets(burst, per_second)
        self._needs_reload = False
        self._retry: asyncio.TimerHandle | None = None  # a failed catch-up's next try
        self._retry_delay = RETRY_FIRST_S
        self._unannounced = 0  # a committed seq whose notice could not be published
        self._announcing: asyncio.Task[None] | None = None
        self._stopped = False
        self._seq_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.appends = 0  # batches written
        self.lost_races = 0  # appends refused because another worker wrote first

    async def load(self) -> None:
        """Rebuild the room by replaying its log."""
        self.state = replay(decode_entries(await self.store.read(self.code)), self.limits)
        await self.keys.load(self.code, self.state.polls)
        self._take_snapshot()

    def running(self) -> set[asyncio.Task[None]]:
        """The tasks still at work on the store (see ``Hub.close``)."""
        tasks = (self._task, self._catching, self._announcing)
        return {t for t in tasks if t is not None and not t.done()}

    def stop(self) -> None:
        self._stopped = True
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        if self.lost_races:
            log.info(
                "room %s: %d appends, %d lost races to other workers",
                self.code,
                self.appends,
                self.lost_races,
            )

    @property
    def busy(self) -> bool:
        """Whether commands are queued or being written (the room must not be dropped)."""
        return bool(self._pending) or self._task is not None

    # --- following other workers -------------------------------------------

    def give_turn(self) -> None:
        """Another worker lost the append race to this room again and again: hold
        this worker's appends until another worker's append is heard, at most
        ``TURN_HOLD_S``, so its batch can go.

        Why: two workers append to one room's log with a compare-and-append; the
        loser recovers (decodes its snapshot, reads the entries after it) and
        decides its batch again. Under CPU starvation that recovery took longer
        than the winner's next batch, so the loser lost every try and refused
        its whole batch as ``store_unavailable`` after ``ATTEMPTS`` (612 votes
        in the big-event benchmark at a load average of 3.5). Jitter alone
        cannot help a loser whose rival never pauses; this makes the rival
        pause. A fixed pause of 50 ms was not enough where the recovery took
        longer (a run under tracemalloc lost every try), so the pause lasts
        until the loser's append is heard; the bound is for a loser that died
        or gave up. The commands that arrive here meanwhile wait and go in one
        batch after.
        """
        self.turns_given += 1
        self._held_until = asyncio.get_running_loop().time() + TURN_HOLD_S
        self._turn_taken.clear()
        self._turn_from = max(self.state.seq, self._known_seq)

    async def _wait_for_turn(self) -> None:
        """Wait while another worker has the turn (see ``give_turn``)."""
        # Again if it asks again meanwhile, at most ATTEMPTS times, so a worker
        # that keeps asking cannot stop this one.
        for _ in range(ATTEMPTS):
            hold = self._held_until - asyncio.get_running_loop().time()
            if hold <= 0 or self._turn_taken.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._turn_taken.wait(), hold)

    def notice(self, seq: int) -> None:
        """The broker says the log reached ``seq`` (or ``EVERYTHING``: read it all)."""
        if seq > self.state.seq:
            if seq > self._turn_from:
                self._turn_taken.set()  # another worker appended: a turn given is over
            if seq < EVERYTHING:
                self._known_seq = max(self._known_seq, seq)
            self._start_catch_up()

    def _start_catch_up(self) -> None:
        """One catch-up at a time; notices that arrive meanwhile make it read once more.

        Not while an append is in flight: the state holds uncommitted entries
        then. ``_attempt`` catches up before its next decision instead.
        """
        if self._catching is not None:
            self._catch_again = True
            return
        if self.appending:
            # After its append ``_attempt`` catches up when this is set. Without it a
            # notice that came during an append was dropped: after a Redis outage the
            # resubscribed broker's "read it all" could be the last word, and a screen
            # stayed a vote behind (a CI run of the Redis restart test).
            self._catch_again = True
            return
        self._catching = asyncio.get_running_loop().create_task(self._catch_up_loop())

    async def _catch_up_loop(self) -> None:
        try:
            again = True
            while again:
                self._catch_again = False
                if self._needs_reload:
                    # The state still holds a batch the store refused (the reload
                    # after it failed too): entries read after its seq would be
                    # applied on top of it. Rebuild from the log instead.
                    self._start_reload()
                    return
                try:
                    await self.catch_up()
                except StoreError as exc:
                    log.warning("room %s: catch-up failed: %s", self.code, exc)
                    self._retry_later()
                    return
                self._settled()
                again = self._catch_again and not self.appending
        finally:
            self._catching = None

    def _retry_later(self) -> None:
        """Follow the log, or announce an append, again by itself after the store
        or the broker failed.

        Why: a room learns of other workers' entries from notices, and a notice
        comes only when one of them appends. After a Redis outage the broker's
        "read it all" may be the last notice for a while; if its catch-up (or
        the reload of a room that holds a refused batch) failed, the room stayed
        behind until the next command or notice, and a worker holding only
        screens showed the old tally for good (a CI run of the Redis restart
        test). Likewise a notice that could not be published is published again,
        or the other workers would hear of that append only with the next one.
        The retries back off as the broker's reconnects do; a stopped writer
        makes none.
        """
        if self._retry is not None or self._stopped:
            return
        loop = asyncio.get_running_loop()
        self._retry = loop.call_later(self._retry_delay, self._retry_now)
        self._retry_delay = min(self._retry_delay * 2, RETRY_MOST_S)

    def _retry_now(self) -> None:
        self._retry = None
        if self._stopped:
            return
        self._start_catch_up()  # reloads instead if the state holds a refused batch
        if self._unannounced and self._announcing is None:
            self._announcing = asyncio.get_running_loop().create_task(self._announce())

    async def _announce(self) -> None:
        """Publish the notice of an append whose publish failed (see ``_retry_later``)."""
        seq = self._unannounced
        try:
            await self.broker.publish(self.code, seq)
        except StoreError as exc:  # still owed: the check below arms the next try
            log.warning("room %s: publish failed again: %s", self.code, exc)
        else:
            if self._unannounced == seq:  # not superseded by a later failure meanwhile
                self._unannounced = 0
                self._settled()
        finally:
            self._announcing = None
        if self._unannounced:
            # This one failed, or a later publish failed while this one was under
            # way and its timer fired meanwhile, leaving it to this task (a
            # review's find). ``_retry_later`` arms at most one timer.
            self._retry_later()

    def _settled(self) -> None:
        """Something the retries wait for worked: the next failure starts at the
        shortest delay again, unless a publish is still owed (a catch-up that
        works says nothing of the broker: its delay must keep growing)."""
        if not self._unannounced and not self._needs_reload:
            self._retry_delay = RETRY_FIRST_S

    async def catch_up(self, shown: int = 0) -> bool:
        """Apply what other workers appended; the store fills any gap the broker left.

        Entries up to ``shown`` are already on every local screen (a recovery
        re-applies them to an older snapshot): they touch nobody again.
        Returns whether the log held anything this hub had not applied.
        """
        entries = decode_entries(await self.store.read(self.code, self.state.seq))
        return await self._apply_read(entries, shown)

    async def _apply_read(self, entries: list[Envelope], shown: int) -> bool:
        """Apply entries read from the store after ``self.state.seq`` (see :meth:`catch_up`).

        Not while the state holds a batch the store refused (``_needs_reload``: a
        catch-up whose read was under way when the race was lost). Applied to it,
        and snapshotted, the refused batch would come back with the next recovery
        (found by the big-event benchmark: two joins answered ``already_joined``).
        The recovery or reload under way reads the log itself.
        """
        if self._needs_reload:
            return False
        for envelope in entries:
            if envelope.seq == self.state.seq + 1:
                touched = apply(self.state, envelope, self.limits)
                if envelope.seq > shown:
                    self._touch(touched, None, writes_of(envelope.event))
        if entries and not self.appending:
            self._take_snapshot()
        if entries:
            try:  # another worker's seal: delete the secret here too (idempotent)
                await self.keys.after(self.code, self.state.polls, entries)
            except StoreError as exc:
                log.warning("room %s: poll secrets not updated: %s", self.code, exc)
        return bool(entries)

    async def reached(self, seq: int) -> None:
        """Wait until this hub has applied the log up to ``seq`` (from any worker)."""
        if self.state.seq >= seq:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq_waiters.append((seq, future))
        await future

    def _touch(
        self,
        people: set[str],
        later: set[str] | None = None,
        activities: Collection[str] = READABLE,
    ) -> None:
        self.watcher.touch(people, later, activities)
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        if self._seq_waiters:
            waiting = []
            for seq, future in self._seq_waiters:
                if self.state.seq >= seq and not future.done():
                    future.set_result(None)
                elif not future.done():
                    waiting.append((seq, future))
            self._seq_waiters = waiting

    # --- the committed-state snapshot (several workers) ---------------------

    def _take_snapshot(self) -> None:
        """Remember the committed state; only called when state == the log's prefix.

        Not after every batch: encoding a room of 1,000 people costs ~0.25 ms.
        A snapshot up to ``SNAPSHOT_EVERY`` entries old is as good, since a
        recovery reads and applies the entries after it anyway.
        """
        if not self.shared_log:
            return
        if self._snapshot is None or self.state.seq - self._snapshot.seq >= SNAPSHOT_EVERY:
            self._snapshot = encode_snapshot(self.state)

    async def _recover(self) -> None:
        """After a lost race: back to the last committed state, then read what is new.

        Equal to a replay of the log (tests/server/test_snapshot.py checks), but
        it reads and applies only the entries since the snapshot.
        """
        if self._snapshot is None:
            await self._reload()
            return
        # Read first, then swap: while the read is in flight the hub keeps its
        # newer state, so a welcome or a page rendered meanwhile never shows the
        # snapshot (up to SNAPSHOT_EVERY entries old; at first the room as it
        # was when this worker loaded it). Seen in the big-event benchmark:
        # phones reconnecting during the storm were welcomed with an empty room.
        restored = decode_snapshot(self._snapshot)
        entries = decode_entries(await self.store.read(self.code, restored.seq))
        self.state = restored
        self._needs_reload = False
        self._settled()
        self.recovering = False  # the log's state again: the fan-out may render it
        # A page rendered while the lost batch was applied (a new subscriber's
        # first page) may show it: every shared fragment is rendered again.
        self.watcher.touch(set(), None, READABLE)
        # Nobody's view showed the lost batch (no flush while appending), and
        # everything up to where it started was shown: only newer entries touch
        # anyone, not every phone in the room.
        await self._apply_read(entries, shown=self._shown_seq)

    async def _reload(self) -> None:
        self.state = replay(decode_entries(await self.store.read(self.code)), self.limits)
        await self.keys.load(self.code, self.state.polls)
        self._needs_reload = False
        self._settled()
        self._take_snapshot()
        self.watcher.touch_everyone()
        self._wake_waiters()

    # --- commands ---------------------------------------------------------

    async def submit(self, actor: Actor, command: Command, cid: str | None) -> Result:
        """Queue a command; resolves once its events are durable and applied."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        now = loop.time()
        self._arrivals.append((now, actor.key))
        if not self._pending:
            self._oldest = now
        self._pending.append((actor, command, cid, future))
        if self._task is None:
            self._task = loop.create_task(self._write_loop())
        elif len(self._pending) >= GATHER_ENOUGH:
            self._stop_gathering()
        return await future

    def _stop_gathering(self) -> None:
        """The batch that waits for more has enough: it goes now."""
        gathering = self._gathering
        if gathering is not None and not gathering.done():
            gathering.set_result(None)

    def _start_reload(self) -> None:
        """Rebuild the room from the log in the write loop's place, so that no batch
        is decided on the state while it is replaced; a running write loop reloads
        before its next batch anyway."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._write_loop(reload=True))

    async def _write_loop(self, reload: bool = False) -> None:
        try:
            if reload and self._needs_reload:
                try:
                    await self._reload()
                except StoreError as exc:  # retried below (_retry_later), or sooner by a command
                    log.warning("room %s: reload failed: %s", self.code, exc)
            while self._pending:
                # Another worker asked for a turn: its batch goes first. Only between
                # batches: this worker's own retries of a lost batch never wait.
                await self._wait_for_turn()
                await self._gather()
                batch, self._pending = self._pending, []
                try:
                    results = await self._process([(a, c, i) for a, c, i, _ in batch])
                except Exception:
                    results = await self._failed(len(batch))
                for (_, _, _, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                self.watcher.flush_if_due()
        finally:
            self._task = None
        # Not after an exception (a log that cannot be replayed would be read again
        # and again), nor after a cancellation (a closing hub).
        if self._needs_reload:  # the reload failed and no batch is left to do it
            self._retry_later()

    async def _failed(self, size: int) -> list[Result]:
        """A batch raised: a defect in deciding or applying a command, not a refusal.

        Without this the write loop ended with the batch's futures unresolved,
        and every sender in it waited for good. Each is told to try again (as
        after a failed append), and the room is rebuilt from its log, because
        the state may hold part of the batch; a command that was appended
        before the error is answered from the log when its sender resends it
        with its cid.
        """
        log.exception("room %s: a batch of %d commands failed; reloading the room", self.code, size)
        await self._rebuild()
        return [Result(False, reason="store_unavailable")] * size

    async def _rebuild(self) -> None:
        """The state may hold commands the log does not: rebuild it from the log now,
        or, if the store fails too, at the next batch, notice or retry (``_needs_reload``)."""
        self._needs_reload = True
        with contextlib.suppress(StoreError):
            await self._reload()

    async def _gather(self) -> None:
        """In a busy room, let a small batch wait until its oldest command is
        ``gather_s`` old, so that the commands arriving meanwhile share its append.

        Why: an append costs the same for one command as for sixteen (a
        transaction, an fsync, the SQLite thread's round trip, a wake-up of
        every task waiting on it): about 350 µs of server CPU against ~120 µs
        per command on top (docs/benchmarks.md, "Group commit waits in a busy
        room"). Batches form by themselves only while an append is in flight,
        and in a plenum vote (1,000 phones within 5 s, 200 commands a second)
        an append is over before the next vote arrives: every vote paid for a
        whole append. Waiting 10 ms put about ten votes in each (the
        ``ceiling`` run: 101 fsyncs for 1,000 votes, under strace); the acks
        come up to that much later, which nobody in the room can see. A quiet room
        (fewer than ``GATHER_SEEN`` commands in ``GATHER_WITHIN_S``) never
        waits, nor does a batch that is large already, nor one client alone
        sending command after command (a script: each of its commands waits
        for the last one's ack, so nothing would join the batch).
        """
        if self.gather_s <= 0 or len(self._pending) >= GATHER_ENOUGH:
            return
        arrivals = self._arrivals
        if len(arrivals) < GATHER_SEEN or arrivals[-1][0] - arrivals[0][0] > GATHER_WITHIN_S:
            return
        if len({sender for _, sender in arrivals}) < GATHER_FROM:
            return
        loop = asyncio.get_running_loop()
        wait = self._oldest + self.gather_s - loop.time()
        if wait <= 0:
            return
        self.gathered += 1
        self._gathering = loop.create_future()
        timer = loop.call_later(wait, self._stop_gathering)
        try:
            await self._gathering
        finally:
            timer.cancel()
            self._gathering = None

    async def _process(self, batch: list[tuple[Actor, Command, str | None]]) -> list[Result]:
        """Decide, append and apply a batch; on a lost race with another worker, again.

        A ``SeqConflict`` means another worker appended first. The room is
        rebuilt from the log (which now holds their entries) and the whole
        batch is decided again against it, so the log order is the truth.
        """
        for attempt in range(ATTEMPTS):
            if self._needs_reload:
                try:
                    await (self._recover() if attempt else self._reload())
                except StoreError:
                    return [Result(False, reason="store_unavailable")] * len(batch)
                finally:
                    self.recovering = False
            elif self._known_seq > self.state.seq:
                await self._behind()  # announced but not applied: decide on the newest state
            try:  # the secrets of anonymous polls voted in (a ballot without one is refused)
                await self.keys.prepare(self.code, self.state.polls, (c for _, c, _ in batch))
            except StoreError as exc:
                log.warning("room %s: poll secrets not available: %s", self.code, exc)
            if attempt >= TURN_AFTER:  # the others keep winning: ask them to hold a moment
                try:
                    await self.broker.ask_turn(self.code)
                except StoreError as exc:
                    log.warning("room %s: could not ask for a turn: %s", self.code, exc)
            if attempt >= 2:  # two workers in lockstep: let one of them go first
                await asyncio.sleep(random.random() * 0.002 * attempt)  # noqa: S311 - jitter
            results = await self._attempt(batch, limit_rate=attempt == 0)
            if results is not None:
                return results
        log.warning("room %s: lost the append race %d times in a row", self.code, ATTEMPTS)
        # The state still holds the last refused batch: back to the log's before anyone
        # sees it (a screen push counted refused votes in place of the other worker's
        # in the big-event benchmark). If the store fails too, the next command reloads.
        try:
            await self._recover()
        except StoreError as exc:
            log.warning("room %s: recovery after the lost races failed: %s", self.code, exc)
        finally:
            self.recovering = False
        return [Result(False, reason="store_unavailable")] * len(batch)

    async def _attempt(
        self, batch: list[tuple[Actor, Command, str | None]], limit_rate: bool
    ) -> list[Result] | None:
        """One try at a batch; None if another worker appended first (the room is reloaded)."""
        base = self.state.seq
        now = now_ms()
        clock = asyncio.get_running_loop().time()
        results: list[Result] = []
        staged: list[Envelope] = []
        written: list[int] = []  # indexes of results that depend on the append
        touched: set[str] = set()
        later: set[str] = set()  # touched by another participant's command
        activities: set[str] = set()  # whose state the batch changed
        refusals: list[tuple[str, str | None, Handled]] = []
        for actor, command, cid in batch:
            if cid is not None and (reason := self._rejections.get((actor.key, cid))):
                results.append(Result(False, reason=reason))
                continue
            voter = self.keys.voter(self.code, self.state.polls, command, actor)
            if voter is None:  # an anonymous ballot whose poll secret could not be had
                results.append(Result(False, reason="store_unavailable"))
                continue
            actor = voter  # its pseudonym is the log's author and scopes its cid
            fresh = previous_outcome(self.state, actor, cid) is None
            if (
                fresh
                and limit_rate
                and actor.role is Role.PARTICIPANT
                and not self._buckets.allow(actor.key, clock)
            ):
                results.append(Result(False, reason="rate_limited"))
                continue
            handled = handle(self.state, command, actor, cid, now, self.limits)
            if not handled.ok and handled.reason is not None:
                refusals.append((actor.key, cid, handled))
                results.append(Result(False, reason=handled.reason))
                continue
            if handled.envelopes:
                activities |= handled.activities
                written.append(len(results))
                staged.extend(handled.envelopes)
                if actor.role is Role.PARTICIPANT and (mine := actor.participant) is not None:
                    # Your own view at once; the askers your upvote overtook see
                    # their new rank with the phones' tick (docs/architecture.md).
                    touched |= handled.touched & {mine}
                    later |= handled.touched - {mine}
                else:
                    touched |= handled.touched
            results.append(Result(True, handled.seq, id=handled.id))
        if refusals and not staged and await self._behind():
            return None  # refused on an old state: another worker moved the room on
        for actor_key, cid, handled in refusals:
            if not handled.transient and cid is not None and handled.reason is not None:
                self._remember_rejection(actor_key, cid, handled.reason)
        if staged:
            self.appending = True
            try:
                await self.store.append(self.code, base, [encode_entry(e) for e in staged])
            except SeqConflict:
                self._needs_reload = True
                self.recovering = True
                self._shown_seq = base
                self.lost_races += 1
                return None
            except StoreError as exc:
                log.warning("room %s: append failed, reloading: %s", self.code, exc)
                for index in written:
                    results[index] = Result(False, reason="store_unavailable")
                await self._rebuild()
                return results
            finally:
                self.appending = False
            self.appends += 1
            self._touch(touched, later, activities)
            self._take_snapshot()
            try:  # a poll sealed for good: its secret goes now that the seal is stored
                await self.keys.after(self.code, self.state.polls, staged)
            except StoreError as exc:  # deleted at the next load (BallotKeys.load)
                log.warning("room %s: poll secret not deleted: %s", self.code, exc)
            if self._known_seq > self.state.seq or self._catch_again:
                self._start_catch_up()
            try:
                await self.broker.publish(self.code, self.state.seq)
                self._unannounced = 0  # a later seq tells the others as much
            except StoreError as exc:  # the store has it: announced again later
                log.warning("room %s: publish failed: %s", self.code, exc)
                self._unannounced = self.state.seq
                self._retry_later()
        return results

    async def _behind(self) -> bool:
        """Whether the log has entries this hub has not applied; if so, apply them.

        Only asked before refusing (with nothing staged, so the state is the
        log's), so a refusal is never based on a state that another worker
        has already moved on (say, a poll it opened).
        """
        try:
            return await self.catch_up()
        except StoreError:
            return False

    def _remember_rejection(self, actor_key: str, cid: str, reason: str) -> None:
        self._rejections[(actor_key, cid)] = reason
        if len(self._rejections) > self.remembered_rejections:
            self._rejections.popitem(last=False)
