"""Fan-out: turning a room's changes into messages for every local connection.

A job of its own because it is where a thousand phones meet one room, so
it is about doing little, and never waiting:

- coalescing: ticks are leading-edge, the first change after a quiet spell
  goes out at once, later ones within ``window`` are merged into the next
  flush; while an append is in flight a flush waits, so nothing that is not
  yet durable is shown;
- phones get the shared views at a slower, also leading-edge, cadence
  (``phone_window``, 1 s): a question's vote count on a thousand phones
  need not move ten times a second, and sending it so cost an upvote twice
  a plenum vote (docs/benchmarks.md, "Upvotes"). The projector and the
  console keep the fast tick; a phone's own view (its ballot, its turn)
  and its acks are never held back, but what someone else's command did
  to it (an asker's rank moved by others' upvotes, a place in the speaker
  list) goes with the phones' tick (``later``), together with the list it
  is a place in;
- while only counts move on the phones (``counts_only``: a question's votes,
  who is online), a room pushes them to at most ``counts_per_s`` phones a
  second (500: every phone each second up to 500 phones, every 2 s at
  1,000): the push's fixed cost, not its size, is what an upvote burst
  costs (docs/benchmarks.md, "Upvotes"); anything else goes at the tick;
- shared views are rendered at most once per tick per (kind, language), and
  the same text goes to every subscriber of that kind; a part equal to its
  previous render is not sent at all;
- and only their fragments that read what changed: the writer says which
  activities each batch changed, presence when who is online did, and each
  (kind, language) collects them until it is next rendered (``_stale``), so
  a vote re-renders the polls and not the café plan;
- personal views are rendered only for participants whose own state
  changed, and cached per participant otherwise;
- every subscriber has its own bounded, latest-wins outbox, so a slow
  phone holds up neither the flush nor the others; one that overflows is
  closed and resumes.

It only reads the room (:class:`Source`); the writer and presence tell it
what changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rooms.activities import READABLE
from rooms.activity import ONLINE
from rooms.room import RoomState
from server.outbox import Message, Outbox, OutboxOverflow
from server.patches import PATCH_KIND

log = logging.getLogger("dialograum.hub.fanout")


@dataclass(eq=False)
class Subscriber:
    """One live connection's interest in a room.

    ``kind`` names the views it receives (``phone``, ``console``, ``screen``
    or ``api:<role>``); ``lang`` the language they are rendered in.
    """

    kind: str
    lang: str
    participant: str | None
    outbox: Outbox
    close: Callable[[], None] = field(default=lambda: None)


class Presenter(Protocol):
    """Turns a room into the texts subscribers receive; the fan-out caches around it."""

    def shared(
        self,
        kind: str,
        lang: str,
        state: RoomState,
        online: frozenset[str],
        dirty: Collection[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The views every subscriber of ``kind`` and ``lang`` gets, identical for all.

        Split into named parts (one per page fragment) so that a part that did
        not change is not sent again: a phone's open ballot form is not
        replaced under the user's thumb just because someone else voted.
        ``previous`` is the last render of this kind and language and
        ``dirty`` what changed since (activity names and ``online``): a part
        that reads none of it may be taken from ``previous`` unrendered.
        """

    def personal(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str], participant: str
    ) -> str | None:
        """One participant's own view, or None for kinds that have none."""

    def frames(
        self,
        kind: str,
        changed: dict[str, str],
        personal: str | None,
        current: tuple[dict[str, str], str | None],
    ) -> Sequence[tuple[str, Message]]:
        """The (outbox key, text) messages for what changed.

        ``changed`` holds the shared parts that changed, ``personal`` the
        personal view if it changed, ``current`` everything as it is now.
        """


class Source(Protocol):
    """What the fan-out shows: the applied room, who is online, and whether it is durable."""

    @property
    def state(self) -> RoomState: ...

    @property
    def online(self) -> frozenset[str]: ...

    @property
    def appending(self) -> bool:
        """An append is in flight: the state holds entries that are not yet durable."""


class FanOut:
    """One room's subscribers on this worker and what they were last sent."""

    def __init__(
        self,
        code: str,
        presenter: Presenter,
        source: Source,
        window: float,
        phone_window: float | None = None,
        counts_per_s: float = 0.0,
    ) -> None:
        self.code = code
        self.presenter = presenter
        self.source = source
        self.window = window
        self.phone_window = max(window, window if phone_window is None else phone_window)
        # What phones (subscribers with a participant) were last sent of the shared views,
        # per (kind, lang), and when: between their slower ticks, changes wait here.
        self._phone_sent: dict[tuple[str, str], dict[str, str]] = {}
        self._phone_last = -1e9
        self.counts_per_s = counts_per_s  # 0: counts go at every phones' tick
        self._counts_last: dict[tuple[str, str], float] = {}  # when counts last went out
        self._phone_handle: asyncio.TimerHandle | None = None
        # Set by the phones' timer: the next flush is their tick, whatever the clock says
        # (a change's flush may have taken the tick since the timer was set).
        self._tick_wanted = False
        self.subscribers: set[Subscriber] = set()
        # The same subscribers split: screens and consoles (served first in every flush),
        # and phones by participant, so that a flush between the phones' ticks visits only
        # the phones whose own view changed, not all thousand of them.
        self._others: set[Subscriber] = set()
        self._phones: dict[str, list[Subscriber]] = {}
        self._phone_keys: dict[tuple[str, str], int] = {}  # (kind, lang) -> phones of it
        # What changed since the last flush: activity names, and ONLINE from presence.
        self._dirty: set[str] = set()
        self._dirty_people: set[str] = set()
        self._later_people: set[str] = set()  # their own views wait for the phones' tick
        self._flush_handle: asyncio.Handle | None = None
        self._last_flush = -1e9
        # The shared views of each (kind, lang) as last rendered, and what changed
        # since (collected at each flush until it is rendered again).
        self._rendered: dict[tuple[str, str], dict[str, str]] = {}
        self._stale: dict[tuple[str, str], set[str]] = {}
        # participant -> (kind, lang) -> view: a participant's change drops one entry
        self._personal_cache: dict[str, dict[tuple[str, str], str | None]] = {}
        self.flushes = 0

    def stop(self) -> None:
        """Flush no more, and close every connection."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        if self._phone_handle is not None:
            self._phone_handle.cancel()
        for sub in list(self.subscribers):
            sub.close()

    def add(self, sub: Subscriber) -> None:
        if sub in self.subscribers:
            return
        self.subscribers.add(sub)
        if sub.participant is None:
            self._others.add(sub)
        else:
            self._phones.setdefault(sub.participant, []).append(sub)
            key = (sub.kind, sub.lang)
            self._phone_keys[key] = self._phone_keys.get(key, 0) + 1

    def remove(self, sub: Subscriber) -> bool:
        """Stop sending to ``sub``; False if it was not subscribed."""
        if sub not in self.subscribers:
            return False
        self.subscribers.discard(sub)
        if sub.participant is None:
            self._others.discard(sub)
        else:
            mine = self._phones[sub.participant]
            mine.remove(sub)
            if not mine:
                del self._phones[sub.participant]
            key = (sub.kind, sub.lang)
            self._phone_keys[key] -= 1
            if not self._phone_keys[key]:
                del self._phone_keys[key]
        sub.outbox.close()
        return True

    # --- what changed -------------------------------------------------------

    def touch(
        self,
        people: set[str],
        later: set[str] | None = None,
        activities: Collection[str] = READABLE,
    ) -> None:
        """Entries were applied: the shared views that read ``activities``, and
        ``people``'s own, may have changed.

        ``later`` are participants whose own view changed through what someone
        else did (a place in a ranking): theirs goes with the phones' next tick.
        """
        self._dirty.update(activities)
        self._dirty_people |= people
        if later:
            self._later_people |= later
        self._schedule()

    def touch_everyone(self) -> None:
        """The room was rebuilt: every view, and every subscribed participant's own, may
        have changed."""
        self.touch(set(self._phones))

    def shared_changed(self) -> None:
        """Who is online changed: the shared views that show it (``ONLINE``) may have."""
        self._dirty.add(ONLINE)
        self._schedule()

    # --- flushing -----------------------------------------------------------

    def _schedule(self) -> None:
        if self._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = self._last_flush + self.window - loop.time()
        if delay <= 0:
            self._flush_handle = loop.call_soon(self._flush)
        else:
            self._flush_handle = loop.call_later(delay, self._flush)

    def flush_if_due(self) -> None:
        """Flush between batches when a tick is due.

        A flush waits while an append is in flight; under a steady stream of
        commands the next batch starts in the same step the last one ended,
        so the deferred flush kept finding an append in flight and the
        screen went a second without news (found by the join load test).
        """
        if self._flush_handle is None or self.source.appending:
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._last_flush + self.window:
            self._flush_handle.cancel()
            self._flush()

    def _flush(self) -> None:
        self._flush_handle = None
        source = self.source
        if source.appending:  # never show what is not yet durable
            self._schedule_after_append()
            return
        loop = asyncio.get_running_loop()
        now = self._last_flush = loop.time()
        phones_due = self._tick_wanted or now >= self._phone_last + self.phone_window
        self._tick_wanted = False
        if phones_due and self._phone_handle is not None:
            # This flush is the tick: a timer set for it would force another one.
            self._phone_handle.cancel()
            self._phone_handle = None
        phones_sent = False
        self.flushes += 1
        dirty, self._dirty = self._dirty, set()
        dirty_shared = bool(dirty)
        dirty_people, self._dirty_people = self._dirty_people, set()
        if phones_due:
            dirty_people |= self._later_people
            self._later_people = set()
        elif self._later_people:
            self._later_people -= dirty_people  # rendered now anyway
        # What a key showed before this flush, for what changed; a key rendered since
        # the last flush (a new subscriber's) compares with that render.
        previous = dict(self._rendered)
        if dirty:
            for key in self._rendered:
                self._stale.setdefault(key, set()).update(dirty)
        for pid in dirty_people:
            self._personal_cache.pop(pid, None)
        state, online = source.state, source.online  # a flush does not await: both hold
        # What changed is the same for every subscriber of a kind and language.
        changes: dict[tuple[str, str], dict[str, str]] = {}
        # Screens and consoles first: their senders wake first, so the projector
        # is not queued behind a thousand phones (vote-to-screen p99 334 -> 218 ms).
        for sub in self._others:
            shared, personal = self._views_for(sub, state, online)
            key = (sub.kind, sub.lang)
            changed = changes.get(key)
            if changed is None:
                before = previous.get(key, {})
                changed = {part: text for part, text in shared.items() if before.get(part) != text}
                changes[key] = changed
            if changed:
                self._deliver(sub, self.presenter.frames(sub.kind, changed, None, (shared, None)))
        # Phones: what changed in their shared views since their last tick, once per
        # (kind, language); only then is every phone visited. Otherwise only the phones
        # whose own view changed are, so a flush does not walk a thousand idle phones.
        held = False
        if phones_due:
            counts_window = self._counts_window()
            for key in self._phone_keys:
                shared = self._shared_for(key, state, online)
                before = self._phone_sent.setdefault(key, previous.get(key, {}))
                changed = {part: text for part, text in shared.items() if before.get(part) != text}
                if (
                    changed
                    and counts_only(key[0], changed)
                    and now < self._counts_last.get(key, -1e9) + counts_window
                ):
                    changed = {}  # the counts pile up against ``before`` until their turn
                    held = True
                elif changed:
                    self._phone_sent[key] = shared
                    self._counts_last[key] = now
                    phones_sent = True
                changes[key] = changed
        elif ((dirty_shared and self._phones) or self._later_people) and self._phone_handle is None:
            # Between the phones' ticks their shared views are not even rendered; the
            # tick renders them and sends whatever changed since the last one, with
            # the own views that wait for it (``later``).
            wait = self._phone_last + self.phone_window - now
            self._phone_handle = loop.call_later(wait, self._phones_due)
        if phones_sent:
            phones = [sub for mine in self._phones.values() for sub in mine]
        else:
            phones = [sub for pid in dirty_people for sub in self._phones.get(pid, ())]
        # The loop below runs once per phone and tick (a thousand times): each
        # (kind, language)'s shared views are looked up once, not per phone.
        shared_of: dict[tuple[str, str], dict[str, str]] = {}
        for sub in phones:
            key = (sub.kind, sub.lang)
            changed = changes.get(key) or {}
            personal_changed = sub.participant in dirty_people
            if not (changed or personal_changed):
                continue
            views = shared_of.get(key)
            if views is None:
                views = shared_of[key] = self._shared_for(key, state, online)
            personal = self._personal_for(sub, key, state, online)
            frames = self.presenter.frames(
                sub.kind, changed, personal if personal_changed else None, (views, personal)
            )
            self._deliver(sub, frames)
        if phones_sent or held:
            self._phone_last = now
        if held:  # held counts go at a later tick, timed from this one
            self._phone_handle = loop.call_later(self.phone_window, self._phones_due)

    def _counts_window(self) -> float:
        """How long counts-only changes wait between pushes to this room's phones."""
        if self.counts_per_s <= 0:
            return 0.0
        return max(self.phone_window, sum(self._phone_keys.values()) / self.counts_per_s)

    def _phones_due(self) -> None:
        """The phones' tick: a flush sends them what waited (the others have it already).

        The flush is their tick even if a change's flush took a tick since this
        timer was set: otherwise counts held by that tick were stranded, with
        no timer left, until the next change (the upvote benchmark's patching
        phone stayed a second of upvotes behind for good).
        """
        self._phone_handle = None
        self._tick_wanted = True
        self._schedule()

    def _schedule_after_append(self) -> None:
        loop = asyncio.get_running_loop()
        self._flush_handle = loop.call_later(self.window / 10, self._flush)

    # --- rendering and sending ----------------------------------------------

    def _shared_for(
        self, key: tuple[str, str], state: RoomState, online: frozenset[str]
    ) -> dict[str, str]:
        """The shared views of one (kind, language), rendered at most once per flush,
        and only the parts that read what changed since its last render."""
        shared = self._rendered.get(key)
        if shared is None:
            shared = self.presenter.shared(key[0], key[1], state, online)
        elif self._stale.get(key):
            shared = self.presenter.shared(key[0], key[1], state, online, self._stale[key], shared)
        else:
            return shared
        self._rendered[key] = shared
        self._stale[key] = set()
        return shared

    def _views_for(
        self, sub: Subscriber, state: RoomState, online: frozenset[str]
    ) -> tuple[dict[str, str], str | None]:
        key = (sub.kind, sub.lang)
        return self._shared_for(key, state, online), self._personal_for(sub, key, state, online)

    def _personal_for(
        self, sub: Subscriber, key: tuple[str, str], state: RoomState, online: frozenset[str]
    ) -> str | None:
        """``sub``'s own view, rendered once per participant and (kind, language) until
        that participant is touched again."""
        participant = sub.participant
        if participant is None:
            return None
        mine = self._personal_cache.get(participant)
        if mine is None:
            mine = self._personal_cache[participant] = {}
        if key in mine:
            return mine[key]
        personal = mine[key] = self.presenter.personal(
            sub.kind, sub.lang, state, online, participant
        )
        return personal

    def send_current(self, sub: Subscriber) -> None:
        """Queue every current view for ``sub``: on connect, and on resume when behind."""
        shared, personal = self._views_for(sub, self.source.state, self.source.online)
        frames = self.presenter.frames(sub.kind, shared, personal, (shared, personal))
        self._deliver(sub, frames)

    def _deliver(self, sub: Subscriber, frames: Sequence[tuple[str, Message]]) -> None:
        try:
            sub.outbox.put_many(frames)
        except OutboxOverflow:
            log.info("room %s: closing a connection whose outbox overflowed", self.code)
            sub.close()

    def deliver(self, sub: Subscriber, key: str, text: str) -> None:
        """Queue a message for one subscriber only (acks, errors)."""
        self._deliver(sub, [(key, text)])


COUNTS_PARTS = frozenset({"phone-qna-counts", "seq"})
"""The HTML phone's parts that carry only counts (and the log position)."""


def counts_only(kind: str, changed: Mapping[str, str]) -> bool:
    """Whether ``changed`` (a phone kind's changed shared parts) moves only counts.

    HTML phones: only ``#phone-qna-counts``. Patching API phones: the view's
    shape (everything but counts, server/patches.py) is unchanged. Plain API
    phones get whole states, so nothing of theirs counts as counts-only.
    """
    if kind == PATCH_KIND:
        return "shape" not in changed
    if kind == "phone":
        return changed.keys() <= COUNTS_PARTS
    return False
